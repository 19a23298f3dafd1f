#!/usr/bin/env bash
# Builds Attest's WebAssembly module and puts it in the npm package (wasm/pkg/attest.wasm).
#
#   wasm/build.sh            # from anywhere in the repository
#
# Needs the wasm32-unknown-unknown target (`rustup target add wasm32-unknown-unknown`),
# binaryen's `wasm-opt` (`apt-get install binaryen`; version 108, Debian 12's, made the figures
# in wasm/README.md) and Node 20 (for the import check). The profile `wasm` is defined in
# .cargo/config.toml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# RUSTFLAGS from the environment would replace .cargo/config.toml's target flags; the module
# needs none, so a caller's flags (e.g. -D warnings) are only passed on for the host.
unset RUSTFLAGS
cargo build --locked -p attest-wasm --profile wasm --target wasm32-unknown-unknown

if ! command -v wasm-opt >/dev/null 2>&1; then
  echo "error: wasm/build.sh needs binaryen's wasm-opt (apt-get install binaryen)" >&2
  exit 1
fi

# binaryen's optimizer, for size, over what rustc and LLVM made: 2% smaller gzipped, and 1%
# fewer instructions run (wasm/README.md, "Size and speed"). The features are those the
# module is built with (.cargo/config.toml adds SIMD to rustc's defaults for the target).
# `--low-memory-unused` lets it fold a pointer plus a small constant into the offset of a
# load or store, which differs only where the sum would wrap past 4 GiB into the first
# kilobyte: no address Rust's code computes does (0.6% off the size, 0.75% off the
# instructions). `--converge` runs the passes again until they change nothing (about 0.6 KB
# off gzipped, for a build about twice as long).
# Done again only when cargo built a new module or these flags changed; written beside it,
# then copied, each under a name of its own first, so builds run side by side (by tests)
# never see half a file.
flags="-Oz --converge --low-memory-unused --enable-simd --enable-bulk-memory
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-multivalue --enable-reference-types"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
built="$target_dir/wasm32-unknown-unknown/wasm/attest_wasm.wasm"
optimized="$target_dir/wasm32-unknown-unknown/wasm/attest_wasm.opt.wasm"
if [ ! "$optimized" -nt "$built" ] || [ "$(cat "$optimized.flags" 2>/dev/null)" != "$flags" ]; then
  # shellcheck disable=SC2086 # the flags are words
  wasm-opt $flags "$built" -o "$optimized.$$.tmp"
  mv "$optimized.$$.tmp" "$optimized"
  printf '%s' "$flags" > "$optimized.flags.$$.tmp"
  mv "$optimized.flags.$$.tmp" "$optimized.flags"
fi
cp "$optimized" "wasm/pkg/attest.wasm.$$.tmp"
mv "wasm/pkg/attest.wasm.$$.tmp" wasm/pkg/attest.wasm

# The module must import nothing: no JavaScript glue, no WASI, no clock, no randomness.
node --input-type=module -e '
import { readFileSync } from "node:fs";
const module = new WebAssembly.Module(readFileSync("wasm/pkg/attest.wasm"));
const imports = WebAssembly.Module.imports(module);
if (imports.length) {
  console.error("error: the module has imports:", imports);
  process.exit(1);
}'
raw=$(wc -c < wasm/pkg/attest.wasm)
gz=$(gzip -9 -c wasm/pkg/attest.wasm | wc -c)
echo "wasm/pkg/attest.wasm: $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzipped, no imports"
