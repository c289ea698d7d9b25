//! Faults a long-running hot host must survive with its state intact and one clear message:
//! bad patch files of every kind, patches from elsewhere, files and directories that vanish,
//! a compiler that dies or runs out of space mid-build. And a crash in new code, which costs
//! one call and names the edit that caused it (`recovery.rs` covers recovery in depth).

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{field, Host, Project};
use std::process::Command;
use std::time::Duration;

const GAME: &str = r#"X F fflush(f: *u8) -> i32
G total: i64 = 0
S State { frame: i64 }
#[hot]
F step(s: *State) {
    s.frame += 1
    total += 1
    printf("v1 frame=%ld total=%ld\n", s.frame, total)
    fflush(0 as *u8)
}
F main() -> i64 {
    s := mut State { frame: 0 }
    L s.frame < 100000000 {
        step(&s)
        usleep(2000)
    }
    0
}
"#;

fn running(name: &str) -> (Project, Host) {
    let p = Project::new(name, GAME);
    p.build();
    let host = p.start();
    host.wait_stdout("running", |l| field(l, "frame") >= 3);
    (p, host)
}

/// Puts `bytes` in place of the patch, the way a compiler does (write, then rename).
fn install(p: &Project, bytes: &[u8]) {
    let tmp = p.dir.join("incoming.tmp");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, p.patch_path()).expect("rename");
}

/// A shared library compiled from C, for patches vaisc would never make.
fn c_library(p: &Project, name: &str, source: &str) -> Vec<u8> {
    let src = p.dir.join(format!("{name}.c"));
    std::fs::write(&src, source).expect("write C");
    let so = p.dir.join(format!("{name}.so"));
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&so)
        .arg(&src)
        .status()
        .expect("cc");
    assert!(status.success());
    let bytes = std::fs::read(&so).expect("library");
    std::fs::remove_file(&so).expect("clean");
    std::fs::remove_file(&src).expect("clean");
    bytes
}

/// Waits for lines printed after the one faulted call.
fn after_the_fault(host: &Host) {
    let last = host.stdout_lines().last().cloned().expect("output");
    host.wait_stdout("lines after the fault", |l| {
        field(l, "frame") > field(&last, "frame") + 2
    });
}

/// The frame counter and global still count on from where they were, in the old code.
fn still_intact(host: &mut Host) {
    let last = host.stdout_lines().last().cloned().expect("output");
    let (f, t) = (field(&last, "frame"), field(&last, "total"));
    host.wait_stdout("more frames", |l| field(l, "frame") > f + 3);
    assert!(host.alive());
    let lines = host.stdout_lines();
    assert!(lines.iter().all(|l| l.starts_with("v1")), "{lines:?}");
    let later = lines
        .iter()
        .rev()
        .find(|l| field(l, "frame") > f)
        .expect("a later line");
    assert_eq!(
        field(later, "total") - t,
        field(later, "frame") - f,
        "state kept"
    );
}

#[test]
fn foreign_and_malformed_patches_are_refused() {
    let (p, mut host) = running("foreign");
    let mut refusals = 0;
    let mut expect = |host: &Host, what: &str, text: &str| {
        refusals += 1;
        let lines = host.wait_stderr_count(what, refusals, |l| l.contains("refused"));
        let line = lines.last().cloned().unwrap_or_default();
        assert!(line.contains(text), "{what}: {line}");
    };

    // A patch made for a different ABI version of the runtime.
    let abi = c_library(
        &p,
        "abi",
        "struct M { unsigned a, k; unsigned long id; unsigned f, l, fl, r; void *fs, *ls; };\n\
         const struct M __vais_hot_manifest = { 99, 1, 0, 0, 0, 0, 0, 0, 0 };\n",
    );
    install(&p, &abi);
    expect(&host, "wrong ABI version", "patch uses hot ABI version 99");

    // A library that needs a symbol the host does not have.
    let missing = c_library(
        &p,
        "missing",
        "extern long vais_no_such_global;\nlong touch(void) { return vais_no_such_global; }\n",
    );
    install(&p, &missing);
    expect(
        &host,
        "missing symbol",
        "undefined symbol: vais_no_such_global",
    );

    // Another program's patch.
    let other = Project::new("foreign-other", &GAME.replace("v1 frame", "other frame"));
    other.build();
    install(&p, &std::fs::read(other.patch_path()).expect("other patch"));
    expect(
        &host,
        "another program",
        "patch was built from another program",
    );

    // A library with no manifest at all.
    let plain = c_library(&p, "plain", "int nothing(void) { return 0; }\n");
    install(&p, &plain);
    expect(&host, "no manifest", "has no Vais hot manifest");

    // A patch other users could have written. It is built aside and made writable before it
    // takes the patch's place, so the runtime never sees it with safe permissions.
    p.edit("v1 frame", "v2 frame");
    let aside = p.dir.join("aside.so");
    let out = p.patch_aside(&aside);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut perms = std::fs::metadata(&aside).expect("patch").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o766);
    std::fs::set_permissions(&aside, perms).expect("chmod");
    std::fs::rename(&aside, p.patch_path()).expect("rename");
    expect(&host, "writable by others", "other users may write to it");

    still_intact(&mut host);
}

#[test]
fn vanishing_files_and_failed_builds_leave_the_program_running() {
    let (p, mut host) = running("vanish");

    // The patch deleted: nothing to load, nothing happens.
    std::fs::remove_file(p.patch_path()).expect("delete patch");
    std::thread::sleep(Duration::from_millis(100));
    assert!(host.alive());

    // The compiler killed in the middle of a build.
    p.edit("v1 frame", "v2 frame");
    let mut child = p.patch_command().spawn().expect("start vaisc");
    std::thread::sleep(Duration::from_millis(15));
    let _ = child.kill();
    let _ = child.wait();

    // The disk full while writing the patch: the file size limit stops every write.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 1; exec '{}' build --hot --patch-only game.vais -o game",
            env!("CARGO_BIN_EXE_vaisc")
        ))
        .current_dir(&p.dir)
        .output()
        .expect("run vaisc");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    still_intact(&mut host);

    // A full build later applies as usual.
    let out = p.patch();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    host.wait_stdout("the good patch", |l| l.starts_with("v2"));
}

#[test]
fn a_patch_directory_removed_and_recreated_is_watched_again() {
    let p = Project::new("redir", GAME);
    p.build();
    let dir = p.dir.join("patches");
    std::fs::create_dir_all(&dir).expect("dir");
    let patch = dir.join("libgame.so");
    std::fs::copy(p.patch_path(), &patch).expect("copy");
    let host = Host::spawn(
        Command::new(&p.exe)
            .current_dir(&p.dir)
            .env("VAIS_HOT_PATCH", &patch),
    );
    host.wait_stdout("running", |l| field(l, "frame") >= 3);
    std::fs::remove_dir_all(&dir).expect("remove dir");
    std::thread::sleep(Duration::from_millis(50));
    std::fs::create_dir_all(&dir).expect("recreate dir");
    p.edit("v1 frame", "v2 frame");
    let out = p.patch();
    assert!(out.status.success());
    install_at(&patch, &std::fs::read(p.patch_path()).expect("patch"));
    host.wait_stdout("the patch in the new directory", |l| l.starts_with("v2"));
}

fn install_at(path: &std::path::Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

#[test]
fn a_crash_in_new_code_costs_one_call_and_names_the_function_and_version() {
    let (p, mut host) = running("crash");
    p.edit(
        "    s.frame += 1\n",
        "    s.frame += 1\n    I s.frame > 0 {\n        q := 0 as *i64\n        *q = 5\n    }\n",
    );
    let out = p.patch();
    assert!(out.status.success());
    let line = host.wait_stderr("the fault report", |l| l.contains("v2 faulted"));
    assert!(
        line.contains("SIGSEGV (write to address 0x0) in step at game.vais:9: back to v1"),
        "{line}"
    );
    // The faulted call counted its frame before the fault (what a call did stays done), not
    // its total: compare from a line printed after it.
    after_the_fault(&host);
    still_intact(&mut host);
}

/// A patch that divides by zero traps (it does not go on with a made-up quotient), and the
/// report names the reason, the function and the version; the program goes on at v1.
#[test]
fn a_division_by_zero_in_a_patch_is_reported_as_such() {
    let (p, mut host) = running("divzero");
    p.edit(
        "    total += 1\n",
        "    total += 1\n    total = total / (s.frame - s.frame)\n",
    );
    let out = p.patch();
    assert!(out.status.success());
    let line = host.wait_stderr("the fault report", |l| l.contains("v2 faulted"));
    assert!(
        line.contains("SIGILL (integer division by zero) in step at game.vais:8: back to v1"),
        "{line}"
    );
    still_intact(&mut host);
}
