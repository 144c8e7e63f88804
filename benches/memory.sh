#!/usr/bin/env bash
# Peak memory of `logdoc diagnose` on a 1 GB log read from stdin (the matcher streams;
# it must not hold the log). Prints the maximum resident set size.
#
#   benches/memory.sh [GIGABYTES] [CATALOG_DIR]...
#
# The log repeats the golden logs (real CI text) with GitHub timestamps.
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${1:-1}
shift || true
catalogs=("${@:-catalog}")
args=()
for c in "${catalogs[@]}"; do args+=(--catalog "$c"); done
cargo build --release --quiet
python3 - "$gb" <<'PY' | /usr/bin/env time -f "peak RSS: %M KiB, elapsed %e s" target/release/logdoc diagnose "${args[@]}" --format json - > /dev/null
import glob, sys
lines = []
for path in sorted(glob.glob("tests/golden/*.log")):
    lines.extend(open(path, "rb").read().splitlines())
block = b"".join(b"2024-01-20T10:00:00.0000000Z " + l + b"\n" for l in lines)
target = int(float(sys.argv[1]) * (1 << 30))
out = sys.stdout.buffer
written = 0
while written < target:
    out.write(block)
    written += len(block)
PY
