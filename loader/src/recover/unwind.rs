//! Unwinding a faulting thread, inside its signal handler, from the faulting instruction to the
//! first return address outside hot code, with the call-frame rows `codemap.rs` prepared: each
//! frame's canonical frame address, and where it saved the caller's callee-saved registers and
//! its return address. A fault inside a C library is first unwound out of the library's frames
//! to the Vais code that called it. Reads only the thread's own stack and the prepared tables.

use super::codemap::{is_stack_pointer, Row, SAME, UNWOUND};
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

/// Most C library frames walked between the fault and the Vais code that called the library
/// (a library's own recursion that deep is not worth undoing).
const MAX_LIBRARY_FRAMES: usize = 256;

/// Where an unwind out of C library code ended.
#[derive(Clone, Copy, Debug)]
pub struct Exit {
    /// The registers of the Vais frame that called into the library, as if the call had just
    /// returned (`rip` is its return address).
    pub regs: Regs,
    /// A program counter in the outermost library frame: the function Vais code called.
    pub called: usize,
}

/// Unwinds from `regs` (a faulting instruction inside a C library) through the library frames
/// to the first frame of Vais code (a patch's or the host's). `None` when a library frame has
/// no usable unwind row or the walk leaves known code.
pub fn out_of_libraries(mut regs: Regs) -> Option<Exit> {
    let mut lookup = regs.rip;
    for _ in 0..MAX_LIBRARY_FRAMES {
        let row = registry::library_of(lookup)?.row(lookup)?;
        let called = lookup;
        regs = caller(regs, row)?;
        lookup = regs.rip.checked_sub(1)?;
        if registry::module_of(lookup).is_some() {
            return Some(Exit { regs, called });
        }
    }
    None
}

/// Unwinds from `regs` to the first frame whose code is not hot. `at_fault`: `regs` are the
/// faulting instruction's (else `rip` is a return address, as [`out_of_libraries`] leaves it).
/// `None` when a frame on the way has no unwind row (the fault cannot be undone).
pub fn to_cold_caller(mut regs: Regs, at_fault: bool) -> Option<Landing> {
    let mut first = at_fault;
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
        let outermost = regs.rip;
        regs = caller(regs, row)?;
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

/// The caller's registers of the frame `regs` is in, whose unwind row is `row`.
fn caller(regs: Regs, row: &Row) -> Option<Regs> {
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
    next.rip = read(cfa.wrapping_add_signed(row.saved[6] as isize))?;
    next.rsp = cfa;
    Some(next)
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
