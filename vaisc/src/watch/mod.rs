//! `vaisc watch`: rebuild on save, run the program, and survive compile errors.
//!
//! The loop builds the host and patch once and starts the program (the host itself, or another
//! command with `--exec`). It then watches the directories of every source file the program
//! loads (watching directories, not files, because editors save by renaming a new file over the
//! old one), coalesces each burst of events with a trailing debounce, and rebuilds only the
//! patch, which the running host applies by itself. The front end's syntax trees and checker
//! are kept between saves (`driver::FrontEnd`), so that only the files that changed are parsed
//! again (`resolve::ParseCache` says when a tree is reused) and, where `typeck::Session`'s rule
//! allows, only the function bodies that changed are checked and hashed again. What the host
//! did with the patch arrives on the status channel (`vais_hot_abi::status`) as an event like
//! any other: the loop never waits for it, so saves, `r` and the program's exit are handled
//! meanwhile, and each rebuild is reported in one line when its outcome arrives (what happened
//! and how long each step took).
//! `events.rs` owns the event sources (file system, signals, the child's status and exit, typed
//! lines); `child.rs` the program being run. A line holding just `r` asks the running host to
//! return to its previous code version (through a request file the runtime watches); every
//! other line is passed on to the program.

mod child;
mod events;

pub use events::{Event, Events, Raw};

use crate::diagnostics::render;
use crate::driver::{
    self, BuildOptions, Checked, DriverError, Emit, FrontEnd, HotBuild, HotReport,
};
use crate::hot::BuildCache;
use child::Child;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vais_hot_abi::status::Status;

/// What to run while watching.
#[derive(Clone, Debug)]
pub enum Run {
    /// Only rebuild.
    Nothing,
    /// The hot host, with these arguments.
    Host(Vec<String>),
    /// Another command with its arguments (the host is still built and kept up to date).
    Exec(String, Vec<String>),
}

#[derive(Clone, Debug)]
pub struct WatchOptions {
    pub entry: PathBuf,
    pub output: PathBuf,
    pub opt_level: u8,
    pub run: Run,
    pub debounce: Duration,
    pub restart_on_incompatible: bool,
    /// The C libraries the host links.
    pub link: driver::LinkOptions,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path}: {message}")]
    Watch { path: PathBuf, message: String },
    #[error("cannot start {command}: {message}")]
    Start { command: String, message: String },
}

/// How long to wait, after a save that does not compile, for the rest of the write to arrive
/// before reporting the errors: editors and tools may write a file in several steps.
const SETTLE: Duration = Duration::from_millis(150);

/// Runs the watch loop until Ctrl-C (or the end of `events` in tests). Returns the exit status
/// vaisc should exit with.
pub fn watch(opts: &WatchOptions, events: Events) -> Result<u8, WatchError> {
    let mut w = Watcher {
        opts,
        events,
        child: None,
        connected: false,
        awaiting: None,
        built: false,
        input: true,
        front: FrontEnd::new(),
        cache: BuildCache::default(),
    };
    if let Some(checked) = w.load() {
        w.build_all(&checked, "built", Instant::now());
        w.front.keep(checked);
    }
    loop {
        let Some(event) = w.events.next(None) else {
            return Ok(0);
        };
        match event {
            Event::Interrupt => {
                if let Some(mut c) = w.child.take() {
                    c.stop();
                }
                stamp("stopped");
                return Ok(130);
            }
            Event::Changed(first) => w.on_change(first),
            Event::ChildExited(pid) => w.on_exit(pid),
            Event::Status { child, status } => w.on_status(child, status),
            Event::Input(line) => w.on_input(line),
        }
    }
}

struct Watcher<'a> {
    opts: &'a WatchOptions,
    events: Events,
    child: Option<Child>,
    /// Whether the running program's runtime has said it is there, on the status channel.
    connected: bool,
    /// The report of the last patch built, until the program says what it did with it.
    awaiting: Option<Rebuilt>,
    /// Whether a host for the current code exists (a first build may have failed).
    built: bool,
    /// Whether watch's standard input is still open.
    input: bool,
    /// The syntax trees and the checker of the last check: a save reparses only the files
    /// that changed, and re-checks only the function bodies that changed where it can.
    front: FrontEnd,
    /// What the last patch's build kept (code hashes, what bodies tell of the layouts): a save
    /// hashes and walks only what it re-checked.
    cache: BuildCache,
}

impl Watcher<'_> {
    fn build_options(&self) -> BuildOptions {
        BuildOptions {
            opt_level: self.opts.opt_level,
            debug_info: false,
            emit: Emit::Executable,
            output: self.opts.output.clone(),
            link: self.opts.link.clone(),
        }
    }

    /// Runs the front end on the program, or reports why it could not.
    fn load(&mut self) -> Option<Checked> {
        match driver::check_file_incremental(&self.opts.entry, &mut self.front) {
            Ok(c) => {
                self.events.watch_sources(&c.sources);
                Some(c)
            }
            Err(e) => {
                stamp(&format!("build failed: {e}"));
                None
            }
        }
    }

    /// Prints the diagnostics; whether the program is free of errors.
    fn accept(&self, checked: &Checked) -> bool {
        for d in &checked.diagnostics {
            eprint!("{}", render(d, &checked.sources));
        }
        let n = checked.error_count();
        if n > 0 {
            let tail = if self.child.is_some() {
                "; the program keeps running the last good code"
            } else {
                ""
            };
            stamp(&format!(
                "build failed ({n} error{}){tail}",
                if n == 1 { "" } else { "s" }
            ));
        }
        n == 0
    }

    /// Builds host and patch and (re)starts the program.
    fn build_all(&mut self, checked: &Checked, what: &str, start: Instant) {
        if !self.accept(checked) {
            return;
        }
        if let Some(mut c) = self.child.take() {
            c.stop();
            self.awaiting = None;
        }
        match driver::build_hot(
            checked,
            &self.opts.entry,
            &self.build_options(),
            HotBuild::Full,
        ) {
            Ok(_) => {
                self.built = true;
                stamp(&format!("{what} in {} ms", start.elapsed().as_millis()));
                self.start_program();
            }
            Err(e) => build_failed(checked, &e),
        }
    }

    fn start_program(&mut self) {
        let (command, args) = match &self.opts.run {
            Run::Nothing => return,
            Run::Host(args) => (self.opts.output.display().to_string(), args.clone()),
            Run::Exec(cmd, args) => (cmd.clone(), args.clone()),
        };
        let patch = absolute(&driver::patch_path(&self.opts.output));
        match Child::start(&command, &args, &patch, self.events.sender(), self.input) {
            Ok(c) => {
                self.child = Some(c);
                self.connected = false;
                self.awaiting = None;
            }
            Err(message) => stamp(&format!("cannot start {command}: {message}")),
        }
    }

    /// A line typed at watch: `r` rolls the running host back, anything else goes to it.
    fn on_input(&mut self, line: Option<String>) {
        if line.as_deref().map(str::trim) == Some("r") {
            if self.child.is_none() {
                stamp("rollback: no program is running");
                return;
            }
            let mut request = driver::patch_path(&self.opts.output).into_os_string();
            request.push(vais_hot_abi::ROLLBACK_REQUEST_SUFFIX);
            match std::fs::write(&request, b"") {
                Ok(()) => stamp("rollback requested"),
                Err(e) => stamp(&format!("rollback: cannot ask the program: {e}")),
            }
            return;
        }
        self.input &= line.is_some();
        if let Some(child) = self.child.as_mut() {
            child.send_input(line.as_deref());
        }
    }

    fn on_exit(&mut self, pid: u32) {
        let Some(child) = self.child.as_mut().filter(|c| c.id() == pid) else {
            return;
        };
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.status() {
                break s;
            }
            if start.elapsed() > Duration::from_secs(2) {
                break "closed its output".to_string();
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        self.child = None;
        if let Some(r) = self.awaiting.take() {
            stamp(&format!(
                "{}), the program ended before loading the patch{}",
                r.timing, r.stale
            ));
        }
        stamp(&format!(
            "the program ended ({status}); save a file to build and start it again"
        ));
        self.built = false;
    }

    fn on_change(&mut self, first: Instant) {
        // Coalesce the burst: wait until the files have been quiet for the debounce time.
        if !self.events.settle(self.opts.debounce) {
            return;
        }
        let detect = first.elapsed();
        let start = Instant::now();
        let Some(checked) = self.load() else {
            return;
        };
        let check = start.elapsed();
        // Possibly a half-written file (a cut can still parse, and then fail to check): give
        // the writer time to finish before reporting.
        if checked.error_count() > 0 && self.events.wait_change(SETTLE) {
            return self.on_change(Instant::now());
        }
        self.rebuild(&checked, [detect, check], start);
        self.front.keep(checked);
    }

    /// Builds the patch for a checked save (or the host, when none runs) and reports it;
    /// `times` are how long the save took to detect and to check.
    fn rebuild(&mut self, checked: &Checked, times: [Duration; 2], start: Instant) {
        if !self.built || (self.child.is_none() && !matches!(self.opts.run, Run::Nothing)) {
            return self.build_all(checked, "built and started", start);
        }
        if !self.accept(checked) {
            return;
        }
        let result = driver::build_hot_cached(
            checked,
            &self.opts.entry,
            &self.build_options(),
            HotBuild::PatchOnly,
            &mut self.cache,
        );
        let compile = start.elapsed();
        match result {
            Ok(report) => self.report_patch(checked, &report, times, compile),
            Err(DriverError::Incompatible(problems)) => {
                let what = problems.join("; ");
                if self.opts.restart_on_incompatible {
                    stamp(&format!(
                        "cannot hot-apply ({what}): rebuilding and restarting"
                    ));
                    self.build_all(checked, "rebuilt and restarted", Instant::now());
                } else {
                    stamp(&format!(
                        "cannot hot-apply: {what}; the program keeps running the old code (restart it, or use --restart-on-incompatible)"
                    ));
                }
            }
            Err(DriverError::NoHost { .. }) => self.build_all(checked, "built", start),
            Err(e) => build_failed(checked, &e),
        }
    }

    fn report_patch(
        &mut self,
        checked: &Checked,
        report: &HotReport,
        [detect, check]: [Duration; 2],
        total: Duration,
    ) {
        let front = total.saturating_sub(report.codegen + report.link);
        let timing = format!(
            "rebuilt in {} ms (detect {} ms, compile {} ms (check {} ms), link {} ms",
            (detect + total).as_millis(),
            detect.as_millis(),
            (front + report.codegen).as_millis(),
            check.as_millis(),
            report.link.as_millis()
        );
        // The migration plan is reported before anything loads; the runtime re-checks it.
        if let Some(plan) = &report.migration {
            stamp(&format!("migration: {plan}"));
        }
        for w in &report.migration_warnings {
            stamp(&format!("warning: {w}"));
        }
        let not_applied = report.not_applied();
        let stale = if not_applied.is_empty() {
            String::new()
        } else {
            format!("; not applied: {}", not_applied.join("; "))
        };
        if !not_applied.is_empty() && self.opts.restart_on_incompatible {
            stamp(&format!("{timing}){stale}: rebuilding and restarting"));
            return self.build_all(checked, "rebuilt and restarted", Instant::now());
        }
        // A program with a runtime reports what it does with the patch; a command that has not
        // said it has one (an `--exec` that is not a hot host, say) never will.
        let reply_expected =
            self.child.is_some() && (self.connected || matches!(self.opts.run, Run::Host(_)));
        if !reply_expected {
            stamp(&format!("{timing}){stale}"));
            return;
        }
        if let Some(old) = self.awaiting.take() {
            stamp(&format!(
                "{}), not loaded by the program before the next save{}",
                old.timing, old.stale
            ));
        }
        self.awaiting = Some(Rebuilt { timing, stale });
    }

    /// What the running program's runtime did, reported with the rebuild it answers when one is
    /// waiting for it.
    fn on_status(&mut self, child: u32, status: Status) {
        if self.child.as_ref().map(Child::id) != Some(child) {
            return;
        }
        let rebuilt = match &status {
            Status::Started { .. } => {
                self.connected = true;
                None
            }
            Status::Applied { .. } | Status::Pending { .. } | Status::Refused { .. } => {
                self.awaiting.take()
            }
            // A fault answers no rebuild: it is reported on its own line when it happens.
            Status::RolledBack { .. } | Status::RollbackRefused { .. } | Status::Faulted(_) => None,
        };
        let outcome = outcome(&status);
        match rebuilt {
            Some(r) => {
                let times = match &status {
                    Status::Applied {
                        load_ms,
                        verify_ms,
                        publish_ms,
                        migrate_ms,
                        migrated,
                        ..
                    } => {
                        let migrate = if *migrated > 0 {
                            format!(", migrate {migrate_ms:.2} ms")
                        } else {
                            String::new()
                        };
                        format!(
                            ", load {load_ms:.2} ms{migrate}, apply {:.2} ms",
                            verify_ms + publish_ms
                        )
                    }
                    Status::Pending {
                        load_ms, verify_ms, ..
                    } => format!(", load {load_ms:.2} ms, verify {verify_ms:.2} ms"),
                    _ => String::new(),
                };
                stamp(&format!("{}{times}), {outcome}{}", r.timing, r.stale));
            }
            None => stamp(&outcome),
        }
    }
}

/// Reports a build that failed after the front end: the diagnostics of a refused hot build,
/// then one event line.
fn build_failed(checked: &Checked, e: &DriverError) {
    if let DriverError::HotRefused { diagnostics, .. } = e {
        for d in diagnostics {
            eprint!("{}", render(d, &checked.sources));
        }
    }
    stamp(&format!("build failed: {e}"));
}

/// A rebuild's report, waiting for the program's answer.
struct Rebuilt {
    /// `rebuilt in N ms (detect ..., compile ..., link ...`, without the closing parenthesis.
    timing: String,
    /// What the patch does not carry, if anything: `; not applied: ...`.
    stale: String,
}

/// What the runtime did, in the words watch reports it.
fn outcome(status: &Status) -> String {
    match status {
        // The game's own pid, which is not watch's child when a wrapper script starts it.
        Status::Started { pid, version } => {
            format!("the program is running (pid {pid}, v{version})")
        }
        Status::Applied {
            version,
            patched,
            migrated,
            ..
        } => {
            let summary = if patched.is_empty() {
                "no function changed (0 patched)".to_string()
            } else {
                format!("{} ({} patched)", patched.join(", "), patched.len())
            };
            let moved = match migrated {
                0 => String::new(),
                1 => ", 1 live value migrated".to_string(),
                n => format!(", {n} live values migrated"),
            };
            format!("v{version} applied: {summary}{moved}")
        }
        Status::Pending { version, .. } => {
            format!("v{version} verified: it waits for the program's next hot_check")
        }
        Status::Refused { version, reason } => format!("v{version} refused: {reason}"),
        Status::RolledBack { from, to } => format!("rolled back from v{from} to v{to}"),
        Status::RollbackRefused { reason } => format!("rollback: {reason}"),
        Status::Faulted(f) => fault_line(f),
    }
}

/// A fault, with where it happened and what the runtime did about it.
fn fault_line(f: &vais_hot_abi::status::Fault) -> String {
    let mut line = format!("v{} faulted: {} ({})", f.version, f.signal, f.reason);
    if !f.c_function.is_empty() {
        if f.c_faulting.is_empty() {
            line.push_str(&format!(" in {}", f.c_function));
        } else {
            line.push_str(&format!(" in {} via {}", f.c_faulting, f.c_function));
        }
        if !f.function.is_empty() {
            line.push_str(&format!(" called from {}", f.function));
        }
    } else if !f.function.is_empty() {
        line.push_str(&format!(" in {}", f.function));
    }
    if f.line > 0 {
        line.push_str(&format!(" at {}:{}", f.file, f.line));
    }
    if f.recovered() {
        if !f.inside.is_empty() && f.inside != f.function {
            line.push_str(&format!(", inside {}", f.inside));
        }
        line.push_str(&format!(
            ": back to v{}, the program continues (v{} is never applied again; save to build a new version)",
            f.back_to, f.version
        ));
    } else {
        line.push_str(": the program ends");
    }
    line
}

/// `path` made absolute against the current directory, so that a program started from another
/// directory (by a wrapper script, say) finds the same file.
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    std::env::current_dir().map_or_else(|_| path.to_path_buf(), |d| d.join(path))
}

/// Prints one event line, prefixed with the local time.
fn stamp(message: &str) {
    eprintln!("{} {message}", clock());
}

/// The local time of day as `HH:MM:SS`.
fn clock() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as libc::time_t)
        .unwrap_or(0);
    // SAFETY: `localtime_r` writes only into the `tm` we pass; a zeroed `tm` is a valid value.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm
    };
    format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
}

/// The default output of `vaisc watch FILE`: `./STEM`.
pub fn default_output(entry: &Path) -> PathBuf {
    PathBuf::from(entry.file_stem().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::fault_line;
    use vais_hot_abi::status::Fault;

    /// A fault inside a C library function reads like the runtime's own line: the C functions
    /// first, then the Vais call.
    #[test]
    fn a_library_fault_names_the_c_functions_and_the_vais_call() {
        let mut fault = Fault {
            version: 2,
            signal: "SIGSEGV".into(),
            reason: "read of address 0x0".into(),
            function: "risky".into(),
            c_function: "puts".into(),
            c_faulting: "strlen".into(),
            file: "game.vais".into(),
            line: 8,
            inside: "step".into(),
            back_to: 1,
        };
        let line = fault_line(&fault);
        assert!(
            line.starts_with("v2 faulted: SIGSEGV (read of address 0x0) in strlen via puts called from risky at game.vais:8, inside step: back to v1"),
            "{line}"
        );
        fault.c_faulting.clear();
        assert!(fault_line(&fault).contains(" in puts called from risky at "));
        fault.c_function.clear();
        assert!(fault_line(&fault).contains(" in risky at game.vais:8"));
    }
}
