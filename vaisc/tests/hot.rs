//! Hot reload end to end, with real processes: a hot host is built and started, its source is
//! edited and the patch rebuilt while it runs, and the test watches what the running process
//! prints. Nothing is mocked: these are the builds, files and runtime a user gets.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{field, patch_ok, running, smuggle_patch, Project};
use std::time::Duration;

/// A game loop: `tick` is hot, `helper` is an ordinary function it calls, `total` a global.
const GAME: &str = r#"X F fflush(f: *u8) -> i32
G total: i64 = 0
S State { frame: i64 }
F helper() -> i64 = 1
#[hot]
F tick(s: *State) -> i64 {
    s.frame += 1
    total += helper()
    printf("v1 frame=%ld total=%ld\n", s.frame, total)
    fflush(0)
    0
}
#[hot]
F spare() -> i64 = 5
F main() -> i64 {
    s := mut State { frame: 0 }
    L s.frame < 10000000 {
        tick(&s)
        usleep(2000)
    }
    0
}
"#;

/// The line after which `pred` first holds, and that line.
fn first_after(lines: &[String], pred: impl Fn(&str) -> bool) -> (String, String) {
    let i = lines.iter().position(|l| pred(l)).expect("a matching line");
    (lines[i - 1].clone(), lines[i].clone())
}

#[test]
fn edits_show_up_with_main_state_and_globals_intact() {
    let (p, host) = running("edits", GAME, "a few frames", |l| {
        l.starts_with("v1") && field(l, "frame") >= 5
    });

    // The hot function itself.
    p.edit("v1 frame", "v2 frame");
    patch_ok(&p);
    host.wait_stdout("new code", |l| l.starts_with("v2"));
    let lines = host.stdout_lines();
    let (before, after) = first_after(&lines, |l| l.starts_with("v2"));
    assert_eq!(
        field(&after, "frame"),
        field(&before, "frame") + 1,
        "main's state kept"
    );
    assert_eq!(
        field(&after, "total"),
        field(&before, "total") + 1,
        "global kept"
    );
    host.wait_stderr("the apply log line", |l| {
        l.contains("applied") && l.contains("tick (1 patched)")
    });

    // A helper that hot code calls: the patch carries its new body.
    p.edit("F helper() -> i64 = 1", "F helper() -> i64 = 10");
    p.edit("v2 frame", "v3 frame");
    patch_ok(&p);
    let v3 = host.wait_count("two v3 lines", 2, |l| l.starts_with("v3"));
    assert_eq!(field(&v3[1], "total") - field(&v3[0], "total"), 10);

    // A brand-new helper called from the hot function.
    p.edit(
        "F helper() -> i64 = 10",
        "F helper() -> i64 = 10\nF extra() -> i64 = 100",
    );
    p.edit("total += helper()", "total += helper() + extra()");
    p.edit("v3 frame", "v4 frame");
    patch_ok(&p);
    let v4 = host.wait_count("two v4 lines", 2, |l| l.starts_with("v4"));
    assert_eq!(field(&v4[1], "total") - field(&v4[0], "total"), 110);
}

#[test]
fn signature_and_layout_changes_are_refused_and_old_code_keeps_running() {
    let (p, mut host) = running("refuse", GAME, "running", |l| field(l, "frame") >= 3);

    p.edit(
        "F tick(s: *State) -> i64 {",
        "F tick(s: *State, k: f64) -> i64 {",
    );
    p.edit("tick(&s)", "tick(&s, 1.0)");
    let out = p.patch();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tick: signature changed from (*State) -> i64 to (*State, f64) -> i64"),
        "{err}"
    );
    smuggle_patch(&p);
    host.wait_stderr("runtime refusal", |l| {
        l.contains("refused: tick: signature changed from (*State) -> i64 to (*State, f64) -> i64")
    });

    p.edit(
        "F tick(s: *State, k: f64) -> i64 {",
        "F tick(s: *State) -> i64 {",
    );
    p.edit("tick(&s, 1.0)", "tick(&s)");
    // A layout change migrates the program's values, unless they need more room than was
    // kept (`vaisc/tests/migrate.rs` tests the rules one by one).
    p.edit(
        "S State { frame: i64 }",
        "S State { frame: i64, extra: [f64; 100] }",
    );
    p.edit(
        "State { frame: 0 }",
        "State { frame: 0, extra: [0.0; 100] }",
    );
    let out = p.patch();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "`s` of `main`: needs 808 bytes after the change, but 80 were kept (restart to apply)"
        ),
        "{err}"
    );
    smuggle_patch(&p);
    host.wait_stderr("runtime layout refusal", |l| {
        l.contains("refused: `s` of `main`: needs 808 bytes")
    });

    // The old code still runs, and no patch was applied.
    let seen = host.stdout_lines().len();
    host.wait_stdout("more frames", |l| field(l, "frame") as usize > seen + 3);
    assert!(host.alive());
    assert!(host.stdout_lines().iter().all(|l| l.starts_with("v1")));
    assert!(!host.stderr_text().contains("applied"));
}

#[test]
fn broken_patches_leave_the_program_running() {
    let (p, mut host) = running("broken", GAME, "running", |l| field(l, "frame") >= 3);

    // A compile error: no patch is written, the program runs on.
    p.edit("s.frame += 1", "s.frame += nope");
    let out = p.patch();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown variable `nope`"));

    // Garbage and a truncated library are refused.
    let good = std::fs::read(p.patch_path()).expect("patch");
    let cases = [
        (
            "garbage",
            b"this is not a library at all, just text".repeat(10),
        ),
        ("truncated", good[..good.len() / 2].to_vec()),
    ];
    for (n, (what, bytes)) in cases.into_iter().enumerate() {
        let tmp = p.dir.join(format!("{what}.tmp"));
        std::fs::write(&tmp, bytes).expect("write");
        std::fs::rename(&tmp, p.patch_path()).expect("rename");
        host.wait_stderr_count(what, n + 1, |l| l.contains("refused"));
    }
    assert!(host.alive());

    // The next good patch applies.
    p.edit("s.frame += nope", "s.frame += 1");
    p.edit("v1 frame", "v2 frame");
    patch_ok(&p);
    host.wait_stdout("recovered", |l| l.starts_with("v2"));

    // A hot function removed from the source keeps its last body, with a warning.
    p.edit("#[hot]\nF spare() -> i64 = 5\n", "");
    let out = p.patch();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "warning: hot function `spare` is not in the patch (deleted, renamed or no longer #[hot]); the running program's calls to it keep reaching its last hot body; restart the program to apply\n"
    );
    host.wait_stderr("deletion warning", |l| {
        l.contains("the patch has no hot function spare (deleted, renamed or no longer #[hot]): the running program's calls to it keep reaching its last hot body until the program restarts")
    });
    std::thread::sleep(Duration::from_millis(50));
    assert!(host.alive());

    // A function no longer `#[hot]` but still called by `main`: `main` goes on calling its
    // last hot body (v2), which is what the warning says.
    p.edit("#[hot]\nF tick", "F tick");
    p.edit("v2 frame", "v3 frame");
    patch_ok(&p);
    host.wait_stderr("no-longer-hot warning", |l| {
        l.contains("the patch has no hot function tick (deleted, renamed or no longer #[hot])")
    });
    let seen = host.stdout_lines().len();
    host.wait_count("more frames", seen + 5, |_| true);
    let lines = host.stdout_lines();
    assert!(
        lines[seen..].iter().all(|l| l.starts_with("v2")),
        "{lines:?}"
    );
}

/// Uses the runtime API: a callback registered with hot_on_reload, hot_loop over a function
/// pointer to a hot function (so patches apply at its safe point), hot_version.
const API_GAME: &str = r#"U std/hot
X F fflush(f: *u8) -> i32
G seen: i64 = 0
F on_reload(v: i64) {
    seen = v
    printf("callback version=%ld\n", v)
    fflush(0)
}
#[hot]
F update() -> i64 {
    printf("A version=%ld seen=%ld\n", hot_version(), seen)
    fflush(0)
    usleep(2000)
    seen >= 3 ? 7 : 0
}
F main() -> i64 {
    hot_on_reload(on_reload)
    r := hot_loop(update)
    printf("loop returned %ld\n", r)
    r
}
"#;

#[test]
fn runtime_api_callbacks_versions_and_hot_loop() {
    let (p, mut host) = running("api", API_GAME, "first frames", |l| {
        l.starts_with("A version=1")
    });
    p.edit("\"A version", "\"B version");
    patch_ok(&p);
    host.wait_stdout("callback", |l| l == "callback version=2");
    host.wait_stdout("new code through the fn pointer", |l| {
        l.starts_with("B version=2 seen=2")
    });
    p.edit("\"B version", "\"C version");
    patch_ok(&p);
    host.wait_stdout("second callback", |l| l == "callback version=3");
    assert_eq!(host.wait_exit(), Some(7));
    assert!(host.stdout_lines().iter().any(|l| l == "loop returned 7"));
}

/// Four threads started with pthread_create call a hot function in a loop while the main
/// thread waits for 200 reloads. `value` is `1000 * a() + b()` with helpers that both return
/// the version's number, so a call mixing two versions would be seen.
const THREADS: &str = r#"U std/hot
X F pthread_create(t: *u64, attr: *u8, f: fn(*u8) -> *u8, arg: *u8) -> i32
X F pthread_join(t: u64, ret: *u8) -> i32
G stop: i64 = 0
G calls: [i64; 4] = [0; 4]
G bad: [i64; 4] = [0; 4]
F a() -> i64 = 1
F b() -> i64 = 1
#[hot]
F value() -> i64 = a() * 1000 + b()
F worker(arg: *u8) -> *u8 {
    id := arg as i64
    L stop == 0 {
        v := value()
        I v / 1000 != v % 1000 || v < 1001 || v > 2002 { bad[id] += 1 }
        calls[id] += 1
    }
    0 as *u8
}
X F fflush(f: *u8) -> i32
F main() -> i64 {
    printf("started\n")
    fflush(0)
    threads := mut [0 as u64; 4]
    L i: 0..4 { pthread_create(&threads[i], 0 as *u8, worker, i as *u8) }
    L hot_version() < 201 { usleep(1000) }
    stop = 1
    total := mut 0
    bad_total := mut 0
    L i: 0..4 {
        pthread_join(threads[i], 0 as *u8)
        total += calls[i]
        bad_total += bad[i]
    }
    printf("threads done calls_ok=%d bad=%ld\n", total > 0, bad_total)
    0
}
"#;

#[test]
fn four_threads_survive_200_reloads() {
    let p = Project::new("threads", THREADS);
    p.build();
    // Two patch versions, alternated: `value` returns 2002 or 1001.
    p.edit(
        "F a() -> i64 = 1\nF b() -> i64 = 1",
        "F a() -> i64 = 2\nF b() -> i64 = 2",
    );
    patch_ok(&p);
    let two = std::fs::read(p.patch_path()).expect("patch 2");
    p.edit(
        "F a() -> i64 = 2\nF b() -> i64 = 2",
        "F a() -> i64 = 1\nF b() -> i64 = 1",
    );
    patch_ok(&p);
    let one = std::fs::read(p.patch_path()).expect("patch 1");
    let mut host = p.start();
    // The runtime watches the patch before `main` runs, so this line means it is ready.
    host.wait_stdout("start", |l| l == "started");
    for i in 0..200 {
        let bytes = if i % 2 == 0 { &two } else { &one };
        p.install_patch(&host, bytes, i + 2);
        if i == 150 {
            // Old versions are unloaded while the threads run: 150 reloads leave a handful of
            // libraries mapped (the rollback history and a batch waiting), not 150.
            let mapped = host.patch_libraries();
            assert!(
                (1..=16).contains(&mapped),
                "{mapped} patch libraries mapped"
            );
        }
    }
    assert_eq!(host.wait_exit(), Some(0), "{}", host.stderr_text());
    host.wait_stdout("summary", |l| l == "threads done calls_ok=1 bad=0");
}

#[test]
fn hot_init_rebuilds_the_patch_when_the_source_changes() {
    let source = r#"U std/hot
X F fflush(f: *u8) -> i32
#[hot]
F say(i: i64) {
    printf("old %ld\n", i)
    fflush(0)
}
F main() -> i64 {
    hot_init("game.vais")
    L i: 0..1000000 {
        say(i)
        usleep(2000)
    }
    0
}
"#;
    let (p, host) = running("init", source, "old code", |l| l.starts_with("old"));
    p.edit("\"old %ld", "\"new %ld");
    host.wait_stdout("code rebuilt by the runtime itself", |l| {
        l.starts_with("new")
    });
}

#[test]
fn rollback_returns_to_the_previous_code() {
    let source = r#"U std/hot
X F fflush(f: *u8) -> i32
G done: i64 = 0
#[hot]
F say() {
    printf("A\n")
    fflush(0)
}
F main() -> i64 {
    # Frames that began with version 2 in place: the second such frame's `say` ran the new
    # code, wherever in the first the reload landed.
    frames := mut 0
    L i: 0..1000000 {
        say()
        I hot_version() == 2 {
            frames += 1
        }
        I frames == 2 && done == 0 {
            done = 1
            printf("rolled back to %ld\n", hot_rollback())
            fflush(0)
        }
        usleep(2000)
    }
    0
}
"#;
    let (p, host) = running("rollback", source, "old code", |l| l == "A");
    p.edit("\"A\\n\"", "\"B\\n\"");
    patch_ok(&p);
    host.wait_stdout("rollback", |l| l == "rolled back to 1");
    let start = std::time::Instant::now();
    loop {
        let lines = host.stdout_lines();
        let at = lines
            .iter()
            .position(|l| l == "rolled back to 1")
            .expect("rollback line");
        assert!(
            lines[..at].iter().any(|l| l == "B"),
            "the new code ran first"
        );
        if lines[at..].iter().any(|l| l == "A") {
            break;
        }
        assert!(
            start.elapsed() < hot_support::PATIENCE,
            "old code did not come back"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // The runtime's log comes through its own pipe, so it may lag the program's output.
    host.wait_stderr("the rollback log", |l| {
        l.contains("rolled back from v2 to v1")
    });
}

/// Hot code that calls `main` (or takes its address, also in a helper it reaches) cannot be in
/// a patch: the build is refused with a diagnostic at each use, exit status 1, no crash.
#[test]
fn hot_code_using_main_is_refused_with_a_diagnostic() {
    let source = "F helper() -> i64 {\n    f := main\n    0\n}\n#[hot]\nF step(n: i64) -> i64 {\n    I n > 0 { R main() }\n    helper()\n}\nF main() -> i64 = step(0)\n";
    let p = Project::new("calls-main", source);
    let out = p.vaisc(&["build", "--hot", "game.vais", "-o", "game"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let headers: Vec<(&str, &str)> = err
        .lines()
        .zip(err.lines().skip(1))
        .filter(|(l, _)| l.starts_with("error["))
        .collect();
    assert_eq!(
        headers,
        vec![
            (
                "error[E0600]: hot code cannot use `main`: `helper` is part of every patch, `main` never is",
                "  --> game.vais:2:10"
            ),
            (
                "error[E0600]: hot code cannot use `main`: `step` is part of every patch, `main` never is",
                "  --> game.vais:7:17"
            ),
        ],
        "{err}"
    );
    assert!(
        err.ends_with("error: could not build game.vais for hot reload due to 2 previous errors\n"),
        "{err}"
    );
    // The same program builds and runs normally: only hot builds are refused.
    let out = p.vaisc(&["build", "game.vais", "-o", "game"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A struct global and an array-of-struct global written by hot code are the host's own: after
/// a reload the new code goes on from the values the old code left, and `main` sees them.
#[test]
fn struct_and_array_globals_are_shared_across_a_reload() {
    let source = r#"X F fflush(f: *u8) -> i32
S P { x: i64, y: i64 }
G ps: [P; 3] = [P { x: 0, y: 0 }, P { x: 0, y: 0 }, P { x: 0, y: 0 }]
G one: P = P { x: 0, y: 0 }
#[hot]
F step() {
    ps[1].x += 1
    one.y += 1
    printf("v1 hot=%ld one=%ld\n", ps[1].x, one.y)
    fflush(0)
}
F main() -> i64 {
    L ps[1].x < 10000000 {
        step()
        printf("main arr=%ld one=%ld\n", ps[1].x, one.y)
        fflush(0)
        usleep(2000)
    }
    0
}
"#;
    let (p, host) = running("aggregate-globals", source, "a few steps", |l| {
        l.starts_with("v1") && field(l, "hot") >= 5
    });
    p.edit(
        "ps[1].x += 1\n    one.y += 1\n    printf(\"v1",
        "ps[1].x += 1\n    one.y += 1\n    printf(\"v2",
    );
    patch_ok(&p);
    host.wait_count("a few new steps", 3, |l| l.starts_with("v2"));
    let lines = host.stdout_lines();
    let (before, after) = first_after(&lines, |l| l.starts_with("v2"));
    // `before` is main's line after the last old step.
    assert_eq!(field(&after, "hot"), field(&before, "arr") + 1, "{lines:?}");
    assert_eq!(field(&after, "one"), field(&before, "one") + 1, "{lines:?}");
    let main_after = lines
        .iter()
        .skip_while(|l| !l.starts_with("v2"))
        .nth(1)
        .expect("main's line after the new step");
    assert_eq!(field(main_after, "arr"), field(&after, "hot"), "{lines:?}");
    assert_eq!(field(main_after, "one"), field(&after, "one"), "{lines:?}");
}

#[test]
fn editing_a_constant_reaches_the_hot_function_that_uses_it() {
    // A constant is used in place, so editing it is an edit of every function that names it.
    const SRC: &str = r#"X F fflush(f: *u8) -> i32
C SPEED: i64 = 3
C LANES: i64 = 2
S State { frame: i64, pos: [i64; LANES] }
#[hot]
F tick(s: *State) {
    s.frame += 1
    s.pos[0] += SPEED
    printf("frame=%ld speed=%ld\n", s.frame, SPEED)
    fflush(0)
}
F main() -> i64 {
    s := mut State { frame: 0, pos: [0; LANES] }
    L s.frame < 10000000 {
        tick(&s)
        usleep(2000)
    }
    0
}
"#;
    let (p, host) = running("consts", SRC, "the first value", |l| {
        field(l, "speed") == 3 && field(l, "frame") >= 3
    });
    p.edit("C SPEED: i64 = 3", "C SPEED: i64 = 7");
    patch_ok(&p);
    host.wait_stdout("the edited value", |l| field(l, "speed") == 7);
    host.wait_stderr("the apply log line", |l| {
        l.contains("applied") && l.contains("tick (1 patched)")
    });
}

/// Adding a function no hot code calls changes no body: the patch reports 0 patched, and
/// with an edit, only the edited function. The program defines a C library name (`abs`), so
/// every function carries attributes, whose module-wide numbering the new `#[inline]` function
/// shifts.
#[test]
fn adding_an_unused_function_patches_only_what_changed() {
    let source = GAME.replace(
        "F helper() -> i64 = 1",
        "F abs(v: i64) -> i64 = I v < 0 { -v } E { v }\nF helper() -> i64 = abs(-1)",
    );
    let (p, host) = running("unused-fn", &source, "a few frames", |l| {
        l.starts_with("v1") && field(l, "frame") >= 3
    });
    p.edit(
        "X F fflush",
        "#[inline]\nF unused(a: i64, b: i64) -> i64 = a / b\nX F fflush",
    );
    patch_ok(&p);
    host.wait_stderr("the first apply", |l| l.contains("v2 applied"));
    let line = host.wait_stderr("its summary", |l| l.contains("v2 applied"));
    assert!(line.ends_with("no function changed (0 patched)"), "{line}");
    p.edit("v1 frame", "v3 frame");
    patch_ok(&p);
    let line = host.wait_stderr("the second apply", |l| l.contains("v3 applied"));
    assert!(line.ends_with(": tick (1 patched)"), "{line}");
    host.wait_stdout("the edit", |l| l.starts_with("v3"));
}

/// An edited global initialiser is reported in one line by `--patch-only`; the running program
/// keeps its current value.
#[test]
fn an_edited_initial_value_is_reported_and_the_running_value_kept() {
    let (p, host) = running("init-edit", GAME, "a few frames", |l| {
        l.starts_with("v1") && field(l, "frame") >= 3
    });
    p.edit("G total: i64 = 0", "G total: i64 = 1000");
    let out = p.patch();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        err,
        "warning: global `total`: initial value changed; the running program keeps its current value; restart the program to apply\n"
    );
    host.wait_stderr("the apply", |l| l.contains("v2 applied"));
    let seen = host.stdout_lines().len();
    host.wait_count("more frames", seen + 3, |_| true);
    let lines = host.stdout_lines();
    assert!(lines.iter().all(|l| field(l, "total") < 1000), "{lines:?}");
}

fn watch(p: &Project, extra: &[&str]) -> hot_support::Host {
    let host = hot_support::Host::spawn(p.command(&["watch", "game.vais", "--run"]).args(extra));
    host.wait_stdout("the program running", |l| l.starts_with("v1"));
    host
}

/// `vaisc watch` reports an edited initial value, and with `--restart-on-incompatible`
/// restarts the program, which then starts from the new value.
#[test]
fn watch_reports_an_edited_initial_value_and_can_restart_for_it() {
    let p = Project::new("init-watch", GAME);
    let host = watch(&p, &[]);
    host.wait_stdout("a few frames", |l| field(l, "frame") >= 3);
    p.edit("G total: i64 = 0", "G total: i64 = 1000");
    host.wait_stderr("the report", |l| {
        l.contains("not applied: global `total`: initial value changed; the running program keeps its current value")
    });
    drop(host);

    let p = Project::new("init-restart", GAME);
    let host = watch(&p, &["--restart-on-incompatible"]);
    host.wait_stdout("a few frames", |l| field(l, "frame") >= 3);
    p.edit("G total: i64 = 0", "G total: i64 = 1000");
    host.wait_stderr("the restart", |l| l.contains("rebuilt and restarted"));
    host.wait_stdout("the new program from the new value", |l| {
        l == "v1 frame=1 total=1001"
    });
}

/// Definitions under the names of generated code or of the runtime are refused by hot builds
/// (they were renamed by LLVM into a link error, or into an internal error), each at its
/// definition.
#[test]
fn reserved_names_are_refused_by_hot_builds() {
    let source = "G vais_argc: i64 = 3\nF vais_hot_literal() -> i64 = 1\nF vais_main() -> i64 = 2\n#[hot]\nF step() -> i64 = vais_argc + vais_hot_literal() + vais_main()\nF main() -> i64 = step()\n";
    let p = Project::new("reserved", source);
    let out = p.vaisc(&["build", "--hot", "game.vais", "-o", "game"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let found: Vec<(&str, &str)> = err
        .lines()
        .zip(err.lines().skip(1))
        .filter(|(l, _)| l.starts_with("error["))
        .collect();
    let reserved = |name: &str| {
        format!("error[E0601]: `{name}` is a name hot builds reserve for generated code and the runtime")
    };
    let want = [
        (reserved("vais_argc"), "  --> game.vais:1:3"),
        (reserved("vais_hot_literal"), "  --> game.vais:2:3"),
        (reserved("vais_main"), "  --> game.vais:3:3"),
    ];
    assert_eq!(found.len(), want.len(), "{err}");
    for ((head, at), (want_head, want_at)) in found.iter().zip(&want) {
        assert_eq!((*head, *at), (want_head.as_str(), *want_at), "{err}");
    }
}

/// `vaisc watch` shows a refused hot build's diagnostics, not only its summary line.
#[test]
fn watch_shows_why_a_hot_build_was_refused() {
    let p = Project::new(
        "watch-refused",
        "#[hot]\nF step(n: i64) -> i64 = I n > 0 { main() } E { n }\nF main() -> i64 = step(0)\n",
    );
    let host = hot_support::Host::spawn(&mut p.command(&["watch", "game.vais", "--run"]));
    host.wait_stderr("the diagnostic", |l| {
        l.starts_with("error[E0600]: hot code cannot use `main`")
    });
    host.wait_stderr("its place", |l| l == "  --> game.vais:2:35");
    host.wait_stderr("the summary", |l| {
        l.ends_with(
            "build failed: could not build game.vais for hot reload due to 1 previous error",
        )
    });
}

/// Tier 2 in hot code: a hot function using `println` (with a float, formatted by `std/fmt`),
/// `format`, tuples and a for-each reloads like any other; the string a patch's `format`
/// returned lives on the heap, so the program still prints it after later patches.
#[test]
fn formatting_tuples_and_for_each_hot_reload() {
    const SRC: &str = r#"X F fflush(f: *u8) -> i32
G taken: i64 = 0
S State { frame: i64, keep: str }
#[hot]
F tick(s: *State) {
    s.frame += 1
    (a, b) := (s.frame, 2)
    vals := [a, b, 3]
    sum := mut 0
    L v: vals { sum += v }
    println("v1 frame={} sum={} keep={} half={}", s.frame, sum, s.keep, s.frame as f64 / 2.0)
    fflush(0)
}
F main() -> i64 {
    s := mut State { frame: 0, keep: "none" }
    L s.frame < 10000000 {
        tick(&s)
        usleep(2000)
    }
    0
}
"#;
    let p = Project::new("tier2", SRC);
    p.build();
    let host = p.start();
    let first = host.wait_stdout("a few frames", |l| {
        l.starts_with("v1") && field(l, "frame") >= 3
    });
    assert_eq!(field(&first, "sum"), field(&first, "frame") + 5, "{first}");
    assert!(first.contains("keep=none"), "{first}");

    // The patch keeps a string it formats in `main`'s state.
    p.edit(
        "    println(\"v1 frame=",
        "    I taken == 0 {\n        s.keep = format(\"kept{}x\", s.frame)\n        taken = 1\n    }\n    println(\"v2 frame=",
    );
    patch_ok(&p);
    let v2 = host.wait_stdout("the patched code", |l| l.starts_with("v2"));
    let kept = format!("keep=kept{}x", field(&v2, "frame"));
    assert!(v2.contains(&kept), "{v2}");
    assert_eq!(field(&v2, "sum"), field(&v2, "frame") + 5, "{v2}");

    // A later patch still sees the string the earlier one made.
    p.edit("println(\"v2 frame=", "println(\"v3 frame=");
    patch_ok(&p);
    let v3 = host.wait_stdout("the second patch", |l| l.starts_with("v3"));
    assert!(v3.contains(&kept), "{v3} should still have {kept}");
    let half = v3.rsplit("half=").next().unwrap_or_default();
    let frame = field(&v3, "frame");
    let want = if frame % 2 == 0 {
        format!("{}", frame / 2)
    } else {
        format!("{}.5", frame / 2)
    };
    assert_eq!(half, want, "{v3}");
}
