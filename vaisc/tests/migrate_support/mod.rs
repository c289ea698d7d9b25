//! What the live data migration tests share: the game they edit, and helpers that build a
//! patch, start a host and check that `main` keeps reading its fields right.

use super::hot_support::{field, Host, Project};

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

pub fn patch_ok(p: &Project) -> String {
    let out = p.patch();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "patch build failed:\n{err}");
    err
}

pub fn patch_refused(p: &Project) -> String {
    let out = p.patch();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

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

pub fn started(name: &str, source: &str) -> (Project, Host) {
    let p = Project::new(name, source);
    p.build();
    let host = p.start();
    host.wait_stdout("the first frames", |l| {
        l.starts_with("main ") && field(l, "frame") >= 5
    });
    (p, host)
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
