#!/usr/bin/env bash
# bench/plots.sh: PNG plots of a bench/compare.sh results file, from the bench jar. Options: bench/plots.sh --help.
#   bench/plots.sh bench/results/compare-<UTC time>.jsonl              # PNGs beside it, their paths printed
#   bench/plots.sh bench/results/compare-<UTC time>.jsonl --markdown   # Markdown image links instead
set -euo pipefail
script="$(readlink -f "${BASH_SOURCE[0]}")"
bench="$(dirname "$script")"
shopt -s nullglob
jars=("$bench"/target/ssehub-bench-*-all.jar)
if (( ${#jars[@]} == 0 )); then
  echo "plots.sh: no bench jar in $bench/target; run: mvn -B -q package -DskipTests" >&2
  exit 1
fi
exec java -cp "${jars[-1]}" io.ssehub.bench.Plots "$@"
