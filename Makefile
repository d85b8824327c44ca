# Front door. `make run` and `make test` work on a fresh Debian 12 machine.
BUILD ?= build
JOBS ?= 2
EXAMPLE := examples/guitar_tuning.flac
PITCHSCRIBE := $(BUILD)/pitchscribe

.PHONY: all deps build run test test-sanitize bench bench-core bench-memory accuracy accuracy-others accuracy-soundfonts accuracy-sung fuzz clean format

all: build

deps:
	./scripts/bootstrap

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPITCHSCRIBE_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

run: build
	mkdir -p out
	$(PITCHSCRIBE) $(EXAMPLE) --notes out/guitar_tuning.notes.csv --midi out/guitar_tuning.mid \
	  --json out/guitar_tuning.json --plot out/guitar_tuning.png --pitch out/guitar_tuning.pitch.csv
	$(PITCHSCRIBE) $(EXAMPLE) --quiet
	@echo "written: out/guitar_tuning.{notes.csv,mid,json,png,pitch.csv}"

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The whole suite built with AddressSanitizer (LeakSanitizer included) and UBSan.
test-sanitize: deps
	cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPITCHSCRIBE_SANITIZE=ON
	cmake --build build-sanitize -j$(JOBS)
	cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizer/lsan.supp:print_suppressions=0 \
	  ctest --output-on-failure -j$(JOBS)

# Benchmarks, in their own build dir (PITCHSCRIBE_BENCH=ON; `make test` never builds them):
# Google Benchmark micro benches, then bench/performance.sh (pitchscribe against aubio, the
# seed's Python pipeline, ffmpeg and the FFT floor; writes docs/PERFORMANCE.md).
# QUICK=1 / SKIP_LONG=1 / RUNS=n pass through to the script (see its header).
BENCH_BUILD ?= build-bench
BENCH_MIN_TIME ?= 0.1
bench: deps
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DPITCHSCRIBE_WERROR=ON \
	  -DPITCHSCRIBE_BENCH=ON -DPITCHSCRIBE_TESTS=OFF
	cmake --build $(BENCH_BUILD) -j$(JOBS)
	$(BENCH_BUILD)/bench/pitchscribe_micro --benchmark_min_time=$(BENCH_MIN_TIME)
	./bench/performance.sh $(BENCH_BUILD)/pitchscribe

# Accuracy against aubio (7 pitch methods, aubionotes) and the seed on a seeded FluidSynth /
# synthetic / degraded corpus, and held-out melodies (cached in $(BUILD)/accuracy-data/);
# writes docs/ACCURACY.md. About 4 minutes on 2 cores with the corpus generated (3 cached);
# QUICK=1 for a subset written to $(BUILD)/ACCURACY-quick.md. Not part of `make test`.
accuracy: build
	PITCHSCRIBE=$(PITCHSCRIBE) /usr/bin/python3 bench/accuracy/run.py --data $(BUILD)/accuracy-data \
	  $(if $(QUICK),--quick --out $(BUILD)/ACCURACY-quick.md,)

# The same against the peers on 24 FluidR3 programs the corpus does not use (3 minutes);
# writes docs/OTHER_INSTRUMENTS.md. Not part of `make test`.
accuracy-others: build
	PITCHSCRIBE=$(PITCHSCRIBE) /usr/bin/python3 bench/accuracy/other_instruments.py \
	  --data $(BUILD)/accuracy-data

# The same on the corpus's 12 instruments rendered from TimGM6mb, MuseScore General Lite and
# csound's GM bank (Debian packages; 4 minutes); writes docs/OTHER_SOUNDFONTS.md. Not part of `make test`.
accuracy-soundfonts: build
	./scripts/bootstrap --soundfonts
	PITCHSCRIBE=$(PITCHSCRIBE) /usr/bin/python3 bench/accuracy/other_soundfonts.py \
	  --data $(BUILD)/accuracy-data

# The same on sung melodies synthesised with their exact pitch (glides, scoops, vibrato,
# consonants), dry and in a room (4 minutes); writes docs/SUNG.md. Not part of `make test`.
accuracy-sung: build
	PITCHSCRIBE=$(PITCHSCRIBE) /usr/bin/python3 bench/accuracy/sung_melodies.py \
	  --data $(BUILD)/accuracy-data

# The earlier single-purpose benches: 10 minutes against aubio; peak memory against length.
bench-core: build
	./bench/core_speed.sh $(PITCHSCRIBE)

bench-memory: build
	./bench/memory_by_length.sh $(PITCHSCRIBE)

# libFuzzer targets (clang): FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 600
fuzz: deps
	./fuzz/run.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) build-sanitize build-fuzz build-bench out
