#!/usr/bin/env bash
# End-to-end speed of the pitchscribe CLI (decode + track + CSV) against aubiopitch (yinfft)
# on 10 minutes of 44.1 kHz 16-bit stereo rendered music, both at a 10 ms hop.
#   bench/core_speed.sh [PITCHSCRIBE_BINARY]   (default build/pitchscribe)
# Reports the median wall time of RUNS runs, x real time, peak RSS (/usr/bin/time -v).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-$REPO/build/pitchscribe}"
RUNS="${RUNS:-3}"
SECONDS_OF_AUDIO=600
PYTHON=/usr/bin/python3 # Debian's, which has mido/numpy/soundfile
DATA_DIR="$REPO/build/bench-data"
# The seed is in the name: a change to the generator or the seed renders a new file.
AUDIO="$DATA_DIR/music_${SECONDS_OF_AUDIO}s_seed2024_stereo.wav"

[ -x "$BIN" ] || { echo "core_speed: $BIN is not an executable (build first)" >&2; exit 1; }
command -v aubiopitch >/dev/null || { echo "core_speed: aubiopitch missing (Debian package aubio-tools)" >&2; exit 1; }
HAVE_TIME=1
if [ ! -x /usr/bin/time ]; then
  HAVE_TIME=0 # bash's `time` builtin has no memory figure
  echo "core_speed: /usr/bin/time missing: install the Debian package 'time' for peak memory" >&2
fi

if [ ! -s "$AUDIO" ]; then
  mkdir -p "$DATA_DIR"
  echo "core_speed: rendering $AUDIO (one-off, cached)..." >&2
  "$PYTHON" "$REPO/tests/accuracy/melodies.py" --long "$SECONDS_OF_AUDIO" --seed 2024 "$AUDIO.tmp.wav"
  mv "$AUDIO.tmp.wav" "$AUDIO"
fi

# CSV to stdout, thrown away by run(). Not `--pitch /dev/null`: the CLI writes a temp file
# and renames it over the target, which as root replaces the /dev/null device node.
# --threads 1 where the CLI has it, to compare with single-threaded aubiopitch.
PS_ARGS=("$AUDIO" --pitch -)
if "$BIN" --help 2>&1 | grep -q -- '--threads'; then PS_ARGS+=(--threads 1); fi
AUBIO_ARGS=(-i "$AUDIO" -p yinfft -H 441 -B 2048) # 441 samples = 10 ms at the file's 44.1 kHz

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# run NAME CMD...: one timed run; appends "seconds rss_kb" to $TMP/NAME.
run() {
  local name="$1"; shift
  local start end rss="nan"
  start=$(date +%s%N)
  if [ "$HAVE_TIME" = 1 ]; then
    /usr/bin/time -v -o "$TMP/time.txt" "$@" >/dev/null 2>"$TMP/stderr.txt" || {
      echo "core_speed: '$*' failed:" >&2; cat "$TMP/stderr.txt" >&2; exit 1; }
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")
  else
    "$@" >/dev/null 2>"$TMP/stderr.txt" || {
      echo "core_speed: '$*' failed:" >&2; cat "$TMP/stderr.txt" >&2; exit 1; }
  fi
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 )) $rss" >>"$TMP/$name"
}

for _ in $(seq "$RUNS"); do # interleaved, so drift in machine load hits both alike
  run pitchscribe "$BIN" "${PS_ARGS[@]}"
  run aubiopitch aubiopitch "${AUBIO_ARGS[@]}"
done

median_col() { sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {print v[int((NR+1)/2)]}'; }
PS_US=$(median_col "$TMP/pitchscribe" 1)
AU_US=$(median_col "$TMP/aubiopitch" 1)

echo "input: $(basename "$AUDIO") ($SECONDS_OF_AUDIO s, 44.1 kHz 16-bit stereo), hop 10 ms, median of $RUNS runs"
echo "pitchscribe: $BIN <input> ${PS_ARGS[*]:1} > /dev/null"
echo "aubiopitch:  aubiopitch -i <input> ${AUBIO_ARGS[*]:2} > /dev/null"
printf '%-12s %10s %12s %14s %s\n' tool "wall s" "x realtime" "peak RSS MB" "runs (s)"
for name in pitchscribe aubiopitch; do
  us=$(median_col "$TMP/$name" 1)
  rss=$(median_col "$TMP/$name" 2)
  runs=$(awk '{printf "%s%.2f", (NR>1?" ":""), $1/1e6}' "$TMP/$name")
  awk -v n="$name" -v us="$us" -v rss="$rss" -v len="$SECONDS_OF_AUDIO" -v runs="$runs" 'BEGIN {
    printf "%-12s %10.2f %12.0f %14s %s\n", n, us/1e6, len/(us/1e6),
      (rss == "nan" ? "n/a" : sprintf("%.1f", rss/1024)), runs }'
done
awk -v p="$PS_US" -v a="$AU_US" 'BEGIN {
  printf "pitchscribe / aubiopitch wall time: %.2f (%s)\n", p/a, (p < a ? sprintf("pitchscribe %.1fx faster", a/p) : sprintf("pitchscribe %.1fx slower", p/a)) }'
