//! The crash report: when a hot host dies of a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL), say
//! which function and which code version it was in before the process ends, so the user knows
//! which edit did it. `hot_rollback()` (or watch's `r` key) then returns to the previous code.
//!
//! The handler runs in a signal context: it allocates nothing, takes no locks of its own, and
//! writes with `write(2)`. It looks the faulting address up with `dladdr` (a patch exports each
//! body as `__vais_hot_body.NAME`) and maps the library's load address to its version through a
//! fixed table filled in as patches are applied. A `SIGILL` on one of the traps generated code
//! raises for a defined error (integer division by zero or overflow) is named by the trap's
//! reason, read from the instruction bytes. It then restores the default action and
//! returns, so the fault repeats and the process ends as it would have, core dump included.

use std::ffi::{c_void, CStr};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Once;
use vais_hot_abi as abi;

const SLOTS: usize = 1024;
/// Load address of each applied patch library, and its version number (ring buffer).
static BASES: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static VERSIONS: [AtomicI64; SLOTS] = [const { AtomicI64::new(0) }; SLOTS];
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// The version whose code the table points at now.
static CURRENT: AtomicI64 = AtomicI64::new(1);

/// Records that the library holding `body` (any address in it) is code version `version`.
pub fn record_library(body: *const c_void, version: i64) {
    let Some(base) = library_base(body) else {
        return;
    };
    let i = NEXT.fetch_add(1, Ordering::Relaxed) % SLOTS;
    VERSIONS[i].store(version, Ordering::Relaxed);
    BASES[i].store(base, Ordering::Release);
}

/// Forgets the libraries loaded in `[lo, hi)`, which is about to be unloaded: another library
/// may be mapped there later.
pub fn forget_library((lo, hi): (usize, usize)) {
    for base in &BASES {
        let b = base.load(Ordering::Acquire);
        if lo <= b && b < hi {
            base.store(0, Ordering::Release);
        }
    }
}

/// Records the version now published.
pub fn set_current(version: i64) {
    CURRENT.store(version, Ordering::Relaxed);
}

fn library_base(addr: *const c_void) -> Option<usize> {
    // SAFETY: `dladdr` only reads the loader's tables; `info` is a plain out-parameter.
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let found = unsafe { libc::dladdr(addr, &mut info) } != 0;
    found.then_some(info.dli_fbase as usize)
}

/// The meaning of the Vais trap instruction at `pc` (see `vais_hot_abi::trap_kind`), if it is
/// one. Called only for a `SIGILL` the processor raised, whose `pc` is the instruction it
/// failed to run.
fn trap_at(pc: *const c_void) -> Option<&'static str> {
    let mut bytes = [0u8; abi::TRAP_LEN];
    let expected = abi::trap_prefix();
    for (i, byte) in bytes.iter_mut().enumerate() {
        // SAFETY: byte 0 is the first byte of the instruction that raised SIGILL, so it is
        // mapped. Each later byte is read only when the bytes before it equal the trap's
        // prefix, which an x86 decoder cannot end there (address-size prefix, two-byte opcode
        // escape, `ud1` with a ModRM byte, ModRM 0x40 with an 8-bit displacement): the
        // processor fetched it too, so it is mapped as well.
        *byte = unsafe { std::ptr::read_volatile(pc.cast::<u8>().add(i)) };
        if i < expected.len() && *byte != expected[i] {
            return None;
        }
    }
    abi::trap_kind(&bytes).and_then(abi::trap_meaning)
}

/// Installs the handler (once per process).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL] {
            // SAFETY: a zeroed sigaction with our handler, SA_SIGINFO and SA_RESETHAND (the
            // second fault gets the default action) is a valid argument; the handler only
            // does async-signal-tolerable work.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
    });
}

/// A fixed buffer that formats without allocating.
struct Line {
    buf: [u8; 512],
    len: usize,
}

impl Line {
    fn push(&mut self, s: &[u8]) {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
    }

    fn number(&mut self, mut v: i64) {
        if v < 0 {
            self.push(b"-");
            v = -v;
        }
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&digits[i..]);
    }
}

extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    let mut line = Line {
        buf: [0; 512],
        len: 0,
    };
    line.push(b"[hot] crash: ");
    // SAFETY: the kernel passes a valid ucontext for SA_SIGINFO handlers on x86-64 Linux.
    let pc = unsafe {
        let uc = context as *const libc::ucontext_t;
        (*uc).uc_mcontext.gregs[libc::REG_RIP as usize] as *const c_void
    };
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let from_kernel = !info.is_null() && unsafe { (*info).si_code } > 0;
    // Only a SIGILL the processor raised (not one sent with `kill`) has decoded the
    // instruction at `pc`, which `trap_at` relies on.
    let trap = if sig == libc::SIGILL && from_kernel {
        trap_at(pc)
    } else {
        None
    };
    match (sig, trap) {
        (libc::SIGILL, Some(meaning)) => {
            line.push(b"SIGILL (");
            line.push(meaning.as_bytes());
            line.push(b")");
        }
        (libc::SIGSEGV, _) => line.push(b"SIGSEGV (invalid memory access)"),
        (libc::SIGBUS, _) => line.push(b"SIGBUS (bad memory access)"),
        (libc::SIGFPE, _) => line.push(b"SIGFPE (arithmetic fault)"),
        _ => line.push(b"SIGILL (illegal instruction)"),
    }
    // SAFETY: see `library_base`.
    let mut dl: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let found = unsafe { libc::dladdr(pc, &mut dl) } != 0;
    let base = dl.dli_fbase as usize;
    let mut version = None;
    for i in 0..SLOTS {
        if found && base != 0 && BASES[i].load(Ordering::Acquire) == base {
            version = Some(VERSIONS[i].load(Ordering::Relaxed));
        }
    }
    let symbol = if found && !dl.dli_sname.is_null() {
        // SAFETY: `dladdr` returned a NUL-terminated symbol name owned by the loader.
        Some(unsafe { CStr::from_ptr(dl.dli_sname) }.to_bytes())
    } else {
        None
    };
    match (version, symbol) {
        (Some(v), Some(name)) => {
            line.push(b" in ");
            line.push(
                name.strip_prefix(abi::PATCH_BODY_PREFIX.as_bytes())
                    .unwrap_or(name),
            );
            line.push(b", code version v");
            line.number(v);
            line.push(b": the edit that made v");
            line.number(v);
            line.push(b" is the likely cause");
        }
        (Some(v), None) => {
            line.push(b" in code of version v");
            line.number(v);
        }
        (None, _) => {
            line.push(b" outside reloaded code (code version now v");
            line.number(CURRENT.load(Ordering::Relaxed));
            line.push(b")");
        }
    }
    line.push(b"\n");
    // SAFETY: `write` is async-signal-safe; the buffer is valid for `len` bytes.
    unsafe {
        libc::write(2, line.buf.as_ptr().cast(), line.len);
    }
    // SA_RESETHAND restored the default action: returning repeats the fault and ends the
    // process with the original signal.
}
