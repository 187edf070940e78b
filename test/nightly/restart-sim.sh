#!/bin/sh
# A power-cycle hook for a virtual Pico, standing in for `uhubctl -a cycle` on a real one: stop the
# `picogc sim --pty` serving PORT ($1) and start a new one, with the same seed (so the same unique id)
# and without faults, on the same path; exit once it is there. The pid of whoever serves the path is
# kept in $SIM_PIDFILE, so the test can stop the new one as well.
set -eu
port=$1
old=$(cat "$SIM_PIDFILE")
echo "power-cycling the virtual Pico on $port (pid $old)"
kill "$old" 2>/dev/null || true
i=0
while kill -0 "$old" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 100 ]; then kill -9 "$old" 2>/dev/null || true; fi
  sleep 0.1
done
out="$(dirname "$SIM_PIDFILE")/restarted-sim.out"
node "$PICOGC_BIN" sim --pty --seed "$SIM_SEED" --path "$port" >"$out" 2>&1 &
echo $! >"$SIM_PIDFILE"
i=0
until [ -e "$port" ] && grep -q . "$out"; do
  i=$((i + 1))
  if [ "$i" -gt 300 ]; then echo "the virtual Pico did not come back" >&2; exit 1; fi
  sleep 0.1
done
echo "back on $(head -n 1 "$out")"
