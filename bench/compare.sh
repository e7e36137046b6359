#!/usr/bin/env bash
# bench/compare.sh: Nchan and ssehub in turn, under the same load from the same generator, then
# the ratios ssehub/Nchan. Every hub is started fresh for each run (so that memory per stream is
# measured from a clean start), on a free loopback port; Redis, when used, is a redis-server this
# script starts on a free port (never 6379) and stops.
#
#   bench/compare.sh                      # the full matrix (about 25 minutes on 2 cores, see RESULTS.md)
#   bench/compare.sh --quick              # 1,000 streams, 200 events/s, in memory, 10 s: a short smoke
#   bench/compare.sh --streams "1000 10000" --rates "200 0" --storage "memory redis" --duration 20s
#
# Options (each takes one word; quote lists):
#   --streams "N ..."     subscriber counts (default "1000 10000 19000")
#   --rates "R ..."       events/s; 0 = flat out (default "200 0")
#   --storage "S ..."     memory and/or redis (default "memory redis")
#   --targets "T ..."     nchan and/or ssehub, in this order (default "nchan ssehub")
#   --duration D          publishing time per run (default 20s)
#   --warmup D            uncounted publishing first, same rate, for both hubs (default 5s)
#   --drain D             after publishing, wait at most this for late deliveries (default 30s; later = missing)
#   --idle D              with every stream open, wait this long before reading the hub's idle memory, so that
#                         a garbage-collected hub has given back what the connection storm took (default 10s)
#   --event-bytes N       event data size (default 64)
#   --out DIR             where results go (default bench/results)
#   --label TEXT          added to each run's label
#
# Environment: BENCH_JAVA_OPTS (generator JVM, default "-XX:+UseParallelGC -Xmx2g"),
# SSEHUB_JAVA_OPTS (hub JVM, default none), NGINX_WORKERS (default auto).
#
# Needs: the jars (mvn -B -q package -DskipTests), python3, curl; installs nginx-light and
# libnginx-mod-nchan (apt-get) and redis-server if they are missing. ulimit -n must allow the
# largest stream count plus ~200 for one generator process and for the hub (19,000 fits under
# this machine's hard limit of 20,000).
set -euo pipefail

script="$(readlink -f "${BASH_SOURCE[0]}")"
bench="$(dirname "$script")"
repo="$(cd "$bench/.." && pwd -P)"

streams_list="1000 10000 19000"
rates="200 0"
storages="memory redis"
targets="nchan ssehub"
duration="20s"
warmup="5s"
drain="30s"
idle="10s"
event_bytes=64
out_dir="$bench/results"
label_extra=""

while (( $# > 0 )); do
  case "$1" in
    --quick) streams_list="1000"; rates="200"; storages="memory"; duration="10s"; warmup="3s"; shift ;;
    --streams) streams_list="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --storage) storages="$2"; shift 2 ;;
    --targets) targets="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --drain) drain="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --event-bytes) event_bytes="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --label) label_extra="$2"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib.sh
source "$bench/lib.sh"
bench_init compare

# ---- packages

need_install=()
command -v nginx >/dev/null 2>&1 || need_install+=(nginx-light)
[[ -e /usr/lib/nginx/modules/ngx_nchan_module.so ]] || need_install+=(libnginx-mod-nchan)
if [[ " $storages " == *" redis "* ]] && ! command -v redis-server >/dev/null 2>&1; then
  need_install+=(redis-server)
fi
if (( ${#need_install[@]} > 0 )); then
  echo "compare.sh: installing ${need_install[*]}" >&2
  sudo_cmd=()
  (( EUID == 0 )) || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  # policy-rc.d is not touched: if the package starts nginx on :80 we stop it below, by its pid file.
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need_install[@]}" >/dev/null
  if [[ -s /run/nginx.pid ]]; then
    "${sudo_cmd[@]}" kill "$(cat /run/nginx.pid)" 2>/dev/null || true
  fi
fi

# ---- bookkeeping

mkdir -p "$out_dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$out_dir/compare-$stamp.jsonl"
summary="$out_dir/compare-$stamp.md"

machine_note() {
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r)"
  echo "- memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
  echo "- open files: ulimit -n $(ulimit -n), hard $(ulimit -Hn); somaxconn $(cat /proc/sys/net/core/somaxconn)"
  echo "- java: $(java -version 2>&1 | head -1)"
  echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'), nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null || echo '?')"
  if command -v redis-server >/dev/null; then echo "- redis: $(redis-server --version | awk '{print $3}')"; fi
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- generator: one JVM, $(nproc) stream threads + 1 publisher thread, on the same machine as the hub"
}

# ---- hubs

start_nchan() { # start_nchan PORT STORAGE REDIS_PORT
  local port="$1" storage="$2" redis_port="${3:-}" redis_conf=""
  if [[ "$storage" == redis ]]; then
    redis_conf="nchan_redis_url \"redis://127.0.0.1:$redis_port\"; nchan_use_redis on;"
  fi
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<EOF
# Nchan for bench/compare.sh: one channel by ?id=, EventSource subscribers, Nchan's defaults otherwise.
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
daemon off;
master_process on;
worker_processes ${NGINX_WORKERS:-auto};
worker_rlimit_nofile $(ulimit -Hn);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections $(ulimit -Hn); multi_accept on; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location = /pub { nchan_publisher; nchan_channel_id \$arg_id; $redis_conf }
    location = /sub { nchan_subscriber eventsource; nchan_channel_id \$arg_id; $redis_conf }
  }
}
EOF
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" > "$work/nginx/stdout.log" 2>&1 &
  hub_pid=$!
  wait_http "http://127.0.0.1:$port/pub?id=ping" 20
}

# ---- runs

{
  echo "# ssehub vs Nchan, $stamp"
  echo
  machine_note
  echo
} > "$summary"
echo "compare.sh: results in $results, summary in $summary" >&2
runs=0
for storage in $storages; do
  for n in $streams_list; do
    for rate in $rates; do
      for target in $targets; do
        redis_port=""
        if [[ "$storage" == redis ]]; then
          start_redis
        fi
        port="$(free_port)"
        if [[ "$target" == nchan ]]; then start_nchan "$port" "$storage" "$redis_port"; else start_ssehub "$port" "$storage" "$redis_port"; fi
        label="$target-$storage-$n-$([[ "$rate" == 0 ]] && echo flat || echo "$rate")${label_extra:+-$label_extra}"
        cmd=(java ${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xmx2g} -cp "$bench_jar" io.ssehub.bench.LoadGenerator
             --target "$target" --url "http://127.0.0.1:$port" --streams "$n" --rate "$rate"
             --duration "$duration" --warmup "$warmup" --drain "$drain" --idle "$idle" --event-bytes "$event_bytes"
             --hub-pid "$hub_pid${redis_pid:+,$redis_pid}" --label "$label" --out "$results")
        echo "compare.sh: run $((runs + 1)): ${cmd[*]}" >&2
        echo "\`${cmd[*]/#$bench_jar/bench/target/ssehub-bench-*-all.jar}\`" \
          | sed "s|--url http://127.0.0.1:$port|--url http://127.0.0.1:PORT|; s|--hub-pid $hub_pid${redis_pid:+,$redis_pid}|--hub-pid PID${redis_pid:+,REDIS_PID}|; s|$repo/||g" >> "$work/commands"
        # The run is bounded by its own timeouts; `timeout` is a second fence.
        timeout 900 "${cmd[@]}" > /dev/null || echo "compare.sh: run $label failed (exit $?)" >&2
        runs=$((runs + 1))
        stop_pid "$hub_pid"; hub_pid=""
        stop_pid "$redis_pid"; redis_pid=""
      done
    done
  done
done

# ---- ratios

python3 - "$results" "$work/commands" >> "$summary" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
commands = [l.strip() for l in open(sys.argv[2])] if len(sys.argv) > 2 else []
def key(r):
    storage = r["label"].split("-")[1]
    return (storage, r["streams_requested"], r["rate_requested"])
def fmt(v, p=0):
    return "n/a" if v is None else (f"{v:,.{p}f}" if isinstance(v, (int, float)) else str(v))
def mb(kb):
    return "n/a" if kb is None else f"{kb / 1024:.1f}"
def ratio(a, b):
    return "n/a" if a in (None, 0) or b in (None, 0) else f"{a / b:.2f}"
print("| storage | streams | rate | hub | deliveries/s | p50 ms | p99 ms | p99.9 ms | max ms | CPU us/delivery | RSS MB idle (as opened) | acked/s | missing | dup | gen. cores | others' cores | limited by |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    s, n, rate = key(r)
    print(f"| {s} | {n:,} | {'flat out' if rate == 0 else rate} | {r['target']} | {fmt(r['deliveries_per_s'])} | "
          f"{r['latency_us_p50']/1000:.1f} | {r['latency_us_p99']/1000:.1f} | {r['latency_us_p999']/1000:.1f} | {r['latency_us_max']/1000:.1f} | "
          f"{fmt(r['hub_cpu_us_per_delivery'], 2)} | {mb(r['hub_rss_kb_idle'])} ({mb(r.get('hub_rss_kb_open'))}) | {fmt(r['publishes_acked_per_s'])} | "
          f"{r['missing']} | {r['duplicates']} | {r['generator_cpu_cores']} | {fmt(r['other_cpu_cores'], 2)} | {r['limited_by']} |")
print()
print("Ratios ssehub/Nchan (deliveries/s: higher is better; p99, CPU and RSS: lower is better):")
print()
print("| storage | streams | rate | deliveries/s | p99 | CPU per delivery | RSS idle | generator-limited |")
print("|---|---|---|---|---|---|---|---|")
by = {}
for r in rows:
    by.setdefault(key(r), {})[r["target"]] = r
for k, pair in by.items():
    if "ssehub" not in pair or "nchan" not in pair:
        continue
    a, b = pair["ssehub"], pair["nchan"]
    flags = ", ".join(f"{t}: {p['limited_by']}" for t, p in pair.items() if p["limited_by"] != "none") or "no"
    print(f"| {k[0]} | {k[1]:,} | {'flat out' if k[2] == 0 else k[2]} | {ratio(a['deliveries_per_s'], b['deliveries_per_s'])} | "
          f"{ratio(a['latency_us_p99'], b['latency_us_p99'])} | {ratio(a['hub_cpu_us_per_delivery'], b['hub_cpu_us_per_delivery'])} | "
          f"{ratio(a['hub_rss_kb_idle'], b['hub_rss_kb_idle'])} | {flags} |")
print()
slopes = {}
for r in rows:
    s_, n, rate = key(r)
    if r["hub_rss_kb_idle"] is not None:
        slopes.setdefault((r["target"], s_, rate), []).append((n, r["hub_rss_kb_idle"]))
lines = []
for (t, s_, rate), pts in sorted(slopes.items()):
    pts.sort()
    if len(pts) >= 2 and pts[-1][0] > pts[0][0]:
        (n0, k0), (n1, k1) = pts[0], pts[-1]
        lines.append(f"| {t} | {s_} | {'flat out' if rate == 0 else rate} | {n0:,} to {n1:,} | {(k1 - k0) * 1024 / (n1 - n0):,.0f} |")
if lines:
    print("Memory slope: idle RSS growth between the smallest and largest stream counts, per stream (target: at most 8 KB for ssehub, and at most Nchan's):")
    print()
    print("| hub | storage | rate | streams | bytes per stream |")
    print("|---|---|---|---|---|")
    print("\n".join(lines))
    print()
print("Warnings:")
print()
for r in rows:
    for w in r["warnings"]:
        print(f"- {r['label']}: {w}")
print()
print("Commands, run from the repository (PORT and PID are the hub's, chosen per run; on Redis the hub's CPU and RSS include redis-server's, REDIS_PID):")
print()
for c in commands:
    print(f"- {c}")
PY
# ---- plots: PNGs beside the results, linked from the summary (a failure leaves the tables as they are)

if plot_links="$(java -cp "$bench_jar" io.ssehub.bench.Plots --markdown "$results")"; then
  {
    echo
    echo "Plots (one line per hub; each point labelled with its value; \`bench/plots.sh ${results#"$repo"/}\` redraws them):"
    echo
    sed 's/$/\n/' <<< "$plot_links"
  } >> "$summary"
else
  echo "compare.sh: plotting $results failed; the tables above are complete" >&2
fi
echo >&2
cat "$summary" >&2
