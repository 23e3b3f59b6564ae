#!/bin/bash
# Two builds of the Vitest plugin on one real suite, side by side (issue 16's overhead measurement):
# per round a plain run, a warn run with build A and a warn run with build B, alternating, so the
# machine's load falls on all three alike. Prints wall, user and system seconds (Vitest and its
# workers) and the load average at the start of each run.
#
# Usage: bench/real-suites-ab.sh <project dir> <A: an @asyncsan dir> <B: an @asyncsan dir> [rounds] [out dir]
#   The project is one bench/real-suites.mjs has set up (its config switches the plugin on ASYNCSAN_MODE).
#   An @asyncsan dir is a copy of <project>/node_modules/@asyncsan taken after real-suites.mjs installed
#   that build (e.g. `cp -r /work/realsuites/mcp-sdk/node_modules/@asyncsan /tmp/asyncsan-main`).
#   The project is left with build B installed.
set -euo pipefail
dir=$1 a=$2 b=$3 rounds=${4:-3} out=${5:-/tmp/real-suites-ab}
mkdir -p "$out"
cd "$dir"
TIMEFORMAT='%R %U %S'
for r in $(seq 1 "$rounds"); do
  for m in plain A B; do
    case $m in A) src=$a ;; B) src=$b ;; *) src= ;; esac
    if [ -n "$src" ]; then rm -rf node_modules/@asyncsan; cp -r "$src" node_modules/@asyncsan; fi
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$m" = plain ]; then
      t=$( { time npx vitest run > "$out/$m-$r.log" 2>&1 || true; } 2>&1 )
    else
      t=$( { time ASYNCSAN_MODE=warn ASYNCSAN_OUT="$out/$m-$r.findings.json" npx vitest run > "$out/$m-$r.log" 2>&1 || true; } 2>&1 )
    fi
    echo "round $r $m: wall/user/sys $t, load $load" | tee -a "$out/times.txt"
  done
done
rm -rf node_modules/@asyncsan; cp -r "$b" node_modules/@asyncsan
