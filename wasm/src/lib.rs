//! # attest-wasm
//!
//! Attest's engine and the built-in SOC 2 pack as one WebAssembly module for
//! `wasm32-unknown-unknown`, with a small ABI any host can drive without JavaScript glue:
//! allocate, free, and calls (evaluate, validate, explain, diff, check, test) that take a JSON request
//! and return a JSON response. The module imports nothing: no clock, no randomness, no
//! I/O. `wasm/README.md` documents the ABI and the requests; [`api`] is the same JSON API
//! for native Rust callers.

pub mod api;
mod request;

#[cfg(target_arch = "wasm32")]
mod abi;
#[cfg(any(target_arch = "wasm32", test))]
mod bytes;
#[cfg(any(target_arch = "wasm32", test))]
mod heap;

/// Counting what the module holds is what holds each rule to its memory budget; talc does
/// the allocating, growing the module's memory as [`heap`] says.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: attest_engine::alloc::CountingAlloc<
    talc::cell::TalcSyncCell<heap::Growing, talc::wasm::WasmBinning>,
> = attest_engine::alloc::CountingAlloc::new(talc::cell::TalcSyncCell::new_wasm(
    heap::Growing::new(),
));
