#!/usr/bin/env bash
# Instructions and simulated L1 data misses per diagnosis (callgrind): figures the
# machine's load does not move, to compare matcher changes where wall-clock medians
# are too noisy. Counts only `Matcher::diagnose` (not loading the catalog), and takes
# the difference between diagnosing LOG three times and once in one call, so one-off
# work (lazy regex compilation on first use) is left out.
#
#   benches/instructions.sh LOG [CATALOG_DIR]...
#
# e.g. the first 5,000 lines of the bundled real job logs against 2,113 entries:
#   cat benches/logs/*.log | head -n 5000 > /tmp/real5k.log
#   target/release/logdoc import deadends ../shared/data/deadends --out /tmp/deadends
#   benches/instructions.sh /tmp/real5k.log catalog /tmp/deadends
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
    echo "usage: benches/instructions.sh LOG [CATALOG_DIR]..." >&2
    exit 2
fi
if ! command -v valgrind > /dev/null; then
    echo "benches/instructions.sh: needs valgrind (apt-get install valgrind)" >&2
    exit 2
fi
log=$1
shift
catalogs=("${@:-catalog}")
args=()
for c in "${catalogs[@]}"; do args+=(--catalog "$c"); done
cargo build --release --quiet
# Prints "instructions L1-data-misses" for one run (the cache is simulated: events
# Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw).
count() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --cache-sim=yes --callgrind-out-file="$out" \
        --toggle-collect='logdoc::matcher::Matcher::diagnose*' \
        target/release/logdoc diagnose "${args[@]}" --format json "$@" > /dev/null 2>&1
    sed -n 's/^\(summary\|totals\): *//p' "$out" | tail -n 1 | awk '{print $1, $5 + $6}'
    rm -f "$out"
}
read -r once_ir once_d1 <<< "$(count "$log")"
read -r thrice_ir thrice_d1 <<< "$(count "$log" "$log" "$log")"
echo "instructions per diagnosis: $(( (thrice_ir - once_ir) / 2 )) ($log; ${catalogs[*]})"
echo "L1 data misses per diagnosis (simulated): $(( (thrice_d1 - once_d1) / 2 ))"
