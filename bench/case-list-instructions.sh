#!/bin/bash
# Instructions the GET /api/v1/cases handler executes per request, counted by
# callgrind (stable on shared cores, unlike CPU time): the admin's
# status=reported&limit=20 page on the `street` dataset, N requests after 20 of
# warm-up. Each argument is NAME=BINARY, optionally NAME=BINARY:ENV=VALUE, e.g.
#   bench/case-list-instructions.sh before=/tmp/before/civicgrid \
#       cold=build/civicgrid:CIVICGRID_CASE_LIST_CACHE=off cached=build/civicgrid
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/case-list-instructions.XXXXXX)
PORT=${PORT:-18601}
N=${N:-200}
DATA=${DATA:-$ROOT/bench/data/street}
URL="http://127.0.0.1:$PORT/api/v1/cases?status=reported&limit=20"
for arg in "$@"; do
  name=${arg%%=*}
  rest=${arg#*=}
  bin=${rest%%:*}
  envs="CIVICGRID_SUPERVISION_SECONDS=0"
  [ "$rest" != "$bin" ] && envs="$envs ${rest#*:}"
  rm -rf "$W/data" && cp "$DATA/civicgrid.db" "$W/run.db" && cp -r "$DATA/data" "$W/data"
  env $envs valgrind --tool=callgrind --callgrind-out-file="$W/$name.cg" \
    --toggle-collect='*CasesModule::list(cg::http::Request&, cg::auth::Actor const&)' \
    "$bin" serve --db "sqlite:$W/run.db" --data-dir "$W/data" --port "$PORT" >"$W/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -sf "127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
  csrf=$(curl -s -c "$W/jar" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"Demo@2026cg"}' "127.0.0.1:$PORT/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
  token=$(curl -s -b "$W/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"name":"callgrind","days":1}' "127.0.0.1:$PORT/api/v1/auth/tokens" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  for _ in $(seq 20); do curl -s -o /dev/null -H "Authorization: Bearer $token" "$URL"; done
  callgrind_control -z "$pid" >/dev/null 2>&1
  for _ in $(seq "$N"); do curl -s -o /dev/null -H "Authorization: Bearer $token" "$URL"; done
  kill "$pid"
  wait "$pid" 2>/dev/null
  total=$(grep -h "^totals:" "$W/$name.cg" | awk '{print $2}')
  echo "$name: $((total / N)) instructions per request in the handler ($N requests)"
done
rm -rf "$W"
