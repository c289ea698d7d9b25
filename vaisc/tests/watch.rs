//! `vaisc watch` end to end: the real command runs a real program while the test saves the
//! source the ways editors do, breaks and fixes it, edits an imported module, makes changes no
//! reload can carry, types `r` to roll back, and finally presses Ctrl-C.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{field, Host, Project};
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
    // Every rebuild is reported on one line with its timing and what the program did.
    let line = host.wait_stderr("a report line", |l| l.contains(" rebuilt in "));
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
        "S State { frame: i64, hp: i64 }",
        "in place",
    );
    save(
        &p,
        "State { frame: 0 }",
        "State { frame: 0, hp: 3 }",
        "in place",
    );
    host.wait_stderr("the report", |l| {
        l.contains("cannot hot-apply: struct State: layout changed")
    });
    drop(host);

    let p = project("restart");
    let host = watch(&p, &["--restart-on-incompatible"]);
    host.wait_stdout("some frames", |l| field(l, "frame") >= 5);
    save(
        &p,
        "S State { frame: i64 }",
        "S State { frame: i64, hp: i64 }",
        "in place",
    );
    save(
        &p,
        "State { frame: 0 }",
        "State { frame: 0, hp: 3 }",
        "in place",
    );
    save(&p, "v1 frame", "v2 frame", "in place");
    host.wait_stderr("the restart", |l| l.contains("rebuilt and restarted"));
    host.wait_stdout("the new program from its first frame", |l| {
        l == "v2 frame=1 bonus=1"
    });
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
