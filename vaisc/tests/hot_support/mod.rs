//! Helpers for end-to-end hot-reload tests: a scratch project with a Vais source, hot builds
//! through the real `vaisc`, and a running host whose output is collected line by line while
//! the test edits the source and rebuilds the patch; and the steps many of those tests take
//! alike (a patch that must build or be refused, a host started and running, a patch smuggled
//! past the compiler, a reload or fault waited for, a run of reloads, a check at two levels).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for something a running host should print.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Project {
    pub dir: PathBuf,
    pub src: PathBuf,
    pub exe: PathBuf,
}

impl Project {
    /// A fresh directory holding `game.vais` with `source`.
    pub fn new(name: &str, source: &str) -> Project {
        let dir = std::env::temp_dir().join(format!("vaisc-hot-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create project dir");
        let src = dir.join("game.vais");
        std::fs::write(&src, source).expect("write source");
        let exe = dir.join("game");
        Project { dir, src, exe }
    }

    /// `vaisc ARGS`, run in the project directory.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_vaisc"));
        command.args(args).current_dir(&self.dir);
        command
    }

    pub fn vaisc(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run vaisc")
    }

    /// `vaisc build --hot game.vais -o game`, which must succeed.
    pub fn build(&self) {
        let out = self.vaisc(&["build", "--hot", "game.vais", "-o", "game"]);
        assert!(
            out.status.success(),
            "hot build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `vaisc build --hot OPT game.vais -o game`, OPT being an optimisation level such as
    /// `-O2`, which must succeed.
    pub fn build_at(&self, opt: &str) {
        succeeded(&self.vaisc(&["build", "--hot", opt, "game.vais", "-o", "game"]));
    }

    /// Rebuilds the patch at the optimisation level `opt` (as [`Project::build_at`]), which
    /// must succeed.
    pub fn patch_at(&self, opt: &str) {
        succeeded(&self.vaisc(&[
            "build",
            "--hot",
            "--patch-only",
            opt,
            "game.vais",
            "-o",
            "game",
        ]));
    }

    /// `vaisc build --hot --patch-only game.vais -o game`, not yet run.
    pub fn patch_command(&self) -> Command {
        self.command(&["build", "--hot", "--patch-only", "game.vais", "-o", "game"])
    }

    /// Rebuilds the patch.
    pub fn patch(&self) -> Output {
        self.patch_command().output().expect("run vaisc")
    }

    /// Like [`Project::patch`], but writes the patch to `out` (through `VAIS_HOT_PATCH_OUT`),
    /// where the running host does not see it.
    pub fn patch_aside(&self, out: &Path) -> Output {
        self.patch_command()
            .env("VAIS_HOT_PATCH_OUT", out)
            .output()
            .expect("run vaisc")
    }

    /// Replaces `from` by `to` in the source (which must contain it).
    pub fn edit(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.src).expect("read source");
        assert!(text.contains(from), "source does not contain {from:?}");
        std::fs::write(&self.src, text.replacen(from, to, 1)).expect("write source");
    }

    /// Installs `bytes` as the patch the way the compiler does (written aside, renamed into
    /// place), and waits for the host to report version `version` applied.
    pub fn install_patch(&self, host: &Host, bytes: &[u8], version: usize) {
        let tmp = self.dir.join("next.tmp");
        std::fs::write(&tmp, bytes).expect("write patch");
        std::fs::rename(&tmp, self.patch_path()).expect("install patch");
        host.wait_applied(version);
    }

    pub fn patch_path(&self) -> PathBuf {
        self.dir.join("libgame.so")
    }

    pub fn start(&self) -> Host {
        Host::start(&self.exe, &self.dir)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A running host with its output collected.
pub struct Host {
    child: Child,
    pub stdout: Arc<Mutex<Vec<String>>>,
    pub stderr: Arc<Mutex<Vec<String>>>,
}

fn collect(stream: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            sink.lock().expect("lines").push(line);
        }
    });
    lines
}

impl Host {
    pub fn start(exe: &Path, dir: &Path) -> Host {
        Host::spawn(
            Command::new(exe)
                .current_dir(dir)
                .env("VAIS_HOT_LOG", "info"),
        )
    }

    /// Starts any command with its output collected.
    pub fn spawn(command: &mut Command) -> Host {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start process");
        let stdout = collect(child.stdout.take().expect("stdout"));
        let stderr = collect(child.stderr.take().expect("stderr"));
        Host {
            child,
            stdout,
            stderr,
        }
    }

    /// Writes a line to the process's input (started with a piped stdin).
    pub fn type_line(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self
            .child
            .stdin
            .as_mut()
            .expect("started with a piped stdin");
        writeln!(stdin, "{line}").expect("write input");
        stdin.flush().expect("flush input");
    }

    /// Waits until some stdout line satisfies `pred`; returns it.
    pub fn wait_stdout(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        wait(&self.stdout, what, &pred, self)
    }

    /// Waits until at least `n` stdout lines satisfy `pred`; returns them.
    pub fn wait_count(&self, what: &str, n: usize, pred: impl Fn(&str) -> bool) -> Vec<String> {
        count(&self.stdout, what, n, &pred, self)
    }

    /// Waits until at least `n` stderr lines satisfy `pred`; returns them.
    pub fn wait_stderr_count(
        &self,
        what: &str,
        n: usize,
        pred: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        count(&self.stderr, what, n, &pred, self)
    }

    /// Waits until the host reports version `version` applied.
    pub fn wait_applied(&self, version: usize) {
        let want = format!("v{version} applied");
        self.wait_stderr(&format!("v{version}"), |l| l.contains(&want));
    }

    /// Waits for the report of a fault in version `version`, checks that it names every one of
    /// `parts` and that the table went back to version `back_to`; returns the report.
    pub fn wait_fault(&self, version: usize, parts: &[&str], back_to: usize) -> String {
        let faulted = format!("v{version} faulted");
        let line = self.wait_stderr(&faulted, |l| l.contains(&faulted));
        for part in parts {
            assert!(line.contains(part), "{part:?} not in {line}");
        }
        let back = format!("back to v{back_to}, the program continues");
        assert!(line.ends_with(&back), "{line}");
        line
    }

    /// Waits until some stderr line satisfies `pred`; returns it.
    pub fn wait_stderr(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        wait(&self.stderr, what, &pred, self)
    }

    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout.lock().expect("lines").clone()
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().expect("lines").join("\n")
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// How many patch libraries the process has mapped now.
    pub fn patch_libraries(&self) -> usize {
        vais_loader::mapped_patch_libraries(self.id())
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the process to exit by itself; returns its exit code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

fn count(
    lines: &Arc<Mutex<Vec<String>>>,
    what: &str,
    n: usize,
    pred: &dyn Fn(&str) -> bool,
    host: &Host,
) -> Vec<String> {
    let start = Instant::now();
    loop {
        let found: Vec<String> = lines
            .lock()
            .expect("lines")
            .iter()
            .filter(|l| pred(l))
            .cloned()
            .collect();
        if found.len() >= n {
            return found;
        }
        if start.elapsed() > PATIENCE {
            panic!(
                "timed out waiting for {what}\nstderr:\n{}",
                host.stderr_text()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn wait(
    lines: &Arc<Mutex<Vec<String>>>,
    what: &str,
    pred: &dyn Fn(&str) -> bool,
    host: &Host,
) -> String {
    let start = Instant::now();
    loop {
        if let Some(l) = lines.lock().expect("lines").iter().find(|l| pred(l)) {
            return l.clone();
        }
        if start.elapsed() > PATIENCE {
            panic!(
                "timed out waiting for {what}\nstdout (last 20):\n{}\nstderr:\n{}",
                host.stdout_lines()
                    .iter()
                    .rev()
                    .take(20)
                    .rev()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n"),
                host.stderr_text()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The number after `key=` in a line such as `v1 frame=12 total=12`.
pub fn field(line: &str, key: &str) -> i64 {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in {line:?}"))
}

/// Checks that a run of `vaisc` succeeded, showing what it said if not.
fn succeeded(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies a patch built elsewhere (a full hot build of the same source file, say after an edit
/// the compiler refuses as a patch) over the one the host watches, as a stale or hand-made
/// patch would arrive: the runtime must check it by itself.
pub fn smuggle_patch(p: &Project) {
    let other = p.dir.join("other");
    std::fs::create_dir_all(&other).expect("dir");
    succeeded(&p.vaisc(&["build", "--hot", "game.vais", "-o", "other/game"]));
    let tmp = p.dir.join("incoming.so");
    std::fs::copy(other.join("libgame.so"), &tmp).expect("copy patch");
    std::fs::rename(&tmp, p.patch_path()).expect("move patch into place");
}

/// Rebuilds the patch, which must succeed; returns what the compiler said.
pub fn patch_ok(p: &Project) -> String {
    let out = p.patch();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "patch build failed:\n{err}");
    err
}

/// Rebuilds the patch, which the compiler must refuse (exit code 1); returns why.
pub fn patch_refused(p: &Project) -> String {
    let out = p.patch();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

/// A project with `source`, hot built and started, once some stdout line satisfies `pred`
/// (`what` it waits for names it if none does in time).
pub fn running(
    name: &str,
    source: &str,
    what: &str,
    pred: impl Fn(&str) -> bool,
) -> (Project, Host) {
    running_at(name, source, "-O0", what, pred)
}

/// Like [`running`], with the host built at the optimisation level `opt`.
pub fn running_at(
    name: &str,
    source: &str,
    opt: &str,
    what: &str,
    pred: impl Fn(&str) -> bool,
) -> (Project, Host) {
    let p = Project::new(name, source);
    p.build_at(opt);
    let host = p.start();
    host.wait_stdout(what, pred);
    (p, host)
}

/// Builds the project and its patch as the source stands, then lets `edit` change the source
/// and builds the patch again; returns both patches' bytes and removes the patch file, so that
/// the host starts without one and the test installs each version itself.
pub fn two_patches(p: &Project, edit: impl FnOnce()) -> (Vec<u8>, Vec<u8>) {
    p.build();
    let first = patch_bytes(p);
    edit();
    let later = patch_bytes(p);
    std::fs::remove_file(p.patch_path()).expect("remove patch");
    (first, later)
}

/// Rebuilds the patch, which must succeed, and returns its bytes.
fn patch_bytes(p: &Project) -> Vec<u8> {
    patch_ok(p);
    std::fs::read(p.patch_path()).expect("patch")
}

/// Starts the host (which prints `started`), installs `first` as v2, waits for the line
/// `after_v2` the program prints once v2 ran, and installs `later` as v3 to v32; at v30 the
/// number of patch libraries mapped must be in `mapped` (what the program keeps from v2 may
/// hold v2, the rest were unloaded as they went). Returns the host once it exited with 0.
pub fn thirty_one_reloads(
    p: &Project,
    (first, later): (&[u8], &[u8]),
    after_v2: &str,
    mapped: std::ops::RangeInclusive<usize>,
) -> Host {
    let mut host = p.start();
    host.wait_stdout("start", |l| l == "started");
    for version in 2..=32 {
        let patch = if version == 2 { first } else { later };
        p.install_patch(&host, patch, version);
        if version == 2 {
            host.wait_stdout(after_v2, |l| l == after_v2);
        }
        if version == 30 {
            let now = host.patch_libraries();
            assert!(mapped.contains(&now), "{now} patch libraries mapped");
        }
    }
    assert_eq!(host.wait_exit(), Some(0), "{}", host.stderr_text());
    host
}

/// Two tests, `$o0` and `$o2`, that run the check `$check` on a build at `-O0` and at `-O2`:
/// a hot build must behave the same at both levels, and each level fails on its own.
#[allow(unused_macros)]
macro_rules! at_o0_and_o2 {
    ($check:ident: $o0:ident, $o2:ident) => {
        #[test]
        fn $o0() {
            $check("-O0");
        }

        #[test]
        fn $o2() {
            $check("-O2");
        }
    };
}

/// The patch just built for `p` must be the same bytes as the one built without the record of
/// its host's check (every function hashed): reusing the host's hashes changes nothing.
pub fn same_patch_without_record(p: &Project, what: &str) {
    let record = p.dir.join("game.vais-check");
    let kept = p.dir.join("kept.vais-check");
    std::fs::rename(&record, &kept).expect("move the record aside");
    let aside = p.dir.join("aside");
    std::fs::create_dir_all(&aside).expect("create dir");
    let out = aside.join("libgame.so");
    let built = p.patch_aside(&out);
    std::fs::rename(&kept, &record).expect("put the record back");
    assert!(
        built.status.success(),
        "{what}: patch build failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let (a, b) = (std::fs::read(&out), std::fs::read(p.patch_path()));
    assert!(
        a.expect("read") == b.expect("read"),
        "{what}: the patch differs without the host's check record"
    );
}
