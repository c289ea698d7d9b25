//! Carrying out a migration planned by `vais_hot_abi::migrate`: the new bytes of every live
//! value are built first (so a value the rules refuse leaves everything as it was), then written
//! over each value's storage, and the host's offset table is rewritten so that code which keeps
//! running finds every field at its new place. This runs only at a moment no code that uses the
//! values runs: `main`'s call of a hot function (the generated code tests [`__vais_hot_pending`]
//! there) or the program's own `hot_check`.

use std::ffi::CString;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use vais_hot_abi::migrate::{Plan, Refusal};

/// Set to 1 while a patch that moves values waits for `main`'s next call of a hot function
/// (`vais_hot_abi::PENDING_SYMBOL`); the generated code reads it with acquire ordering.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static __vais_hot_pending: AtomicU32 = AtomicU32::new(0);

/// Set to 1 once a migration has rewritten the offset table (`vais_hot_abi::
/// LAYOUTS_MOVED_SYMBOL`): the host's code then reads layouts from the table instead of using
/// its own as constants. Never cleared: a table that went back to the host's layouts is still
/// read right.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static __vais_hot_layouts_moved: AtomicU32 = AtomicU32::new(0);

/// Marks a migration as waiting (or not).
pub fn set_pending(waiting: bool) {
    __vais_hot_pending.store(u32::from(waiting), Ordering::Release);
}

/// The host's offset table entry `symbol`, found by its exported name (hot hosts are linked
/// with every symbol exported). `None` when no code of the host uses it (it is defined only
/// where used).
fn table_entry(symbol: &str) -> Option<&'static AtomicU64> {
    let name = CString::new(symbol).ok()?;
    // SAFETY: `dlsym` with `RTLD_DEFAULT` and a NUL-terminated name has no other precondition.
    let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    // SAFETY: the symbol is one of the host's exported, mutable `u64` table entries, which
    // live as long as the process; `AtomicU64` has the layout of `u64`.
    (!p.is_null()).then(|| unsafe { &*p.cast::<AtomicU64>() })
}

/// Moves every live value `plan` lists and rewrites the offset table. Returns the time taken.
pub fn execute(plan: &Plan) -> Result<Duration, Refusal> {
    let start = Instant::now();
    let new_bytes = plan.build(|m| {
        let (old, _) = m.sizes();
        // SAFETY: `m.address` is a value's storage in this executable, listed by the host's
        // manifest with its room (at least `old` bytes: the plan keeps every size within its
        // room); nothing runs that writes it now (the caller is at the migration moment).
        unsafe { std::slice::from_raw_parts(m.address as *const u8, old as usize) }.to_vec()
    })?;
    for (m, bytes) in plan.moves.iter().zip(&new_bytes) {
        // SAFETY: as above; `bytes` is as long as the larger of the old and new value, both
        // within the storage's room (the plan checked the new size against it).
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), m.address as *mut u8, bytes.len());
        }
    }
    for (symbol, value) in &plan.table {
        if let Some(entry) = table_entry(symbol) {
            if entry.swap(*value, Ordering::AcqRel) != *value {
                // Stored after the entry, so code that finds the flag set (acquire) reads
                // the entry's new value.
                __vais_hot_layouts_moved.store(1, Ordering::Release);
            }
        }
    }
    Ok(start.elapsed())
}
