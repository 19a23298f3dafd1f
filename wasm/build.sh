#!/usr/bin/env bash
# Builds Attest's WebAssembly module and puts it in the npm package (wasm/pkg/attest.wasm).
#
#   wasm/build.sh            # from anywhere in the repository
#
# Needs the wasm32-unknown-unknown target (`rustup target add wasm32-unknown-unknown`) and
# Node 20 (for the import check). The profile `wasm` is defined in .cargo/config.toml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# RUSTFLAGS from the environment would replace .cargo/config.toml's target flags; the module
# needs none, so a caller's flags (e.g. -D warnings) are only passed on for the host.
unset RUSTFLAGS
cargo build --locked -p attest-wasm --profile wasm --target wasm32-unknown-unknown

target_dir="${CARGO_TARGET_DIR:-$root/target}"
cp "$target_dir/wasm32-unknown-unknown/wasm/attest_wasm.wasm" wasm/pkg/attest.wasm

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
