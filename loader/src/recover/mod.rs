//! Crash recovery: a fault in reloaded code (version 2 or later) costs the one hot call it
//! happened in, never the session.
//!
//! The handler (SIGSEGV, SIGBUS, SIGFPE, SIGILL, on an alternate stack so a stack overflow is
//! caught too) finds the module of the faulting instruction in the tables prepared at load time
//! (`codemap.rs`, `registry.rs`). If it is hot code, it unwinds with the DWARF call-frame rows to
//! the first return address outside hot code (`unwind.rs`); if a patch's frame was on the way
//! (the fault is in a patch, or in a host function a patch called), it marks that version as
//! faulted, stores the newest version that has not faulted into the jump table (lock-free, from
//! pointer arrays prepared at publish time), and rewrites the signal context so that the thread
//! resumes in its non-hot caller as if the hot call had returned zero: RSP and RIP of that frame,
//! the callee-saved registers as the unwind restored them, RAX, RDX, RCX, XMM0 and XMM1 zero. No
//! code runs per call: the cost is all at the fault.
//!
//! A fault inside a C library function (`strlen` of a null pointer) is first unwound out of the
//! library's frames with their own call-frame rows (`libraries.rs`) to the Vais code that called
//! it, and then treated as a fault at that call.
//!
//! A fault anywhere else (the host's own code, version 1 included, or a frame without unwind
//! rows) cannot be undone: the handler reports it, restores the default action and returns, so
//! the fault repeats and the process dies by its signal, core dump included.
//!
//! The handler allocates nothing and takes no locks: it formats into fixed buffers, writes with
//! `write(2)`, and tells the runtime's reporter thread through a pipe, which then brings the
//! runtime's own state (under its lock) in line with the table.

mod altstack;
pub mod codemap;
mod frames;
mod libraries;
pub mod registry;
mod unwind;

pub use altstack::install as install_altstack;
pub use frames::hot_code_above;
pub use libraries::refresh as refresh_libraries;

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, Ordering};
use std::sync::Once;
use unwind::Regs;
use vais_hot_abi as abi;
use vais_hot_abi::status::FaultRef;

/// The version published now, for reports of faults outside reloaded code.
static CURRENT: AtomicI64 = AtomicI64::new(1);
/// The write end of the pipe to the reporter thread (-1: none).
static NOTIFY: AtomicI32 = AtomicI32::new(-1);
/// The status channel's descriptor (-1: none).
static STATUS_FD: AtomicI32 = AtomicI32::new(-1);

/// Records the version now published.
pub fn set_current(version: i64) {
    CURRENT.store(version, Ordering::Relaxed);
}

/// Whether the stderr line is written too when a status channel is connected.
static ALSO_STDERR: AtomicBool = AtomicBool::new(true);

/// Records the status channel the handler writes `faulted` events to; `also_stderr`: the user
/// asked for the runtime's log too (else the channel's reader reports the fault itself).
pub fn set_status_fd(fd: i32, also_stderr: bool) {
    ALSO_STDERR.store(also_stderr, Ordering::Relaxed);
    STATUS_FD.store(fd, Ordering::Relaxed);
}

/// A fault the handler recovered from, as the reporter thread receives it.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Recovered {
    pub faulted: i64,
    pub back_to: i64,
    /// How long the handler took, from entry to the rewritten context.
    pub nanos: u64,
}

/// Installs the handler (once per process) and the calling thread's alternate stack; `report`
/// runs on a thread of its own after each recovered fault.
pub fn install(report: fn(Recovered)) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        install_altstack();
        start_reporter(report);
        for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL] {
            // SAFETY: a zeroed sigaction with our handler is a valid argument. SA_ONSTACK: the
            // handler runs on the alternate stack (a stack overflow leaves no room on the
            // thread's own). The reclaim check's signal is blocked while it runs, so a check
            // sees the thread's stack only before the fault or after the recovery.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaddset(&mut action.sa_mask, crate::reclaim::signal_number());
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
    });
}

fn start_reporter(report: fn(Recovered)) {
    let mut fds = [0; 2];
    // SAFETY: `pipe2` fills the two descriptors of a new pipe.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return;
    }
    // SAFETY: the write end is ours; a full pipe must not block a handler.
    unsafe { libc::fcntl(fds[1], libc::F_SETFL, libc::O_NONBLOCK) };
    let read_end = fds[0];
    let started = std::thread::Builder::new()
        .name("vais-hot-faults".into())
        .spawn(move || loop {
            let mut record = Recovered {
                faulted: 0,
                back_to: 0,
                nanos: 0,
            };
            let size = std::mem::size_of::<Recovered>();
            // SAFETY: reading one record (written whole: it is smaller than PIPE_BUF) into a
            // plain struct of integers.
            let n = unsafe { libc::read(read_end, (&mut record as *mut Recovered).cast(), size) };
            if n == size as isize {
                report(record);
            } else if n == 0
                || (n < 0
                    && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted)
            {
                return;
            }
        });
    if started.is_ok() {
        NOTIFY.store(fds[1], Ordering::Relaxed);
    }
}

/// A fixed buffer that formats without allocating.
struct Line {
    buf: [u8; 1024],
    len: usize,
}

impl Line {
    const fn new() -> Line {
        Line {
            buf: [0; 1024],
            len: 0,
        }
    }

    fn push(&mut self, s: &[u8]) {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
    }

    fn text(&self) -> &str {
        // Only whole UTF-8 strings are pushed; a cut at the end is dropped.
        match std::str::from_utf8(&self.buf[..self.len]) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&self.buf[..e.valid_up_to()]).unwrap_or(""),
        }
    }
}

impl std::fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.len + s.len() > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.push(s.as_bytes());
        Ok(())
    }
}

/// The meaning of the Vais trap instruction at `pc` (see `vais_hot_abi::trap_kind`), if it is
/// one. Called only for `SIGILL`, whose `pc` is the instruction the processor failed to run.
fn trap_at(pc: usize) -> Option<&'static str> {
    let mut bytes = [0u8; abi::TRAP_LEN];
    let expected = abi::trap_prefix();
    for (i, byte) in bytes.iter_mut().enumerate() {
        // SAFETY: byte 0 is the first byte of the instruction that raised SIGILL, so it is
        // mapped. Each later byte is read only when the bytes before it equal the trap's
        // prefix, which an x86 decoder cannot end there (address-size prefix, two-byte opcode
        // escape, `ud1` with a ModRM byte, ModRM 0x40 with an 8-bit displacement): the
        // processor fetched it too, so it is mapped as well.
        *byte = unsafe { std::ptr::read_volatile((pc as *const u8).add(i)) };
        if i < expected.len() && *byte != expected[i] {
            return None;
        }
    }
    abi::trap_kind(&bytes).and_then(abi::trap_meaning)
}

/// The signal's name and what it means here, written into `reason`.
fn describe(
    sig: i32,
    pc: usize,
    addr: usize,
    rsp: usize,
    error: i64,
    reason: &mut Line,
) -> &'static str {
    use std::fmt::Write as _;
    match sig {
        libc::SIGSEGV if addr.abs_diff(rsp) < 64 * 1024 => {
            reason.push(b"stack overflow");
            "SIGSEGV"
        }
        libc::SIGSEGV => {
            // Bit 1 of the page-fault error code: the access was a write.
            let what = if error & 2 != 0 {
                "write to"
            } else {
                "read of"
            };
            let _ = write!(reason, "{what} address {addr:#x}");
            "SIGSEGV"
        }
        libc::SIGBUS => {
            let _ = write!(reason, "bad memory access at {addr:#x}");
            "SIGBUS"
        }
        libc::SIGFPE => {
            reason.push(b"arithmetic fault");
            "SIGFPE"
        }
        _ => {
            reason.push(trap_at(pc).unwrap_or("illegal instruction").as_bytes());
            "SIGILL"
        }
    }
}

/// Writes `bytes` whole to `fd`, without raising SIGPIPE.
fn write_all(fd: i32, bytes: &[u8]) {
    let mut rest = bytes;
    while !rest.is_empty() {
        // SAFETY: `rest` is a live buffer; `send` and `write` are async-signal-safe.
        let mut n = unsafe { libc::send(fd, rest.as_ptr().cast(), rest.len(), libc::MSG_NOSIGNAL) };
        if n < 0 {
            // SAFETY: as above (a pipe rather than a socket).
            n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        }
        if n <= 0 {
            return;
        }
        rest = &rest[n as usize..];
    }
}

extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    registry::ACTIVE.fetch_add(1, Ordering::SeqCst);
    let recovered = handle(sig, info, context.cast());
    registry::ACTIVE.fetch_sub(1, Ordering::SeqCst);
    if !recovered {
        // SAFETY: restoring the default action with a valid zeroed sigaction; returning then
        // repeats the fault, and the process ends by its signal.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

/// Reports the fault and recovers if it can. Returns whether the thread may go on.
fn handle(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::ucontext_t) -> bool {
    let started = now_nanos();
    use libc::{REG_R12, REG_R13, REG_R14, REG_R15, REG_RBP, REG_RBX, REG_RIP, REG_RSP};
    const SAVED: [i32; 6] = [REG_RBX, REG_RBP, REG_R12, REG_R13, REG_R14, REG_R15];
    // SAFETY: the kernel passes a valid siginfo and ucontext to an SA_SIGINFO handler.
    let (gregs, addr) = unsafe { (&mut (*uc).uc_mcontext.gregs, (*info).si_addr() as usize) };
    let regs = Regs {
        saved: SAVED.map(|r| gregs[r as usize] as usize),
        rsp: gregs[REG_RSP as usize] as usize,
        rip: gregs[REG_RIP as usize] as usize,
    };
    let mut reason = Line::new();
    let signal = describe(
        sig,
        regs.rip,
        addr,
        regs.rsp,
        gregs[libc::REG_ERR as usize],
        &mut reason,
    );
    registry::wait_for_host(2_000_000_000, now_nanos);
    let (at, from_library) = match registry::module_of(regs.rip) {
        Some(_) => (regs, None),
        None => leave_library(regs),
    };
    // The Vais code the fault is charged to: the faulting instruction, or the call into the
    // library (a return address is just past its call).
    let unwound = from_library.is_some_and(|l| l.unwound);
    let pc = if unwound { at.rip - 1 } else { at.rip };
    let module = registry::module_of(pc);
    let function = module.and_then(|m| m.function(pc)).unwrap_or("");
    let (file, line) = module.and_then(|m| m.line(pc)).unwrap_or(("", 0));
    // A fault in hot code unwinds to the cold caller. It is reloaded code's to undo when a
    // frame of a patch is on the way: the faulting code itself, or a patch that called a
    // function of the host's (which patches call instead of carrying unchanged copies).
    let landing = if module.is_some_and(|m| m.is_hot(pc)) {
        unwind::to_cold_caller(at, !unwound).filter(|l| l.reloaded >= 2)
    } else {
        None
    };
    let reloaded = landing.is_some() || module.is_some_and(|m| m.version >= 2 && m.is_hot(pc));
    let version = match (landing, module) {
        (Some(l), _) => l.reloaded,
        (None, Some(m)) => m.version,
        (None, None) => CURRENT.load(Ordering::Relaxed),
    };
    let back_to = landing.and_then(|_| registry::revert(version));
    let inside = landing
        .and_then(|l| registry::module_of(l.outermost)?.function(l.outermost))
        .unwrap_or("");
    // The C function the Vais code called, and the one that faulted when it is another.
    let (c_function, c_faulting) = match from_library {
        Some(InLibrary {
            faulting, called, ..
        }) if called.is_empty() || called == faulting => (faulting, ""),
        Some(InLibrary {
            faulting, called, ..
        }) => (called, faulting),
        None => ("", ""),
    };
    let fault = FaultRef {
        version,
        signal,
        reason: reason.text(),
        function,
        c_function,
        c_faulting,
        file,
        line: i64::from(line),
        inside,
        back_to: back_to.unwrap_or(0),
    };
    report(&fault, from_library.is_some(), reloaded);
    let (Some(landing), Some(_)) = (landing, back_to) else {
        return false;
    };
    // The code the table now leads to may have been compiled against other layouts than the
    // values have: `main`'s next call of a hot function goes through the safe point first,
    // which moves them back. One atomic store, no lock.
    crate::migration::set_pending(true);
    for (r, v) in SAVED.iter().zip(landing.regs.saved) {
        gregs[*r as usize] = v as i64;
    }
    gregs[REG_RSP as usize] = landing.regs.rsp as i64;
    gregs[REG_RIP as usize] = landing.regs.rip as i64;
    // Integers, pointers and structs of up to three words return in RAX, RDX and RCX.
    gregs[libc::REG_RAX as usize] = 0;
    gregs[libc::REG_RDX as usize] = 0;
    gregs[libc::REG_RCX as usize] = 0;
    // SAFETY: `fpregs` points at the saved FPU state in the signal frame (or is null); a
    // zeroed XMM0 and XMM1 is the float return value 0.0 (or a zeroed two-float struct).
    unsafe {
        let fp = (*uc).uc_mcontext.fpregs;
        if !fp.is_null() {
            (*fp)._xmm[0].element = [0; 4];
            (*fp)._xmm[1].element = [0; 4];
        }
    }
    let record = Recovered {
        faulted: version,
        back_to: fault.back_to,
        nanos: now_nanos().saturating_sub(started),
    };
    let fd = NOTIFY.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: writing one plain record (smaller than PIPE_BUF, so whole or not at all).
        unsafe {
            libc::write(
                fd,
                (&record as *const Recovered).cast(),
                std::mem::size_of::<Recovered>(),
            )
        };
    }
    true
}

/// The C functions a fault inside library code happened in: the faulting one and the one Vais
/// code called (the same function, or `puts` above a faulting `strlen`). Empty names when the
/// library's symbols do not say.
#[derive(Clone, Copy, Debug)]
struct InLibrary {
    faulting: &'static str,
    called: &'static str,
    /// Whether the unwind reached the Vais frame that called the library.
    unwound: bool,
}

/// Unwinds a fault inside a C library out to the Vais frame that called it. Returns that
/// frame's registers (or `regs` unchanged when the fault is in no known library, or the unwind
/// fails: then nothing is recovered) and the library functions involved, if it is in one.
fn leave_library(regs: Regs) -> (Regs, Option<InLibrary>) {
    let Some(library) = registry::library_of(regs.rip) else {
        return (regs, None);
    };
    let faulting = library.function(regs.rip).unwrap_or("");
    match unwind::out_of_libraries(regs) {
        Some(exit) => {
            // The name the Vais code called the function by (its PLT stub's), else the
            // library's own name for the outermost library frame.
            let called = registry::module_of(exit.regs.rip - 1)
                .and_then(|m| m.import_called_before(exit.regs.rip))
                .or_else(|| registry::library_of(exit.called)?.function(exit.called))
                .unwrap_or("");
            let unwound = true;
            (
                exit.regs,
                Some(InLibrary {
                    faulting,
                    called,
                    unwound,
                }),
            )
        }
        None => {
            let (called, unwound) = ("", false);
            (
                regs,
                Some(InLibrary {
                    faulting,
                    called,
                    unwound,
                }),
            )
        }
    }
}

/// The monotonic clock in nanoseconds (`clock_gettime` is async-signal-safe).
fn now_nanos() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid out-parameter.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// The stderr line and the status channel's `faulted` event.
/// `library`: the fault is inside a C library (`f.c_function` names it, when known).
fn report(f: &FaultRef, library: bool, reloaded: bool) {
    use std::fmt::Write as _;
    let mut line = Line::new();
    let _ = write!(
        line,
        "[hot] v{} faulted: {} ({})",
        f.version, f.signal, f.reason
    );
    if library {
        match (f.c_function, f.c_faulting) {
            ("", _) => line.push(b" in a C library function"),
            (called, "") => {
                let _ = write!(line, " in {called}");
            }
            (called, faulting) => {
                let _ = write!(line, " in {faulting} via {called}");
            }
        }
        if !f.function.is_empty() {
            let _ = write!(line, " called from {}", f.function);
        }
    } else if !f.function.is_empty() {
        let _ = write!(line, " in {}", f.function);
    }
    if f.line > 0 {
        let _ = write!(line, " at {}:{}", f.file, f.line);
    }
    if f.back_to > 0 {
        if !f.inside.is_empty() && f.inside != f.function {
            let _ = write!(line, ", inside {}", f.inside);
        }
        let _ = write!(line, ": back to v{}, the program continues", f.back_to);
    } else if reloaded {
        let _ = write!(
            line,
            ": no frame outside hot code to return to, the program ends"
        );
    } else {
        let _ = write!(
            line,
            ": a fault in the host's own code cannot be undone, the program ends"
        );
    }
    line.push(b"\n");
    let fd = STATUS_FD.load(Ordering::Relaxed);
    if fd < 0 || ALSO_STDERR.load(Ordering::Relaxed) {
        write_all(2, &line.buf[..line.len]);
    }
    if fd >= 0 {
        let mut json = Line::new();
        if f.write_json(&mut json).is_ok() {
            json.push(b"\n");
            write_all(fd, &json.buf[..json.len]);
        }
    }
}
