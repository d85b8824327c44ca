# Front door. `make run` and `make test` work on a fresh Debian 12 machine.
BUILD ?= build
JOBS ?= 2
EXAMPLE := examples/guitar_tuning.flac
PITCHSCRIBE := $(BUILD)/pitchscribe

.PHONY: all deps build run test test-sanitize bench fuzz clean format

all: build

deps:
	./scripts/bootstrap

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPITCHSCRIBE_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

run: build
	mkdir -p out
	$(PITCHSCRIBE) $(EXAMPLE) --pitch out/guitar_tuning.pitch.csv
	$(PITCHSCRIBE) $(EXAMPLE) --quiet > out/guitar_tuning.txt
	@head -n 6 out/guitar_tuning.txt
	@echo "   ..."
	@echo "voiced frames per note name:"
	@awk 'NR > 1 { n[$$3]++; if (!($$3 in first)) { first[$$3] = $$1; order[++k] = $$3 } } \
	  END { for (i = 1; i <= k; i++) printf "  %-4s %4d frames from %6.2f s\n", order[i], n[order[i]], first[order[i]] }' \
	  out/guitar_tuning.txt
	@echo "written: out/guitar_tuning.pitch.csv (time,frequency,confidence,voiced), out/guitar_tuning.txt"

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The whole suite built with AddressSanitizer (LeakSanitizer included) and UBSan.
test-sanitize: deps
	cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPITCHSCRIBE_SANITIZE=ON
	cmake --build build-sanitize -j$(JOBS)
	cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS)

bench: build
	./bench/core_speed.sh $(PITCHSCRIBE)
	./bench/memory_by_length.sh $(PITCHSCRIBE)

# libFuzzer targets (clang): FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 600
fuzz: deps
	./fuzz/run.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) build-sanitize build-fuzz out
