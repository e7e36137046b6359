#!/usr/bin/env bash
# bench/load.sh: runs the load generator from the bench jar. Options: bench/load.sh --help.
#   bench/load.sh --target ssehub --url http://127.0.0.1:8080 --streams 1000 --rate 200 --duration 10s --hub-pid PID
# BENCH_JAVA_OPTS passes JVM options (default -XX:+UseParallelGC -Xmx2g).
set -euo pipefail
script="$(readlink -f "${BASH_SOURCE[0]}")"
bench="$(dirname "$script")"
shopt -s nullglob
jars=("$bench"/target/ssehub-bench-*-all.jar)
if (( ${#jars[@]} == 0 )); then
  echo "load.sh: no bench jar in $bench/target; run: mvn -B -q package -DskipTests" >&2
  exit 1
fi
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xmx2g} -cp "${jars[-1]}" io.ssehub.bench.LoadGenerator "$@"
