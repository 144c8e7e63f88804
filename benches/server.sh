#!/usr/bin/env bash
# Load test of `logdoc serve` on loopback with wrk (Debian package `wrk`).
#
# Diagnoses per second and p50/p99 latency of POST /api/v1/diagnose for a 20 KB and
# a 500 KB GitHub Actions log (benches/make_log.py), with the bundled catalog and with
# the bundled catalog plus the 1,970 deadends.dev entries imported from
# ../shared/data/deadends (skipped when that folder is absent). Prints a Markdown
# table. Every request is a real diagnosis; non-2xx answers are counted and reported.
#
# Usage: benches/server.sh            (DURATION=20s CONNECTIONS=16 THREADS=1 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
command -v wrk >/dev/null || { echo "benches/server.sh needs wrk: apt-get install wrk" >&2; exit 2; }
command -v python3 >/dev/null || { echo "benches/server.sh needs python3" >&2; exit 2; }

cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/logdoc"
TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

python3 benches/make_log.py 20000 "$TMP/20k.log"
python3 benches/make_log.py 500000 "$TMP/500k.log"
cat > "$TMP/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain"
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
LUA

SETS=("bundled|--catalog catalog")
if [[ -d ../shared/data/deadends ]]; then
    "$BIN" import deadends ../shared/data/deadends --out "$TMP/deadends" >/dev/null 2>&1 || true
    SETS+=("bundled+deadends|--catalog catalog --catalog $TMP/deadends")
else
    echo "(../shared/data/deadends is absent: only the bundled catalog is measured)" >&2
fi

start_server() {
    # shellcheck disable=SC2086
    "$BIN" serve --addr 127.0.0.1:0 $1 2>"$TMP/server.log" &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        ADDR=$(grep -o 'listening on http://[0-9.:]*' "$TMP/server.log" | head -1 | sed 's|listening on http://||' || true)
        [[ -n "$ADDR" ]] && return 0
        sleep 0.1
    done
    echo "server did not start:" >&2; cat "$TMP/server.log" >&2; exit 1
}

stop_server() {
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| catalog | entries | log | diagnoses/s | p50 | p99 | non-2xx |"
echo "|---|---:|---|---:|---:|---:|---:|"
for set in "${SETS[@]}"; do
    name=${set%%|*}
    start_server "${set#*|}"
    entries=$(curl -s "http://$ADDR/healthz" | grep -o '"entries":[0-9]*' | cut -d: -f2)
    for log in 20k 500k; do
        # Warm up (first page renders, allocator), then measure.
        BODY="$TMP/$log.log" wrk -t1 -c4 -d2s -s "$TMP/post.lua" "http://$ADDR/api/v1/diagnose" >/dev/null
        BODY="$TMP/$log.log" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$TMP/post.lua" \
            "http://$ADDR/api/v1/diagnose" >"$TMP/wrk.txt"
        rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$TMP/wrk.txt")
        p50=$(awk '$1 == "50%" {print $2}' "$TMP/wrk.txt")
        p99=$(awk '$1 == "99%" {print $2}' "$TMP/wrk.txt")
        bad=$(awk '/Non-2xx/ {print $NF}' "$TMP/wrk.txt"); bad=${bad:-0}
        echo "| $name | $entries | $(wc -c <"$TMP/$log.log" | tr -d ' ') B | $rps | $p50 | $p99 | $bad |"
    done
    stop_server
done
