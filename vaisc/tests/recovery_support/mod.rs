//! What the crash recovery tests share: the game whose `risky` the tests make fault, building
//! it and its patches, and the check that a fault costs one call and the program's state stays
//! continuous.

use crate::hot_support::{field, running_at, Host, Project};

/// `main` keeps `a` and `b` across the hot calls; each line checks they still track `frame`
/// (`a - frame == 999`, `b - 2 * frame == 1998`), which a wrongly restored register breaks.
pub const GAME: &str = r#"X F fflush(f: *u8) -> i32
G total: i64 = 0
G depth: i64 = 0
S State { frame: i64 }
#[hot]
F risky(s: *State) -> i64 {
    s.frame * 2
}
#[hot]
F ratio(s: *State) -> f64 {
    1.5
}
F deep(n: i64) -> i64 {
    depth += 1
    I n < 0 { R 0 }
    deep(n + 1) + deep(n + 2)
}
#[hot]
F step(s: *State) -> i64 {
    s.frame += 1
    total += 1
    risky(s)
}
F main() -> i64 {
    s := mut State { frame: 0 }
    a := mut 1000
    b := mut 2000
    L s.frame < 100000000 {
        r := step(&s)
        f := ratio(&s)
        printf("frame=%ld total=%ld r=%ld f=%.1f a=%ld b=%ld\n", s.frame, total, r, f, a - s.frame, b - 2 * s.frame)
        fflush(0 as *u8)
        a += 1
        b += 2
        usleep(2000)
    }
    0
}
X F remquo(x: f64, y: f64, quo: *i32) -> f64
"#;

pub const GOOD_RISKY: &str = "    s.frame * 2\n";

/// The game in a fresh project, hot built at the optimisation level `opt`, running its third
/// frame.
pub fn running(name: &str, opt: &str) -> (Project, Host) {
    running_at(name, GAME, opt, "running", |l| field(l, "frame") >= 3)
}

/// Every line so far shows `main`'s own values intact and the frame counter and global in step.
pub fn continuous(lines: &[String]) {
    let mut last = 0;
    for l in lines.iter().filter(|l| l.starts_with("frame=")) {
        assert_eq!(field(l, "a"), 999, "{l}");
        assert_eq!(field(l, "b"), 1998, "{l}");
        assert_eq!(field(l, "frame"), field(l, "total"), "{l}");
        assert_eq!(field(l, "frame"), last + 1, "{l}");
        last = field(l, "frame");
    }
}

/// Runs the game, makes `risky` (or whatever `from` names) fault by the edit, checks the report
/// and that the program goes on at v1, then applies a good edit as v3.
pub fn recovers(name: &str, opt: &str, from: &str, to: &str, report: &[&str]) {
    let (p, mut host) = running(name, opt);
    p.edit(from, to);
    p.patch_at(opt);
    host.wait_fault(2, report, 1);
    let after = host.stdout_lines().len();
    host.wait_stdout("frames after the fault", |l| {
        l.starts_with("frame=") && field(l, "frame") > after as i64 + 5
    });
    assert!(host.alive());
    p.edit(to, from);
    p.edit(GOOD_RISKY, "    s.frame * 3\n");
    p.patch_at(opt);
    host.wait_applied(3);
    host.wait_stdout("v3 running", |l| {
        l.starts_with("frame=") && field(l, "r") == 3 * field(l, "frame")
    });
    continuous(&host.stdout_lines());
    assert!(host.alive());
}

/// A fault in the host's own code (version 1) cannot be undone: built with `risky`'s body
/// replaced by `body`, the host reports the fault (the line must contain `report`) and dies by
/// the signal.
pub fn dies_in_version_one(name: &str, opt: &str, body: &str, report: &str) {
    let p = Project::new(name, &GAME.replace(GOOD_RISKY, body));
    p.build_at(opt);
    let mut host = p.start();
    let line = host.wait_stderr("the fault report", |l| l.contains("v1 faulted"));
    assert!(line.contains(report), "{line}");
    assert!(
        line.ends_with("cannot be undone, the program ends"),
        "{line}"
    );
    assert_eq!(host.wait_exit(), None, "killed by a signal, not exited");
    assert!(!host.alive());
}
