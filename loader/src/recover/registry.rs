//! The modules and code versions the fault handler can see, published by the runtime as
//! immutable snapshots behind atomic pointers.
//!
//! The runtime builds a [`CodeMap`] per module at load time and a [`History`] (the versions the
//! table may return to, each with its pointer array prepared when it was published) whenever the
//! versions change; the handler only loads these pointers. A snapshot that is replaced, or the
//! map of an unloaded library, is freed only once no handler is running: a handler counts itself
//! in [`ACTIVE`] before it loads any pointer, and the runtime frees retired snapshots when it
//! sees the count at zero after retiring them (both sides use sequentially consistent order).

use super::codemap::CodeMap;
use parking_lot::Mutex;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::Arc;

const MODULES: usize = 256;
static HOST: AtomicPtr<CodeMap> = AtomicPtr::new(std::ptr::null_mut());
static PATCHES: [AtomicPtr<CodeMap>; MODULES] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; MODULES];
/// The shared libraries Vais code calls into (`libraries.rs`).
static LIBRARIES: [AtomicPtr<CodeMap>; MODULES] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; MODULES];
static HISTORY: AtomicPtr<History> = AtomicPtr::new(std::ptr::null_mut());
static TABLE: AtomicPtr<AtomicPtr<c_void>> = AtomicPtr::new(std::ptr::null_mut());
static TABLE_LEN: AtomicUsize = AtomicUsize::new(0);
/// Handlers running now.
pub static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Snapshots replaced while a handler may have been reading them.
enum Retired {
    Map(*mut CodeMap),
    History(*mut History),
}
// SAFETY: the pointers are owned boxes, only freed by `collect` under the mutex.
unsafe impl Send for Retired {}
static RETIRED: Mutex<Vec<Retired>> = Mutex::new(Vec::new());

/// One published version as the handler sees it.
#[derive(Debug)]
pub struct View {
    pub number: i64,
    /// The body per slot, prepared at publish time.
    pub pointers: Box<[usize]>,
    /// Set by the handler when code of this version faulted: it is never applied again.
    pub faulted: AtomicBool,
}

/// The versions the table may return to, oldest first, ending with the current one.
#[derive(Debug)]
pub struct History {
    pub views: Vec<Arc<View>>,
}

/// Records the jump table the handler reverts.
pub fn set_table(table: &'static [AtomicPtr<c_void>]) {
    TABLE_LEN.store(table.len(), Ordering::SeqCst);
    TABLE.store(table.as_ptr().cast_mut(), Ordering::SeqCst);
}

/// Set while the host's map is being built.
static HOST_PENDING: AtomicBool = AtomicBool::new(false);

/// Says the host's map is being built, on another thread.
pub fn host_pending() {
    HOST_PENDING.store(true, Ordering::SeqCst);
}

/// Publishes the host's map (once), or gives up on it (`None`).
pub fn set_host(map: Option<CodeMap>) {
    if let Some(map) = map {
        HOST.store(Box::into_raw(Box::new(map)), Ordering::SeqCst);
    }
    HOST_PENDING.store(false, Ordering::SeqCst);
}

/// Waits (a bounded spin, without locks) for the host's map if it is still being built, so a
/// fault early in the run is reported as fully as a later one. The bound keeps a handler from
/// waiting forever on a builder that waits on something the faulting thread holds.
pub fn wait_for_host(limit_nanos: u64, now: fn() -> u64) {
    let start = now();
    while HOST_PENDING.load(Ordering::SeqCst) && now().saturating_sub(start) < limit_nanos {
        // SAFETY: `sched_yield` has no preconditions and is async-signal-safe.
        unsafe { libc::sched_yield() };
    }
}

/// Publishes a patch's map as code version `version`.
pub fn add_patch(mut map: CodeMap, version: i64) {
    map.version = version;
    publish(&PATCHES, map);
}

/// Publishes a shared library's map.
pub fn add_library(map: CodeMap) {
    publish(&LIBRARIES, map);
}

/// Forgets the map of the shared library mapped at `[lo, hi)`, which was unloaded.
pub fn remove_library(span: (usize, usize)) {
    unpublish(&LIBRARIES, span);
}

fn publish(slots: &[AtomicPtr<CodeMap>; MODULES], map: CodeMap) {
    let ptr = Box::into_raw(Box::new(map));
    for slot in slots {
        if slot
            .compare_exchange(
                std::ptr::null_mut(),
                ptr,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok()
        {
            return;
        }
    }
    // Every slot is taken (more than MODULES libraries mapped at once): this one's faults are
    // reported as outside reloaded code (or, for a C library, not unwound), which is all that
    // is lost.
    // SAFETY: `ptr` was never published.
    drop(unsafe { Box::from_raw(ptr) });
}

/// Forgets the map of the library mapped at `[lo, hi)`, which is being unloaded.
pub fn remove_patch(span: (usize, usize)) {
    unpublish(&PATCHES, span);
}

fn unpublish(slots: &[AtomicPtr<CodeMap>; MODULES], (lo, hi): (usize, usize)) {
    for slot in slots {
        let p = slot.load(Ordering::SeqCst);
        // SAFETY: a non-null slot holds a live map; maps are freed only through `collect`.
        if !p.is_null() && unsafe { lo <= (*p).lo && (*p).lo < hi } {
            slot.store(std::ptr::null_mut(), Ordering::SeqCst);
            RETIRED.lock().push(Retired::Map(p));
        }
    }
    collect();
}

/// Publishes the versions the table may return to.
pub fn set_history(views: Vec<Arc<View>>) {
    let new = Box::into_raw(Box::new(History { views }));
    let old = HISTORY.swap(new, Ordering::SeqCst);
    if !old.is_null() {
        RETIRED.lock().push(Retired::History(old));
    }
    collect();
}

/// Frees what was retired, if no handler is running.
fn collect() {
    let mut retired = RETIRED.lock();
    if ACTIVE.load(Ordering::SeqCst) != 0 {
        return;
    }
    for r in retired.drain(..) {
        // SAFETY: each was unpublished before it was retired, and no handler that could have
        // loaded it is still running (ACTIVE is 0 after the unpublishing store).
        unsafe {
            match r {
                Retired::Map(p) => drop(Box::from_raw(p)),
                Retired::History(p) => drop(Box::from_raw(p)),
            }
        }
    }
}

/// The map of the module holding `pc`, if it is the host or a published patch. Only called by
/// a handler counted in [`ACTIVE`], which keeps the map alive until it returns.
pub fn module_of(pc: usize) -> Option<&'static CodeMap> {
    let host = HOST.load(Ordering::SeqCst);
    // SAFETY: published maps stay alive while the caller is counted in ACTIVE (see above).
    unsafe {
        for slot in &PATCHES {
            let p = slot.load(Ordering::SeqCst);
            if !p.is_null() && (*p).contains(pc) {
                return Some(&*p);
            }
        }
        (!host.is_null() && (*host).contains(pc)).then(|| &*host)
    }
}

/// The map of the shared library holding `pc`, if one is published. As for [`module_of`],
/// only called by a handler counted in [`ACTIVE`].
pub fn library_of(pc: usize) -> Option<&'static CodeMap> {
    // SAFETY: as in `module_of`.
    unsafe {
        LIBRARIES.iter().find_map(|slot| {
            let p = slot.load(Ordering::SeqCst);
            (!p.is_null() && (*p).contains(pc)).then(|| &*p)
        })
    }
}

/// Whether `pc` is hot code: in a patch, or in a host hot body.
pub fn is_hot(pc: usize) -> bool {
    module_of(pc).is_some_and(|m| m.is_hot(pc))
}

/// Marks `faulted` as faulted and stores the newest version that has not faulted into the
/// table. Returns that version's number, or `None` if there is none to return to. Lock-free:
/// several handlers may do this at once; each one checks after its stores that its target is
/// still the newest good one, and stores again if not, so the last one to finish leaves a
/// whole, good version in the table.
pub fn revert(faulted: i64) -> Option<i64> {
    let history = HISTORY.load(Ordering::SeqCst);
    let table = TABLE.load(Ordering::SeqCst);
    if history.is_null() || table.is_null() {
        return None;
    }
    // SAFETY: the history stays alive while this handler is counted in ACTIVE; the table is a
    // static of the executable with TABLE_LEN slots.
    let (history, table) = unsafe {
        (
            &*history,
            std::slice::from_raw_parts(table, TABLE_LEN.load(Ordering::SeqCst)),
        )
    };
    for v in history.views.iter().filter(|v| v.number == faulted) {
        v.faulted.store(true, Ordering::SeqCst);
    }
    loop {
        let target = history
            .views
            .iter()
            .rev()
            .find(|v| !v.faulted.load(Ordering::SeqCst))?;
        for (slot, &p) in table.iter().zip(target.pointers.iter()) {
            slot.store(p as *mut c_void, Ordering::Release);
        }
        let still = history
            .views
            .iter()
            .rev()
            .find(|v| !v.faulted.load(Ordering::SeqCst));
        if still.is_some_and(|s| Arc::ptr_eq(s, target)) {
            return Some(target.number);
        }
    }
}
