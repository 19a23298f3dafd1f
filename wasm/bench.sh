#!/usr/bin/env bash
# Reports the module's size (raw and gzipped) and times it in wasmtime against the native
# engine on a generated organization (default 10,000 people, 5 runs, medians), then in V8:
# Node and headless Chromium (wasm/test/v8-bench.mjs; the whole request and rules that loop
# in Rhai), when node and Chromium are there.
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

# The same module in V8 (Node and headless Chromium), on the same organization (written out
# by attest-bench generate, pretty-printed).
if command -v node >/dev/null 2>&1 && [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  [ -d wasm/test/node_modules/playwright-core ] || npm ci --no-audit --no-fund --prefix wasm/test
  facts="$target_dir/bench-facts-${1:-10000}.json"
  cargo run --locked --release -q -p attest-bench -- generate --people "${1:-10000}" --output "$facts"
  node wasm/test/v8-bench.mjs wasm/pkg/attest.wasm "$facts" "${2:-5}"
else
  echo "(no node or no Chromium: the V8 figures are left out)"
fi
