//! Unwinding a faulting thread, inside its signal handler, from the faulting instruction to the
//! first return address outside hot code, with the call-frame rows `codemap.rs` prepared: each
//! frame's canonical frame address, and where it saved the caller's callee-saved registers and
//! its return address. Reads only the thread's own stack and the prepared tables.

use super::codemap::{is_stack_pointer, SAME, UNWOUND};
use super::registry;

/// The registers an unwind tracks: rbx, rbp, r12..r15 (in [`UNWOUND`] order), rsp, rip.
#[derive(Clone, Copy, Debug)]
pub struct Regs {
    pub saved: [usize; 6],
    pub rsp: usize,
    pub rip: usize,
}

/// Where the unwind ended.
#[derive(Clone, Copy, Debug)]
pub struct Landing {
    /// The registers of the non-hot caller, as if the hot call had just returned.
    pub regs: Regs,
    /// The program counter in the outermost hot frame: the call that is unwound.
    pub outermost: usize,
    /// The code version of the innermost frame of reloaded code (a patch) on the way, or 0 if
    /// every frame unwound was the host's own.
    pub reloaded: i64,
}

/// Most frames walked (a runaway recursion has many, each a few instructions to unwind).
const MAX_FRAMES: usize = 1 << 22;

/// Unwinds from `regs` (the faulting instruction's registers) to the first frame whose code
/// is not hot. `None` when a frame on the way has no unwind row (the fault cannot be undone).
pub fn to_cold_caller(mut regs: Regs) -> Option<Landing> {
    let mut first = true;
    let mut reloaded = 0;
    for _ in 0..MAX_FRAMES {
        // A return address is just past the call: look up the call itself.
        let lookup = if first { regs.rip } else { regs.rip - 1 };
        let module = registry::module_of(lookup)?;
        if !module.is_hot(lookup) {
            return None;
        }
        if reloaded == 0 && module.version >= 2 {
            reloaded = module.version;
        }
        let row = module.row(lookup)?;
        let base = if is_stack_pointer(row.cfa_register) {
            regs.rsp
        } else if row.cfa_register == UNWOUND[1] {
            regs.saved[1]
        } else {
            return None;
        };
        let cfa = base.wrapping_add_signed(row.cfa_offset as isize);
        let mut next = regs;
        for (i, &off) in row.saved[..6].iter().enumerate() {
            if off != SAME {
                next.saved[i] = read(cfa.wrapping_add_signed(off as isize))?;
            }
        }
        let outermost = regs.rip;
        next.rip = read(cfa.wrapping_add_signed(row.saved[6] as isize))?;
        next.rsp = cfa;
        regs = next;
        first = false;
        if !registry::is_hot(regs.rip - 1) {
            return Some(Landing {
                regs,
                outermost,
                reloaded,
            });
        }
    }
    None
}

/// Reads a word of the thread's stack. The addresses come from the frame rows of code that
/// was running on this stack; a zero or misaligned one ends the unwind instead of faulting.
fn read(addr: usize) -> Option<usize> {
    if addr < 4096 || !addr.is_multiple_of(8) {
        return None;
    }
    // SAFETY: `addr` is a slot of a live frame of this thread's stack, as the frame's unwind
    // row says (the frames below the faulting instruction are intact: a fault does not write
    // the stack), aligned and not in the null page (checked above).
    Some(unsafe { std::ptr::read_volatile(addr as *const usize) })
}
