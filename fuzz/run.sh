#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (clang, ASan + UBSan), both at once:
#   fuzz/run.sh [SECONDS]        (default 60 per target)
# Layout under build-fuzz/ (a build tree of its own, configured with clang++):
#   corpus-seed/{decode,options}  seeds from fuzz/make_corpus.sh, made once
#   corpus-<target>/              the grown corpus, kept between runs
#   crashes-<target>/             crash-*, leak-*, timeout-*, oom-* inputs (libFuzzer artifacts)
#   <target>.log                  libFuzzer's output of the last run
# Prints each target's final libFuzzer stats line (execs, cov, ft, corp). Exits 1 when a
# target found a crash, leak, timeout or out-of-memory input in this run.
# Reproduce one: build-fuzz/<target> build-fuzz/crashes-<target>/<file>
set -euo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [SECONDS]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
targets=(fuzz_decode_analyze fuzz_options)
declare -A seeds=([fuzz_decode_analyze]=decode [fuzz_options]=options)
# --help/--version print to stdout; close it for fuzz_options (1 = stdout).
declare -A extra=([fuzz_decode_analyze]="" [fuzz_options]="-close_fd_mask=1")

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root/fuzz" -B "$build" -DCMAKE_CXX_COMPILER="${FUZZ_CXX:-clang++}"
fi
cmake --build "$build" -j"$(nproc)"

if [ ! -d "$build/corpus-seed" ]; then
  rm -rf "$build/corpus-seed.tmp"
  "$root/fuzz/make_corpus.sh" "$build/corpus-seed.tmp"
  mv "$build/corpus-seed.tmp" "$build/corpus-seed"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if command -v llvm-symbolizer > /dev/null; then
  export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer)}
fi

artifacts() { find "$build/crashes-$1" -type f -newer "$build/.run-start" 2> /dev/null; }

touch "$build/.run-start"
declare -A pids
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus-$t" "$build/crashes-$t"
  echo "running $t for $seconds s (log: build-fuzz/$t.log)"
  # shellcheck disable=SC2086  # extra holds zero or more flags
  "$build/$t" "$build/corpus-$t" "$build/corpus-seed/${seeds[$t]}" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/crashes-$t/" -print_final_stats=1 ${extra[$t]} \
    > "$build/$t.log" 2>&1 &
  pids[$t]=$!
done

status=0
for t in "${targets[@]}"; do
  rc=0
  wait "${pids[$t]}" || rc=$?
  stats=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$build/$t.log" | tail -n 1 || true)
  echo "$t: ${stats:-no stats line (see build-fuzz/$t.log)}"
  found=$(artifacts "$t")
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    status=1
    echo "$t: FAILED (libFuzzer exit $rc)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*contract violated|.*deadly signal)' \
      "$build/$t.log" | head -n 5 | sed 's/^/  /' || true
    for f in $found; do echo "  input: ${f#"$root"/}"; done
  fi
done
exit $status
