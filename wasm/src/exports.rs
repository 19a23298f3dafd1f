//! The exports of the authoring and reporting calls: `attest_diff`, `attest_check` and
//! `attest_test`, with the calling convention of `abi.rs` (a request at `ptr..ptr+len`, the
//! response packed as `(address << 32) | length` and released with `attest_free`).
#![allow(unsafe_code)]

use crate::api;

/// Runs one API call over the request at `ptr..ptr+len` and packs the response.
///
/// # Safety
/// `ptr..ptr+len` must be readable memory of this module (any `ptr` when `len` is 0).
unsafe fn call(ptr: *const u8, len: usize, f: fn(&[u8]) -> String) -> u64 {
    let request: &[u8] = if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    };
    let response = f(request).into_bytes().into_boxed_slice();
    let out_len = response.len() as u64;
    let out_ptr = Box::into_raw(response) as *mut u8 as usize as u64;
    (out_ptr << 32) | out_len
}

/// Compares two reports (see [`api::diff`]).
///
/// # Safety
/// `ptr..ptr+len` must be the request, in memory from `attest_alloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn attest_diff(ptr: *const u8, len: usize) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe { call(ptr, len, api::diff) }
}

/// Checks a pack (see [`api::check`]).
///
/// # Safety
/// `ptr..ptr+len` must be the request, in memory from `attest_alloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn attest_check(ptr: *const u8, len: usize) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe { call(ptr, len, api::check) }
}

/// Runs a pack's rule cases (see [`api::test`]).
///
/// # Safety
/// `ptr..ptr+len` must be the request, in memory from `attest_alloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn attest_test(ptr: *const u8, len: usize) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe { call(ptr, len, api::test) }
}
