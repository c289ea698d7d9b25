//! The runtime state of one hot host: the jump table, the loaded versions, and publishing.
//!
//! Every loaded patch stays mapped until the process exits (or `hot_cleanup` is called), since
//! any thread may still be running its code: a table store only redirects future calls. The
//! version before the current one is what `hot_rollback` returns to. Publishing stores each
//! slot with release ordering after the whole patch has been verified, so a failure at any
//! step leaves the table exactly as it was.

use crate::log::{self, Level};
use crate::patch::{self, HostInfo, Prepared};
use parking_lot::Mutex;
use std::ffi::c_void;
use std::path::PathBuf;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::time::Instant;
use vais_hot_abi::Manifest;

/// One set of bodies that has been published (or the host's own, version 1).
struct Version {
    number: i64,
    /// The library holding the bodies; `None` for the host's own.
    library: Option<Prepared>,
    pointers: Vec<*const c_void>,
    hashes: Vec<u64>,
}

struct State {
    versions: Vec<Version>,
    /// Index in `versions` of the published one.
    current: usize,
    /// A verified patch waiting for the next `hot_check`.
    pending: Option<Prepared>,
    callbacks: Vec<extern "C" fn(i64)>,
    next_number: i64,
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
        Runtime {
            table,
            safe_points: host.flags & vais_hot_abi::FLAG_SAFE_POINTS != 0,
            host: info,
            patch_path,
            serial: AtomicU64::new(0),
            state: Mutex::new(State {
                versions: vec![Version {
                    number: 1,
                    library: None,
                    pointers,
                    hashes,
                }],
                current: 0,
                pending: None,
                callbacks: Vec::new(),
                next_number: 2,
            }),
        }
    }

    /// Loads and verifies the patch file, then publishes it now (or at the next safe point
    /// when the program uses `hot_check`). Refusals are logged and change nothing.
    pub fn offer_patch(&self, from_safe_point: bool) -> Outcome {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let prepared = match patch::load(&self.patch_path, serial, &self.host) {
            Ok(p) => p,
            Err(e) => {
                let next = self.state.lock().next_number;
                log::line(Level::Info, &format!("v{next} refused: {e}"));
                return Outcome::Refused;
            }
        };
        let mut state = self.state.lock();
        if self.safe_points && !from_safe_point {
            state.pending = Some(prepared);
            return Outcome::Pending;
        }
        let (number, callbacks) = self.publish(&mut state, prepared);
        drop(state);
        run_callbacks(&callbacks, number);
        Outcome::Applied(number)
    }

    /// Publishes what is pending, if anything. Returns the new version number.
    pub fn apply_pending(&self) -> Option<i64> {
        let mut state = self.state.lock();
        let pending = state.pending.take()?;
        let (number, callbacks) = self.publish(&mut state, pending);
        drop(state);
        run_callbacks(&callbacks, number);
        Some(number)
    }

    fn publish(&self, state: &mut State, prepared: Prepared) -> (i64, Vec<extern "C" fn(i64)>) {
        let start = Instant::now();
        let current = &state.versions[state.current];
        let mut pointers = current.pointers.clone();
        let mut hashes = current.hashes.clone();
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
            updated.push(slot);
        }
        for &slot in &updated {
            self.table[slot].store(pointers[slot].cast_mut(), Ordering::Release);
        }
        let publish_time = start.elapsed();
        let number = state.next_number;
        state.next_number += 1;
        for name in &prepared.deleted {
            log::line(
                Level::Info,
                &format!(
                    "warning: hot function {name} is gone from the source; it keeps its last body"
                ),
            );
        }
        let summary = if changed.is_empty() {
            "no function changed (0 patched)".to_string()
        } else {
            format!("{} ({} patched)", changed.join(", "), changed.len())
        };
        if let Some(body) = prepared.pointers.iter().flatten().next() {
            crate::crash::record_library(*body, number);
        }
        crate::crash::set_current(number);
        let total = prepared.load_time + prepared.verify_time + publish_time;
        log::line(
            Level::Info,
            &format!(
                "v{number} applied in {} (load {}, verify {}, publish {}): {summary}",
                log::ms(total),
                log::ms(prepared.load_time),
                log::ms(prepared.verify_time),
                log::ms(publish_time),
            ),
        );
        state.versions.push(Version {
            number,
            library: Some(prepared),
            pointers,
            hashes,
        });
        state.current = state.versions.len() - 1;
        (number, state.callbacks.clone())
    }

    /// Returns to the version published before the current one. Returns its number, or `None`
    /// when there is nothing to go back to.
    pub fn rollback(&self) -> Option<i64> {
        let mut state = self.state.lock();
        if state.current == 0 {
            log::line(Level::Info, "rollback: already at the host's own code");
            return None;
        }
        let from = state.versions[state.current].number;
        state.current -= 1;
        let target = &state.versions[state.current];
        for (slot, ptr) in target.pointers.iter().enumerate() {
            self.table[slot].store(ptr.cast_mut(), Ordering::Release);
        }
        let number = target.number;
        crate::crash::set_current(number);
        log::line(
            Level::Info,
            &format!("rolled back from v{from} to v{number}"),
        );
        let callbacks = state.callbacks.clone();
        drop(state);
        run_callbacks(&callbacks, number);
        Some(number)
    }

    pub fn version(&self) -> i64 {
        let state = self.state.lock();
        state.versions[state.current].number
    }

    pub fn on_reload(&self, callback: extern "C" fn(i64)) {
        self.state.lock().callbacks.push(callback);
    }

    /// Unloads every patch library except the published one. Only safe when no thread runs
    /// code of an older version, which the program asserts by calling `hot_cleanup`.
    pub fn cleanup(&self) {
        let mut state = self.state.lock();
        let current = state.current;
        let keep: Vec<Version> = state
            .versions
            .drain(..)
            .enumerate()
            .filter(|(i, v)| *i == current || v.library.is_none())
            .map(|(_, v)| v)
            .collect();
        state.current = keep.len() - 1;
        state.versions = keep;
        state.pending = None;
    }
}

fn run_callbacks(callbacks: &[extern "C" fn(i64)], number: i64) {
    for cb in callbacks {
        cb(number);
    }
}
