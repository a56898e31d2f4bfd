#!/usr/bin/env bash
# Run the reliability scenarios in the Docker Compose stack (server under test, client simulator,
# Prometheus; Grafana, Loki and Promtail with --monitoring), then tear it down.
#
#   ./run-mcp-reliability-tests.sh [--duration N] [--scenario name[,name...]] [--no-cleanup]
#                                  [--monitoring] [--out DIR] [-- extra `mcp-reliability stack` flags]
#
#   --duration N    seconds per scenario (or 90s, 30m, 1h); default 3600, as the seed's runner
#   --scenario S    scenario name(s) or file(s); default connection-stability
#   --no-cleanup    leave the stack running afterwards (Prometheus on 127.0.0.1:9090)
#   --monitoring    also start Grafana (127.0.0.1:3002), Loki and Promtail
#   --out DIR       where test-results/, reports/ and logs/ go; default .
#
# Exit code: the run's (0 every SLO met, 1 an SLO failed, 2 bad input, 3 harness failure, 130 interrupted).
# Images: where nothing can be pulled, build local ones first with tools/offline-images.sh; its
# env file (.mcp-reliability/offline-images.env) is used automatically when present
# (MCP_RELIABILITY_IMAGES_ENV names another one; MCP_RELIABILITY_IMAGES_ENV=none uses the public images).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

duration=3600
scenario=connection-stability
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=${2:?--duration needs a value}; shift 2 ;;
    --duration=*) duration=${1#*=}; shift ;;
    --scenario) scenario=${2:?--scenario needs a value}; shift 2 ;;
    --scenario=*) scenario=${1#*=}; shift ;;
    --no-cleanup) extra+=(--no-cleanup); shift ;;
    --monitoring) extra+=(--monitoring); shift ;;
    --out) extra+=(--out "${2:?--out needs a value}"); shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    --) shift; extra+=("$@"); break ;;
    *) echo "run-mcp-reliability-tests.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build

images_env=${MCP_RELIABILITY_IMAGES_ENV:-.mcp-reliability/offline-images.env}
if [ "$images_env" != none ] && [ -f "$images_env" ]; then
  echo "run-mcp-reliability-tests.sh: using the local images named in $images_env" >&2
  extra+=(--images-env "$images_env")
fi

exec node lib/cli/main.js stack --scenario "$scenario" --duration "$duration" "${extra[@]}"
