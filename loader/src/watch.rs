//! Watching files: the patch library (applied when it changes) and, after `hot_init`, the
//! program's source (rebuilt into a new patch when it changes).
//!
//! Directories are watched rather than files, because editors and compilers replace files by
//! renaming a new one over them, which ends a watch on the old file. The directory's parent is
//! watched too, so that a directory that is removed and created again (a clean build, say) is
//! watched again and its new file picked up. Events are coalesced: after the first relevant
//! event the watcher waits until the file has been quiet for a few milliseconds, so one save (or
//! one compiler run) gives one reload. Only events on the file itself (and the directory coming
//! back) count: a log written beside the patch every millisecond, or anything else happening in
//! the directory or its parent, neither delays a reload nor holds it back for ever.

use crate::log::{self, Level};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the file must be quiet before a burst of its events counts as one change.
const QUIET: Duration = Duration::from_millis(5);

/// Calls `on_change` (on a new thread) each time `file` is created, written or renamed into
/// place. Returns an error message if the directory cannot be watched.
pub fn watch_file(file: &Path, on_change: impl Fn() + Send + 'static) -> Result<(), String> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = dir.canonicalize().unwrap_or(dir);
    let name: OsString = file.file_name().map(OsString::from).unwrap_or_default();
    let (tx, rx) = mpsc::channel::<Event>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<Event>| {
        if let Ok(event) = res {
            let _ = tx.send(event);
        }
    })
    .map_err(|e| e.to_string())?;
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
    if let Some(parent) = dir.parent() {
        // Best effort: without it only a recreated directory goes unnoticed.
        let _ = watcher.watch(parent, RecursiveMode::NonRecursive);
    }
    log::line(Level::Debug, &format!("watching {}", file.display()));
    std::thread::Builder::new()
        .name("vais-hot-watch".into())
        .spawn(move || {
            // This thread runs Vais code only in the reload callbacks (`running_vais`).
            let _runtime = crate::reclaim::runtime_thread();
            let mut watcher: RecommendedWatcher = watcher;
            let touches_file = |e: &Event| {
                matches!(
                    e.kind,
                    EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any
                ) && e
                    .paths
                    .iter()
                    .any(|p| p.parent() == Some(dir.as_path()) && p.file_name() == Some(&name))
            };
            let recreates_dir =
                |e: &Event| matches!(e.kind, EventKind::Create(_)) && e.paths.contains(&dir);
            while let Ok(event) = rx.recv() {
                let mut relevant = touches_file(&event);
                if recreates_dir(&event) {
                    log::line(
                        Level::Debug,
                        &format!("{} is back; watching it again", dir.display()),
                    );
                    let _ = watcher.watch(&dir, RecursiveMode::NonRecursive);
                    relevant |= dir.join(&name).exists();
                }
                if !relevant {
                    continue;
                }
                settle(&rx, QUIET, |e| {
                    if recreates_dir(e) {
                        let _ = watcher.watch(&dir, RecursiveMode::NonRecursive);
                        return true;
                    }
                    touches_file(e)
                });
                on_change();
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Takes events off `rx` until none that `counts` for `quiet` has arrived. The quiet time
/// restarts only at events that count (those on the file): other files' events are taken off
/// the queue and dropped without moving the deadline, so a busy directory cannot hold a change
/// back.
fn settle<E>(rx: &mpsc::Receiver<E>, quiet: Duration, mut counts: impl FnMut(&E) -> bool) {
    let mut deadline = Instant::now() + quiet;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(e) = rx.recv_timeout(left) else {
            break;
        };
        if counts(&e) {
            deadline = Instant::now() + quiet;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    /// Another file's events every 100 µs (for up to ten seconds) do not hold the quiet time
    /// back: it ends while they are still coming.
    #[test]
    fn other_files_events_do_not_restart_the_quiet_time() {
        let (tx, rx) = mpsc::channel::<&'static str>();
        let done = Arc::new(AtomicBool::new(false));
        let busy = {
            let done = done.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                while !done.load(Ordering::Relaxed) && start.elapsed() < Duration::from_secs(10) {
                    if tx.send("game.log").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_micros(100));
                }
                start.elapsed() >= Duration::from_secs(10)
            })
        };
        settle(&rx, Duration::from_millis(50), |e| *e == "libgame.so");
        done.store(true, Ordering::Relaxed);
        assert!(
            !busy.join().expect("busy thread"),
            "the quiet time waited until the other file was quiet"
        );
    }

    /// The file's own events still restart it: a burst of writes is one change.
    #[test]
    fn the_files_own_events_restart_the_quiet_time() {
        let (tx, rx) = mpsc::channel::<&'static str>();
        for _ in 0..3 {
            tx.send("libgame.so").expect("send");
        }
        let mut seen = 0;
        settle(&rx, Duration::from_millis(20), |e| {
            seen += 1;
            *e == "libgame.so"
        });
        assert_eq!(seen, 3);
    }
}
