#!/usr/bin/env bash
# Runs Mercure's public conformance suite (Playwright, dunglas/mercure conformance-tests/) against
# bin/ssehub, on one node or on two nodes behind a private Redis, with Debian's Chromium.
#
# The suite is AGPL-licensed: it is never committed here. Give its location with --suite, either
#   - a git clone or git directory of dunglas/mercure (the suite is read at --ref, default below), or
#   - a conformance-tests directory (its *.spec.ts are used as they are on disk).
#
# Usage: tools/mercure/conformance.sh [--nodes 1|2] --suite DIR [--ref REF] [--grep RE]
#                                     [--mode split|round-robin] [--keep] [-- EXTRA_HUB_FLAGS...]
# See tools/mercure/README.md. Loopback only; every process it starts is stopped on exit.
set -euo pipefail

# --- What the hub is started with: adjust here -------------------------------------------------
# The suite's publisher token is HS256 {"mercure":{"publish":["*"],"subscribe":["*"]}}, without
# exp, signed with Mercure's default development key:
MERCURE_JWT_SECRET='!ChangeThisMercureHubJWTSecretKey!'
# Its subscribers are anonymous EventSources (no cookie, no Authorization) on the hub's own origin
# (the page is loaded from the hub's "/", so no CORS is involved); publishing is authorized.
HUB_FLAGS=(
  --mercure-publisher-jwt-secret "$MERCURE_JWT_SECRET"
  --mercure-subscriber-jwt-secret "$MERCURE_JWT_SECRET"
  --public-channels '*'
)
# SSEHUB_MERCURE_HUB_FLAGS, when set, replaces HUB_FLAGS (split on spaces; for flags whose values
# have no spaces). Flags after "--" on the command line are added to either.
# -----------------------------------------------------------------------------------------------

DEFAULT_REF=v0.24.2            # Mercure hub release whose suite matches draft 07 (topic=, URI templates)
HUB_START_TIMEOUT=60           # seconds for a node to answer /health/ready
SUITE_TIMEOUT=300              # seconds for the whole Playwright run (its own globalTimeout is 240 s)
NPM_TIMEOUT=600                # seconds for npm ci, the first time

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
repo="$(cd "$here/../.." && pwd -P)"
cache="${SSEHUB_MERCURE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ssehub-mercure}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
hub_bin="${SSEHUB_BIN:-$repo/bin/ssehub}"   # another start script, e.g. to try the harness itself

nodes=1 suite="" ref="" grep_re="" mode=split keep=0 extra=()
usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while (( $# )); do
  case "$1" in
    --nodes) nodes="${2:?--nodes needs 1 or 2}"; shift 2 ;;
    --suite) suite="${2:?--suite needs a directory}"; shift 2 ;;
    --ref) ref="${2:?--ref needs a git ref}"; shift 2 ;;
    --grep) grep_re="${2:?--grep needs a pattern}"; shift 2 ;;
    --mode) mode="${2:?--mode needs split or round-robin}"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "conformance: unknown argument: $1" >&2; usage ;;
  esac
done
[[ "$nodes" == 1 || "$nodes" == 2 ]] || { echo "conformance: --nodes must be 1 or 2, not '$nodes'" >&2; exit 2; }
[[ -n "$suite" ]] || { echo "conformance: --suite DIR is required (a dunglas/mercure clone or its conformance-tests/)" >&2; exit 2; }
[[ -d "$suite" ]] || { echo "conformance: --suite $suite is not a directory" >&2; exit 2; }
if [[ -n "${SSEHUB_MERCURE_HUB_FLAGS:-}" ]]; then read -r -a HUB_FLAGS <<<"$SSEHUB_MERCURE_HUB_FLAGS"; fi

need() { command -v "$1" >/dev/null || { echo "conformance: '$1' not found; $2" >&2; exit 2; }; }
need node "apt-get install nodejs npm"
need npm "apt-get install npm"
need java "a JDK 17+ is needed for bin/ssehub"
need curl "apt-get install curl"
[[ -x "$chromium" ]] || { echo "conformance: no Chromium at $chromium (apt-get install chromium, or set CHROMIUM)" >&2; exit 2; }
if (( nodes == 2 )); then need redis-server "apt-get install redis-server"; need redis-cli "apt-get install redis-tools"; fi

# --- Processes we start, stopped on any exit -------------------------------------------------
pids=()
run=""
status=1
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ -n "$run" && -d "$run" ]]; then
    if (( keep )) || { (( status != 0 )) && compgen -G "$run/*.log" >/dev/null; }; then
      echo "conformance: logs and report kept in $run"
    else
      rm -rf "$run"
    fi
  fi
}
trap 'status=$?; cleanup; exit $status' EXIT
trap 'exit 130' INT TERM

# --- The hub's jar ----------------------------------------------------------------------------
shopt -s nullglob
jars=("$repo"/server/target/ssehub-server-*-all.jar)
if [[ -z "${SSEHUB_BIN:-}" ]] && (( ${#jars[@]} == 0 )); then
  echo "conformance: no server jar yet, building it: mvn -B -q package -DskipTests"
  (cd "$repo" && timeout 1200 mvn -B -q package -DskipTests)
fi

# --- Playwright, pinned by tools/mercure/package-lock.json, installed outside the repo ---------
mkdir -p "$cache"
stamp="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-16)"
if [[ "$(cat "$cache/.installed" 2>/dev/null)" != "$stamp" ]]; then
  echo "conformance: installing Playwright into $cache (npm ci, no browser download)"
  cp "$here/package.json" "$here/package-lock.json" "$cache/"
  (cd "$cache" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout "$NPM_TIMEOUT" npm ci --no-audit --no-fund --loglevel=error)
  echo "$stamp" >"$cache/.installed"
fi

# --- The suite, copied into a run directory under the cache (whose node_modules it resolves) ---
run="$(mktemp -d "$cache/run.XXXXXX")"
if [[ -f "$suite/mercure.spec.ts" && -z "$ref" ]]; then
  cp "$suite"/*.spec.ts "$run/"
  origin="$suite (files on disk)"
else
  ref="${ref:-$DEFAULT_REF}"
  git -C "$suite" rev-parse --git-dir >/dev/null 2>&1 \
    || { echo "conformance: $suite is neither a conformance-tests directory nor a git repository" >&2; exit 2; }
  commit="$(git -C "$suite" rev-parse --verify -q "$ref^{commit}")" \
    || { echo "conformance: no ref '$ref' in $suite (git -C $suite fetch --tags?)" >&2; exit 2; }
  prefix=conformance-tests
  [[ "$(git -C "$suite" rev-parse --show-prefix 2>/dev/null)" == conformance-tests/ ]] && suite="$(git -C "$suite" rev-parse --show-toplevel)"
  git -C "$suite" archive "$commit" "$prefix" | tar -x -C "$run" --strip-components=1 --wildcards '*.spec.ts'
  origin="$suite at $ref ($commit)"
fi
cp "$here/playwright.config.ts" "$run/"
specs=("$run"/*.spec.ts)
(( ${#specs[@]} > 0 )) || { echo "conformance: no *.spec.ts found in the suite at $origin" >&2; exit 2; }
echo "conformance: suite from $origin: ${specs[*]##*/}"

# --- Loopback ports, Redis, the nodes, the balancer --------------------------------------------
free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_for() { # wait_for SECONDS DESCRIPTION PID COMMAND...
  local limit="$1" what="$2" pid="$3"; shift 3
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "conformance: $what exited; its log:" >&2; return 1; }
    (( SECONDS < deadline )) || { echo "conformance: $what not ready after ${limit}s; its log:" >&2; return 1; }
    sleep 0.2
  done
}

redis_flags=()
if (( nodes == 2 )); then
  redis_port="$(free_port)"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize no \
    --dir "$run" >"$run/redis.log" 2>&1 &
  pids+=($!)
  wait_for 20 "redis-server on port $redis_port" "$!" redis-cli -h 127.0.0.1 -p "$redis_port" ping \
    || { tail -20 "$run/redis.log" >&2; exit 1; }
  redis_flags=(--redis "redis://127.0.0.1:$redis_port")
  echo "conformance: private redis-server on 127.0.0.1:$redis_port"
fi

node_urls=()
for i in $(seq "$nodes"); do
  port="$(free_port)"
  "$hub_bin" --host 127.0.0.1 --port "$port" "${redis_flags[@]}" "${HUB_FLAGS[@]}" "${extra[@]}" \
    >"$run/hub$i.log" 2>&1 &
  pids+=($!)
  wait_for "$HUB_START_TIMEOUT" "$hub_bin node $i (port $port)" "$!" \
    curl -fsS --max-time 2 "http://127.0.0.1:$port/health/ready" \
    || { tail -30 "$run/hub$i.log" >&2; exit 1; }
  node_urls+=("http://127.0.0.1:$port")
  echo "conformance: node $i at http://127.0.0.1:$port ($run/hub$i.log)"
done

if (( nodes == 2 )); then
  lb_port="$(free_port)"
  node "$here/lb.mjs" --listen "$lb_port" --nodes "${node_urls[0]},${node_urls[1]}" --mode "$mode" >"$run/lb.log" 2>&1 &
  pids+=($!)
  wait_for 10 "load balancer" "$!" curl -fsS --max-time 2 "http://127.0.0.1:$lb_port/health/ready" \
    || { tail -20 "$run/lb.log" >&2; exit 1; }
  base="http://127.0.0.1:$lb_port"
  if [[ $mode == split ]]; then how="GET to node 1, other methods (publishing) to node 2"; else how="round-robin"; fi
  echo "conformance: balancer at $base ($how)"
else
  base="${node_urls[0]}"
fi
hub="$base/.well-known/mercure"

# A readable first look before the browser does the same thing.
probe="$(curl -s -o /dev/null -w '%{http_code} %{content_type}' --max-time 3 "$hub?topic=probe" || true)"
echo "conformance: GET $hub?topic=probe answers: ${probe:-no answer within 3s}"
[[ "$probe" == 200\ text/event-stream* ]] \
  || echo "conformance: warning: a subscription should answer 200 text/event-stream; expect the suite to fail" >&2

# --- The suite ---------------------------------------------------------------------------------
args=(test --config "$run/playwright.config.ts")
[[ -n "$grep_re" ]] && args+=(--grep "$grep_re")
echo "conformance: running the suite with $chromium against $hub"
set +e
(cd "$run" && env -u CI PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 BASE_URL="$hub" CUSTOM_ID=1 CHROMIUM="$chromium" \
  SUITE_JSON_REPORT="$run/report.json" SUITE_OUTPUT_DIR="$run/test-results" \
  timeout --kill-after=10 "$SUITE_TIMEOUT" "$cache/node_modules/.bin/playwright" "${args[@]}")
pw=$?
set -e

# --- Summary -----------------------------------------------------------------------------------
summary=0
node "$here/summary.mjs" "$run/report.json" "$nodes" || summary=$?
if (( pw == 124 || pw == 137 )); then echo "conformance: the suite did not finish within ${SUITE_TIMEOUT}s" >&2; fi
if (( pw != 0 || summary != 0 )); then
  echo "conformance: FAILED (nodes: $nodes; hub logs: $run/hub*.log)" >&2
  exit 1
fi
echo "conformance: PASSED (nodes: $nodes)"
