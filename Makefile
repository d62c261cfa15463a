# The two commands of the README: `make run` and `make test`.
BUILD ?= build
DATA ?= var
LISTEN ?= 127.0.0.1:8080
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: run test build configure deps bench clean format

run: deps
	@$(MAKE) --no-print-directory build
	@test -f $(DATA)/claimsca.toml || ./$(BUILD)/claimsca init --data $(DATA) --demo --listen $(LISTEN) --register data/institutions-2025-08.csv
	./$(BUILD)/claimsca serve --data $(DATA) --listen $(LISTEN)

test:
	scripts/install-deps.sh test
	@$(MAKE) --no-print-directory build CMAKE_FLAGS="-DCLAIMSCA_WERROR=ON $(CMAKE_FLAGS)"
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

deps:
	scripts/install-deps.sh

configure:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

bench:
	scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory build CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Release"
	bench/run.sh

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
