//! The raw ABI: the only code that touches linear memory. See `wasm/README.md`.
//!
//! A host writes a request into a buffer it got from [`attest_alloc`], calls one of
//! [`attest_evaluate`], [`attest_validate`], [`attest_explain`], [`attest_diff`],
//! [`attest_check`] or [`attest_test`] with its address and length, and gets back `(address << 32) | length` of the response as a `u64`. It then
//! reads the response and releases both buffers with [`attest_free`].
//!
//! The module keeps a registry of the buffers it handed out and the host has not freed yet,
//! and checks every address the host gives against it: a request that is not inside a live
//! buffer is a JSON error, and freeing an address that is not a live buffer (never handed
//! out, freed already, or with another length) returns an error code. Nothing traps on bad
//! input; what the module cannot check is the host writing into its memory outside the
//! buffers it owns.
#![allow(unsafe_code)]

use crate::api;
use std::alloc::Layout;
use std::cell::RefCell;
use std::collections::BTreeMap;

thread_local! {
    /// Every buffer handed to the host and not freed yet: its address and length. The
    /// module has one thread, so this is one registry per instance.
    static LIVE: RefCell<BTreeMap<usize, usize>> = const { RefCell::new(BTreeMap::new()) };
}

/// What [`attest_free`] returns: the buffer is released.
const FREED: u32 = 0;
/// What [`attest_free`] returns: no live buffer starts at that address (never handed out,
/// or freed already); nothing is released.
const NOT_LIVE: u32 = 1;
/// What [`attest_free`] returns: a live buffer starts there, with another length; nothing
/// is released.
const WRONG_LENGTH: u32 = 2;

/// The ABI version ([`api::ABI_VERSION`]); hosts check it before anything else.
#[unsafe(no_mangle)]
pub extern "C" fn attest_abi_version() -> u32 {
    api::ABI_VERSION
}

/// Allocates `len` bytes for a request; returns 0 when `len` is 0 or memory is exhausted.
/// A zero-length request needs no buffer: pass address 0 (or any) with length 0.
#[unsafe(no_mangle)]
pub extern "C" fn attest_alloc(len: usize) -> *mut u8 {
    match Layout::from_size_align(len, 1) {
        Ok(layout) if len > 0 => {
            // SAFETY: the layout has a non-zero size.
            let ptr = unsafe { std::alloc::alloc(layout) };
            if !ptr.is_null() {
                LIVE.with_borrow_mut(|live| live.insert(ptr as usize, len));
            }
            ptr
        }
        _ => std::ptr::null_mut(),
    }
}

/// Releases a buffer from [`attest_alloc`] or a response, given its address and length:
/// 0 when released, 1 when no live buffer starts at `ptr` (never handed out, or freed
/// already), 2 when the one there has another length. Address 0 with length 0 (the
/// zero-length request) is 0 and releases nothing.
#[unsafe(no_mangle)]
pub extern "C" fn attest_free(ptr: *mut u8, len: usize) -> u32 {
    if ptr.is_null() && len == 0 {
        return FREED;
    }
    let checked = LIVE.with_borrow_mut(|live| match live.get(&(ptr as usize)) {
        None => Err(NOT_LIVE),
        Some(&size) if size != len => Err(WRONG_LENGTH),
        Some(_) => {
            live.remove(&(ptr as usize));
            Ok(())
        }
    });
    if let Err(code) = checked {
        return code;
    }
    match Layout::from_size_align(len, 1) {
        Ok(layout) => {
            // SAFETY: the registry holds exactly the buffers this module allocated with this
            // layout (size `len`, alignment 1) and has not released; this one is now out of it.
            unsafe { std::alloc::dealloc(ptr, layout) };
            FREED
        }
        // Cannot happen for a length the registry holds; keep the buffer rather than guess.
        Err(_) => WRONG_LENGTH,
    }
}

/// Whether `ptr..ptr+len` lies inside one live buffer.
fn inside_a_live_buffer(ptr: usize, len: usize) -> bool {
    let Some(end) = ptr.checked_add(len) else {
        return false;
    };
    LIVE.with_borrow(|live| {
        live.range(..=ptr)
            .next_back()
            .is_some_and(|(&start, &size)| end <= start + size)
    })
}

/// Runs one API call over the request at `ptr..ptr+len` (an error response when that is not
/// inside a live buffer) and hands out the response as a new live buffer, packed as
/// `(address << 32) | length`.
fn call(ptr: *const u8, len: usize, f: fn(&[u8]) -> String) -> u64 {
    crate::heap::reset();
    let response = if len == 0 {
        f(&[])
    } else if inside_a_live_buffer(ptr as usize, len) {
        // SAFETY: `ptr..ptr+len` lies inside a buffer this module allocated and has not
        // released, so it is initialized-or-not bytes of linear memory the host wrote, valid
        // for reads as `u8` for the whole call (the module frees nothing of the host's).
        let request = unsafe { std::slice::from_raw_parts(ptr, len) };
        f(request)
    } else {
        api::request_error(&format!(
            "the request ({len} bytes at address {}) is not inside a buffer from attest_alloc that is still live",
            ptr as usize
        ))
    };
    let response = response.into_bytes().into_boxed_slice();
    let out_len = response.len();
    let out_ptr = Box::into_raw(response) as *mut u8 as usize;
    LIVE.with_borrow_mut(|live| live.insert(out_ptr, out_len));
    ((out_ptr as u64) << 32) | out_len as u64
}

/// 1 when the last call ran out of memory (its linear memory could not grow for an
/// allocation: the call trapped, and the instance is unusable), else 0. A host that sees a
/// trap asks this before it throws the instance away, to say why.
#[unsafe(no_mangle)]
pub extern "C" fn attest_out_of_memory() -> u32 {
    u32::from(crate::heap::exhausted())
}

/// Evaluates facts against a pack (see [`api::evaluate`]).
#[unsafe(no_mangle)]
pub extern "C" fn attest_evaluate(ptr: *const u8, len: usize) -> u64 {
    call(ptr, len, api::evaluate)
}

/// Checks facts against the facts-v1 contract (see [`api::validate`]).
#[unsafe(no_mangle)]
pub extern "C" fn attest_validate(ptr: *const u8, len: usize) -> u64 {
    call(ptr, len, api::validate)
}

/// Describes the pack, a rule or a control (see [`api::explain`]).
#[unsafe(no_mangle)]
pub extern "C" fn attest_explain(ptr: *const u8, len: usize) -> u64 {
    call(ptr, len, api::explain)
}

/// Compares two reports (see [`api::diff`]).
#[unsafe(no_mangle)]
pub extern "C" fn attest_diff(ptr: *const u8, len: usize) -> u64 {
    call(ptr, len, api::diff)
}

/// Checks a pack (see [`api::check`]).
#[unsafe(no_mangle)]
pub extern "C" fn attest_check(ptr: *const u8, len: usize) -> u64 {
    call(ptr, len, api::check)
}

/// Runs a pack's rule cases (see [`api::test`]).
#[unsafe(no_mangle)]
pub extern "C" fn attest_test(ptr: *const u8, len: usize) -> u64 {
    call(ptr, len, api::test)
}
