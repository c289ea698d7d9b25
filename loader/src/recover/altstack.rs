//! Alternate signal stacks, so that a stack overflow can be reported and recovered from: the
//! handler cannot run on the stack that just overflowed.
//!
//! The main thread gets one when the runtime starts. Threads the program creates later get one
//! because the host exports its own `pthread_create`, which the dynamic linker binds every call
//! of the program (and of its libraries) to: it starts the thread on a routine that installs a
//! stack, runs the program's start routine, and frees the stack when the thread ends (a Rust
//! thread-local destructor, which also runs on `pthread_exit`).

use std::cell::RefCell;
use std::ffi::c_void;

/// Bytes of each alternate stack: room for the handler's unwinding and its fixed buffers.
const SIZE: usize = 256 * 1024;

struct AltStack {
    base: *mut c_void,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        // SAFETY: disabling this thread's alternate stack, then unmapping the mapping `install`
        // made for it; no handler runs on it now (this thread is ending, outside any handler).
        unsafe {
            let off = libc::stack_t {
                ss_sp: std::ptr::null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: 0,
            };
            libc::sigaltstack(&off, std::ptr::null_mut());
            libc::munmap(self.base, SIZE);
        }
    }
}

thread_local! {
    static STACK: RefCell<Option<AltStack>> = const { RefCell::new(None) };
}

/// Gives the calling thread an alternate signal stack, unless it has one.
pub fn install() {
    // SAFETY: querying the current alternate stack into a zeroed out-parameter.
    let mut current: libc::stack_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { libc::sigaltstack(std::ptr::null(), &mut current) };
    if current.ss_flags & libc::SS_DISABLE == 0 {
        return;
    }
    // SAFETY: an anonymous private mapping; checked for failure below.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return;
    }
    let stack = libc::stack_t {
        ss_sp: base,
        ss_flags: 0,
        ss_size: SIZE,
    };
    // SAFETY: `stack` describes the mapping just made, which lives until the thread ends.
    if unsafe { libc::sigaltstack(&stack, std::ptr::null_mut()) } != 0 {
        // SAFETY: the mapping was made above and is not in use.
        unsafe { libc::munmap(base, SIZE) };
        return;
    }
    STACK.with(|s| *s.borrow_mut() = Some(AltStack { base }));
}

type Start = extern "C" fn(*mut c_void) -> *mut c_void;
type Create = unsafe extern "C" fn(
    *mut libc::pthread_t,
    *const libc::pthread_attr_t,
    Start,
    *mut c_void,
) -> libc::c_int;

/// What the wrapped thread runs.
struct Job {
    start: Start,
    arg: *mut c_void,
}

extern "C" fn trampoline(job: *mut c_void) -> *mut c_void {
    // SAFETY: `pthread_create` below passes the `Job` it boxed, to this thread alone.
    let job = unsafe { Box::from_raw(job.cast::<Job>()) };
    install();
    (job.start)(job.arg)
}

/// The C library's `pthread_create`, found past this executable's own definition.
fn real_create() -> Option<Create> {
    static REAL: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let p = *REAL.get_or_init(|| {
        // SAFETY: looking a symbol up by a NUL-terminated name.
        unsafe { libc::dlsym(libc::RTLD_NEXT, c"pthread_create".as_ptr()) as usize }
    });
    // SAFETY: the symbol is the C library's `pthread_create`, of this type.
    (p != 0).then(|| unsafe { std::mem::transmute::<usize, Create>(p) })
}

/// `pthread_create`, as the program and its libraries call it: the new thread gets an alternate
/// signal stack before it runs `start`.
///
/// # Safety
/// As the C library's `pthread_create`.
#[no_mangle]
pub unsafe extern "C" fn pthread_create(
    thread: *mut libc::pthread_t,
    attr: *const libc::pthread_attr_t,
    start: Start,
    arg: *mut c_void,
) -> libc::c_int {
    let Some(real) = real_create() else {
        return libc::EAGAIN;
    };
    let job = Box::into_raw(Box::new(Job { start, arg }));
    // SAFETY: the caller's arguments are passed on; the routine and its argument are ours.
    let r = unsafe { real(thread, attr, trampoline, job.cast()) };
    if r != 0 {
        // SAFETY: the thread was not created, so the job was not handed to it.
        drop(unsafe { Box::from_raw(job) });
    }
    r
}
