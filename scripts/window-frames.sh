#!/bin/bash
# Measures the window's frame gaps while its maps recompute, as BENCHMARKS.md
# reports them: opens `kl-landscape gui --frame-log` on a virtual display,
# presses + and - in turn (3 and 2 modes, so a map is always computing while
# the fits animate) and prints the gap statistics with and without a map in
# flight. Needs Xvfb and xdotool (apt-get install xvfb xdotool) and a release
# build; run it on an otherwise idle machine.
#
# usage: scripts/window-frames.sh [LOG] [PRESSES] [SECONDS_BETWEEN]
set -euo pipefail
LOG=${1:-frames.tsv}
PRESSES=${2:-6}
BETWEEN=${3:-7}
BIN=${BIN:-target/release/kl-landscape}
DISPLAY_NUM=${DISPLAY_NUM:-:97}

Xvfb "$DISPLAY_NUM" -screen 0 1600x1000x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null' EXIT
sleep 1
export DISPLAY=$DISPLAY_NUM
"$BIN" gui --frame-log "$LOG" 2>/dev/null &
APP=$!
sleep 6
WIN=$(xdotool search --sync --name '^kl-landscape$' | head -1)
for i in $(seq 1 "$PRESSES"); do
  if [ $((i % 2)) = 1 ]; then KEY=plus; else KEY=minus; fi
  xdotool windowfocus --sync "$WIN" key "$KEY"
  sleep "$BETWEEN"
done
kill $APP
wait $APP 2>/dev/null || true

python3 - "$LOG" <<'PY'
import sys
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n')[1:] if l]
for flag, what in (('1', 'map computing'), ('0', 'no map')):
    g = sorted(float(r[1]) for r in rows if r[2] == flag)
    if not g:
        continue
    q = lambda p: g[min(len(g) - 1, int(p * len(g)))]
    over = [f"{float(r[0]):.2f}s:{float(r[1]):.0f}ms" for r in rows if r[2] == flag and float(r[1]) > 50]
    print(f"{what}: {len(g)} frames, median {q(.5):.1f} ms, p90 {q(.9):.1f}, "
          f"p99 {q(.99):.1f}, slowest {g[-1]:.1f}; over 50 ms: {' '.join(over) or 'none'}")
PY
