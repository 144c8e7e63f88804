#!/usr/bin/env python3
"""Writes a synthetic GitHub Actions log of about SIZE bytes for benches/server.sh.

The log looks like a real failed job: runner set-up, checkout, setup-node, a long
`npm ci` / test run with timestamps, ANSI colours and warnings, then the failure the
bundled catalog knows (`npm ci` without a lockfile). Deterministic (seeded).
Usage: make_log.py SIZE_BYTES OUT_FILE
"""
import random
import sys
from datetime import datetime, timedelta

size, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
t = datetime(2024, 1, 20, 10, 0, 0)
lines = []


def emit(text):
    """Appends one timestamped line; returns its length with the newline."""
    global t
    t += timedelta(milliseconds=rng.randint(1, 40))
    lines.append(t.strftime("%Y-%m-%dT%H:%M:%S.") + "%07dZ " % (t.microsecond * 10) + text)
    return len(lines[-1]) + 1


head = [
    "Current runner version: '2.311.0'",
    "##[group]Operating System",
    "Ubuntu",
    "22.04.3",
    "LTS",
    "##[endgroup]",
    "##[group]Runner Image",
    "Image: ubuntu-22.04",
    "Version: 20240115.1.0",
    "##[endgroup]",
    "##[group]Run actions/checkout@v4",
    "with:",
    "  repository: acme/web",
    "##[endgroup]",
    "Syncing repository: acme/web",
    "##[group]Run actions/setup-node@v4",
    "with:",
    "  node-version: 20",
    "##[endgroup]",
    "Found in cache @ /opt/hostedtoolcache/node/20.11.0/x64",
    "Environment details",
    "  node: v20.11.0",
    "  npm: 10.2.4",
]
for line in head:
    emit(line)
packages = ["react", "lodash", "webpack", "babel-core", "eslint", "jest", "typescript", "rollup",
            "postcss", "vite", "express", "chalk", "commander", "semver", "glob", "rimraf"]
tail = [
    "##[group]Run npm ci",
    "npm ci",
    "shell: /usr/bin/bash -e {0}",
    "##[endgroup]",
    "npm ERR! code EUSAGE",
    "npm ERR!",
    "npm ERR! The `npm ci` command can only install with an existing package-lock.json or",
    "npm ERR! npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or",
    "npm ERR! later to generate a package-lock.json file, then try again.",
    "npm ERR!",
    "npm ERR! Clean install a project",
    "npm ERR! A complete log of this run can be found in: /home/runner/.npm/_logs/2024-01-20T10_04_02_123Z-debug-0.log",
    "##[error]Process completed with exit code 1.",
    "Post job cleanup.",
    "Cleaning up orphan processes",
]
budget = size - sum(len(l) + 30 for l in tail)
emit("##[group]Run npm run build && npm test")
written = sum(len(l) + 1 for l in lines)
while written < budget:
    p = rng.choice(packages)
    kind = rng.random()
    if kind < 0.35:
        written += emit(f"npm WARN deprecated {p}@{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}: "
             f"this version is no longer supported, please update to a newer version")
    elif kind < 0.6:
        written += emit(f"\x1b[32mPASS\x1b[39m src/{p}/{rng.choice(['index', 'util', 'api', 'view'])}.test.ts "
             f"({rng.randint(1, 900)} ms)")
    elif kind < 0.75:
        written += emit(f"  \x1b[2m✓\x1b[22m renders {p} with {rng.randint(1, 64)} items ({rng.randint(1, 40)} ms)")
    elif kind < 0.85:
        written += emit(f"[webpack] asset {p}.{rng.getrandbits(32):08x}.js {rng.randint(1, 900)} KiB [emitted] [minimized]")
    elif kind < 0.93:
        written += emit(f"warning: {p} has unmet peer dependency \"{rng.choice(packages)}@^{rng.randint(1, 5)}.0.0\"")
    else:
        written += emit(f"added {rng.randint(1, 1500)} packages, and audited {rng.randint(1, 2000)} packages in {rng.randint(1, 60)}s")
emit("##[endgroup]")
for line in tail:
    emit(line)
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
