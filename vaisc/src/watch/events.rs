//! Everything `vaisc watch` waits for, merged into one queue: changes to the program's source
//! files, Ctrl-C (and SIGTERM, SIGHUP), what the running program's runtime reports on the status
//! channel, its exit, and lines typed at watch.
//!
//! Only events on the program's own source files count as changes: other files in the same
//! directories (the game's log, watch's own output redirected there, the patch being written)
//! are dropped without restarting the debounce, so a busy folder never holds a save back.

use super::WatchError;
use crate::source::SourceMap;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use vais_hot_abi::status::Status;

/// A raw notification, as the sources send it.
#[derive(Debug)]
pub enum Raw {
    Fs(notify::Event),
    Interrupt,
    /// A status line from the runtime of the program watch started as process `child`.
    Status {
        child: u32,
        status: Status,
    },
    /// The stderr of process `pid` closed: it exited.
    Closed(u32),
    /// A line typed at watch's standard input, or `None` at its end.
    Input(Option<String>),
}

/// What the watch loop acts on.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// A source file changed; the instant the first event of the burst arrived.
    Changed(Instant),
    Interrupt,
    /// The stderr of process `pid` closed: the program exited.
    ChildExited(u32),
    /// What the runtime of the program started as process `child` did.
    Status {
        child: u32,
        status: Status,
    },
    /// A line typed at watch's standard input, or `None` at its end.
    Input(Option<String>),
}

pub struct Events {
    tx: Sender<Raw>,
    rx: Receiver<Raw>,
    watcher: RecommendedWatcher,
    dirs: BTreeSet<PathBuf>,
    /// The source files, canonical.
    files: BTreeSet<PathBuf>,
    /// Notifications taken out of order, handled before new ones.
    backlog: VecDeque<Raw>,
}

impl Events {
    pub fn new() -> Result<Events, WatchError> {
        let (tx, rx) = channel();
        let fs_tx = tx.clone();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(e) = res {
                let _ = fs_tx.send(Raw::Fs(e));
            }
        })
        .map_err(|e| WatchError::Watch {
            path: PathBuf::from("."),
            message: e.to_string(),
        })?;
        Ok(Events {
            tx,
            rx,
            watcher,
            dirs: BTreeSet::new(),
            files: BTreeSet::new(),
            backlog: VecDeque::new(),
        })
    }

    pub fn sender(&self) -> Sender<Raw> {
        self.tx.clone()
    }

    /// Watches the directory of every source file of the program (imports may have changed).
    pub fn watch_sources(&mut self, sources: &SourceMap) {
        for (_, f) in sources.files() {
            let Ok(path) = f.path.canonicalize() else {
                continue;
            };
            let Some(dir) = path.parent().map(Path::to_path_buf) else {
                continue;
            };
            if self.dirs.insert(dir.clone()) {
                if let Err(e) = self.watcher.watch(&dir, RecursiveMode::NonRecursive) {
                    eprintln!("warning: cannot watch {}: {e}", dir.display());
                }
            }
            self.files.insert(path);
        }
    }

    fn relevant(&self, e: &notify::Event) -> bool {
        matches!(
            e.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any
        ) && e.paths.iter().any(|p| self.files.contains(p))
    }

    fn recv(&mut self, timeout: Option<Duration>) -> Result<Raw, RecvTimeoutError> {
        if let Some(r) = self.backlog.pop_front() {
            return Ok(r);
        }
        match timeout {
            Some(t) => self.rx.recv_timeout(t),
            None => self.rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        }
    }

    /// The next event; `None` when every source has gone away or the timeout passed.
    pub fn next(&mut self, timeout: Option<Duration>) -> Option<Event> {
        loop {
            match self.recv(timeout).ok()? {
                Raw::Fs(e) if self.relevant(&e) => return Some(Event::Changed(Instant::now())),
                Raw::Fs(_) => {}
                Raw::Interrupt => return Some(Event::Interrupt),
                Raw::Status { child, status } => return Some(Event::Status { child, status }),
                Raw::Closed(pid) => return Some(Event::ChildExited(pid)),
                Raw::Input(line) => return Some(Event::Input(line)),
            }
        }
    }

    /// Waits until no relevant file event has arrived for `quiet`: the wait restarts at each
    /// event on a source file, and events on other files are dropped without moving it. Other
    /// notifications are kept for later. Returns false if Ctrl-C came in meanwhile (it is kept
    /// too).
    pub fn settle(&mut self, quiet: Duration) -> bool {
        let mut kept = Vec::new();
        let mut interrupted = false;
        let mut deadline = Instant::now() + quiet;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(Raw::Fs(e)) if self.relevant(&e) => deadline = Instant::now() + quiet,
                Ok(Raw::Fs(_)) => {}
                Ok(Raw::Interrupt) => {
                    interrupted = true;
                    kept.push(Raw::Interrupt);
                    break;
                }
                Ok(other) => kept.push(other),
                Err(_) => break,
            }
        }
        self.backlog.extend(kept);
        !interrupted
    }

    /// Whether a relevant file event arrives within `max`.
    pub fn wait_change(&mut self, max: Duration) -> bool {
        let deadline = Instant::now() + max;
        let mut kept = Vec::new();
        let mut changed = false;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(Raw::Fs(e)) if self.relevant(&e) => {
                    changed = true;
                    break;
                }
                Ok(Raw::Fs(_)) => {}
                Ok(other) => kept.push(other),
                Err(_) => break,
            }
        }
        self.backlog.extend(kept);
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, ModifyKind};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    fn modified(path: &Path) -> Raw {
        Raw::Fs(
            notify::Event::new(EventKind::Modify(ModifyKind::Data(DataChange::Any)))
                .add_path(path.to_path_buf()),
        )
    }

    /// A folder that is never quiet (another file in it changes every 100 µs for up to ten
    /// seconds) does not hold the debounce back: it ends while the other file is still busy.
    #[test]
    fn other_files_events_do_not_restart_the_debounce() {
        let mut events = Events::new().expect("events");
        let source = PathBuf::from("/project/game.vais");
        events.files.insert(source.clone());
        let tx = events.sender();
        let done = Arc::new(AtomicBool::new(false));
        let busy = {
            let done = done.clone();
            std::thread::spawn(move || {
                let log = PathBuf::from("/project/game.log");
                let start = Instant::now();
                while !done.load(Ordering::Relaxed) && start.elapsed() < Duration::from_secs(10) {
                    if tx.send(modified(&log)).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_micros(100));
                }
                start.elapsed() >= Duration::from_secs(10)
            })
        };
        events.sender().send(modified(&source)).expect("send");
        assert!(events
            .next(None)
            .is_some_and(|e| matches!(e, Event::Changed(_))));
        assert!(events.settle(Duration::from_millis(50)));
        done.store(true, Ordering::Relaxed);
        assert!(
            !busy.join().expect("busy thread"),
            "the debounce waited until the other file was quiet"
        );
        // Events on the source itself still restart it, and are what `wait_change` reports.
        events.sender().send(modified(&source)).expect("send");
        assert!(events.wait_change(Duration::from_secs(10)));
    }
}
