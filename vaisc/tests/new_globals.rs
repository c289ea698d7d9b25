//! Globals that a patch adds, end to end with real processes (as in `hot.rs`): each is created
//! once, by the runtime, with its initial value, and keeps its value through later reloads and
//! after the patch that introduced it is unloaded; a later patch that gives it another type is
//! refused while the old code keeps running.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{field, patch_ok, running, running_at, Host};

/// A game loop whose `main`, after each new version, unloads every old patch (`hot_cleanup`)
/// and says how many it unloaded, so a test knows when the patch that added a global is gone.
/// It tries once a frame until one is unloaded: the runtime's stack check is conservative, and
/// for a few milliseconds after a reload some thread may still hold a word that points into
/// the previous patch (the runtime's own thread that just loaded the new one, say).
const GAME: &str = r#"U std/hot
X F fflush(f: *u8) -> i32
S P { x: i64, y: f64 = 2.5 }
G frames: i64 = 0
#[hot]
F tick() -> i64 {
    frames += 1
    printf("v1 frames=%ld\n", frames)
    fflush(0)
    0
}
F main() -> i64 {
    seen := mut 1
    tries := mut 0
    L frames < 10000000 {
        tick()
        I hot_version() != seen {
            seen = hot_version()
            tries = 1
        } E I tries > 0 {
            n := hot_cleanup()
            I n > 0 {
                printf("cleanup v%ld unloaded=%ld tries=%ld\n", seen, n, tries)
                fflush(0)
                tries = 0
            } E {
                tries += 1
            }
        }
        usleep(2000)
    }
    0
}
"#;

/// Waits for version `old + 1` to unload version `old` and for `n` lines of the new version;
/// returns the last line of the old version and the lines of the new one.
fn after_unload(host: &Host, old: usize, n: usize) -> (String, Vec<String>) {
    let new = old + 1;
    host.wait_stdout(&format!("v{old} unloaded"), |l| {
        l.starts_with(&format!("cleanup v{new} unloaded=1 "))
    });
    host.wait_count(&format!("v{new} running"), n, |l| {
        l.starts_with(&format!("v{new} "))
    });
    let lines = host.stdout_lines();
    let last = lines_of(&lines, &format!("v{old}"))
        .pop()
        .unwrap_or_else(|| panic!("no v{old} lines"));
    (last, lines_of(&lines, &format!("v{new}")))
}

/// After v3 was refused: waits for `n` more v2 lines and checks that no v3 code ran; returns
/// how many v2 lines there were before, and all of them.
fn v2_keeps_running(host: &Host, n: usize) -> (usize, Vec<String>) {
    let before = lines_of(&host.stdout_lines(), "v2").len();
    let v2 = host.wait_count("v2 still running", before + n, |l| l.starts_with("v2 "));
    assert!(
        lines_of(&host.stdout_lines(), "v3").is_empty(),
        "no v3 code ran"
    );
    (before, v2)
}

/// The lines of version `tag` (`"v2"`), in order.
fn lines_of(lines: &[String], tag: &str) -> Vec<String> {
    let prefix = format!("{tag} ");
    lines
        .iter()
        .filter(|l| l.starts_with(&prefix))
        .cloned()
        .collect()
}

#[test]
fn a_new_global_keeps_its_value_after_the_patch_that_added_it_is_unloaded() {
    let (p, host) = running("newglobal", GAME, "v1 running", |l| l.starts_with("v1 "));

    p.edit("G frames: i64 = 0", "G frames: i64 = 0\nG score: i64 = 5");
    p.edit(
        "printf(\"v1 frames=%ld\\n\", frames)",
        "score += 1\n    printf(\"v2 frames=%ld score=%ld\\n\", frames, score)",
    );
    patch_ok(&p);
    let v2 = host.wait_count("v2 running", 3, |l| l.starts_with("v2 "));
    assert_eq!(field(&v2[0], "score"), 6, "created with its initial value");
    assert_eq!(field(&v2[2], "score"), 8);

    // v3 has the global too: it gets the same storage, and v2 (which created it) is unloaded.
    p.edit("v2 frames", "v3 frames");
    patch_ok(&p);
    let (last_v2, v3) = after_unload(&host, 2, 3);
    assert_eq!(host.patch_libraries(), 1, "only v3 is mapped");
    assert_eq!(field(&v3[0], "score"), field(&last_v2, "score") + 1);
    assert_eq!(
        field(&v3[0], "score") - field(&v3[0], "frames"),
        field(&last_v2, "score") - field(&last_v2, "frames"),
        "one increment per frame, none lost or repeated"
    );

    // After v3 is unloaded too, v4 still finds the value v2 and v3 left.
    p.edit("score += 1", "score += 100");
    p.edit("v3 frames", "v4 frames");
    patch_ok(&p);
    let (last_v3, v4) = after_unload(&host, 3, 2);
    assert_eq!(field(&v4[0], "score"), field(&last_v3, "score") + 100);
    assert_eq!(field(&v4[1], "score"), field(&v4[0], "score") + 100);
}

#[test]
fn new_struct_and_array_globals_start_with_their_initial_values() {
    let (p, host) = running("newglobals2", GAME, "v1 running", |l| l.starts_with("v1 "));

    // Two new globals at once, a struct and an array of structs (with a field default).
    p.edit(
        "G frames: i64 = 0",
        "G frames: i64 = 0\nG ps: [P; 3] = [P { x: 1, y: 0.5 }, P { x: 2 }, P { x: 3, y: -1.0 }]\nG best: P = P { x: 40, y: 0.25 }",
    );
    p.edit(
        "printf(\"v1 frames=%ld\\n\", frames)",
        "ps[0].x += 1\n    best.x += 1\n    printf(\"v2 a=%ld b=%ld c=%ld best=%ld ys=%.2f,%.2f,%.2f,%.2f\\n\", ps[0].x, ps[1].x, ps[2].x, best.x, ps[0].y, ps[1].y, ps[2].y, best.y)",
    );
    patch_ok(&p);
    let v2 = host.wait_count("v2 running", 2, |l| l.starts_with("v2 "));
    assert_eq!(
        v2[0], "v2 a=2 b=2 c=3 best=41 ys=0.50,2.50,-1.00,0.25",
        "every element and field as initialised"
    );
    assert_eq!((field(&v2[1], "a"), field(&v2[1], "best")), (3, 42));

    // The next version keeps both values, after the first is unloaded.
    p.edit("v2 a=", "v3 a=");
    patch_ok(&p);
    let (last_v2, v3) = after_unload(&host, 2, 2);
    for key in ["a", "best"] {
        assert_eq!(field(&v3[0], key), field(&last_v2, key) + 1, "{key}");
    }
    assert!(v3[0].ends_with("ys=0.50,2.50,-1.00,0.25"), "{}", v3[0]);
}

#[test]
fn a_new_global_retyped_later_is_refused_and_the_old_code_keeps_running() {
    let (p, host) = running("newglobal3", GAME, "v1 running", |l| l.starts_with("v1 "));
    p.edit("G frames: i64 = 0", "G frames: i64 = 0\nG score: i64 = 5");
    p.edit(
        "printf(\"v1 frames=%ld\\n\", frames)",
        "score += 1\n    printf(\"v2 score=%ld\\n\", score)",
    );
    patch_ok(&p);
    host.wait_stdout("v2 running", |l| l.starts_with("v2 "));

    // The host never had `score`, so only the runtime knows its type: it refuses.
    p.edit("G score: i64 = 5", "G score: f64 = 5.0");
    p.edit("score += 1", "score += 1.0");
    p.edit("v2 score=%ld", "v3 score=%f");
    patch_ok(&p);
    host.wait_stderr("the refusal", |l| {
        l.contains("refused")
            && l.contains(
                "global `score` changed type from i64 to f64 since the patch that added it",
            )
    });
    let (before, v2) = v2_keeps_running(&host, 2);
    assert_eq!(
        field(&v2[before + 1], "score"),
        field(&v2[before], "score") + 1,
        "the value is untouched by the refused patch"
    );
}

/// A struct the host does not have either can change between two patches; the runtime
/// compares the layouts inside a new global's type, so the old storage is never reused for it.
#[test]
fn a_new_global_whose_new_struct_changes_layout_is_refused() {
    let (p, host) = running("newglobal4", GAME, "v1 running", |l| l.starts_with("v1 "));
    p.edit(
        "G frames: i64 = 0",
        "S Q { a: i64 }\nG q: Q = Q { a: 7 }\nG frames: i64 = 0",
    );
    p.edit(
        "printf(\"v1 frames=%ld\\n\", frames)",
        "q.a += 1\n    printf(\"v2 a=%ld\\n\", q.a)",
    );
    patch_ok(&p);
    let v2 = host.wait_count("v2 running", 1, |l| l.starts_with("v2 "));
    assert_eq!(v2[0], "v2 a=8");
    p.edit("S Q { a: i64 }", "S Q { a: i64, b: i64 = 3 }");
    p.edit("v2 a=", "v3 a=");
    patch_ok(&p);
    host.wait_stderr("the refusal", |l| {
        l.contains("global `q` changed type from Q; struct Q { a: i64 @0 } size 8 to Q; struct Q { a: i64 @0, b: i64 @8 } size 16")
    });
    v2_keeps_running(&host, 1);
}

/// At -O2 too: the optimiser must not take the pointer variable's null initialiser for its
/// value, nor keep a new global in a register across calls.
#[test]
fn new_globals_work_the_same_at_o2() {
    let (p, host) = running_at("newglobal5", GAME, "-O2", "v1 running", |l| {
        l.starts_with("v1 ")
    });
    p.edit(
        "G frames: i64 = 0",
        "G frames: i64 = 0\nG score: i64 = 5\nG best: P = P { x: 40 }",
    );
    p.edit(
        "printf(\"v1 frames=%ld\\n\", frames)",
        "score += 1\n    best.x += 2\n    printf(\"v2 score=%ld best=%ld y=%.2f\\n\", score, best.x, best.y)",
    );
    p.patch_at("-O2");
    let v2 = host.wait_count("v2 running", 2, |l| l.starts_with("v2 "));
    assert_eq!(v2[0], "v2 score=6 best=42 y=2.50");
    assert_eq!(v2[1], "v2 score=7 best=44 y=2.50");
    p.edit("v2 score", "v3 score");
    p.patch_at("-O2");
    let (last_v2, v3) = after_unload(&host, 2, 2);
    assert_eq!(field(&v3[0], "score"), field(&last_v2, "score") + 1);
    assert_eq!(field(&v3[0], "best"), field(&last_v2, "best") + 2);
}
