# Front door. `make run` and `make test` work on a fresh Debian 12 machine.
BUILD ?= build
JOBS ?= 2
EXAMPLE := examples/guitar_tuning.flac
PITCHSCRIBE := $(BUILD)/pitchscribe

.PHONY: all deps build run test bench clean format

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
	@echo "pitch track: out/guitar_tuning.pitch.csv; voiced frames with note names: out/guitar_tuning.txt"
	@head -n 12 out/guitar_tuning.txt

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	./bench/core_speed.sh $(PITCHSCRIBE)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) out
