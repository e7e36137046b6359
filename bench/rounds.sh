#!/usr/bin/env bash
# bench/rounds.sh: one hub process, the same overload again and again: does it give back what each
# round took? Starts ssehub once (in memory, or on a redis-server this script starts on a free port,
# never 6379), then runs the load generator against it round after round; each round opens every
# stream, publishes, drains and closes them all. Per round it records the hub's resident memory
# before the streams open, with them open and idle, and when the load ends; the hub's open files
# once the streams are gone; on Redis, the connections Redis holds; deliveries/s, acknowledged
# events missing, the latest delivery and the publishes pushed back (503); and its memory after a
# rest with no streams, as between bursts. Bounded: every round is bounded by the generator's own
# timeouts and by `timeout`.
#
#   bench/rounds.sh                                        # 5 rounds, 19,000 streams flat out, in memory
#   bench/rounds.sh --storage redis --rounds 3 --streams 10000
#
# Options (each takes one word): --rounds N (default 5), --streams N (19000), --rate R (events/s,
# 0 = flat out; default 0), --storage memory|redis (memory), --duration D (10s), --warmup D (3s),
# --drain D (20s), --idle D (streams open and idle before their memory is read, as in compare.sh; 10s),
# --rest SECONDS between rounds (10), --out DIR (bench/results), --label TEXT.
# Environment: BENCH_JAVA_OPTS (generator JVM), SSEHUB_JAVA_OPTS (hub JVM; default bin/ssehub's).
# Needs: the jars (mvn -B -q package -DskipTests), python3, curl; redis-server for --storage redis.
# Writes rounds-STAMP.jsonl (the generator's line per round, with this script's readings added)
# and rounds-STAMP.md (the table) to the output directory.
set -euo pipefail

script="$(readlink -f "${BASH_SOURCE[0]}")"
bench="$(dirname "$script")"
repo="$(cd "$bench/.." && pwd -P)"

rounds=5
streams=19000
rate=0
storage=memory
duration="10s"
warmup="3s"
drain="20s"
idle="10s"
rest=10
out_dir="$bench/results"
label_extra=""

while (( $# > 0 )); do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --storage) storage="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --drain) drain="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --rest) rest="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --label) label_extra="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "rounds.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "rounds.sh: --rounds must be a whole number from 1 (got $rounds)" >&2; exit 2; }
[[ "$rest" =~ ^[0-9]+$ ]] || { echo "rounds.sh: --rest must be whole seconds (got $rest)" >&2; exit 2; }
[[ "$storage" == memory || "$storage" == redis ]] || { echo "rounds.sh: --storage must be memory or redis (got $storage)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$bench/lib.sh"
bench_init rounds
redis_port=""

mkdir -p "$out_dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$out_dir/rounds-$stamp.jsonl"
summary="$out_dir/rounds-$stamp.md"

open_files() { ls "/proc/$hub_pid/fd" | wc -l; }

# The hub closes a stream when it reads the client's close: wait (at most 15 s) until its open
# files are back within 20 of what it held before the first round, and report what it holds then.
settled_open_files() {
  local limit=$(( $1 + 20 )) now
  for _ in $(seq 1 150); do
    now="$(open_files)"
    (( now <= limit )) && break
    sleep 0.1
  done
  echo "$now"
}

if [[ "$storage" == redis ]]; then
  start_redis
fi
port="$(free_port)"
start_ssehub "$port" "$storage" "$redis_port"
files_before="$(open_files)"
echo "rounds.sh: hub pid $hub_pid on port $port ($storage), $files_before open files; results in $results" >&2

for round in $(seq 1 "$rounds"); do
  label="rounds-$storage-$streams-$([[ "$rate" == 0 ]] && echo flat || echo "$rate")-r$round${label_extra:+-$label_extra}"
  cmd=(java ${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xmx2g} -cp "$bench_jar" io.ssehub.bench.LoadGenerator
       --target ssehub --url "http://127.0.0.1:$port" --streams "$streams" --rate "$rate"
       --duration "$duration" --warmup "$warmup" --drain "$drain" --idle "$idle" --hub-pid "$hub_pid" --label "$label")
  echo "rounds.sh: round $round of $rounds: ${cmd[*]}" >&2
  line="$(timeout 900 "${cmd[@]}" 2>/dev/null | grep '^{' | tail -1)" || true
  if [[ -z "$line" ]]; then
    echo "rounds.sh: round $round produced no result; stopping" >&2
    break
  fi
  files="$(settled_open_files "$files_before")"
  sleep "$rest" # the rest between bursts: what the hub gives back while idle is what it holds for good
  rss_after="$(awk '/^VmRSS:/ {print $2}' "/proc/$hub_pid/status")"
  connections=null
  if [[ "$storage" == redis ]]; then
    # Every client Redis holds, minus redis-cli's own connection.
    connections=$(( $(redis-cli -p "$redis_port" client list | wc -l) - 1 ))
  fi
  python3 -c 'import json, sys
r = json.loads(sys.argv[1])
r.update(round=int(sys.argv[2]), hub_open_files_after=int(sys.argv[3]), hub_rss_kb_after=int(sys.argv[4]),
         redis_connections_after=json.loads(sys.argv[5]))
print(json.dumps(r))' "$line" "$round" "$files" "$rss_after" "$connections" >> "$results"
done

python3 - "$results" "$files_before" "$rest" "$(env | grep '^SSEHUB_' | sort | tr '\n' ' ')" > "$summary" <<'PY'
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])] if os.path.exists(sys.argv[1]) else []
files_before = int(sys.argv[2])
if not rows:
    sys.exit("rounds.sh: no round finished")
first = rows[0]
print(f"# One hub, {len(rows)} round{'s' if len(rows) > 1 else ''}: {first['streams_requested']:,} streams, "
      f"{'flat out' if first['rate_requested'] == 0 else str(first['rate_requested']) + ' events/s'}, "
      f"{'Redis' if rows[0]['redis_connections_after'] is not None else 'in memory'}")
print()
print(f"Hub pid {first['hub_pid']}, {files_before} open files before the first round. RSS in MB; "
      "'after rest' is read when the round's streams are closed and the hub has been idle for "
      f"{sys.argv[3]} s. Hub settings from the environment: {sys.argv[4].strip() or 'none (the defaults)'}.")
print()
print("| round | RSS before | RSS, streams idle | RSS, end of load | RSS after rest | open files after | Redis connections | "
      "deliveries/s | missing | latest delivery ms | publishes pushed back (503) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
mb = lambda kb: f"{kb / 1024:,.1f}" if kb is not None else "n/a"
for r in rows:
    pushed = sum(v for k, v in r["publish_failures"].items() if "503" in k)
    conns = r["redis_connections_after"]
    print(f"| {r['round']} | {mb(r['hub_rss_kb_baseline'])} | {mb(r['hub_rss_kb_idle'])} | {mb(r['hub_rss_kb_end'])} | "
          f"{mb(r['hub_rss_kb_after'])} | {r['hub_open_files_after']} | {'n/a' if conns is None else conns} | "
          f"{r['deliveries_per_s']:,.0f} | {r['missing']:,} | {r['latency_us_max'] / 1000:,.0f} | {pushed:,} |")
print()
ends = [r["hub_rss_kb_end"] for r in rows]
afters = [r["hub_rss_kb_after"] for r in rows]
print(f"RSS at the end of the load: first round {mb(ends[0])} MB, last {mb(ends[-1])} MB, highest {mb(max(ends))} MB; "
      f"after each rest: first {mb(afters[0])} MB, last {mb(afters[-1])} MB, highest {mb(max(afters))} MB.")
PY
cat "$summary"
