# bench/lib.sh: what the bench scripts share: their jars, a scratch directory, and starting and
# stopping the hubs they measure. Sourced, not run; expects $bench and $repo. Messages name the
# calling script.

# bench_init NAME: sets bench_jar (or exits asking for a build), work (a scratch directory) and
# hub_pid and redis_pid (empty), and stops what they name and removes work when the script exits.
bench_init() {
  shopt -s nullglob
  local bench_jars=("$bench"/target/ssehub-bench-*-all.jar) server_jars=("$repo"/server/target/ssehub-server-*-all.jar)
  if (( ${#bench_jars[@]} == 0 || ${#server_jars[@]} == 0 )); then
    echo "${0##*/}: build first: (cd $repo && mvn -B -q package -DskipTests)" >&2
    exit 1
  fi
  bench_jar="${bench_jars[-1]}"
  work="$(mktemp -d "/tmp/ssehub-$1.XXXXXX")"
  hub_pid=""
  redis_pid=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  stop_pid "$hub_pid"; hub_pid=""
  stop_pid "$redis_pid"; redis_pid=""
  rm -rf "$work"
}

stop_pid() { # stop_pid PID: SIGTERM, wait at most 15 s, then SIGKILL; only processes this script started
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # wait_http URL SECONDS: until the URL answers anything over HTTP
  local url="$1" limit="$2"
  for _ in $(seq 1 $(( limit * 10 ))); do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)"
    [[ "$code" != "000" ]] && return 0
    sleep 0.1
  done
  echo "${0##*/}: nothing answers on $url after ${limit}s" >&2
  return 1
}

start_redis() { # sets redis_port and redis_pid (not in a subshell: the pid must reach cleanup)
  redis_port="$(free_port)"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --protected-mode yes \
    > "$work/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "${0##*/}: redis-server did not start on $redis_port" >&2
  return 1
}

start_ssehub() { # start_ssehub PORT STORAGE REDIS_PORT
  # No connection limit (the default of 10,000 would turn streams past it away): Nchan has none here either.
  local port="$1" storage="$2" redis_port="${3:-}" args=(--host 127.0.0.1 --port "$port" --max-connections 0)
  if [[ "$storage" == redis ]]; then
    args+=(--redis "redis://127.0.0.1:$redis_port")
  fi
  JAVA_OPTS="${SSEHUB_JAVA_OPTS:-}" "$repo/bin/ssehub" "${args[@]}" > "$work/ssehub.log" 2>&1 &
  hub_pid=$!
  wait_http "http://127.0.0.1:$port/health" 60
}
