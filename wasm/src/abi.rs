//! The raw ABI: the only code that touches linear memory. See `wasm/README.md`.
//!
//! A host writes a request into memory it got from [`attest_alloc`], calls one of
//! [`attest_evaluate`], [`attest_validate`] or [`attest_explain`] with its address and
//! length, and gets back `(address << 32) | length` of the response as a `u64`. It then
//! reads the response and releases both buffers with [`attest_free`]. Nothing traps on bad
//! input: every failure is a JSON response.
#![allow(unsafe_code)]

use crate::api;
use std::alloc::Layout;

/// The ABI version ([`api::ABI_VERSION`]); hosts check it before anything else.
#[unsafe(no_mangle)]
pub extern "C" fn attest_abi_version() -> u32 {
    api::ABI_VERSION
}

/// Allocates `len` bytes for a request; returns 0 when memory is exhausted.
/// A zero-length request needs no allocation: pass any address with length 0.
#[unsafe(no_mangle)]
pub extern "C" fn attest_alloc(len: usize) -> *mut u8 {
    match Layout::from_size_align(len, 1) {
        Ok(layout) if len > 0 => {
            // SAFETY: the layout has a non-zero size.
            unsafe { std::alloc::alloc(layout) }
        }
        _ => std::ptr::null_mut(),
    }
}

/// Releases a buffer from [`attest_alloc`] or a response, given its address and length.
///
/// # Safety
/// `ptr` and `len` must be those of a live buffer from this module (or `len` 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn attest_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(len, 1) {
        // SAFETY: the caller hands back a buffer allocated with this very layout.
        unsafe { std::alloc::dealloc(ptr, layout) }
    }
}

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

/// Evaluates facts against a pack (see [`api::evaluate`]).
///
/// # Safety
/// `ptr..ptr+len` must be the request, in memory from [`attest_alloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn attest_evaluate(ptr: *const u8, len: usize) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe { call(ptr, len, api::evaluate) }
}

/// Checks facts against the facts-v1 contract (see [`api::validate`]).
///
/// # Safety
/// `ptr..ptr+len` must be the request, in memory from [`attest_alloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn attest_validate(ptr: *const u8, len: usize) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe { call(ptr, len, api::validate) }
}

/// Describes the pack, a rule or a control (see [`api::explain`]).
///
/// # Safety
/// `ptr..ptr+len` must be the request, in memory from [`attest_alloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn attest_explain(ptr: *const u8, len: usize) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe { call(ptr, len, api::explain) }
}
