//! Fuzz target `request`: `attest_fuzz_harness::request::check` on every input (what it feeds the
//! engine and checks is documented there).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| attest_fuzz_harness::request::check(data));
