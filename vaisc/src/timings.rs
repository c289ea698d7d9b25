//! Phase timings of a compilation, for finding where a build's wall time goes: with
//! `VAIS_TIMINGS=1` in the environment, each phase the driver and the code generator mark
//! (front end, lowering of each unit, object emission, linking, ...) is recorded with its start
//! and length, and the `vaisc` command prints them to standard error when it is done. Phases of
//! parallel units overlap; the start times show how.
//!
//! Without the variable nothing is recorded, and a phase costs one relaxed atomic load.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The environment variable that turns the timings on (`1`).
pub const VAR: &str = "VAIS_TIMINGS";

/// One finished phase.
#[derive(Clone, Debug)]
pub struct Phase {
    pub name: String,
    /// When it started, from the first phase of the process.
    pub start: Duration,
    pub length: Duration,
}

/// 0: not looked at yet; 1: off; 2: on.
static STATE: AtomicU8 = AtomicU8::new(0);
static PHASES: Mutex<Vec<Phase>> = Mutex::new(Vec::new());
static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        0 => {
            let on = std::env::var_os(VAR).is_some_and(|v| v == "1");
            STATE.store(if on { 2 } else { 1 }, Ordering::Relaxed);
            on
        }
        s => s == 2,
    }
}

/// Runs `f` as the phase `name` (built only when timings are on).
pub fn phase<T>(name: impl FnOnce() -> String, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let origin = *ORIGIN.get_or_init(Instant::now);
    let start = Instant::now();
    let out = f();
    let length = start.elapsed();
    let phase = Phase {
        name: name(),
        start: start - origin,
        length,
    };
    PHASES.lock().unwrap_or_else(|e| e.into_inner()).push(phase);
    out
}

/// The phases recorded so far, in the order they started, leaving none recorded.
pub fn take() -> Vec<Phase> {
    let mut phases = std::mem::take(&mut *PHASES.lock().unwrap_or_else(|e| e.into_inner()));
    phases.sort_by_key(|p| p.start);
    phases
}
