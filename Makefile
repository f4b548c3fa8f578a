# Flowstate: `make run` serves on 127.0.0.1:8083; `make test` runs every test.
# Both install what is missing first (scripts/setup.sh, idempotent).

SHELL := /bin/bash
ROOT := $(abspath .)
JOBS ?= $(shell nproc)
# The cache lives outside the checkout so a fresh clone (as CI makes) still hits it;
# CCACHE_BASEDIR makes the clone's path not matter.
export CCACHE_DIR ?= $(HOME)/.cache/flowstate/ccache
export CCACHE_BASEDIR := $(ROOT)
# Debug info would otherwise put the checkout's path into every cache key.
export CCACHE_NOHASHDIR := 1
export CCACHE_MAXSIZE ?= 2G

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: setup build build-asan run test test-unit test-asan test-e2e conformance format clean

setup:
	@bash scripts/setup.sh

build/build.ninja:
	cmake -S . -B build $(CMAKE_FLAGS)

build: setup build/build.ninja
	cmake --build build -j $(JOBS)

build-asan/build.ninja:
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFS_SANITIZE=ON

build-asan: setup build-asan/build.ninja
	cmake --build build-asan -j $(JOBS)

run: build
	./build/flowstate serve --host 127.0.0.1 --port 8083

test-unit: build
	cd build && ctest --output-on-failure -j $(JOBS) -L unit

test-asan: build-asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -L unit

test-e2e: build
	cd build && ctest --output-on-failure -L e2e

test: build build-asan
	cd build && ctest --output-on-failure -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -L unit

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf build build-asan
