//! Which old patch libraries some thread may still be running: the check that lets the runtime
//! unload old versions, so memory stays bounded however many times a program reloads.
//!
//! Once a patch is superseded, the jump table no longer leads into it, and the compiler makes
//! sure nothing else the program holds does (function pointers are host entry points, literals
//! are runtime copies; `codegen-hot/src/unload.rs`). The only references left are the threads'
//! own: a return address on a stack, the program counter, or a body pointer loaded from the table
//! just before the store and not yet called. So the runtime asks every thread, with a signal, to
//! look at its registers and its stack for any word inside the candidate libraries. The scan is
//! conservative: any word that happens to point there counts, and a library is unloaded only
//! after every thread has answered without naming it. A thread that does not answer in time
//! (signal blocked, stopped in a debugger) makes the round fail, and nothing is unloaded.
//!
//! The calling thread does not signal itself: its own newest frames (this module's) hold the
//! very addresses being checked. It scans its stack from the frame where the program called into
//! the runtime instead, which is where any return address into a patch would be.
//!
//! A library no thread is in cannot be entered again: the table and every pointer the program
//! holds lead elsewhere. So one round, in which each thread is looked at once at a moment of its
//! own, is enough.
//!
//! The runtime's own threads that watch for new patches (`watch.rs`) never run patch code
//! but the program's reload callbacks, and the library one of them just loaded replaced
//! another, whose addresses may linger in the live part of its stack for as long as it waits
//! for the next change. Such a thread is not asked, unless it is running callbacks at the
//! moment ([`running_vais`]): once a library is superseded nothing can enter it again, so a
//! thread that is not in Vais code when the round looks cannot be in the library later.
//!
//! The handler allocates nothing and takes no locks; it reads the stack with
//! `process_vm_readv`, which reports unreadable memory instead of faulting. The round's inputs
//! live in fixed statics guarded by an even/odd round counter, so an answer that arrives late,
//! from a round that has ended, is never counted for the next one.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Most libraries checked in one round (one bit each in the answer).
pub const MAX_RANGES: usize = 64;
const MAX_THREADS: usize = 4096;
const MAX_MAPS: usize = 8192;
/// How long the round waits for every thread to answer.
const TIMEOUT: Duration = Duration::from_millis(250);
/// Words below the stack pointer a leaf function may still use (the x86-64 red zone).
const RED_ZONE: usize = 128;

/// Even while a round's inputs are stable, odd while they are being written.
static ROUND: AtomicU64 = AtomicU64::new(0);
static RANGE_COUNT: AtomicUsize = AtomicUsize::new(0);
static RANGES: [[AtomicUsize; 2]; MAX_RANGES] =
    [const { [AtomicUsize::new(0), AtomicUsize::new(0)] }; MAX_RANGES];
/// Writable mappings, sorted: a thread finds its stack's end here.
static MAP_COUNT: AtomicUsize = AtomicUsize::new(0);
static MAPS: [[AtomicUsize; 2]; MAX_MAPS] =
    [const { [AtomicUsize::new(0), AtomicUsize::new(0)] }; MAX_MAPS];
static THREAD_COUNT: AtomicUsize = AtomicUsize::new(0);
static TIDS: [AtomicI32; MAX_THREADS] = [const { AtomicI32::new(0) }; MAX_THREADS];
/// The round each thread last answered for.
static DONE: [AtomicU64; MAX_THREADS] = [const { AtomicU64::new(0) }; MAX_THREADS];
/// Bit `i` set: range `i` is (or may be) in use.
static HITS: AtomicU64 = AtomicU64::new(0);

/// Most runtime threads that never run Vais code but callbacks ([`runtime_thread`]).
const MAX_RUNTIME_THREADS: usize = 16;
/// Their thread ids (0: a free entry).
static RUNTIME_TIDS: [AtomicI32; MAX_RUNTIME_THREADS] =
    [const { AtomicI32::new(0) }; MAX_RUNTIME_THREADS];
/// Per entry: the thread is running the program's callbacks, which are Vais code.
static RUNTIME_IN_VAIS: [AtomicBool; MAX_RUNTIME_THREADS] =
    [const { AtomicBool::new(false) }; MAX_RUNTIME_THREADS];

/// The calling thread's id.
fn current_tid() -> i32 {
    // SAFETY: `gettid` has no preconditions.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

/// A runtime thread's entry in [`RUNTIME_TIDS`], cleared when the thread's guard is dropped
/// (so that a later thread given the same id by the kernel is asked as any other).
pub struct RuntimeThread(Option<usize>);

impl Drop for RuntimeThread {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            RUNTIME_TIDS[i].store(0, Ordering::Release);
        }
    }
}

/// Marks the calling thread, until the guard is dropped, as one of the runtime's that runs no
/// Vais code outside [`running_vais`]: the check does not ask it otherwise (see the module
/// comment). If every entry is taken, the thread is asked as any other.
pub fn runtime_thread() -> RuntimeThread {
    let tid = current_tid();
    RuntimeThread(RUNTIME_TIDS.iter().position(|slot| {
        slot.compare_exchange(0, tid, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }))
}

/// Runs `f`, which may run Vais code, with the calling thread counted as running it if it is
/// a runtime thread ([`runtime_thread`]).
pub fn running_vais<R>(f: impl FnOnce() -> R) -> R {
    let tid = current_tid();
    let entry = RUNTIME_TIDS
        .iter()
        .position(|t| t.load(Ordering::Acquire) == tid);
    if let Some(i) = entry {
        RUNTIME_IN_VAIS[i].store(true, Ordering::SeqCst);
    }
    let out = f();
    if let Some(i) = entry {
        RUNTIME_IN_VAIS[i].store(false, Ordering::SeqCst);
    }
    out
}

/// Whether thread `tid` is a runtime thread that is not running Vais code now.
fn idle_runtime_thread(tid: i32) -> bool {
    RUNTIME_TIDS
        .iter()
        .zip(&RUNTIME_IN_VAIS)
        .any(|(t, busy)| t.load(Ordering::Acquire) == tid && !busy.load(Ordering::SeqCst))
}

/// Why a round could not tell which libraries are free.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("no signal is free for the stack check")]
    NoSignal,
    #[error("this platform has no stack check")]
    Unsupported,
    #[error("cannot read the process's threads or mappings: {0}")]
    Proc(String),
    #[error("thread {0} did not answer the stack check")]
    NoAnswer(i32),
    #[error("the process has too many threads or mappings to check")]
    TooMany,
}

/// For each range, whether some thread may be running code in it (bit `i` of the answer for
/// `ranges[i]`). `own_frames` is an address in the frame where the program called into the
/// runtime: the calling thread's stack is scanned from there up (0: not at all, for a thread
/// that never runs Vais code). Rounds must not overlap; the runtime calls this under its state
/// lock.
pub fn in_use(ranges: &[(usize, usize)], own_frames: usize) -> Result<u64, ScanError> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err(ScanError::Unsupported);
    }
    assert!(
        ranges.len() <= MAX_RANGES,
        "caller passes at most MAX_RANGES"
    );
    let sig = signal()?;
    let tids = threads()?;
    let maps = writable_maps()?;
    if tids.len() > MAX_THREADS || maps.len() > MAX_MAPS {
        return Err(ScanError::TooMany);
    }
    // Odd: a handler that runs now ignores the signal.
    ROUND.fetch_add(1, Ordering::AcqRel);
    for (slot, (lo, hi)) in RANGES.iter().zip(ranges) {
        slot[0].store(*lo, Ordering::Relaxed);
        slot[1].store(*hi, Ordering::Relaxed);
    }
    RANGE_COUNT.store(ranges.len(), Ordering::Relaxed);
    for (slot, (lo, hi)) in MAPS.iter().zip(&maps) {
        slot[0].store(*lo, Ordering::Relaxed);
        slot[1].store(*hi, Ordering::Relaxed);
    }
    MAP_COUNT.store(maps.len(), Ordering::Relaxed);
    for (i, tid) in tids.iter().enumerate() {
        TIDS[i].store(*tid, Ordering::Relaxed);
        DONE[i].store(0, Ordering::Relaxed);
    }
    THREAD_COUNT.store(tids.len(), Ordering::Relaxed);
    HITS.store(0, Ordering::Relaxed);
    let round = ROUND.fetch_add(1, Ordering::AcqRel) + 1;
    // SAFETY: `getpid` and `gettid` have no preconditions.
    let (pid, me) = unsafe { (libc::getpid(), libc::syscall(libc::SYS_gettid) as i32) };
    let mut own = 0;
    if own_frames != 0 {
        own = match stack_mapping(own_frames) {
            Some((_, top)) => scan_memory(own_frames, top),
            None => u64::MAX,
        };
    }
    let mut waiting = Vec::new();
    for (i, &tid) in tids.iter().enumerate() {
        if tid == me || idle_runtime_thread(tid) {
            continue;
        }
        match tgkill(pid, tid, sig) {
            Ok(()) => waiting.push(i),
            // The thread has exited: it runs nothing.
            Err(libc::ESRCH) => {}
            Err(_) => return Err(ScanError::NoAnswer(tid)),
        }
    }
    let deadline = Instant::now() + TIMEOUT;
    loop {
        waiting.retain(|&i| {
            DONE[i].load(Ordering::Acquire) != round && tgkill(pid, tids[i], 0).is_ok()
        });
        let Some(&late) = waiting.first() else {
            break;
        };
        if Instant::now() > deadline {
            return Err(ScanError::NoAnswer(tids[late]));
        }
        std::thread::sleep(Duration::from_micros(20));
    }
    Ok(HITS.load(Ordering::Acquire) | own)
}

fn tgkill(pid: libc::pid_t, tid: i32, sig: libc::c_int) -> Result<(), libc::c_int> {
    // SAFETY: `tgkill` only sends a signal; a thread of this process handles it.
    let rc = unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, sig) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL))
    }
}

/// The signal the check uses, with its handler installed: a real-time signal no one else has
/// claimed. `SA_RESTART` keeps most interrupted system calls going.
/// The signal the check sends each thread (a real-time one the program is unlikely to use).
pub fn signal_number() -> libc::c_int {
    libc::SIGRTMIN() + 6
}

fn signal() -> Result<libc::c_int, ScanError> {
    static SIGNAL: OnceLock<Option<libc::c_int>> = OnceLock::new();
    let sig = SIGNAL.get_or_init(|| {
        let sig = signal_number();
        // SAFETY: reading and installing a signal action with valid arguments; the handler
        // only does async-signal-safe work.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction != libc::SIG_DFL
            {
                return None;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            (libc::sigaction(sig, &action, std::ptr::null_mut()) == 0).then_some(sig)
        }
    });
    sig.ok_or(ScanError::NoSignal)
}

fn threads() -> Result<Vec<i32>, ScanError> {
    let dir = std::fs::read_dir("/proc/self/task").map_err(|e| ScanError::Proc(e.to_string()))?;
    Ok(dir
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect())
}

/// The process's writable mappings, in address order, from `/proc/self/maps`.
fn writable_maps() -> Result<Vec<(usize, usize)>, ScanError> {
    let text =
        std::fs::read_to_string("/proc/self/maps").map_err(|e| ScanError::Proc(e.to_string()))?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (lo, hi) = parts.next()?.split_once('-')?;
            parts.next()?.starts_with("rw").then_some(())?;
            Some((
                usize::from_str_radix(lo, 16).ok()?,
                usize::from_str_radix(hi, 16).ok()?,
            ))
        })
        .collect())
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
extern "C" fn handler(_sig: libc::c_int, _info: *mut libc::siginfo_t, context: *mut c_void) {
    // SAFETY: `__errno_location` returns this thread's errno; it is restored on the way out so
    // the interrupted code never sees the handler's system calls.
    let errno = unsafe { *libc::__errno_location() };
    let round = ROUND.load(Ordering::Acquire);
    if round.is_multiple_of(2) {
        // SAFETY: `gettid` has no preconditions.
        let tid = unsafe { libc::syscall(libc::SYS_gettid) } as i32;
        let count = THREAD_COUNT.load(Ordering::Relaxed).min(MAX_THREADS);
        if let Some(i) = (0..count).find(|&i| TIDS[i].load(Ordering::Relaxed) == tid) {
            // SAFETY: the kernel passes a valid ucontext to an SA_SIGINFO handler.
            let hits = unsafe { scan_thread(&*(context as *const libc::ucontext_t)) };
            HITS.fetch_or(hits, Ordering::AcqRel);
            if ROUND.load(Ordering::Acquire) == round {
                DONE[i].store(round, Ordering::Release);
            }
        }
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
extern "C" fn handler(_sig: libc::c_int, _info: *mut libc::siginfo_t, _context: *mut c_void) {}

/// The ranges the interrupted thread's registers and stack point into, as a bit set.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn scan_thread(uc: &libc::ucontext_t) -> u64 {
    let ranges = round_ranges();
    let ranges = &ranges.0[..ranges.1];
    let mut hits = 0u64;
    for &reg in &uc.uc_mcontext.gregs {
        hits |= bits(ranges, reg as usize);
    }
    if !uc.uc_mcontext.fpregs.is_null() {
        // SAFETY: the kernel filled in the floating-point state it points to.
        for xmm in unsafe { &(*uc.uc_mcontext.fpregs)._xmm } {
            let e = xmm.element;
            hits |= bits(ranges, e[0] as usize | (e[1] as usize) << 32);
            hits |= bits(ranges, e[2] as usize | (e[3] as usize) << 32);
        }
    }
    let sp = uc.uc_mcontext.gregs[libc::REG_RSP as usize] as usize;
    match stack_mapping(sp) {
        Some((lo, hi)) => hits | scan_memory(sp.saturating_sub(RED_ZONE).max(lo), hi),
        // A stack the snapshot does not know (it grew since): count everything as in use.
        None => u64::MAX,
    }
}

/// The round's ranges that words in `[from, to)` point into, as a bit set; everything if the
/// first words cannot be read.
fn scan_memory(from: usize, to: usize) -> u64 {
    let ranges = round_ranges();
    let ranges = &ranges.0[..ranges.1];
    let mut hits = 0u64;
    let mut at = from & !7;
    let mut buf = [0usize; 256];
    let mut first = true;
    while at < to {
        let len = (to - at).min(std::mem::size_of_val(&buf));
        let local = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: len,
        };
        let remote = libc::iovec {
            iov_base: at as *mut c_void,
            iov_len: len,
        };
        // SAFETY: copies from this process's own memory into `buf`; an unmapped address makes
        // the call fail instead of faulting.
        let got = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
        if got <= 0 {
            // The stack itself is always readable: failing on its first words means the check
            // cannot see this thread. Later, it means the mapping ended past the stack's top.
            return if first { u64::MAX } else { hits };
        }
        let got = got as usize;
        for &word in &buf[..got / 8] {
            hits |= bits(ranges, word);
        }
        at += got;
        first = false;
    }
    hits
}

/// The round's ranges, copied out of the statics.
fn round_ranges() -> ([(usize, usize); MAX_RANGES], usize) {
    let n = RANGE_COUNT.load(Ordering::Relaxed).min(MAX_RANGES);
    let mut ranges = [(0usize, 0usize); MAX_RANGES];
    for (r, slot) in ranges.iter_mut().zip(&RANGES).take(n) {
        *r = (
            slot[0].load(Ordering::Relaxed),
            slot[1].load(Ordering::Relaxed),
        );
    }
    (ranges, n)
}

/// The ranges `word` points into, as a bit set.
fn bits(ranges: &[(usize, usize)], word: usize) -> u64 {
    let mut hits = 0;
    for (i, (lo, hi)) in ranges.iter().enumerate() {
        if *lo <= word && word < *hi {
            hits |= 1 << i;
        }
    }
    hits
}

/// The writable mapping holding `sp`, from the round's snapshot.
fn stack_mapping(sp: usize) -> Option<(usize, usize)> {
    let (mut lo, mut hi) = (0, MAP_COUNT.load(Ordering::Relaxed).min(MAX_MAPS));
    while lo < hi {
        let mid = (lo + hi) / 2;
        let start = MAPS[mid][0].load(Ordering::Relaxed);
        let end = MAPS[mid][1].load(Ordering::Relaxed);
        if sp < start {
            hi = mid;
        } else if sp >= end {
            lo = mid + 1;
        } else {
            return Some((start, end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::sync::Mutex;

    /// Rounds must not overlap, and the test harness runs tests on several threads.
    static ONE_ROUND: Mutex<()> = Mutex::new(());

    /// A thread holding `word` in a stack slot until told to stop.
    fn holder(word: usize) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
        let (stop, wait) = mpsc::channel::<()>();
        let (ready, started) = mpsc::channel::<()>();
        let handle = std::thread::spawn(move || {
            let slot = std::hint::black_box([word.wrapping_add(0), !word]);
            ready.send(()).ok();
            wait.recv().ok();
            std::hint::black_box(slot);
        });
        started.recv().ok();
        (stop, handle)
    }

    #[test]
    fn a_word_on_another_threads_stack_marks_its_range() {
        let _round = ONE_ROUND.lock();
        // Memory only this test knows the address of: a heap block could carry stale pointers
        // to it on other threads' stacks from an earlier owner, which the scan rightly counts.
        static REGION: [u8; 4096] = [0; 4096];
        let lo = REGION.as_ptr() as usize;
        let (stop, handle) = holder(lo + 3000);
        let hits = in_use(&[(lo, lo + 2048), (lo + 2048, lo + 4096)], 0);
        stop.send(()).ok();
        handle.join().ok();
        assert_eq!(hits.expect("every thread answers"), 0b10);
        // The holder has exited: the round must not wait for it. Whether its word still counts
        // is up to whichever thread reuses its stack (the scan is conservative), so only a
        // range no thread ever held is asserted free.
        let hits = in_use(&[(lo + 2048, lo + 4096), (lo + 1024, lo + 2048)], 0)
            .expect("an exited thread is not waited for");
        assert_eq!(hits & 0b10, 0, "nothing points into the second range");
    }

    /// A runtime thread's stack counts only while it runs Vais code (`running_vais`).
    #[test]
    fn an_idle_runtime_threads_stack_does_not_count() {
        let _round = ONE_ROUND.lock();
        static REGION: [u8; 64] = [0; 64];
        let lo = REGION.as_ptr() as usize;
        let range = [(lo, lo + 64)];
        // The thread holds the word while idle, then while "running callbacks".
        let (go, wait) = mpsc::channel::<()>();
        let (said, heard) = mpsc::channel::<()>();
        let handle = std::thread::spawn(move || {
            let _runtime = runtime_thread();
            let slot = std::hint::black_box([lo + 8, !lo]);
            said.send(()).ok();
            wait.recv().ok();
            running_vais(|| {
                said.send(()).ok();
                wait.recv().ok();
            });
            std::hint::black_box(slot);
        });
        heard.recv().ok();
        let idle = in_use(&range, 0).expect("every thread answers");
        go.send(()).ok();
        heard.recv().ok();
        let busy = in_use(&range, 0).expect("every thread answers");
        go.send(()).ok();
        handle.join().ok();
        assert_eq!((idle, busy), (0, 1));
    }

    /// Scans the calling thread from this frame up, for a range made in a deeper frame.
    #[inline(never)]
    fn check_from_here(region: usize) -> u64 {
        let marker = 0u8;
        let own = std::hint::black_box(&marker) as *const u8 as usize;
        deeper(region, own)
    }

    #[inline(never)]
    fn deeper(region: usize, own: usize) -> u64 {
        let range = std::hint::black_box((region + 32, region + 64));
        in_use(&[range], own).expect("every thread answers")
    }

    #[test]
    fn the_calling_threads_frames_count_from_where_it_called() {
        let _round = ONE_ROUND.lock();
        static REGION: [u8; 64] = [0; 64];
        let lo = REGION.as_ptr() as usize;
        assert_eq!(check_from_here(lo), 0);
        let kept = std::hint::black_box([lo + 40]);
        assert_eq!(check_from_here(lo), 1);
        std::hint::black_box(kept);
    }
}
