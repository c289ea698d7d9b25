//! `vaisc watch` and sources that are deep: a save with thousands of nested parentheses is one
//! "nesting too deep" error and watch keeps going, and a save with a 10,000-term sum (which the
//! passes after the parser walk recursively) is built and applied, not a stack overflow.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{Host, Project};
use std::process::Command;

const GAME: &str = r#"X F fflush(f: *u8) -> i32
S State { frame: i64 }
#[hot]
F tick(s: *State) {
    k := 0
    s.frame += 1
    printf("v1 frame=%ld\n", s.frame)
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

fn save(p: &Project, from: &str, to: &str) {
    let text = std::fs::read_to_string(&p.src).expect("read");
    assert!(text.contains(from), "{from} not in the source");
    std::fs::write(&p.src, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn deep_saves_neither_crash_watch_nor_stop_it() {
    let p = Project::new("deep", GAME);
    let mut host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--run"])
            .current_dir(&p.dir),
    );
    host.wait_stdout("the program running", |l| l.starts_with("v1"));

    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    save(&p, "s.frame += 1", &format!("s.frame += {deep}"));
    host.wait_stderr("the nesting error", |l| l.contains("nesting too deep"));
    host.wait_stderr("the summary", |l| l.contains("build failed (1 error)"));
    assert!(host.alive(), "watch ended:\n{}", host.stderr_text());

    let long = format!("1{}", " + k".repeat(10_000));
    save(
        &p,
        &format!("s.frame += {deep}"),
        &format!("s.frame += {long}"),
    );
    save(&p, "v1 frame", "v2 frame");
    host.wait_stdout("the long sum applied", |l| l.starts_with("v2"));
    assert!(host.alive(), "watch ended:\n{}", host.stderr_text());
}
