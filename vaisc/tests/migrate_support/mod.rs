//! What the live data migration tests share: the games they edit (`GAME`, `SHAPES`), the
//! layout edits they make to them, and helpers that start a host, wait for a fault's values to
//! move back, and check that `main` and hot code keep reading their fields right.

use super::hot_support::{field, patch_refused, running, smuggle_patch, Host, Project};

/// A game whose state is a global and a local of `main`; `main` prints the fields it reads.
pub const GAME: &str = r#"X F fflush(f: *u8) -> i32
S State { frame: i64, x: i64 }
G g: State = State { frame: 0, x: 0 }
#[hot]
F tick(s: *State) {
    s.frame += 1
    s.x += 10
}
#[hot]
F show(s: *State) {
    printf("v1 hot frame=%ld\n", s.frame)
    fflush(0)
}
F main() -> i64 {
    l := mut State { frame: 0, x: 0 }
    L g.frame < 100000000 {
        tick(&g)
        tick(&l)
        show(&g)
        printf("main frame=%ld x=%ld lx=%ld\n", g.frame, g.x, l.x)
        fflush(0)
        usleep(2000)
    }
    0
}
"#;

/// Waits for `n` more `main` lines after the ones seen so far and checks that `main` kept
/// reading its fields right: `x` and `lx` are ten times the frame on every line.
pub fn main_reads_right(host: &Host, n: usize) {
    let seen = host.stdout_lines().len();
    let lines = host.wait_count("main lines", seen + n, |l| l.starts_with("main "));
    for l in &lines {
        assert_eq!(field(l, "x"), 10 * field(l, "frame"), "{l}");
        assert_eq!(field(l, "lx"), 10 * field(l, "frame"), "{l}");
    }
}

/// A project with `source`, running until `main` has printed its fifth frame.
pub fn started(name: &str, source: &str) -> (Project, Host) {
    running(name, source, "the first frames", |l| {
        l.starts_with("main ") && field(l, "frame") >= 5
    })
}

/// Checks that every `PREFIX` line of hot code after the first `skip` lines read `x` as ten
/// times the frame, and that there are some.
pub fn hot_reads_right(host: &Host, prefix: &str, skip: usize) {
    let lines: Vec<String> = host
        .stdout_lines()
        .into_iter()
        .skip(skip)
        .filter(|l| l.starts_with(prefix))
        .collect();
    assert!(!lines.is_empty(), "no {prefix} lines");
    for l in &lines {
        assert_eq!(field(l, "x"), 10 * field(l, "frame"), "{l}");
    }
}

/// `GAME` with the hot `show` printing `x` too, so hot code's reads are checked as well.
pub fn showing_x() -> String {
    GAME.replace(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "printf(\"v1 hot frame=%ld x=%ld\\n\", s.frame, s.x)",
    )
}

/// Gives `GAME`'s `State` the fields `fields` and both of its literals (the global's and
/// `main`'s local's) the initialisers `init`: the three edits every layout change of the game
/// makes together, since a struct and its literals must agree.
pub fn relayout(p: &Project, fields: &str, init: &str) {
    p.edit(
        "S State { frame: i64, x: i64 }",
        &format!("S State {{ {fields} }}"),
    );
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        &format!("G g: State = State {{ {init} }}"),
    );
    p.edit(
        "l := mut State { frame: 0, x: 0 }",
        &format!("l := mut State {{ {init} }}"),
    );
}

/// Inserts `speed` before `x` in `State` and its literals, so `x` moves.
pub fn insert_speed(p: &Project) {
    relayout(
        p,
        "frame: i64, speed: i64, x: i64",
        "frame: 0, speed: 0, x: 0",
    );
}

/// A fresh project with `source`, built but not started, whose `State` then gains `y` before
/// `x`, with a default so that the literals can stay as they are; the patch is not yet built.
pub fn built_with_defaulted_y(name: &str, source: &str) -> Project {
    let p = Project::new(name, source);
    p.build();
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, y: i64 = 0, x: i64 }",
    );
    p
}

/// An enum value in `main`'s local, which hot code steps through its variants; `main` builds
/// it in the `Dot` variant.
pub const SHAPES: &str = r#"X F fflush(f: *u8) -> i32
E Shape { Dot, Circle(i64), Square(i64) }
S World { shape: Shape, frame: i64 }
#[hot]
F tick(a: *World) {
    a.frame += 1
    a.shape = M a.shape {
        Shape.Dot => Shape.Circle(1),
        Shape.Circle(r) => Shape.Circle(r + 1),
        Shape.Square(s) => Shape.Square(s),
    }
    n := M a.shape { Shape.Circle(r) => r, _ => 0 }
    printf("v1 r=%ld\n", n)
    fflush(0)
}
F main() -> i64 {
    w := mut World { shape: Shape.Dot, frame: 0 }
    L w.frame < 100000000 {
        tick(&w)
        usleep(2000)
    }
    0
}
"#;

/// A project with a `SHAPES`-like `source`, running until hot code has printed a radius of 5.
pub fn shapes_started(name: &str, source: &str) -> (Project, Host) {
    running(name, source, "the first frames", |l| {
        l.starts_with("v1 r=") && field(l, "r") >= 5
    })
}

/// Waits for v2 to fault and for v1 to run again with the values moved back to its layouts,
/// then for 10 more lines of v1's hot code; returns how many stdout lines there were before.
pub fn v1_again_after_v2_faulted(host: &Host) -> usize {
    host.wait_stderr("the fault", |l| l.contains("v2 faulted"));
    host.wait_stderr("the values moved back", |l| {
        l.contains("v1 runs again after v2 faulted") && l.contains("moved back to its layouts")
    });
    let seen = host.stdout_lines().len();
    host.wait_count("old code again", seen + 10, |l| l.starts_with("v1 hot"));
    seen
}

/// Checks that the compiler refuses the patch saying `expected`, that the runtime refuses it
/// too when the same code arrives anyway (built aside, copied into place), and that `main`
/// keeps reading its fields right.
pub fn refused_by_both(p: &Project, host: &Host, expected: &str) {
    let err = patch_refused(p);
    assert!(err.contains(expected), "{err}");
    smuggle_patch(p);
    host.wait_stderr("the runtime's refusal", |l| {
        l.contains(&format!("refused: {expected}"))
    });
    main_reads_right(host, 10);
}
