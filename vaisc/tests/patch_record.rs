//! `--patch-only` with the record of the host's check (`game.vais-check`, issue 12): when an
//! edit changed only the insides of plain function bodies, the patch build takes the code
//! hashes of every other function from the host's record (the `VAIS_TIMINGS` phase
//! `driver::REUSED_PHASE` says so), and the running program shows the edit: a hot function's
//! body, an ordinary helper's (its hot caller carries the new copy), and a helper that only
//! an unchanged helper calls (that caller's code hash changes, so it is carried too). Edits
//! beyond bodies (a signature, a struct, a new item) or a changed body that now makes a
//! generic instance take the full way (`driver::HASHED_PHASE`), with the same result. A patch
//! made with the record is the same bytes as one made without it.
//!
//! The body edits are also checked without the bodies the patch does not carry: those are
//! taken from the host's record (`driver::TAKING_PHASE`). An edit whose changed body now
//! calls a helper the host does not export needs that helper's body in the patch, so the
//! build checks the program again in full (`driver::RECHECK_PHASE`), with the same patch.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{field, running, same_patch_without_record, Project};
use vaisc::driver::{HASHED_PHASE, RECHECK_PHASE, REUSED_PHASE, TAKING_PHASE};

/// `step` is hot and calls `scale` (a helper), `half` and `offset`, which calls `base`;
/// `ident` is a generic nothing uses yet. The numbers the edits change keep their width, so no
/// item moves, except where a test says otherwise.
const GAME: &str = r#"X F fflush(f: *u8) -> i32
S Pos { x: i64, y: i64 }
F ident<T>(v: T) -> T = v
F scale(v: i64) -> i64 = v * 2
F spare() -> i64 = 3 * 7 + 0
F base() -> i64 = 2 * 5 + 0
F offset() -> i64 = base() + 1
F half(v: i64) -> i64 {
    q := v / 2
    q
}
#[hot]
F step(n: i64) -> i64 {
    p := Pos { x: n, y: 1 }
    printf("v1 frame=%ld a=%ld b=%ld y=%ld h=%ld\n", n, scale(p.x), offset(), p.y, half(n))
    fflush(0 as *u8)
    0
}
F main() -> i64 {
    n := mut spare()
    L n < 100000000 {
        step(n)
        n += 1
        usleep(2000)
    }
    0
}
"#;

/// Rebuilds the patch with `VAIS_TIMINGS=1`, which must succeed; the names of the phases
/// it timed.
fn patch_phases(p: &Project) -> Vec<String> {
    let out = p
        .patch_command()
        .env("VAIS_TIMINGS", "1")
        .output()
        .expect("run vaisc");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "patch build failed:\n{err}");
    // `timing: <length> ms at <start> ms  <name>`: the name follows the two spaces.
    err.lines()
        .filter(|l| l.starts_with("timing:"))
        .filter_map(|l| l.split_once(" ms  ").map(|(_, name)| name.to_string()))
        .collect()
}

/// Whether the hashes were made the way `phase` names.
fn took(phases: &[String], phase: &str) -> bool {
    phases.iter().any(|p| p == phase)
}

/// Whether the patch was built from the check that took bodies from the host.
fn built_taking(phases: &[String]) -> bool {
    took(phases, TAKING_PHASE) && !took(phases, RECHECK_PHASE)
}

/// Waits for a line of the new code (`label`) from the running host and returns it.
fn new_line(host: &hot_support::Host, label: &str) -> String {
    host.wait_stdout(label, |l| l.starts_with(label))
}

#[test]
fn body_edits_reuse_the_host_record_and_take_effect() {
    let (p, host) = running("record-bodies", GAME, "a few frames", |l| {
        l.starts_with("v1 ") && field(l, "frame") >= 2
    });
    assert!(
        p.dir.join("game.vais-check").exists(),
        "the host build keeps no record of its check"
    );

    // A hot function's body.
    p.edit("v1 frame=", "v2 frame=");
    let phases = patch_phases(&p);
    assert!(took(&phases, REUSED_PHASE), "{phases:?}");
    assert!(built_taking(&phases), "{phases:?}");
    same_patch_without_record(&p, "v2");
    let line = new_line(&host, "v2 ");
    assert_eq!(field(&line, "a"), 2 * field(&line, "frame"), "{line}");

    // An ordinary helper the hot function calls, and the hot function again (to tell the
    // lines apart).
    p.edit("v * 2", "v * 3");
    p.edit("v2 frame=", "v3 frame=");
    let phases = patch_phases(&p);
    assert!(took(&phases, REUSED_PHASE), "{phases:?}");
    assert!(built_taking(&phases), "{phases:?}");
    same_patch_without_record(&p, "v3");
    let line = new_line(&host, "v3 ");
    assert_eq!(field(&line, "a"), 3 * field(&line, "frame"), "{line}");
    assert_eq!(field(&line, "b"), 11, "{line}");

    // A helper only an unchanged helper (`offset`) calls.
    p.edit("2 * 5 + 0", "8 * 5 + 0");
    p.edit("v3 frame=", "v4 frame=");
    let phases = patch_phases(&p);
    assert!(took(&phases, REUSED_PHASE), "{phases:?}");
    assert!(built_taking(&phases), "{phases:?}");
    same_patch_without_record(&p, "v4");
    let line = new_line(&host, "v4 ");
    assert_eq!(field(&line, "b"), 41, "{line}");
    assert_eq!(field(&line, "a"), 3 * field(&line, "frame"), "{line}");

    // `offset` now calls `spare`, which only `main` called: the host does not export it, so
    // the patch carries its body, which the check must not take.
    p.edit("base() + 1", "spare()+ 1");
    p.edit("v4 frame=", "v5 frame=");
    let phases = patch_phases(&p);
    assert!(took(&phases, TAKING_PHASE), "{phases:?}");
    assert!(took(&phases, RECHECK_PHASE), "{phases:?}");
    assert!(took(&phases, REUSED_PHASE), "{phases:?}");
    same_patch_without_record(&p, "v5");
    let line = new_line(&host, "v5 ");
    assert_eq!(field(&line, "b"), 22, "{line}");
}

#[test]
fn a_longer_body_moves_what_follows_and_still_takes_the_host_bodies() {
    let (p, host) = running("record-moved", GAME, "a few frames", |l| {
        l.starts_with("v1 ") && field(l, "frame") >= 2
    });
    // `base` grows by a few bytes, so `offset`, `half`, `step` and `main` move; `half`'s body
    // is neither parsed nor checked again, and the patch is the one a full build makes.
    p.edit("2 * 5 + 0", "2 * 5 + 1000");
    p.edit("v1 frame=", "v6 frame=");
    let phases = patch_phases(&p);
    assert!(built_taking(&phases), "{phases:?}");
    same_patch_without_record(&p, "v6");
    let line = new_line(&host, "v6 ");
    assert_eq!(field(&line, "b"), 1011, "{line}");
    assert_eq!(field(&line, "h"), field(&line, "frame") / 2, "{line}");
}

/// One edit the rule must refuse: the host runs `GAME`, the source is edited by `edits`
/// (each `from` to `to`), and the patch, built the full way, must make the host print a
/// line starting with `v9 ` that satisfies `check`.
fn refused(name: &str, edits: &[(&str, &str)], check: impl Fn(&str) -> bool) {
    let (p, host) = running(name, GAME, "a few frames", |l| {
        l.starts_with("v1 ") && field(l, "frame") >= 2
    });
    for (from, to) in edits {
        p.edit(from, to);
    }
    p.edit("v1 frame=", "v9 frame=");
    let phases = patch_phases(&p);
    assert!(
        took(&phases, HASHED_PHASE) && !took(&phases, REUSED_PHASE),
        "{name}: {phases:?}"
    );
    assert!(!took(&phases, TAKING_PHASE), "{name}: {phases:?}");
    let line = new_line(&host, "v9 ");
    assert!(check(&line), "{name}: {line}");
}

#[test]
fn a_signature_change_takes_the_full_way() {
    refused(
        "record-signature",
        &[
            (
                "F scale(v: i64) -> i64 = v * 2",
                "F scale(v: i32) -> i64 = v as i64 * 5",
            ),
            ("scale(p.x)", "scale(p.x as i32)"),
        ],
        |l| field(l, "a") == 5 * field(l, "frame"),
    );
}

#[test]
fn a_struct_change_takes_the_full_way() {
    refused(
        "record-struct",
        &[
            (
                "S Pos { x: i64, y: i64 }",
                "S Pos { x: i64, y: i64, z: i64 }",
            ),
            ("Pos { x: n, y: 1 }", "Pos { x: n, y: 7, z: 0 }"),
        ],
        |l| field(l, "y") == 7,
    );
}

#[test]
fn a_new_item_takes_the_full_way() {
    refused(
        "record-new-item",
        &[
            (
                "F base() -> i64 = 2 * 5 + 0\n",
                "F base() -> i64 = 2 * 5 + 0\nF more() -> i64 = 30\n",
            ),
            (
                "F offset() -> i64 = base() + 1",
                "F offset() -> i64 = more() + 1",
            ),
        ],
        |l| field(l, "b") == 31,
    );
}

#[test]
fn a_body_that_now_makes_a_generic_instance_takes_the_full_way() {
    // Same width: only the generic instance stands in the rule's way.
    refused("record-generic", &[("2 * 5 + 0", "ident(25)")], |l| {
        field(l, "b") == 26
    });
}
