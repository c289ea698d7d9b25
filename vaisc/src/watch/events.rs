//! Everything `vaisc watch` waits for, merged into one queue: changes to the program's source
//! files, Ctrl-C, the `[hot]` log lines of the running program, and its exit.

use super::WatchError;
use crate::source::SourceMap;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// A raw notification, as the sources send it.
#[derive(Debug)]
pub enum Raw {
    Fs(notify::Event),
    Interrupt,
    /// A `[hot]` line from the running program's stderr.
    HotLog(String),
    /// The stderr of process `pid` closed: it exited.
    Closed(u32),
    /// A line typed at watch's standard input, or `None` at its end.
    Input(Option<String>),
}

/// What the watch loop acts on.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// A source file changed; the instant the first event of the burst arrived.
    Changed(Instant),
    Interrupt,
    /// The stderr of process `pid` closed: the program exited.
    ChildExited(u32),
    /// A `[hot]` line nobody was waiting for.
    HotLog(String),
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
                Raw::HotLog(l) => return Some(Event::HotLog(l)),
                Raw::Closed(pid) => return Some(Event::ChildExited(pid)),
                Raw::Input(line) => return Some(Event::Input(line)),
            }
        }
    }

    /// Waits until no relevant file event has arrived for `quiet`. Other notifications are
    /// kept for later. Returns false if Ctrl-C came in meanwhile (it is kept too).
    pub fn settle(&mut self, quiet: Duration) -> bool {
        let mut kept = Vec::new();
        let mut interrupted = false;
        loop {
            match self.rx.recv_timeout(quiet) {
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

    /// The running program's next `[hot]` line saying a patch was applied or refused, waiting
    /// at most `max`. Other notifications are kept for later.
    pub fn host_reply(&mut self, max: Duration) -> Option<String> {
        let deadline = Instant::now() + max;
        let mut kept = Vec::new();
        let mut reply = None;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(Raw::HotLog(l)) if l.contains(" applied ") || l.contains(" refused: ") => {
                    reply = Some(l);
                    break;
                }
                Ok(Raw::HotLog(l)) => eprintln!("{l}"),
                Ok(Raw::Fs(e)) if !self.relevant(&e) => {}
                Ok(other) => kept.push(other),
                Err(_) => break,
            }
        }
        self.backlog.extend(kept);
        reply
    }
}

/// The parts of a runtime log line `[hot] v3 applied in 0.36 ms (load 0.35 ms, verify 0.01 ms,
/// publish 0.00 ms): update (1 patched)` that watch reports.
#[derive(Debug, PartialEq)]
pub struct HotLine {
    pub load: String,
    pub apply: String,
    /// `v3 applied: update (1 patched)` or `v3 refused: ...`.
    pub outcome: String,
}

pub fn parse_hot_line(line: &str) -> Option<HotLine> {
    let rest = line.strip_prefix("[hot] ")?;
    if let Some((version, why)) = rest.split_once(" refused: ") {
        return Some(HotLine {
            load: "-".into(),
            apply: "-".into(),
            outcome: format!("{version} refused: {why}"),
        });
    }
    let (version, rest) = rest.split_once(" applied in ")?;
    let (times, summary) = rest.split_once("): ")?;
    let number_after = |key: &str| -> Option<f64> {
        let at = times.find(key)? + key.len();
        times[at..].split_whitespace().next()?.parse().ok()
    };
    let load = number_after("load ")?;
    let apply = number_after("verify ")? + number_after("publish ")?;
    Some(HotLine {
        load: format!("{load:.2}"),
        apply: format!("{apply:.2}"),
        outcome: format!("{version} applied: {summary}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_log_lines_are_understood() {
        let line = "[hot] v3 applied in 0.36 ms (load 0.35 ms, verify 0.01 ms, publish 0.00 ms): game_update (1 patched)";
        assert_eq!(
            parse_hot_line(line),
            Some(HotLine {
                load: "0.35".into(),
                apply: "0.01".into(),
                outcome: "v3 applied: game_update (1 patched)".into(),
            })
        );
        let refused = parse_hot_line("[hot] v4 refused: f: signature changed from () to (i64)");
        assert_eq!(
            refused.map(|h| h.outcome),
            Some("v4 refused: f: signature changed from () to (i64)".to_string())
        );
        assert_eq!(parse_hot_line("hello"), None);
    }
}
