//! Full builds in parallel units (issue 12): a large program is lowered and compiled as two
//! LLVM modules on two threads and linked together. It must behave exactly as the same
//! program built whole (at -O1, which stays one unit), build to the same bytes every time, link
//! whatever its functions and globals are called,
//! and as a hot host (units calling each other's functions, the table and entry points in the
//! first) take patches like any host.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

// The benchmarks' generator: structs, enums, matches, loops, methods and a global.
#[allow(dead_code)]
#[path = "../../benches/gen.rs"]
mod gen;

use hot_support::Project;
use std::process::Command;

fn built(p: &Project, args: &[&str]) {
    let out = p.vaisc(args);
    assert!(
        out.status.success(),
        "vaisc {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_program_built_in_units_runs_like_one_built_whole_and_builds_the_same_every_time() {
    // Names the C start-up files define too: shared across units, they must not clash.
    let clashing = "F _init() -> i64 = 1\nF _fini() -> i64 = 2\nG data_start: i64 = 3\n";
    let p = Project::new("units-plain", &format!("{clashing}{}", gen::program(3000)));
    built(&p, &["build", "game.vais", "-o", "units", "-O0"]);
    let first = std::fs::read(p.dir.join("units")).expect("executable");
    built(&p, &["build", "game.vais", "-o", "units", "-O0"]);
    assert!(
        first == std::fs::read(p.dir.join("units")).expect("executable"),
        "two builds of the same program differ"
    );
    built(&p, &["build", "game.vais", "-o", "whole", "-O1"]);
    let run = |exe: &str| Command::new(p.dir.join(exe)).output().expect("run");
    let (units, whole) = (run("units"), run("whole"));
    assert!(units.status.success(), "{units:?}");
    assert_eq!(units.stdout, whole.stdout);
    assert!(!units.stdout.is_empty());
}

#[test]
fn a_hot_host_built_in_units_takes_patches() {
    let p = Project::new("units-hot", &gen::hot_program(3000, 20, 0));
    p.build();
    // Hot hosts carry line tables: one compile unit of the program per LLVM module.
    let info = Command::new("readelf")
        .args(["--debug-dump=info"])
        .arg(&p.exe)
        .output()
        .expect("run readelf");
    let text = String::from_utf8_lossy(&info.stdout);
    let units = text
        .lines()
        .filter(|l| l.contains("DW_AT_name") && l.ends_with("game.vais"))
        .count();
    assert_eq!(units, 2, "the host was not built in two units");
    let host = p.start();
    host.wait_stdout("the host's frames", |l| l.starts_with("marker=0 "));
    std::fs::write(&p.src, gen::hot_program(3000, 20, 1)).expect("edit");
    let out = p.patch();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    host.wait_stdout("the new code's frames", |l| l.starts_with("marker=1 "));
    let applied = host.wait_stderr("the reload", |l| l.contains("v2 applied"));
    assert!(applied.contains("frame (1 patched)"), "{applied}");
}
