# A thin layer over CMake presets (as neovim does): the README's two commands, `make demo` and
# `make test`, each install what they need first (scripts/bootstrap, idempotent and quiet).
#   make demo    traceproof run scenarios/slow-checkout.yaml: the seed's slow checkout, checked
#                (builds the binary alone and installs only what that needs)
#   make demo-sdk  the seed's trace sent by the official Python SDK, printed by the sink
#   make test    build everything and run the whole suite (unit, interop, fuzz smoke, browser)
#   make asan    the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz    a longer libFuzzer run of every decoder target (FUZZ_SECONDS, default 600)
#   make bench   traceproof bench ingest
.PHONY: all bootstrap bootstrap-test bootstrap-demo build test demo demo-sdk asan fuzz-build fuzz bench clean

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 600

all: build

bootstrap:
	@scripts/bootstrap

# What only the tests need besides: chromium for the browser tests, kustomize for compose.k8s.
bootstrap-test:
	@scripts/bootstrap --test

# The demo's path only: Debian packages to build with, then the traceproof binary alone (no
# test targets, no venv, node_modules or Collector: `make test` brings those).
bootstrap-demo:
	@scripts/bootstrap --demo

build: bootstrap
	@test -f build/build.ninja || cmake --preset default >/dev/null
	@cmake --build --preset default -j $(JOBS)

fuzz-build: bootstrap
	@test -f build-fuzz/build.ninja || cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

test: bootstrap-test build fuzz-build
	@ctest --test-dir build --output-on-failure -j $(JOBS)

# Ends with the path of the run's report.html (`traceproof run` prints it last).
demo: bootstrap-demo
	@test -f build/build.ninja || cmake --preset default >/dev/null
	@cmake --build --preset default -j $(JOBS) --target traceproof
	@build/traceproof run scenarios/slow-checkout.yaml

demo-sdk: build
	@scripts/demo-sdk

asan: bootstrap
	@test -f build-asan/build.ninja || cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --test-dir build-asan --output-on-failure -j $(JOBS)

fuzz: fuzz-build
	@scripts/fuzz $(FUZZ_SECONDS)

bench: build
	@build/traceproof bench ingest

clean:
	rm -rf build build-debug build-asan build-fuzz
