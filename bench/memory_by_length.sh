#!/usr/bin/env bash
# Peak memory of pitchscribe against input length: 10 minutes, 1 hour, 3 hours of 44.1 kHz
# 16-bit stereo wav streamed from sox through stdin (no multi-GB files on disk).
#   bench/memory_by_length.sh [PITCHSCRIBE_BINARY]
# Prints peak RSS per length and the spread; the bar is within 10 % of each other.
set -euo pipefail
BIN="${1:-build/pitchscribe}"
[ -x "$BIN" ] || { echo "memory_by_length: $BIN is not executable (make build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "memory_by_length: /usr/bin/time missing (Debian package 'time')" >&2; exit 1; }

printf '%-10s %10s %12s %12s\n' length "audio s" "wall s" "peak RSS MB"
peaks=()
for seconds in 600 3600 10800; do
  report=$(mktemp)
  # A slow sweep: every frame voiced, the tracker busy throughout.
  sox -n -r 44100 -c 2 -b 16 -t wav - synth "$seconds" sine 100-1000 2>/dev/null |
    /usr/bin/time -f "%e %M" -o "$report" "$BIN" - --pitch - --quiet >/dev/null
  read -r wall kb <"$report"
  rm -f "$report"
  peaks+=("$kb")
  awk -v s="$seconds" -v w="$wall" -v kb="$kb" 'BEGIN { printf "%-10s %10d %12.1f %12.1f\n", s / 60 " min", s, w, kb / 1024 }'
done
min=$(printf '%s\n' "${peaks[@]}" | sort -n | head -1)
max=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
awk -v lo="$min" -v hi="$max" 'BEGIN { printf "spread of peak RSS: %.1f %% (bar: within 10 %%)\n", 100 * (hi - lo) / lo }'
