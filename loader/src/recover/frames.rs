//! Whether hot code has frames on the calling thread's stack above a point: asked when the
//! program calls `hot_check()` or `hot_reload()` while a patch that moves values waits. Hot code
//! reads fields at constant offsets, so frames of it that resume after a migration would read
//! the moved values at their old places; the migration then waits for `main`'s next call of a
//! hot function, where only `main` is on the stack.
//!
//! The check is conservative: any word between the point and the stack's top that is an
//! address inside hot code (a return address, or a stale word that happens to be one) counts.
//! A false hit only delays the migration to the next safe point.

use super::registry;
use std::sync::atomic::Ordering;

/// Whether a word of the calling thread's stack in `[from, top)` points into hot code (the
/// host's hot bodies or a published patch's). `true` when the stack's extent is unknown.
pub fn hot_code_above(from: usize) -> bool {
    let Some(top) = stack_top() else {
        return true;
    };
    // The host's hot bodies are known once its tables are built (off the program's start).
    registry::wait_for_host(2_000_000_000, super::now_nanos);
    registry::ACTIVE.fetch_add(1, Ordering::SeqCst);
    let mut found = false;
    let mut at = (from + 7) & !7;
    while at + 8 <= top && !found {
        // SAFETY: `[from, top)` is the calling thread's own stack above a frame that is still
        // live (the caller's), mapped and readable; the read is aligned.
        let word = unsafe { std::ptr::read_volatile(at as *const usize) };
        found = registry::is_hot(word);
        at += 8;
    }
    registry::ACTIVE.fetch_sub(1, Ordering::SeqCst);
    found
}

/// The end of the calling thread's stack (its highest address).
fn stack_top() -> Option<usize> {
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is read, and destroyed
    // once; the out-parameters are plain locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut base = std::ptr::null_mut();
        let mut size = 0;
        let got = libc::pthread_attr_getstack(&attr, &mut base, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (got == 0).then(|| base as usize + size)
    }
}
