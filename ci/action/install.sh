#!/usr/bin/env bash
# Installs `attest` for the GitHub Action (action.yml), from the action's own source: the
# tagged release the workflow names in `uses:`.
#
#   install.sh key       # outputs `key` (for actions/cache) and `root` (where attest goes)
#   install.sh install   # `cargo install --locked` into `root`, unless the cache restored it;
#                        # outputs `bin` and puts `root/bin` on the job's PATH
#
# The key is a digest of the source the binary is built from, so a cached binary is used
# only for the very same source. Runs with GITHUB_ACTION_PATH (the action's checkout),
# GITHUB_OUTPUT and GITHUB_PATH set, as a step does. ATTEST_INSTALL_ROOT overrides the
# install folder (default ~/.attest-action).
set -euo pipefail

src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this as a step of the action}"
root="${ATTEST_INSTALL_ROOT:-$HOME/.attest-action}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

digest() {
  local sum=(sha256sum)
  command -v sha256sum >/dev/null || sum=(shasum -a 256)
  (cd "$src" && find Cargo.toml Cargo.lock cli engine rules schemas -type f \
      ! -path '*/target/*' -print0 | LC_ALL=C sort -z | xargs -0 "${sum[@]}" | "${sum[@]}" | cut -c1-32)
}

case "${1:-}" in
  key)
    echo "key=attest-$(uname -s)-$(uname -m)-$(digest)" >> "$GITHUB_OUTPUT"
    echo "root=$root" >> "$GITHUB_OUTPUT"
    ;;
  install)
    : "${GITHUB_PATH:?GITHUB_PATH is not set}"
    want="$(digest)"
    if [ -x "$root/bin/attest" ] && [ "$(cat "$root/source-digest" 2>/dev/null)" = "$want" ]; then
      echo "attest $("$root/bin/attest" --version | cut -d' ' -f2) from the cache"
    else
      command -v cargo >/dev/null || {
        echo "::error title=attest::cargo is not on the PATH: add a Rust toolchain step (dtolnay/rust-toolchain@stable) before this action"
        exit 2
      }
      cargo install --locked --path "$src/cli" --root "$root" --force
      echo "$want" > "$root/source-digest"
    fi
    echo "$root/bin" >> "$GITHUB_PATH"
    echo "bin=$root/bin/attest" >> "$GITHUB_OUTPUT"
    ;;
  *)
    echo "usage: install.sh key|install" >&2
    exit 2
    ;;
esac
