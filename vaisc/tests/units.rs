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

/// How many compile units of the program the host's line tables have: one per LLVM module.
fn compile_units(p: &Project) -> usize {
    let info = Command::new("readelf")
        .args(["--debug-dump=info"])
        .arg(&p.exe)
        .output()
        .expect("run readelf");
    String::from_utf8_lossy(&info.stdout)
        .lines()
        .filter(|l| l.contains("DW_AT_name") && l.ends_with("game.vais"))
        .count()
}

#[test]
fn a_hot_host_built_in_units_takes_patches() {
    let p = Project::new("units-hot", &gen::hot_program(3000, 20, 0));
    p.build();
    assert_eq!(compile_units(&p), 2, "the host was not built in two units");
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

/// A game whose `main` keeps a struct local and reads a field through a helper, with a few
/// thousand lines of other code between the helper and the hot functions, so that the host is
/// built in two units and the helper, the manifest and `main` are not all in one.
fn migrating_game() -> String {
    let filler = gen::program(3000);
    let filler = &filler[..filler.rfind("\nF main(").expect("main") + 1];
    format!(
        r#"X F fflush(f: *u8) -> i32
S Inner {{ a: i64 }}
S State {{ frame: i64, inner: Inner, x: i64 }}
G g: State = State {{ frame: 0, inner: Inner {{ a: 0 }}, x: 0 }}
F getx(s: *State) -> i64 = s.x
{filler}
#[hot]
F tick(s: *State) {{
    s.frame += 1
    s.x += 10
}}
#[hot]
F show(s: *State) {{
    printf("v1 hot frame=%ld x=%ld\n", s.frame, getx(s))
    fflush(0)
}}
F main() -> i64 {{
    l := mut State {{ frame: 0, inner: Inner {{ a: 0 }}, x: 0 }}
    L g.frame < 100000000 {{
        tick(&g)
        tick(&l)
        show(&g)
        printf("main frame=%ld x=%ld lx=%ld\n", g.frame, getx(&g), l.x)
        fflush(0)
        usleep(2000)
    }}
    0
}}
"#
    )
}

/// A host built in units migrates its live values (a global and a kept local of `main`) when a
/// patch grows a struct nested in them, which moves `x`. `tick`'s text is not edited (it names
/// the same fields by the same indices), but it uses the changed layout, so the patch carries
/// it rather than calling the host's copy with the old offsets; `main` and the host's `getx`
/// read the offset table, and the patch's `show` calls a copy of `getx` built with the new
/// layout. Every line must keep `x` at ten times the frame.
#[test]
fn a_hot_host_built_in_units_migrates_live_values_with_unchanged_hot_code() {
    let p = Project::new("units-migrate", &migrating_game());
    p.build();
    assert_eq!(compile_units(&p), 2, "the host was not built in two units");
    let host = p.start();
    host.wait_stdout("the first frames", |l| {
        l.starts_with("main ") && hot_support::field(l, "frame") >= 5
    });
    p.edit("S Inner { a: i64 }", "S Inner { a: i64, b: i64 = 0 }");
    p.edit("v1 hot", "v2 hot");
    let out = p.patch();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    assert!(err.contains("2 live values"), "{err}");
    let applied = host.wait_stderr("the reload", |l| l.contains("v2 applied"));
    assert!(applied.contains("tick, show (2 patched)"), "{applied}");
    let lines = host.wait_count("new frames", 5, |l| l.starts_with("v2 hot"));
    for l in &lines {
        let (frame, x) = (hot_support::field(l, "frame"), hot_support::field(l, "x"));
        assert_eq!(x, 10 * frame, "{l}");
    }
    let seen = host.stdout_lines().len();
    let lines = host.wait_count("main lines", seen + 10, |l| l.starts_with("main "));
    for l in &lines {
        let frame = hot_support::field(l, "frame");
        assert_eq!(hot_support::field(l, "x"), 10 * frame, "{l}");
        assert_eq!(hot_support::field(l, "lx"), 10 * frame, "{l}");
    }
}

/// Tasks and closures in a host built in units: `step` (hot) spawns an async helper, makes a
/// task of a hot async function and calls a closure, with the filler between them and `main`
/// so that the two halves are in different units; a patch of the hot async function applies.
#[test]
fn tasks_and_closures_work_across_units() {
    let filler = gen::program(3000);
    let filler = &filler[..filler.rfind("\nF main(").expect("main") + 1];
    let src = format!(
        r#"X F fflush(f: *u8) -> i32
#[hot]
A F work(x: i64) -> i64 {{
    x + 1
}}
A F helper(x: i64) -> i64 {{
    x * 10
}}
F apply(f: |i64| -> i64, x: i64) -> i64 = f(x)
{filler}
#[hot]
F step(i: i64) -> i64 {{
    t := spawn helper(i)
    u := work(i)
    k := 100
    t.await + u.await + apply(|x| x * k, i)
}}
F main() -> i64 {{
    i := mut 1
    L i < 100000000 {{
        printf("i=%ld r=%ld\n", i, step(i))
        fflush(0 as *u8)
        i += 1
        usleep(2000)
    }}
    0
}}
"#
    );
    let p = Project::new("units-tasks", &src);
    p.build();
    assert_eq!(compile_units(&p), 2, "the host was not built in two units");
    let host = p.start();
    let lines = host.wait_count("the host's lines", 3, |l| l.starts_with("i="));
    for l in &lines {
        let i = hot_support::field(l, "i");
        assert_eq!(hot_support::field(l, "r"), 111 * i + 1, "{l}");
    }
    p.edit("x + 1", "x + 2");
    built_patch(&p);
    host.wait_stderr("the reload", |l| l.contains("v2 applied"));
    let seen = host.stdout_lines().len();
    let lines = host.wait_count("new lines", seen + 3, |l| l.starts_with("i="));
    let last = lines.last().expect("a line");
    let i = hot_support::field(last, "i");
    assert_eq!(hot_support::field(last, "r"), 111 * i + 2, "{last}");
}

fn built_patch(p: &Project) {
    let out = p.patch();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
