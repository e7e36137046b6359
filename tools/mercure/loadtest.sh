#!/usr/bin/env bash
# Runs Mercure's own load test (Gatling, LoadTest.scala in dunglas/mercure gatling/) through Maven
# against a running hub, with bounded users and duration, and prints Gatling's summary.
#
# LoadTest.scala is AGPL-licensed: it is never committed here. Give its location with --suite:
# a git clone or git directory of dunglas/mercure (read at --ref, default below), or a directory
# holding LoadTest.scala (used as it is on disk).
#
# Usage: tools/mercure/loadtest.sh --suite DIR --hub URL [--ref REF] [--offline]
#   --hub  the hub's Mercure endpoint, e.g. http://127.0.0.1:8080/.well-known/mercure
#          (loopback only; start the hub with the flags in conformance.sh)
# The load is set by LoadTest.scala's environment variables, bounded here by default:
#   INITIAL_SUBSCRIBERS (100), SUBSCRIBERS_RATE_FROM (2), SUBSCRIBERS_RATE_TO (10),
#   PUBLISHERS_RATE_FROM (2), PUBLISHERS_RATE_TO (20), INJECTION_DURATION (60 s),
#   CONNECTION_DURATION (30 s), RANDOM_CONNECTION_DURATION (true), PRIVATE_UPDATES (false),
#   JWT / SUBSCRIBER_JWT (the suite's defaults, signed with '!ChangeThisMercureHubJWTSecretKey!').
# LOADTEST_TIMEOUT (seconds, default INJECTION_DURATION + CONNECTION_DURATION + 300) bounds the
# whole Maven run, compilation included.
set -euo pipefail

DEFAULT_REF=v0.24.2     # Mercure hub release whose load test speaks draft 07 (?topic=)

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
cache="${SSEHUB_MERCURE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ssehub-mercure}"

suite="" ref="" hub="" offline=()
usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while (( $# )); do
  case "$1" in
    --suite) suite="${2:?--suite needs a directory}"; shift 2 ;;
    --ref) ref="${2:?--ref needs a git ref}"; shift 2 ;;
    --hub) hub="${2:?--hub needs a URL}"; shift 2 ;;
    --offline) offline=(-o); shift ;;
    -h|--help) usage 0 ;;
    *) echo "loadtest: unknown argument: $1" >&2; usage ;;
  esac
done
hub="${hub:-${HUB_URL:-}}"
[[ -n "$suite" && -d "$suite" ]] || { echo "loadtest: --suite DIR is required (a dunglas/mercure clone, or a directory with LoadTest.scala)" >&2; exit 2; }
[[ -n "$hub" ]] || { echo "loadtest: --hub URL is required, e.g. http://127.0.0.1:8080/.well-known/mercure" >&2; exit 2; }
host="$(node -e 'console.log(new URL(process.argv[1]).hostname)' "$hub" 2>/dev/null || true)"
[[ "$host" =~ ^(127\.[0-9.]+|localhost|\[::1\])$ ]] \
  || { echo "loadtest: --hub must be on loopback (127.0.0.0/8, localhost or [::1]), not '$host'" >&2; exit 2; }
command -v mvn >/dev/null || { echo "loadtest: mvn not found (apt-get install maven)" >&2; exit 2; }

# Bounded defaults: LoadTest.scala's own would inject for an hour.
export HUB_URL="$hub"
export INITIAL_SUBSCRIBERS="${INITIAL_SUBSCRIBERS:-100}"
export SUBSCRIBERS_RATE_FROM="${SUBSCRIBERS_RATE_FROM:-2}" SUBSCRIBERS_RATE_TO="${SUBSCRIBERS_RATE_TO:-10}"
export PUBLISHERS_RATE_FROM="${PUBLISHERS_RATE_FROM:-2}" PUBLISHERS_RATE_TO="${PUBLISHERS_RATE_TO:-20}"
export INJECTION_DURATION="${INJECTION_DURATION:-60}" CONNECTION_DURATION="${CONNECTION_DURATION:-30}"
limit="${LOADTEST_TIMEOUT:-$((INJECTION_DURATION + CONNECTION_DURATION + 300))}"

mkdir -p "$cache"
work="$(mktemp -d "$cache/gatling.XXXXXX")"
status=1
cleanup() { if (( status == 0 )); then rm -rf "$work"; else echo "loadtest: build directory kept in $work"; fi; }
trap 'status=$?; cleanup; exit $status' EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/src/test/scala/mercure" "$work/src/test/resources"
scala="$work/src/test/scala/mercure/LoadTest.scala"
if [[ -f "$suite/LoadTest.scala" && -z "$ref" ]]; then
  cp "$suite/LoadTest.scala" "$scala"
  origin="$suite/LoadTest.scala (file on disk)"
else
  ref="${ref:-$DEFAULT_REF}"
  git -C "$suite" rev-parse --git-dir >/dev/null 2>&1 \
    || { echo "loadtest: $suite is neither a directory with LoadTest.scala nor a git repository" >&2; exit 2; }
  commit="$(git -C "$suite" rev-parse --verify -q "$ref^{commit}")" \
    || { echo "loadtest: no ref '$ref' in $suite (git -C $suite fetch --tags?)" >&2; exit 2; }
  git -C "$suite" show "$commit:gatling/src/test/scala/mercure/LoadTest.scala" >"$scala"
  origin="$suite at $ref ($commit)"
fi
cp "$here/gatling/pom.xml" "$work/pom.xml"
cp "$here/gatling/logback-test.xml" "$work/src/test/resources/"

echo "loadtest: LoadTest.scala from $origin"
echo "loadtest: hub $HUB_URL; $INITIAL_SUBSCRIBERS subscribers at once, then $SUBSCRIBERS_RATE_FROM..$SUBSCRIBERS_RATE_TO/s" \
  "for ${INJECTION_DURATION}s, each connected up to ${CONNECTION_DURATION}s;" \
  "publishing $PUBLISHERS_RATE_FROM..$PUBLISHERS_RATE_TO/s for $((INJECTION_DURATION + CONNECTION_DURATION))s; limit ${limit}s"
probe="$(curl -s -o /dev/null -w '%{http_code} %{content_type}' --max-time 3 "$HUB_URL?topic=https://example.com" || true)"
echo "loadtest: GET $HUB_URL?topic=https://example.com answers: ${probe:-no answer within 3s}"

set +e
(cd "$work" && timeout --kill-after=20 "$limit" mvn -B "${offline[@]}" -ntp gatling:test 2>&1) | tee "$work/gatling.log"
rc=${PIPESTATUS[0]}
set -e

shopt -s nullglob
runs=("$work"/target/gatling/*/)
results="${runs[*]: -1}"
if [[ -n "$results" ]]; then
  keep="$cache/loadtest-results/$(basename "$results")"
  mkdir -p "$cache/loadtest-results" && rm -rf "$keep" && cp -r "$results" "$keep"
  echo "loadtest: Gatling's HTML report: $keep/index.html"
fi
if (( rc == 124 || rc == 137 )); then echo "loadtest: stopped after ${limit}s (LOADTEST_TIMEOUT)" >&2; fi
# Gatling's global stats, from the console summary it printed above:
# "> request count   |  total |  OK |  KO" ("-" for none).
counts="$(grep -m1 -E '^> request count' "$work/gatling.log" | awk -F'|' '{gsub(/[ ,]/,""); print $2, $3, $4}' || true)"
read -r total ok ko <<<"${counts:-- - -}"
[[ "$ok" == - ]] && ok=0
[[ "$ko" == - ]] && ko=0
echo "loadtest: requests: $total, OK: $ok, KO: $ko"
if (( rc != 0 )); then echo "loadtest: FAILED (Maven/Gatling exit $rc)" >&2; exit 1; fi
if [[ "$total" == - ]]; then echo "loadtest: FAILED: Gatling printed no summary" >&2; exit 1; fi
if (( ko > 0 )); then echo "loadtest: FAILED: $ko requests were KO (see Gatling's 'Errors' above)" >&2; exit 1; fi
echo "loadtest: PASSED"
