#!/usr/bin/env bash
# End-to-end speed and memory of the pitchscribe CLI against its peers, on three inputs, in
# one run: the bundled guitar-tuning clip as AAC/m4a (the seed's case), 10 minutes and
# 60 minutes of 44.1 kHz 16-bit stereo rendered music. Per input and tool: median wall
# time of RUNS runs, x real time, time relative to pitchscribe, peak RSS; plus the FFT
# floor (the FFTW transforms alone, for as many frames as pitchscribe analyses).
# Prints the tables and writes them, with the machine and the command, to docs/PERFORMANCE.md.
#
#   bench/performance.sh [PITCHSCRIBE_BINARY]      (default build-bench/pitchscribe; make bench)
#
# Environment:
#   RUNS=3          timed runs per tool and input (interleaved, so load drift hits all alike)
#   QUICK=1         development: the m4a clip and the 10-minute file only, RUNS=1
#   SKIP_LONG=1     leave out the 60-minute file
#   TOOLS="..."     subset/order of: pitchscribe pitchscribe-mt aubio-yinfft aubio-yinfft-4096
#                   aubio-yin seed
#                   ffmpeg (default all of these), and seed-10ms (the seed at a 10 ms hop)
#   BENCH_DATA=DIR  cache of generated inputs (default build/bench-data, shared with
#                   core_speed.sh)
#   FFT_FLOOR=BIN   the fft_floor program (default: bench/fft_floor beside the binary)
#   REPORT=FILE     where the Markdown goes (default docs/PERFORMANCE.md; "-" = none)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
# The command as given, with the settings that came from the environment, for the report.
COMMAND_LINE=""
for v in RUNS QUICK SKIP_LONG TOOLS BENCH_DATA FFT_FLOOR REPORT; do
  if [ -n "${!v:-}" ]; then COMMAND_LINE+="$v=${!v@Q} "; fi
done
COMMAND_LINE+="$0${*:+ $*}"
BIN="$(realpath -m "${1:-$REPO/build-bench/pitchscribe}")"
FFT_FLOOR="${FFT_FLOOR:-$(dirname "$BIN")/bench/fft_floor}"
QUICK="${QUICK:-0}"
SKIP_LONG="${SKIP_LONG:-0}"
if [ "$QUICK" = 1 ]; then
  RUNS="${RUNS:-1}"
  SKIP_LONG=1
fi
RUNS="${RUNS:-3}"
TOOLS="${TOOLS:-pitchscribe pitchscribe-mt aubio-yinfft aubio-yinfft-4096 aubio-yin seed ffmpeg}"
DATA_DIR="${BENCH_DATA:-$REPO/build/bench-data}"
REPORT="${REPORT:-$REPO/docs/PERFORMANCE.md}"
PYTHON=/usr/bin/python3 # Debian's: numpy, scipy, mido, soundfile, numba come as packages
HOP=0.01                # seconds, for every tool: pitchscribe's default
AUBIO_BUF=2048          # aubio's own default window; two periods of 43 Hz at 44.1 kHz
AUBIO_BUF_ISSUE=4096    # the window of the performance issue's reference aubio timing
# The seed's numba cache, out of the source tree and kept between runs (the post's timings
# were of warm runs too: hyperfine -w).
export NUMBA_CACHE_DIR="$DATA_DIR/numba-cache"

die() { echo "performance: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 missing (Debian package $2; or: make deps)"; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[ -x "$BIN" ] || die "$BIN is not an executable (build first: make bench)"
[ -x "$FFT_FLOOR" ] || die "$FFT_FLOOR is not an executable (configure with -DPITCHSCRIBE_BENCH=ON)"
[ -x /usr/bin/time ] || die "/usr/bin/time missing (Debian package time): it measures peak RSS"
need ffmpeg ffmpeg
need ffprobe ffmpeg
need sox sox
for tool in $TOOLS; do
  case "$tool" in
    pitchscribe | pitchscribe-mt | ffmpeg) ;;
    aubio-yinfft | aubio-yinfft-4096 | aubio-yin) need aubiopitch aubio-tools ;;
    seed | seed-10ms)
      "$PYTHON" -c 'import numpy, scipy' 2>/dev/null ||
        die "$PYTHON lacks numpy/scipy (Debian packages python3-numpy python3-scipy)" ;;
    *) die "unknown tool '$tool' in TOOLS" ;;
  esac
done

# --threads where the CLI has it: the single-threaded run is the fair one against
# single-threaded aubiopitch; the default-threads run shows what a user gets.
HAS_THREADS=0
if "$BIN" --help 2>&1 | grep -q -- '--threads'; then HAS_THREADS=1; fi

# ---- inputs (generated once, cached; the name says what is inside) ----
mkdir -p "$DATA_DIR"
CLIP="$DATA_DIR/guitar_tuning_aac.m4a"
TEN="$DATA_DIR/music_600s_seed2024_stereo.wav" # the same file core_speed.sh renders
LONG="$DATA_DIR/music_3600s_seed2024x6_stereo.wav"

if [ ! -s "$CLIP" ] || [ "$REPO/examples/guitar_tuning.flac" -nt "$CLIP" ]; then
  echo "performance: encoding $CLIP (AAC, as the seed's YouTube m4a)..." >&2
  ffmpeg -nostdin -v error -y -i "$REPO/examples/guitar_tuning.flac" -c:a aac -b:a 160k \
    "$CLIP.tmp.m4a"
  mv "$CLIP.tmp.m4a" "$CLIP"
fi
if [ ! -s "$TEN" ]; then
  need fluidsynth fluidsynth
  echo "performance: rendering $TEN (10 minutes with FluidSynth, one-off)..." >&2
  "$PYTHON" "$REPO/tests/accuracy/melodies.py" --long 600 --seed 2024 "$TEN.tmp.wav"
  mv "$TEN.tmp.wav" "$TEN"
fi
FILES=("$CLIP" "$TEN")
if [ "$SKIP_LONG" != 1 ]; then
  if [ ! -s "$LONG" ] || [ "$TEN" -nt "$LONG" ]; then
    # Six copies of the 10-minute render: an hour of FluidSynth would take as long again,
    # and no tool here carries state across minutes, so repetition changes nothing.
    echo "performance: concatenating $LONG (6 x 10 min, one-off)..." >&2
    sox "$TEN" "$TEN" "$TEN" "$TEN" "$TEN" "$TEN" "$LONG.tmp.wav"
    mv "$LONG.tmp.wav" "$LONG"
  fi
  FILES+=("$LONG")
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
FAILED=0

probe() { # probe FILE FIELD: one value of the first audio stream (or of the format)
  local section=stream
  [ "$2" = duration ] && section=format
  ffprobe -v error -select_streams a:0 -show_entries "$section=$2" \
    -of default=noprint_wrappers=1:nokey=1 "$1" | head -1
}

# command_for TOOL FILE RATE: the tool's command line as an array in CMD (empty = skip).
command_for() {
  local tool="$1" file="$2" rate="$3"
  local hop_samples=$(( (rate + 50) / 100 )) # 10 ms: -H 441 at 44.1 kHz
  CMD=()
  case "$tool" in
    pitchscribe)
      CMD=("$BIN" "$file" --pitch -)
      [ "$HAS_THREADS" = 1 ] && CMD+=(--threads 1) ;;
    pitchscribe-mt) [ "$HAS_THREADS" = 1 ] && CMD=("$BIN" "$file" --pitch -) ;;
    aubio-yinfft) CMD=(aubiopitch -i "$file" -p yinfft -H "$hop_samples" -B "$AUBIO_BUF") ;;
    aubio-yinfft-4096)
      CMD=(aubiopitch -i "$file" -p yinfft -H "$hop_samples" -B "$AUBIO_BUF_ISSUE") ;;
    aubio-yin) CMD=(aubiopitch -i "$file" -p yin -H "$hop_samples" -B "$AUBIO_BUF") ;;
    seed) CMD=("$PYTHON" "$REPO/bench/seed_pipeline.py" "$file") ;;
    seed-10ms) CMD=("$PYTHON" "$REPO/bench/seed_pipeline.py" "$file" --hop "$HOP") ;;
    ffmpeg) CMD=(ffmpeg -nostdin -v error -i "$file" -f f32le -ac 1 -y /dev/null) ;;
  esac
  return 0
}

label_for() {
  case "$1" in
    pitchscribe) [ "$HAS_THREADS" = 1 ] && echo "pitchscribe --threads 1" || echo "pitchscribe" ;;
    pitchscribe-mt) echo "pitchscribe (default threads)" ;;
    aubio-yinfft) echo "aubiopitch -p yinfft" ;;
    aubio-yinfft-4096) echo "aubiopitch -p yinfft -B $AUBIO_BUF_ISSUE" ;;
    aubio-yin) echo "aubiopitch -p yin" ;;
    seed) echo "seed re-creation (100 ms slices)" ;;
    seed-10ms) echo "seed re-creation (10 ms hop)" ;;
    ffmpeg) echo "ffmpeg decode only" ;;
  esac
}

# run KEY CMD...: one timed run, stdout discarded; appends "microseconds rss_kb" to $TMP/KEY.
# stdout is /dev/null by redirection, never an output file argument: the CLI writes a temp
# file and renames it over its target, which as root would replace the /dev/null node.
run() {
  local key="$1"; shift
  local start end
  start=$(date +%s%N)
  if /usr/bin/time -f %M -o "$TMP/rss" "$@" >/dev/null 2>"$TMP/stderr"; then
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000 )) $(tail -1 "$TMP/rss")" >>"$TMP/$key"
  else
    echo "performance: failed: $*" >&2
    sed 's/^/  /' "$TMP/stderr" >&2
    echo "failed" >>"$TMP/$key"
    FAILED=1
  fi
}

floor_value() { awk -F= -v k="$1" '$1 == k {print $2}' "$TMP/floor.$2"; } # KEY RATE

median_col() { # median_col FILE COLUMN (numeric lines only)
  { grep -v failed "$1" || true; } | sort -n -k"$2" | awk -v c="$2" '{v[NR]=$c} END {if (NR) print v[int((NR+1)/2)]}'
}

if [[ " $TOOLS " == *" seed"* ]]; then
  # Compiles (numba) and caches the seed's picker, and checks it against the plain loop.
  "$PYTHON" "$REPO/bench/seed_pipeline.py" --self-test >&2
fi

declare -A FLOOR_DONE
RESULTS="$TMP/results.txt" # ";"-separated: file, tool, median s, x real time, vs ps, RSS MB, runs
: >"$RESULTS"
SUMMARY="$TMP/summary.txt"
: >"$SUMMARY"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

for file in "${FILES[@]}"; do
  name="$(basename "$file")"
  rate="$(probe "$file" sample_rate)"
  channels="$(probe "$file" channels)"
  codec="$(probe "$file" codec_name)"
  duration="$(probe "$file" duration)"
  if [ -z "$rate" ] || [ -z "$duration" ]; then die "cannot probe $file"; fi
  echo "performance: $name ($duration s, $codec, $rate Hz, $channels ch), $RUNS run(s)..." >&2

  # One untimed pitchscribe pass: counts the frames it analyses (CSV rows) and leaves the
  # file in the page cache, so no tool's first run pays for the disk.
  frames=$("$BIN" "$file" --pitch - 2>"$TMP/stderr" | tail -n +2 | wc -l) ||
    die "pitchscribe failed on $file: $(cat "$TMP/stderr")"
  [ "$frames" -gt 0 ] || die "pitchscribe produced no frames for $file"

  if [ -z "${FLOOR_DONE[$rate]:-}" ]; then
    "$FFT_FLOOR" --rate "$rate" >"$TMP/floor.$rate" || die "$FFT_FLOOR --rate $rate failed"
    FLOOR_DONE[$rate]=1
  fi
  frame_size=$(floor_value frame_size "$rate")
  fft_size=$(floor_value fft_size "$rate")
  pair_ns=$(floor_value fft_pair_ns "$rate")
  analyze_ns=$(floor_value analyze_ns "$rate")
  real_size=$(floor_value real_fft_size "$rate")
  real_pair_ns=$(floor_value real_pair_ns "$rate")

  for _ in $(seq "$RUNS"); do
    for tool in $TOOLS; do
      command_for "$tool" "$file" "$rate"
      if [ ${#CMD[@]} -gt 0 ]; then run "$name.$tool" "${CMD[@]}"; fi
    done
  done

  ps_us=""
  [ -s "$TMP/$name.pitchscribe" ] && ps_us=$(median_col "$TMP/$name.pitchscribe" 1)
  for tool in $TOOLS; do
    key="$TMP/$name.$tool"
    [ -s "$key" ] || continue
    us=$(median_col "$key" 1)
    rss=$(median_col "$key" 2)
    runs=$(awk '{printf "%s%s", (NR>1?" ":""), ($1=="failed" ? "failed" : sprintf("%.2f", $1/1e6))}' "$key")
    if [ -z "$us" ]; then
      printf '%s;%s;failed;;;;%s\n' "$name" "$(label_for "$tool")" "$runs" >>"$RESULTS"
      continue
    fi
    awk -v f="$name" -v t="$(label_for "$tool")" -v us="$us" -v rss="$rss" -v d="$duration" \
      -v ps="$ps_us" -v runs="$runs" 'BEGIN {
        printf "%s;%s;%.3f;%.0f;%s;%.1f;%s\n", f, t, us/1e6, d/(us/1e6),
          (ps == "" ? "" : sprintf("%.2f", us/ps)), rss/1024, runs }' >>"$RESULTS"
  done
  # Computed rows: the FFT pair and the whole MPM analysis, per frame x frames, no decoding.
  awk -v f="$name" -v n="$frames" -v pair="$pair_ns" -v an="$analyze_ns" -v d="$duration" \
    -v ps="$ps_us" -v fft="$fft_size" -v rn="$real_size" -v rpair="$real_pair_ns" 'BEGIN {
      s = n * pair / 1e9; a = n * an / 1e9; rs = n * rpair / 1e9
      printf "%s;FFT floor: %d frames x (complex forward + backward, M=%d);%.3f;%.0f;%s;;computed\n",
        f, n, fft/2, s, d/s, (ps == "" ? "" : sprintf("%.2f", s/(ps/1e6)))
      printf "%s;textbook FFT pair: %d frames x (r2c + c2r, N=%d);%.3f;%.0f;%s;;computed\n",
        f, n, rn, rs, d/rs, (ps == "" ? "" : sprintf("%.2f", rs/(ps/1e6)))
      printf "%s;MPM analysis only: %d x analyze();%.3f;%.0f;%s;;computed\n",
        f, n, a, d/a, (ps == "" ? "" : sprintf("%.2f", a/(ps/1e6))) }' >>"$RESULTS"
  awk -v f="$name" -v d="$duration" -v c="$codec" -v r="$rate" -v ch="$channels" -v n="$frames" \
    -v w="$frame_size" -v fft="$fft_size" -v pair="$pair_ns" -v an="$analyze_ns" -v ps="$ps_us" \
    -v rn="$real_size" -v rpair="$real_pair_ns" 'BEGIN {
      printf "%s: %.1f s, %s, %s Hz, %s ch; pitchscribe: %d frames of %d samples, real FFT %d (complex %d); ", f, d, c, r, ch, n, w, fft, fft/2
      printf "FFT pair %.2f us, analyze() %.2f us per frame", pair/1e3, an/1e3
      printf " (textbook r2c + c2r at N=%d: %.2f us)", rn, rpair/1e3
      if (ps != "") printf "; pitchscribe end to end = %.1fx the FFT floor", (ps/1e6) / (n*pair/1e9)
      printf "\n" }' >>"$SUMMARY"
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report ----
echo
printf '%-34s %-50s %9s %9s %8s %9s  %s\n' input tool "wall s" "x rt" "vs ps" "RSS MB" "runs (s)"
while IFS=';' read -r f t s x r m runs; do
  printf '%-34s %-50s %9s %9s %8s %9s  %s\n' "$f" "$t" "$s" "$x" "${r:--}" "${m:--}" "$runs"
done <"$RESULTS"
echo
cat "$SUMMARY"
echo "vs ps = wall time / pitchscribe's single-threaded wall time (> 1: pitchscribe is faster)"

[ "$REPORT" = - ] && exit "$FAILED"

cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
mem_gb="$(awk '/^MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
os="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
compiler="$(awk -F= '/^CMAKE_CXX_COMPILER:/ {print $2}' "$(dirname "$BIN")/CMakeCache.txt" 2>/dev/null || true)"
compiler_version="$("${compiler:-c++}" --version 2>/dev/null | head -1)"
build_type="$(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$(dirname "$BIN")/CMakeCache.txt" 2>/dev/null || true)"
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
py_versions="$("$PYTHON" -c 'import numpy, scipy; v = f"numpy {numpy.__version__}, scipy {scipy.__version__}"
try:
    import numba; v += f", numba {numba.__version__}"
except ImportError:
    v += ", no numba (numpy picker)"
print(v)' 2>/dev/null || echo "?")"
commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "?")"
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit (with uncommitted changes)"
fi

# bars_table: the performance issue's bars, read off this run's rows: the longest input for
# the end-to-end bars, the m4a for the seed and ffmpeg ones.
bars_table() {
  awk -F';' -v summary="$SUMMARY" -v cores="$(nproc)" '
    function cell(f, t, col) { return ((f, t) in row) ? row[f, t, col] : "" }
    { row[$1, $2] = 1; row[$1, $2, 3] = $3; row[$1, $2, 4] = $4; row[$1, $2, 6] = $6
      if ($3 != "failed" && $4 > 0) { d = $3 * $4; if (d > longest) { longest = d; long = $1 } }
      if ($1 ~ /\.m4a$/) m4a = $1 }
    function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }
    function line(bar, value, fmt, ok) {
      printf "| %s | %s | %s |\n", bar, (value == "" ? "not run" : sprintf(fmt, value)),
        (value == "" ? "-" : (ok ? "yes" : "no")) }
    END {
      ps = "pitchscribe --threads 1"
      print ""; print "## The issue'"'"'s bars, as measured in this run"; print ""
      print "| bar | measured | met? |"; print "|---|---|---|"
      x = cell(long, ps, 4)
      line("one thread, " long ": >= 1000x real time", x, "%.0fx", x >= 1000)
      r = ratio(cell(long, "aubiopitch -p yinfft -B 4096", 3), cell(long, ps, 3))
      line("vs `aubiopitch -p yinfft -B 4096` (the issue'"'"'s setting): >= 5x", r, "%.2fx", r >= 5)
      r = ratio(cell(long, "aubiopitch -p yinfft", 3), cell(long, ps, 3))
      line("vs `aubiopitch -p yinfft -B 2048` (an equal window; no bar)", r, "%.2fx", 1)
      m = cell(long, ps, 6)
      line("peak memory, " long ", one thread: <= 64 MB", m, "%.1f MB", m <= 64)
      m = cell(long, "pitchscribe (default threads)", 6)
      line("peak memory, " long ", default threads: <= 64 MB", m, "%.1f MB", m <= 64)
      r = ratio(cell(long, ps, 3), cell(long, "pitchscribe (default threads)", 3))
      line("default threads (" cores " cores) vs one: >= 1.7x", r, "%.2fx", r >= 1.7)
      r = ratio(cell(m4a, "seed re-creation (100 ms slices)", 3), cell(m4a, ps, 3))
      line(m4a ": >= 8x faster than the seed re-creation", r, "%.1fx", r >= 8)
      r = ratio(cell(m4a, ps, 3), cell(m4a, "ffmpeg decode only", 3))
      line(m4a ": within 1.3x of ffmpeg decoding alone", r, "%.2fx", r <= 1.3)
      while ((getline s < summary) > 0)
        if (match(s, /FFT pair [0-9.]+ us, analyze\(\) [0-9.]+ us per frame \(textbook r2c \+ c2r at N=[0-9]+: [0-9.]+ us/)) {
          split(substr(s, RSTART, RLENGTH), w, " "); pair = w[3]; an = w[6]; textbook = w[16] }
      r = ratio(an, pair)
      line("analyze() per frame within 2x of the FFT pair (the complex transforms it runs)", r, "%.2fx", r <= 2)
      r = ratio(an, textbook)
      line("analyze() per frame vs FFTW'"'"'s r2c + c2r at the smallest alias-free size (no bar)", r, "%.2fx", 1)
      print ""
      print "Peak memory on the 60-minute and 3-hour files: `make bench-memory` (docs/RELIABILITY.md)."
    }' "$RESULTS"
}

{
  echo "# Performance: pitchscribe against aubio, the seed, ffmpeg and the FFT floor"
  echo
  echo "Generated by \`bench/performance.sh\` (\`make bench\` runs it); do not edit by hand, rerun."
  if [ "$QUICK" = 1 ] || [ "$RUNS" -lt 3 ] || [ "$SKIP_LONG" = 1 ]; then
    echo
    echo "**Development run** (QUICK=$QUICK, RUNS=$RUNS, SKIP_LONG=$SKIP_LONG): noisy, not for citing."
  fi
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit"
  echo "- Machine: $cpu, $(nproc) cores (nproc), $mem_gb GB RAM, $os, kernel $(uname -r)"
  echo "- Load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER"
  echo "- pitchscribe: \`$BIN\` (${build_type:-?}, ${compiler_version:-?}); FFTW $(pkg_version libfftw3-single3)"
  echo "- aubio-tools $(pkg_version aubio-tools); ffmpeg $(pkg_version ffmpeg); Python $("$PYTHON" -c 'import platform; print(platform.python_version())'): $py_versions"
  echo "- Command: \`${COMMAND_LINE}\` (median of $RUNS run(s) per tool and input, interleaved)"
  echo
  echo "## Results"
  echo
  echo "Wall time includes process start, decoding, analysis and writing the track to a"
  echo "discarded stdout. *vs ps* = the tool's time / pitchscribe's single-threaded time"
  echo "(above 1: pitchscribe is faster). Peak RSS from \`/usr/bin/time -f %M\`."
  prev=""
  while IFS=';' read -r f t s x r m runs; do
    if [ "$f" != "$prev" ]; then
      echo
      echo "### $f"
      echo
      grep -F "$f:" "$SUMMARY" | sed 's/^/> /'
      echo
      echo "| tool | wall s | x real time | vs ps | peak RSS MB | runs (s) |"
      echo "|---|---|---|---|---|---|"
      prev="$f"
    fi
    echo "| $t | $s | $x | ${r:--} | ${m:--} | $runs |"
  done <"$RESULTS"
  bars_table
  cat <<EOF

## What is run

All at a 10 ms hop except the seed, whose 100 ms back-to-back slices are its own design.

| row | command (stdout to /dev/null) |
|---|---|
| pitchscribe | \`pitchscribe INPUT --pitch -\`$([ "$HAS_THREADS" = 1 ] && echo ' `--threads 1`; and without `--threads` (default threads)' || echo ' (no `--threads` option in this build: single-threaded)') |
| aubiopitch | \`aubiopitch -i INPUT -p yinfft\|yin -H 441 -B $AUBIO_BUF\` (hop = 10 ms at the file's rate; a $AUBIO_BUF-sample window is the closest to pitchscribe's 2270 input samples); aubio reads the m4a itself (through libav) |
| aubiopitch -B $AUBIO_BUF_ISSUE | the same with \`-B $AUBIO_BUF_ISSUE\`, the setting of the performance issue's reference timing (\`aubiopitch -p yinfft -B 4096 -H 441\`), which its 5x bar is read against |
| seed re-creation | \`$PYTHON bench/seed_pipeline.py INPUT\`: ffprobe + ffmpeg decode of the whole file, 100 ms slices, scipy FFT autocorrelation, the seed's r/r(0) NSDF and peak picking (numba when installed), note names; see the script's header |
| ffmpeg decode only | \`ffmpeg -nostdin -v error -i INPUT -f f32le -ac 1 -y /dev/null\`: decoding plus the mono mix, the part no pitch tracker can skip |
| FFT floor (computed) | frames x the time of the FFTW transforms one frame's autocorrelation runs: a complex forward and backward transform of M = N/2 points, N the zero-padded real length (\`fft_floor\`: same FFTW_ESTIMATE, out-of-place plans as src/fft_autocorrelation.cpp, median of batches) |
| textbook FFT pair (computed) | frames x one FFTW r2c + one c2r at the smallest alias-free 2^a 3^b 5^c 7^d size, planned likewise: what the autocorrelation cost before it ran as a half-size complex transform (FFTW_ESTIMATE's real transforms are 2.5x slower than that) |
| MPM analysis only (computed) | frames x one \`MpmDetector::analyze\` call on a voiced frame: what is left after decoding, the path and CSV are removed |

Frames = the rows pitchscribe writes for the input (one per 10 ms). The 60-minute file is
the 10-minute render six times over (sox), to save an hour of FluidSynth.
The seed re-creation's wall time includes Python start-up and imports (about 0.5-1 s), as
the seed's own \`hyperfine\` timings did; its numba cache is warm (\`--self-test\` runs first).
EOF
} >"$REPORT.tmp"
mv "$REPORT.tmp" "$REPORT"
echo "performance: wrote $REPORT" >&2
exit "$FAILED"
