//! The runtime state of one hot host: the jump table, the loaded versions, and publishing.
//!
//! Publishing stores each slot with release ordering after the whole patch has been verified,
//! so a failure at any step leaves the table exactly as it was. The last [`HISTORY`] versions
//! are kept for `hot_rollback`. A patch library no kept version uses is unloaded once no
//! thread is running its code (a table store only redirects future calls), which
//! `reclaim.rs` checks; so however many reloads a session makes, the number of libraries
//! mapped stays bounded.

use crate::log::{self, Level};
use crate::patch::{self, HostInfo, Prepared};
use crate::reclaim::{self, ScanError};
use crate::recover::{self, codemap::CodeMap, registry, Recovered};
use crate::status;
use parking_lot::Mutex;
use std::collections::HashSet;
use std::ffi::c_void;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use vais_hot_abi::layout::TypeLayout;
use vais_hot_abi::status::Status;
use vais_hot_abi::Manifest;

mod values;

/// Versions `hot_rollback` can return to, counting the current one.
const HISTORY: usize = 8;
/// Superseded libraries wait until there are this many before threads are checked, so a
/// check interrupts the program's threads once per several reloads.
const BATCH: usize = 4;

/// One set of bodies that has been published (or the host's own, version 1).
struct Version {
    number: i64,
    pointers: Vec<*const c_void>,
    hashes: Vec<u64>,
    /// Per slot: the version whose library holds the body (1 for the host).
    owners: Vec<i64>,
    /// The fault handler's copy of `pointers`, which also says whether the version faulted.
    view: Arc<registry::View>,
    /// The layouts this version's code was compiled against.
    layouts: Arc<Vec<TypeLayout>>,
}

impl Version {
    fn new(
        number: i64,
        pointers: Vec<*const c_void>,
        hashes: Vec<u64>,
        owners: Vec<i64>,
        layouts: Arc<Vec<TypeLayout>>,
    ) -> Version {
        let view = Arc::new(registry::View {
            number,
            pointers: pointers.iter().map(|p| *p as usize).collect(),
            faulted: AtomicBool::new(false),
        });
        Version {
            number,
            pointers,
            hashes,
            owners,
            view,
            layouts,
        }
    }

    fn faulted(&self) -> bool {
        self.view.faulted.load(Ordering::SeqCst)
    }
}

/// A patch library that has been published, as version `number`.
struct Loaded {
    number: i64,
    patch: Prepared,
}

struct State {
    /// The last versions, oldest first.
    versions: Vec<Version>,
    /// Index in `versions` of the published one.
    current: usize,
    /// Published libraries still mapped, oldest first.
    libraries: Vec<Loaded>,
    /// Set when threads can never be checked here: old libraries then stay loaded.
    reclaim_off: bool,
    /// Libraries the last check found a thread in: they count against the next batch, so a
    /// thread that stays inside old code does not cause a check at every reload.
    busy: usize,
    /// A verified patch waiting for the next `hot_check`.
    pending: Option<Prepared>,
    /// A rollback asked for from outside (`vaisc watch`), waiting for the next `hot_check`.
    rollback_pending: bool,
    /// Set when `hot_check`/`hot_reload` found hot frames on the stack while what waits moves
    /// values: `main`'s next safe point applies it, even in a program that applies patches
    /// only at its `hot_check`.
    deferred: bool,
    callbacks: Vec<extern "C" fn(i64)>,
    next_number: i64,
    /// The host's own bodies, the version a fault returns to when all else faulted.
    host_view: Arc<registry::View>,
    /// The layouts the program's values have now: the host's, until a published patch (or a
    /// rollback) migrates them.
    data_layouts: Arc<Vec<TypeLayout>>,
}

// SAFETY: the raw pointers are immutable code addresses owned by the libraries in the same
// structure; all access goes through the mutex.
unsafe impl Send for State {}

pub struct Runtime {
    table: &'static [AtomicPtr<c_void>],
    host: HostInfo,
    pub safe_points: bool,
    pub patch_path: PathBuf,
    serial: AtomicU64,
    state: Mutex<State>,
}

/// What happened to a patch offered to the runtime.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Published now, as this version.
    Applied(i64),
    /// Verified; waits for the next `hot_check`.
    Pending,
    Refused,
}

impl Runtime {
    /// # Safety
    /// `host` and `table` must be the manifest and jump table the Vais compiler emitted into
    /// this executable; the table has one slot per host function entry.
    pub unsafe fn new(
        host: &'static Manifest,
        table: *mut *const c_void,
        patch_path: PathBuf,
    ) -> Runtime {
        // SAFETY: guaranteed by the caller.
        let info = unsafe { HostInfo::read(host) };
        let slots = info.slot_names.len();
        // SAFETY: `AtomicPtr<T>` has the same layout as `*mut T`, and the table lives as long
        // as the process; all later accesses are atomic.
        let table: &'static [AtomicPtr<c_void>] =
            unsafe { std::slice::from_raw_parts(table.cast::<AtomicPtr<c_void>>(), slots) };
        let mut pointers = vec![std::ptr::null(); slots];
        let mut hashes = vec![0; slots];
        // SAFETY: guaranteed by the caller.
        for f in unsafe { host.functions() } {
            if let Some(p) = pointers.get_mut(f.slot as usize) {
                *p = f.address;
                hashes[f.slot as usize] = f.body_hash;
            }
        }
        registry::set_table(table);
        // The host's tables are needed only once a fault can be recovered or reported, and
        // reading the executable takes milliseconds: build them off the program's start.
        let bodies: Vec<usize> = pointers.iter().map(|p| *p as usize).collect();
        registry::host_pending();
        let started = std::thread::Builder::new()
            .name("vais-hot-tables".into())
            .spawn(move || host_tables(&bodies));
        if started.is_err() {
            registry::set_host(None);
        }
        let host_layouts = Arc::new(info.layouts.clone());
        let first = Version::new(
            1,
            pointers.clone(),
            hashes,
            vec![1; pointers.len()],
            host_layouts.clone(),
        );
        let host_view = first.view.clone();
        registry::set_history(vec![host_view.clone()]);
        Runtime {
            table,
            safe_points: host.flags & vais_hot_abi::FLAG_SAFE_POINTS != 0,
            host: info,
            patch_path,
            serial: AtomicU64::new(0),
            state: Mutex::new(State {
                versions: vec![first],
                current: 0,
                libraries: Vec::new(),
                reclaim_off: false,
                busy: 0,
                pending: None,
                rollback_pending: false,
                deferred: false,
                callbacks: Vec::new(),
                next_number: 2,
                host_view,
                data_layouts: host_layouts,
            }),
        }
    }

    /// Loads and verifies the patch file, then publishes it now (or at the next safe point
    /// when the program uses `hot_check`). Refusals are logged and change nothing. Then
    /// unloads old libraries if enough are waiting; `own_frames` is as [`reclaim::in_use`]
    /// takes it.
    pub fn offer_patch(&self, from_safe_point: bool, own_frames: usize) -> Outcome {
        let outcome = self.load_and_publish(from_safe_point, own_frames);
        self.reclaim(own_frames, false);
        outcome
    }

    fn load_and_publish(&self, from_safe_point: bool, own_frames: usize) -> Outcome {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let current = self.state.lock().data_layouts.clone();
        let prepared = match patch::load(&self.patch_path, serial, &self.host, &current) {
            Ok(p) => {
                // The patch may have pulled in libraries: the handler needs their tables before
                // the new code can call them.
                let _ = recover::refresh_libraries();
                p
            }
            Err(e) => {
                let next = self.state.lock().next_number;
                status::log_event(&format!("v{next} refused: {e}"));
                status::emit(&Status::Refused {
                    version: next,
                    reason: e.to_string(),
                });
                return Outcome::Refused;
            }
        };
        let mut state = self.state.lock();
        // A patch that moves values waits for the moment no code that uses them runs: the
        // program's `hot_check`, or else `main`'s next call of a hot function.
        let moves = self.moves_values(&state.data_layouts, &prepared.layouts);
        if moves && from_safe_point && own_frames != 0 && recover::hot_code_above(own_frames) {
            // `hot_reload()` from inside hot code: its frames would resume on moved values.
            self.defer(&mut state);
            state.pending = Some(prepared);
            return Outcome::Pending;
        }
        if (self.safe_points || moves) && !from_safe_point {
            if self.safe_points {
                status::emit(&Status::Pending {
                    version: state.next_number,
                    load_ms: millis(prepared.load_time),
                    verify_ms: millis(prepared.verify_time),
                });
            } else {
                // `main`'s next call of a hot function applies it, within a frame: the
                // `applied` event follows then.
                crate::migration::set_pending(true);
            }
            state.pending = Some(prepared);
            return Outcome::Pending;
        }
        let Some((number, callbacks)) = self.publish(&mut state, prepared) else {
            return Outcome::Refused;
        };
        drop(state);
        run_callbacks(&callbacks, number);
        Outcome::Applied(number)
    }

    /// `main`'s safe point (its call of a hot function with the pending flag set): the values
    /// are put in the layouts of the code the table runs, then a waiting patch or rollback is
    /// applied, unless the program applies those only at its own `hot_check`.
    pub fn safe_point(&self) {
        let mut state = self.state.lock();
        if self.safe_points && !state.deferred {
            crate::migration::set_pending(false);
            self.reconcile(&mut state);
        } else {
            drop(state);
            self.apply_pending(0);
        }
    }

    /// The safe point of code that is not reloadable other than `main`, whose frames from
    /// `own_frames` up may include hot code's (it called this function): as [`Runtime::safe_point`]
    /// when none is found, else nothing, and the pending flag, still set, brings the next call
    /// of a hot function here again (`main`'s, or this function's once the hot frames are gone).
    pub fn nested_safe_point(&self, own_frames: usize) {
        if recover::hot_code_above(own_frames) {
            return;
        }
        self.safe_point();
    }

    /// Publishes what is pending, if anything (a requested rollback first). Returns the new
    /// version number.
    /// `own_frames` is where the program called in (as [`reclaim::in_use`] takes it), or 0
    /// at `main`'s safe point: from `hot_check` inside hot code, a change that moves values
    /// waits for that safe point instead.
    pub fn apply_pending(&self, own_frames: usize) -> Option<i64> {
        let mut state = self.state.lock();
        if own_frames != 0 && self.waiting_moves(&state) && recover::hot_code_above(own_frames) {
            self.defer(&mut state);
            return None;
        }
        state.deferred = false;
        // Cleared before the values are looked at, so a fault handler's store after this is
        // seen at the next safe point.
        crate::migration::set_pending(false);
        self.reconcile(&mut state);
        if std::mem::take(&mut state.rollback_pending) {
            drop(state);
            return self.rollback();
        }
        let pending = state.pending.take()?;
        let (number, callbacks) = self.publish(&mut state, pending)?;
        drop(state);
        run_callbacks(&callbacks, number);
        Some(number)
    }

    /// Publishes a verified patch, migrating the program's values to its layouts first. `None`
    /// when the migration is refused (nothing changed then; the line says why).
    fn publish(
        &self,
        state: &mut State,
        mut prepared: Prepared,
    ) -> Option<(i64, Vec<extern "C" fn(i64)>)> {
        let layouts = Arc::new(std::mem::take(&mut prepared.layouts));
        let (migrate_ms, migrated, migration) = match self.migrate_to(state, &layouts) {
            Ok(done) => done,
            Err(e) => {
                let next = state.next_number;
                status::log_event(&format!("v{next} refused: {e}"));
                status::emit(&Status::Refused {
                    version: next,
                    reason: e.to_string(),
                });
                return None;
            }
        };
        let start = Instant::now();
        let number = state.next_number;
        state.next_number += 1;
        let current = &state.versions[state.current];
        let mut pointers = current.pointers.clone();
        let mut hashes = current.hashes.clone();
        let mut owners = current.owners.clone();
        let mut changed = Vec::new();
        let mut updated = Vec::new();
        for (slot, new) in prepared.pointers.iter().enumerate() {
            let (Some(ptr), Some(hash)) = (new, prepared.hashes[slot]) else {
                continue;
            };
            if hashes[slot] != hash {
                changed.push(self.host.slot_names[slot].clone());
            }
            pointers[slot] = *ptr;
            hashes[slot] = hash;
            owners[slot] = number;
            updated.push(slot);
        }
        // The fault handler must know the new code before any thread can run it: its code map
        // and its version (in the history the handler reverts with) are published before the
        // table leads there. Were they published after, a thread calling the new code at once
        // and faulting would be reported as faulting outside reloaded code and die. A fault
        // while the slots below are being stored reverts the table under them; the reporter's
        // `after_fault`, which waits for this lock, stores the good version whole again.
        if let Some(map) = prepared.code_map.take() {
            registry::add_patch(map, number);
        }
        // Versions rolled back from are not returned to once new code is published.
        let keep = state.current + 1;
        state.versions.truncate(keep);
        state
            .versions
            .push(Version::new(number, pointers, hashes, owners, layouts));
        if state.versions.len() > HISTORY {
            state.versions.remove(0);
        }
        state.current = state.versions.len() - 1;
        share_history(state);
        recover::set_current(number);
        let published = &state.versions[state.current].pointers;
        for &slot in &updated {
            self.table[slot].store(published[slot].cast_mut(), Ordering::Release);
        }
        let publish_time = start.elapsed();
        for name in &prepared.deleted {
            log::line(
                Level::Info,
                &format!(
                    "warning: the patch has no hot function {name} (deleted, renamed or no longer #[hot]): the running program's calls to it keep reaching its last hot body until the program restarts"
                ),
            );
        }
        let summary = if changed.is_empty() {
            "no function changed (0 patched)".to_string()
        } else {
            format!("{} ({} patched)", changed.join(", "), changed.len())
        };
        let total = prepared.load_time + prepared.verify_time + publish_time;
        let migrated_text = if migration.is_empty() {
            String::new()
        } else {
            format!(", migrate {migrate_ms:.3} ms")
        };
        status::log_event(&format!(
            "v{number} applied in {} (load {}, verify {}{migrated_text}, publish {}): {summary}",
            log::ms(total),
            log::ms(prepared.load_time),
            log::ms(prepared.verify_time),
            log::ms(publish_time),
        ));
        if !migration.is_empty() {
            status::log_event(&format!("v{number} migrated: {migration}"));
        }
        status::emit(&Status::Applied {
            version: number,
            functions: updated.len() as u64,
            patched: changed,
            load_ms: millis(prepared.load_time),
            verify_ms: millis(prepared.verify_time),
            publish_ms: millis(publish_time),
            migrate_ms,
            migrated,
            migration,
        });
        state.libraries.push(Loaded {
            number,
            patch: prepared,
        });
        Some((number, state.callbacks.clone()))
    }

    /// A rollback asked for from outside the program: done now, or at the next `hot_check`
    /// when the program uses safe points (code then changes only there).
    pub fn request_rollback(&self) {
        let mut state = self.state.lock();
        // Returning to code of other layouts moves the values back: at a safe point.
        let moves = state.current > 0 && {
            let target = &state.versions[state.current - 1].layouts;
            self.moves_values(&state.data_layouts, target)
        };
        if self.safe_points || moves {
            state.rollback_pending = true;
            if moves && !self.safe_points {
                crate::migration::set_pending(true);
            }
        } else {
            drop(state);
            self.rollback();
        }
    }

    /// Returns to the version published before the current one. Returns its number, or `None`
    /// when there is nothing to go back to.
    pub fn rollback(&self) -> Option<i64> {
        let mut state = self.state.lock();
        // A version whose code faulted is never applied again: rollback steps over it.
        let target = (0..state.current)
            .rev()
            .find(|&i| !state.versions[i].faulted());
        let Some(target) = target else {
            let reason = "already at the host's own code";
            status::log_event(&format!("rollback: {reason}"));
            status::emit(&Status::RollbackRefused {
                reason: reason.to_string(),
            });
            return None;
        };
        let from = state.versions[state.current].number;
        let layouts = state.versions[target].layouts.clone();
        if let Err(e) = self.migrate_to(&mut state, &layouts) {
            let reason = format!("cannot move the program's values back: {e}");
            status::log_event(&format!("rollback refused: {reason}"));
            status::emit(&Status::RollbackRefused { reason });
            return None;
        }
        state.current = target;
        let target = &state.versions[state.current];
        for (slot, ptr) in target.pointers.iter().enumerate() {
            self.table[slot].store(ptr.cast_mut(), Ordering::Release);
        }
        let number = target.number;
        recover::set_current(number);
        share_history(&state);
        status::log_event(&format!("rolled back from v{from} to v{number}"));
        status::emit(&Status::RolledBack { from, to: number });
        let callbacks = state.callbacks.clone();
        drop(state);
        run_callbacks(&callbacks, number);
        Some(number)
    }

    /// Brings the runtime's state in line with what the fault handler did: the table holds the
    /// newest version that has not faulted (`fault.back_to`), which becomes the current one.
    /// The table is stored again whole, in case a publish raced with the handler's stores.
    pub fn after_fault(&self, fault: Recovered) {
        let mut state = self.state.lock();
        // The values' layouts are not touched here: this thread runs while `main` does. The
        // handler has set the pending flag, so `main`'s next call of a hot function reconciles
        // them ([`Runtime::reconcile`]).
        let pointers: Vec<*const c_void> = match self.follow_handler(&mut state) {
            Some(pointers) => pointers,
            None => {
                // Every kept version faulted: back to the host's own code, as the handler did.
                let host = state.host_view.clone();
                let first = Version::new(
                    1,
                    host.pointers.iter().map(|p| *p as *const c_void).collect(),
                    Vec::new(),
                    Vec::new(),
                    Arc::new(self.host.layouts.clone()),
                );
                let pointers = first.pointers.clone();
                let hashes = vec![0; pointers.len()];
                state.versions = vec![Version {
                    hashes,
                    owners: vec![1; pointers.len()],
                    ..first
                }];
                state.current = 0;
                pointers
            }
        };
        for (slot, p) in self.table.iter().zip(&pointers) {
            slot.store(p.cast_mut(), Ordering::Release);
        }
        let number = state.versions[state.current].number;
        recover::set_current(number);
        share_history(&state);
        log::line(
            Level::Debug,
            &format!(
                "v{} faulted; recovered in {:.1} us; the table is at v{number} (the handler chose v{})",
                fault.faulted,
                fault.nanos as f64 / 1000.0,
                fault.back_to
            ),
        );
        let callbacks = state.callbacks.clone();
        drop(state);
        run_callbacks(&callbacks, number);
    }

    pub fn version(&self) -> i64 {
        let state = self.state.lock();
        state.versions[state.current].number
    }

    pub fn on_reload(&self, callback: extern "C" fn(i64)) {
        self.state.lock().callbacks.push(callback);
    }

    /// Forgets the rollback history and unloads every old library no thread is running.
    /// Returns how many were unloaded.
    pub fn cleanup(&self, own_frames: usize) -> usize {
        {
            let mut state = self.state.lock();
            let at = state.current;
            let current = state.versions.swap_remove(at);
            state.versions = vec![current];
            state.current = 0;
            share_history(&state);
        }
        self.reclaim(own_frames, true)
    }

    /// Unloads the libraries no kept version uses and no thread is running, once at least
    /// [`BATCH`] more wait than were busy last time (or any, if `force`). Returns how many
    /// were unloaded.
    fn reclaim(&self, own_frames: usize, force: bool) -> usize {
        let mut state = self.state.lock();
        if state.reclaim_off {
            return 0;
        }
        let used: HashSet<i64> = state
            .versions
            .iter()
            .flat_map(|v| v.owners.iter().copied())
            .collect();
        let candidates: Vec<usize> = (0..state.libraries.len())
            .filter(|&i| {
                let l = &state.libraries[i];
                !l.patch.keep_loaded && !l.patch.pinned() && !used.contains(&l.number)
            })
            .take(reclaim::MAX_RANGES)
            .collect();
        if candidates.is_empty() || (!force && candidates.len() < state.busy + BATCH) {
            return 0;
        }
        let ranges: Vec<(usize, usize)> = candidates
            .iter()
            .map(|&i| state.libraries[i].patch.image)
            .collect();
        let start = Instant::now();
        let busy = match reclaim::in_use(&ranges, own_frames) {
            Ok(busy) => busy,
            Err(e) => {
                if matches!(e, ScanError::NoSignal | ScanError::Unsupported) {
                    state.reclaim_off = true;
                    log::line(
                        Level::Info,
                        &format!("old patch libraries stay loaded: {e}"),
                    );
                } else {
                    log::line(Level::Debug, &format!("old patches not unloaded yet: {e}"));
                }
                return 0;
            }
        };
        let mut unloaded = Vec::new();
        for (bit, &i) in candidates.iter().enumerate().rev() {
            // Read again after the check: code that ran until just before it may have created
            // a closure the program keeps.
            if busy & (1 << bit) == 0 && !state.libraries[i].patch.pinned() {
                let library = state.libraries.remove(i);
                registry::remove_patch(library.patch.image);
                unloaded.push(library.number);
            }
        }
        unloaded.reverse();
        state.busy = candidates.len() - unloaded.len();
        if !unloaded.is_empty() {
            let names: Vec<String> = unloaded.iter().map(|n| format!("v{n}")).collect();
            log::line(
                Level::Debug,
                &format!(
                    "unloaded {} in {}; {} libraries stay loaded",
                    names.join(", "),
                    log::ms(start.elapsed()),
                    state.libraries.len()
                ),
            );
        }
        unloaded.len()
    }
}

/// Reads the host executable's unwind rows, symbols and line tables for the fault handler, and
/// those of the libraries it has loaded; `bodies` are the host's hot function bodies.
fn host_tables(bodies: &[usize]) {
    let inside = bodies
        .first()
        .copied()
        .unwrap_or(host_tables as *const () as usize);
    let map = match std::fs::read("/proc/self/exe") {
        Ok(bytes) => match CodeMap::build(&bytes, inside, 1, Some(bodies)) {
            Ok(map) => Some(map),
            Err(e) => {
                log::line(Level::Debug, &format!("no fault tables for the host: {e}"));
                None
            }
        },
        Err(e) => {
            log::line(
                Level::Debug,
                &format!("cannot read the host executable: {e}"),
            );
            None
        }
    };
    // The C libraries the program calls into, for faults inside them; the handler waits for
    // these as for the host's own tables.
    let start = Instant::now();
    let built = recover::refresh_libraries();
    log::line(
        Level::Debug,
        &format!(
            "fault tables for {built} libraries built in {}",
            log::ms(start.elapsed())
        ),
    );
    registry::set_host(map);
}

/// Gives the fault handler the versions the table may return to: the host's own, then the kept
/// versions up to the current one.
fn share_history(state: &State) {
    let mut views = vec![state.host_view.clone()];
    for v in &state.versions[..=state.current] {
        if !Arc::ptr_eq(&v.view, &state.host_view) {
            views.push(v.view.clone());
        }
    }
    registry::set_history(views);
}

/// A duration in milliseconds, as the status channel carries it.
fn millis(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run_callbacks(callbacks: &[extern "C" fn(i64)], number: i64) {
    crate::reclaim::running_vais(|| {
        for cb in callbacks {
            cb(number);
        }
    });
}
