#!/usr/bin/env bash
# Reports the module's size (raw and gzipped) and times it in wasmtime against the native
# engine on a generated organization (default 10,000 people, 5 runs, medians).
#
#   wasm/bench.sh [PEOPLE] [RUNS]
#
# Native runs on one thread (RAYON_NUM_THREADS=1) like the module; set RAYON_NUM_THREADS
# to compare with more.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
wasm/build.sh
cargo build --locked --release -p attest-wasm-host --example bench
target_dir="${CARGO_TARGET_DIR:-$root/target}"
ATTEST_WASM="$root/wasm/pkg/attest.wasm" RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-1}" "$target_dir/release/examples/bench" "${1:-10000}" "${2:-5}"
