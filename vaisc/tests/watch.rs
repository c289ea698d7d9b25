//! `vaisc watch` end to end: the real command runs a real program while the test saves the
//! source the ways editors do, breaks and fixes it, edits an imported module, makes changes no
//! reload can carry, types `r` to roll back, and finally presses Ctrl-C.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{field, Host, Project};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const GAME: &str = r#"U bonus
X F fflush(f: *u8) -> i32
S State { frame: i64 }
#[hot]
F tick(s: *State) {
    s.frame += 1
    printf("v1 frame=%ld bonus=%ld\n", s.frame, bonus())
    fflush(0)
}
F main() -> i64 {
    s := mut State { frame: 0 }
    L s.frame < 100000000 {
        tick(&s)
        usleep(2000)
    }
    0
}
"#;

const BONUS: &str = "F bonus() -> i64 = 1\n";

fn project(name: &str) -> Project {
    let p = Project::new(name, GAME);
    std::fs::write(p.dir.join("bonus.vais"), BONUS).expect("write module");
    p
}

fn watch(p: &Project, extra: &[&str]) -> Host {
    let host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--run"])
            .args(extra)
            .current_dir(&p.dir),
    );
    host.wait_stdout("the program running", |l| l.starts_with("v1"));
    host
}

/// Replaces the version marker in the source the way `how` says an editor saves.
fn save(p: &Project, from: &str, to: &str, how: &str) {
    let text = std::fs::read_to_string(&p.src)
        .expect("read")
        .replacen(from, to, 1);
    match how {
        "in place" => std::fs::write(&p.src, text).expect("write"),
        "rename" => {
            let tmp = p.dir.join(".game.vais.swp");
            std::fs::write(&tmp, text).expect("write temp");
            std::fs::rename(&tmp, &p.src).expect("rename");
        }
        "recreate" => {
            std::fs::remove_file(&p.src).expect("delete");
            std::thread::sleep(Duration::from_millis(2));
            std::fs::write(&p.src, text).expect("recreate");
        }
        _ => unreachable!("unknown save style"),
    }
}

#[test]
fn saves_of_every_kind_are_applied() {
    let p = project("saves");
    let host = watch(&p, &[]);
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stdout("in-place save", |l| l.starts_with("v2"));
    save(&p, "v2 frame", "v3 frame", "rename");
    host.wait_stdout("rename save", |l| l.starts_with("v3"));
    save(&p, "v3 frame", "v4 frame", "recreate");
    host.wait_stdout("delete and recreate", |l| l.starts_with("v4"));
    let rebuilds = |h: &Host| h.stderr_text().matches(" rebuilt in ").count();
    // Watch reports a rebuild once the program has applied it, so the report of the last one
    // can come after the program's output.
    host.wait_stderr_count("the reports of three rebuilds", 3, |l| {
        l.contains(" rebuilt in ")
    });
    let before = rebuilds(&host);
    for v in 5..=9 {
        save(
            &p,
            &format!("v{} frame", v - 1),
            &format!("v{v} frame"),
            "in place",
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    host.wait_stdout("the last of a burst", |l| l.starts_with("v9"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        rebuilds(&host) - before <= 2,
        "a burst of saves should be one or two rebuilds:\n{}",
        host.stderr_text()
    );
    // Every rebuild is reported on one line with its timing and what the program did. Under
    // load an editor's save can reach watch as two changes, and the first rebuild is then
    // reported as not loaded before the next: the line looked at is one the program applied.
    let line = host.wait_stderr("a report line", |l| {
        l.contains(" rebuilt in ") && l.contains(" applied: tick")
    });
    assert!(line.contains("ms (detect "), "{line}");
    assert!(line.contains("applied: tick (1 patched)"), "{line}");
}

#[test]
fn compile_errors_are_shown_and_the_program_keeps_running() {
    let p = project("errors");
    let mut host = watch(&p, &[]);
    save(&p, "s.frame += 1", "s.frame += oops", "in place");
    host.wait_stderr("the diagnostic", |l| l.contains("unknown variable `oops`"));
    host.wait_stderr("the summary", |l| {
        l.contains("build failed (1 error); the program keeps running the last good code")
    });
    let seen = host.stdout_lines().len() as i64;
    host.wait_stdout("more old frames", |l| field(l, "frame") > seen + 5);
    assert!(host.alive());
    save(&p, "s.frame += oops", "s.frame += 1", "in place");
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stdout("the fix applied", |l| l.starts_with("v2"));
}

#[test]
fn edits_to_imported_modules_apply() {
    let p = project("imports");
    let host = watch(&p, &[]);
    std::fs::write(p.dir.join("bonus.vais"), "F bonus() -> i64 = 5\n").expect("write module");
    host.wait_stdout("the module edit", |l| l.contains("bonus=5"));
}

#[test]
fn incompatible_changes_are_reported_or_restart_the_program() {
    let p = project("incompatible");
    let host = watch(&p, &[]);
    save(
        &p,
        "S State { frame: i64 }",
        "S State { frame: i64, hp: [i64; 100] }",
        "in place",
    );
    save(
        &p,
        "State { frame: 0 }",
        "State { frame: 0, hp: [3; 100] }",
        "in place",
    );
    host.wait_stderr("the report", |l| {
        l.contains("cannot hot-apply: `s` of `main`: needs 808 bytes after the change")
    });
    drop(host);

    let p = project("restart");
    let host = watch(&p, &["--restart-on-incompatible"]);
    host.wait_stdout("some frames", |l| field(l, "frame") >= 5);
    save(
        &p,
        "S State { frame: i64 }",
        "S State { frame: i64, hp: [i64; 100] }",
        "in place",
    );
    save(
        &p,
        "State { frame: 0 }",
        "State { frame: 0, hp: [3; 100] }",
        "in place",
    );
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stderr("the restart", |l| l.contains("rebuilt and restarted"));
    host.wait_stdout("the new program from its first frame", |l| {
        l == "v2 frame=1 bonus=1"
    });
}

#[test]
fn a_layout_change_is_migrated_and_its_plan_and_time_reported() {
    let p = project("migrate");
    let host = watch(&p, &[]);
    save(
        &p,
        "S State { frame: i64 }",
        "S State { hp: i64, frame: i64 }",
        "in place",
    );
    save(
        &p,
        "State { frame: 0 }",
        "State { hp: 0, frame: 0 }",
        "in place",
    );
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stderr("the plan", |l| {
        l.contains("migration: State: + hp = 0, frame moved 0 -> 8; 1 live value")
    });
    let line = host.wait_stderr("the reload", |l| l.contains("1 live value migrated"));
    assert!(line.contains(", migrate "), "{line}");
    // `main` counts on from where it was: it reads `frame` at its new place.
    let before = host
        .stdout_lines()
        .iter()
        .filter(|l| l.starts_with("v1"))
        .map(|l| field(l, "frame"))
        .max()
        .unwrap_or(0);
    let first = host.wait_stdout("the new code", |l| l.starts_with("v2"));
    assert!(field(&first, "frame") > before, "{first}");
}

#[test]
fn main_only_changes_are_reported() {
    let p = project("mainonly");
    let host = watch(&p, &[]);
    save(&p, "usleep(2000)", "usleep(2001)", "in place");
    host.wait_stderr("the report", |l| {
        l.contains("not applied: `main` changed, but only `main` runs it")
    });
}

#[test]
fn ctrl_c_stops_watch_and_the_program_and_leaves_no_temporary_files() {
    let p = project("ctrlc");
    let mut host = watch(&p, &[]);
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stdout("a reload", |l| l.starts_with("v2"));
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(host.id() as libc::pid_t, libc::SIGINT);
    }
    assert_eq!(host.wait_exit(), Some(130));
    let game = p.exe.canonicalize().expect("game");
    let stray = std::fs::read_dir("/proc")
        .expect("proc")
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_link(e.path().join("exe")).ok())
        .any(|exe| exe == game);
    assert!(!stray, "the program is still running");
    let mut files: Vec<String> = std::fs::read_dir(&p.dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "bonus.vais",
            "game",
            "game.vais",
            "game.vais-hot",
            "libgame.so"
        ]
    );
}

#[test]
fn packages_build_and_watch_from_vais_toml() {
    let p = project("pkg");
    let src = p.dir.join("src");
    std::fs::create_dir_all(&src).expect("src dir");
    std::fs::rename(&p.src, src.join("main.vais")).expect("move entry");
    std::fs::rename(p.dir.join("bonus.vais"), src.join("bonus.vais")).expect("move module");
    std::fs::write(
        p.dir.join("vais.toml"),
        "[package]\nname = \"arcade\"\nentry = \"src/main.vais\"\n",
    )
    .expect("manifest");
    let out = p.vaisc(&["pkg", "build", "--hot"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(p.dir.join("arcade").exists() && p.dir.join("libarcade.so").exists());

    let host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["pkg", "watch", "--run"])
            .current_dir(&p.dir),
    );
    host.wait_stdout("the package running", |l| l.starts_with("v1"));
    let main = src.join("main.vais");
    let text = std::fs::read_to_string(&main).expect("read");
    std::fs::write(&main, text.replace("v1 frame", "v2 frame")).expect("write");
    host.wait_stdout("the package reloaded", |l| l.starts_with("v2"));

    std::fs::write(p.dir.join("vais.toml"), "name = arcade\n").expect("manifest");
    let out = p.vaisc(&["pkg", "build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("vais.toml:1: expected a quoted string value"));
}

#[test]
fn exec_runs_another_command_with_its_own_debounce() {
    let p = project("exec");
    let host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--exec", "./game", "--debounce", "30"])
            .current_dir(&p.dir),
    );
    host.wait_stdout("the command running", |l| l.starts_with("v1"));
    save(&p, "v1 frame", "v2 frame", "rename");
    host.wait_stdout("the reload", |l| l.starts_with("v2"));
    let line = host.wait_stderr("the report", |l| l.contains(" rebuilt in "));
    // The detect time includes the 30 ms of quiet the debounce waits for.
    let detect: u64 = line
        .split("(detect ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("detect time");
    assert!(detect >= 30, "{line}");
}

#[test]
fn a_half_written_file_is_not_reported_and_rebuild_only_mode_works() {
    let p = project("halfwritten");
    let host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais"])
            .current_dir(&p.dir),
    );
    host.wait_stderr("the first build", |l| l.contains(" built in "));
    let full = std::fs::read_to_string(&p.src)
        .expect("read")
        .replace("v1 frame", "v2 frame");
    // The first half of the new text, then the rest a moment later, as a slow writer would.
    std::fs::write(&p.src, &full[..full.len() / 2]).expect("write half");
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&p.src, &full).expect("write all");
    host.wait_stderr("the rebuild", |l| l.contains(" rebuilt in "));
    std::thread::sleep(Duration::from_millis(300));
    let log = host.stderr_text();
    assert!(!log.contains("error"), "{log}");
    // Without --run nothing is started; the patch is rebuilt all the same.
    assert!(host.stdout_lines().is_empty());
    let patch = std::fs::read(p.patch_path()).expect("patch");
    assert!(patch.windows(8).any(|w| w == b"v2 frame"));
}

#[test]
fn typing_r_rolls_the_program_back() {
    let p = project("rollback");
    let mut host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--run"])
            .stdin(Stdio::piped())
            .current_dir(&p.dir),
    );
    host.wait_stdout("the program running", |l| l.starts_with("v1"));
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stdout("the edit", |l| l.starts_with("v2"));
    host.type_line("r");
    host.wait_stderr("the host's answer", |l| {
        l.contains(" rolled back from v2 to v1")
    });
    // The old code runs again, on the same state: the frame count goes on from where it was.
    let last_v2 = host
        .stdout_lines()
        .iter()
        .filter(|l| l.starts_with("v2"))
        .map(|l| field(l, "frame"))
        .max()
        .expect("v2 frames");
    let back = host.wait_stdout("v1 again", |l| {
        l.starts_with("v1") && field(l, "frame") > last_v2
    });
    assert!(field(&back, "frame") > last_v2, "{back}");
}

#[test]
fn other_typed_lines_reach_the_program() {
    let p = project("input");
    let mut host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--exec", "cat"])
            .stdin(Stdio::piped())
            .current_dir(&p.dir),
    );
    host.wait_stderr("the first build", |l| l.contains(" built in "));
    host.type_line("hello from the keyboard");
    host.wait_stdout("the line, echoed by the program", |l| {
        l == "hello from the keyboard"
    });
}

/// Writes a file every millisecond at each of `paths` until dropped, as a game's log (or
/// watch's own output redirected to a file) would.
struct BusyWriters {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    paths: Vec<PathBuf>,
}

impl BusyWriters {
    fn start(paths: &[PathBuf]) -> BusyWriters {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let threads = paths
            .iter()
            .map(|path| {
                let (path, stop) = (path.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut n = 0u64;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        n += 1;
                        std::fs::write(&path, format!("line {n}\n")).expect("busy write");
                        std::thread::sleep(Duration::from_millis(1));
                    }
                })
            })
            .collect();
        BusyWriters {
            stop,
            threads,
            paths: paths.to_vec(),
        }
    }
}

impl Drop for BusyWriters {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        for p in &self.paths {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[test]
fn busy_folders_never_hold_a_save_back() {
    let p = project("busy");
    // The host and patch in their own folder, so that "beside the patch" and "in the patch
    // folder's parent" (which is the source's folder) are different places.
    std::fs::create_dir_all(p.dir.join("out")).expect("out dir");
    let host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            // A debounce far longer than any pause of the writers: were their events to restart
            // it, the save would never be rebuilt.
            .args([
                "watch",
                "game.vais",
                "--run",
                "-o",
                "out/game",
                "--debounce",
                "200",
            ])
            .current_dir(&p.dir),
    );
    host.wait_stdout("the program running", |l| l.starts_with("v1"));
    let parent = p
        .dir
        .parent()
        .expect("parent")
        .join(format!("vaisc-hot-busy-parent-{}.log", std::process::id()));
    // Two writers in each place, so that a writer the scheduler holds back does not make the
    // folder quiet.
    let _writers = BusyWriters::start(&[
        p.dir.join("run.log"),
        p.dir.join("game.log"),
        p.dir.join("out").join("game.log"),
        p.dir.join("out").join("frames.log"),
        parent.with_extension("1.log"),
        parent.with_extension("2.log"),
    ]);
    // Let the writers get going before the save, so that no directory is ever quiet.
    std::thread::sleep(Duration::from_millis(50));
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stdout("the save applied", |l| l.starts_with("v2"));
    host.wait_stderr("the report", |l| {
        l.contains(" rebuilt in ") && l.contains("v2 applied: tick (1 patched)")
    });
    save(&p, "v2 frame", "v3 frame", "rename");
    host.wait_stdout("a second save applied", |l| l.starts_with("v3"));
}

/// A game with sparse safe points: it calls `hot_check` (then `tick`) once per line it reads,
/// so a patch waits for the test to type a line. It prints its pid first.
const STEPPED: &str = r#"U std/hot
X F fflush(f: *u8) -> i32
X F getchar() -> i32
X F getpid() -> i32
S State { frame: i64 }
#[hot]
F tick(s: *State) {
    s.frame += 1
    printf("v1 frame=%ld\n", s.frame)
    fflush(0)
}
F main() -> i64 {
    s := mut State { frame: 0 }
    printf("pid=%d\n", getpid())
    fflush(0)
    c := mut getchar()
    L c >= 0 {
        I c == 10 {
            hot_check()
            tick(&s)
        }
        c = getchar()
    }
    0
}
"#;

/// The pid the game printed on its `pid=N` line.
fn game_pid(host: &Host) -> i32 {
    field(
        &host.wait_stdout("the game's pid", |l| l.starts_with("pid=")),
        "pid",
    ) as i32
}

#[test]
fn patches_waiting_for_a_safe_point_are_reported_when_applied_and_a_crash_at_once() {
    let p = Project::new("stepped", STEPPED);
    let mut host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--run"])
            .stdin(Stdio::piped())
            .current_dir(&p.dir),
    );
    let pid = game_pid(&host);
    host.type_line("");
    host.wait_stdout("the first frame", |l| l.starts_with("v1 frame=1"));
    for v in 2..=3 {
        save(
            &p,
            &format!("v{} frame", v - 1),
            &format!("v{v} frame"),
            "in place",
        );
        // Reported as soon as the program has verified it, long before it is applied.
        let want = format!("v{v} verified: it waits for the program's next hot_check");
        host.wait_stderr(&want, |l| l.contains(" rebuilt in ") && l.contains(&want));
        host.type_line("");
        host.wait_stdout("the new code", |l| l.starts_with(&format!("v{v} frame")));
        let want = format!("v{v} applied: tick (1 patched)");
        host.wait_stderr(&want, |l| l.contains(&want));
    }
    // A crash while the next patch waits for its safe point is reported by itself.
    save(&p, "v3 frame", "v4 frame", "in place");
    host.wait_stderr("the pending patch", |l| l.contains("v4 verified"));
    // SAFETY: sending a signal to the game this test's watch started. SIGKILL rather than a
    // fault signal: the runtime's crash handler would see a fault signal that no fault raised.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    host.wait_stderr("the crash", |l| {
        l.contains("the program ended (signal: 9 (SIGKILL)")
    });
    assert!(
        !host.stderr_text().contains("no reply"),
        "{}",
        host.stderr_text()
    );
}

/// A game that prints its pid and then runs without reading its input or writing to stderr,
/// so nothing but watch's own care ends it when watch goes away.
fn forever_game() -> String {
    GAME.replacen("U bonus\n", "U bonus\nX F getpid() -> i32\n", 1)
        .replacen(
            "    s := mut State { frame: 0 }\n",
            "    s := mut State { frame: 0 }\n    printf(\"pid=%d\\n\", getpid())\n",
            1,
        )
}

/// Whether process `pid` is gone (or a zombie its parent has yet to reap).
fn ended(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn ending_watch_in_any_way_ends_the_program_too() {
    let signals = [
        (libc::SIGINT, "SIGINT"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGKILL, "SIGKILL"),
    ];
    for (signal, signal_name) in signals {
        for run in ["--run", "--exec"] {
            let p = Project::new("orphans", &forever_game());
            std::fs::write(p.dir.join("bonus.vais"), BONUS).expect("write module");
            // A wrapper that starts the game without `exec`: the game is its child.
            let wrapper = p.dir.join("play.sh");
            std::fs::write(&wrapper, "#!/bin/sh\n./game\necho the game has ended\n")
                .expect("wrapper");
            std::fs::set_permissions(
                &wrapper,
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            )
            .expect("chmod");
            let mut command = Command::new(env!("CARGO_BIN_EXE_vaisc"));
            command.args(["watch", "game.vais"]).current_dir(&p.dir);
            if run == "--run" {
                command.arg("--run");
            } else {
                command.args(["--exec", "./play.sh"]);
            }
            let mut host = Host::spawn(&mut command);
            let pid = game_pid(&host);
            // Watch names the game's own pid (from its runtime), not the wrapper's.
            let running = format!("the program is running (pid {pid}, v1)");
            host.wait_stderr(&running, |l| l.contains(&running));
            // SAFETY: sending a signal to the watch process this test started.
            unsafe {
                libc::kill(host.id() as libc::pid_t, signal);
            }
            let code = host.wait_exit();
            if signal != libc::SIGKILL {
                assert_eq!(
                    code,
                    Some(130),
                    "{signal_name} {run}: {}",
                    host.stderr_text()
                );
            }
            let start = std::time::Instant::now();
            while !ended(pid) {
                assert!(
                    start.elapsed() < hot_support::PATIENCE,
                    "{signal_name} {run}: the game (pid {pid}) outlived watch\n{}",
                    host.stderr_text()
                );
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

#[test]
fn the_users_hot_log_setting_is_kept() {
    let p = project("logoff");
    let mut host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--run"])
            .env("VAIS_HOT_LOG", "off")
            .stdin(Stdio::piped())
            .current_dir(&p.dir),
    );
    host.wait_stdout("the program running", |l| l.starts_with("v1"));
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stdout("the save applied", |l| l.starts_with("v2"));
    // Watch still reports what the program did: it learns it from the status channel.
    host.wait_stderr("the report", |l| l.contains("v2 applied: tick (1 patched)"));
    host.type_line("r");
    host.wait_stderr("the rollback", |l| l.contains(" rolled back from v2 to v1"));
    let log = host.stderr_text();
    assert!(
        !log.contains("[hot]"),
        "the runtime logged with VAIS_HOT_LOG=off:\n{log}"
    );
    drop(host);

    let p = project("logdebug");
    let host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--run"])
            .env("VAIS_HOT_LOG", "debug")
            .current_dir(&p.dir),
    );
    host.wait_stderr("the runtime's debug lines", |l| {
        l.starts_with("[hot] watching ")
    });
}

#[test]
fn the_users_hot_patch_path_is_where_patches_and_rollbacks_go() {
    let p = project("patchpath");
    std::fs::create_dir_all(p.dir.join("patches")).expect("patches dir");
    let custom = p.dir.join("patches").join("libcustom.so");
    let mut host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--run"])
            .env("VAIS_HOT_PATCH", &custom)
            .stdin(Stdio::piped())
            .current_dir(&p.dir),
    );
    host.wait_stdout("the program running", |l| l.starts_with("v1"));
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stdout("the save applied", |l| l.starts_with("v2"));
    let patch = std::fs::read(&custom).expect("the patch at VAIS_HOT_PATCH");
    assert!(patch.windows(8).any(|w| w == b"v2 frame"));
    host.type_line("r");
    host.wait_stderr("the rollback", |l| l.contains(" rolled back from v2 to v1"));
}

#[test]
fn hot_init_on_a_missing_file_returns_minus_one() {
    let p = Project::new(
        "hotinit",
        "U std/hot\nF main() -> i64 {\n    printf(\"missing=%ld present=%ld\\n\", hot_init(\"missing.vais\"), hot_init(\"game.vais\"))\n    0\n}\n",
    );
    p.build();
    let out = Command::new(&p.exe)
        .current_dir(&p.dir)
        .output()
        .expect("run the program");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "missing=-1 present=0\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("cannot watch the source missing.vais: no such file"));
}

/// A save whose code faults: watch prints the fault on its own line with the version (from the
/// status channel), the program goes on at v1, and the next save applies as v3.
#[test]
fn a_fault_in_new_code_is_reported_and_the_program_continues() {
    let p = project("watch-fault");
    let host = watch(&p, &[]);
    save(
        &p,
        "    s.frame += 1\n",
        "    s.frame += 1\n    q := 0 as *i64\n    s.frame += *q\n",
        "in place",
    );
    let line = host.wait_stderr("the fault line", |l| l.contains("v2 faulted"));
    // Watch's own line (stamped with the time), from the status channel: the runtime's line is
    // not printed as well.
    assert!(line.as_bytes().get(2) == Some(&b':'), "{line}");
    assert!(
        line.contains("SIGSEGV (read of address 0x0) in tick at game.vais:8: back to v1, the program continues"),
        "{line}"
    );
    let last = host.stdout_lines().last().cloned().unwrap_or_default();
    host.wait_stdout("the program going on", |l| {
        l.starts_with("v1 frame") && field(l, "frame") > field(&last, "frame") + 3
    });
    save(
        &p,
        "    q := 0 as *i64\n    s.frame += *q\n",
        "",
        "in place",
    );
    save(&p, "v1 frame", "v3 frame", "in place");
    host.wait_stderr("the next save applied", |l| l.contains("v3 applied"));
    host.wait_stdout("v3 running", |l| l.starts_with("v3 frame"));
}
