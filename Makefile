# CivicGrid — the two commands a newcomer needs:
#   make run    install, build, and serve http://localhost:8080 with demo data
#   make test   install, build, and run every test (unit, API on SQLite and PostgreSQL, browser)
#   make bench  (optional) the load benchmark, see docs/benchmarks.md
BUILD ?= build
JOBS ?= $(shell nproc)
export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Relative paths in the cache key, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= true

.PHONY: run test deps build web clean bench format

run:
	scripts/install-deps --run
	$(MAKE) build web
	$(BUILD)/civicgrid serve --demo

test:
	scripts/install-deps
	$(MAKE) build web
	scripts/run-tests

deps:
	scripts/install-deps

build:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	ninja -C $(BUILD) -j $(JOBS)

web:
	scripts/build-web

# Optional load benchmark (docs/benchmarks.md): district data on SQLite and
# PostgreSQL, results in bench/results/. BENCH_ARGS passes options to bench/run.py.
bench:
	scripts/install-deps --bench
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	ninja -C $(BUILD) -j $(JOBS) civicgrid sqlite_ceiling
	python3 bench/run.py $(BENCH_ARGS)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp')

clean:
	rm -rf $(BUILD) web/dist
