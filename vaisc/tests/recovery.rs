//! Crash recovery end to end (issue 10): a fault in reloaded code costs the one hot call it
//! happened in. Real hosts, at -O0 and -O2: the faulting call returns zero to `main`, which
//! keeps its own values (held in callee-saved registers at -O2) and goes on; the table returns
//! to the newest version that has not faulted; the next good save applies. A fault in the
//! host's own code still ends the process, with the report.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
#[macro_use]
mod hot_support;
// Shared by the recovery tests, each file of which uses only part of it.
#[allow(dead_code)]
mod recovery_support;

use hot_support::{field, Project};
use recovery_support::{continuous, dies_in_version_one, recovers, running, GOOD_RISKY};

const NULL_READ: &str = "    q := 0 as *i64\n    *q + s.frame\n";

/// `step` calls `risky` last; hot code is built without tail calls, so at -O2 too the report
/// names the call into `step` that `main` made.
fn null_read(opt: &str) {
    let report = "SIGSEGV (read of address 0x0) in risky at game.vais:8, inside step:";
    recovers(
        &format!("rec-null{opt}"),
        opt,
        GOOD_RISKY,
        NULL_READ,
        &[report],
    );
}

at_o0_and_o2!(
    null_read:
    a_null_read_in_a_hot_callee_costs_one_call_at_o0,
    a_null_read_in_a_hot_callee_costs_one_call_at_o2
);

fn null_write(opt: &str) {
    recovers(
        &format!("rec-write{opt}"),
        opt,
        GOOD_RISKY,
        "    q := 0 as *i64\n    *q = 5\n    s.frame\n",
        &["SIGSEGV (write to address 0x0) in risky at game.vais:8"],
    );
}

at_o0_and_o2!(
    null_write:
    a_null_write_is_recovered_at_o0,
    a_null_write_is_recovered_at_o2
);

fn division_by_zero(opt: &str) {
    recovers(
        &format!("rec-div{opt}"),
        opt,
        GOOD_RISKY,
        "    s.frame / (s.frame - s.frame)\n",
        &["SIGILL (integer division by zero) in risky at game.vais:7"],
    );
}

at_o0_and_o2!(
    division_by_zero:
    a_division_by_zero_is_recovered_at_o0,
    a_division_by_zero_is_recovered_at_o2
);

/// `MIN / -1` reaches the other trap instruction Vais emits (the divisor is known only at run
/// time, so nothing folds it away).
fn division_overflow(opt: &str) {
    recovers(
        &format!("rec-trap{opt}"),
        opt,
        GOOD_RISKY,
        "    m := 0 - 9223372036854775807 - 1\n    m / (s.frame - s.frame - 1)\n",
        &["SIGILL (integer division overflow) in risky at game.vais:8"],
    );
}

at_o0_and_o2!(
    division_overflow:
    a_trap_instruction_is_recovered_at_o0,
    a_trap_instruction_is_recovered_at_o2
);

/// As for the null read, the call `main` made is the one into `step` at every level.
fn stack_overflow(opt: &str) {
    let inside = "inside step:";
    recovers(
        &format!("rec-stack{opt}"),
        opt,
        GOOD_RISKY,
        "    deep(s.frame)\n",
        &["SIGSEGV (stack overflow) in deep at game.vais:", inside],
    );
}

at_o0_and_o2!(
    stack_overflow:
    a_stack_overflow_in_a_helper_the_patch_carries_is_recovered_at_o0,
    a_stack_overflow_in_a_helper_the_patch_carries_is_recovered_at_o2
);

/// A float-returning hot function called straight from `main` returns 0.0.
fn three_float_faults(opt: &str) {
    let (p, mut host) = running(&format!("rec-float{opt}"), opt);
    let faulty = [
        "    q := 0 as *f64\n    *q\n",
        "    q := 0 as *f64\n    *q + 1.0\n",
        "    q := 0 as *f64\n    *q + 2.0\n",
    ];
    let mut now = "    1.5\n".to_string();
    for (i, body) in faulty.iter().enumerate() {
        p.edit(&now, body);
        now = body.to_string();
        p.patch_at(opt);
        let v = i + 2;
        host.wait_fault(v, &["in ratio at game.vais:"], 1);
        host.wait_stdout("0.0 returned", |l| l.contains("f=0.0"));
    }
    p.edit(&now, "    2.5\n");
    p.patch_at(opt);
    host.wait_applied(5);
    host.wait_stdout("v5 running", |l| l.contains("f=2.5"));
    continuous(&host.stdout_lines());
    assert!(host.alive());
}

at_o0_and_o2!(
    three_float_faults:
    a_float_function_returns_zero_and_three_faults_in_a_row_keep_the_state_at_o0,
    a_float_function_returns_zero_and_three_faults_in_a_row_keep_the_state_at_o2
);

/// A fault in the host's own code (version 1) cannot be undone: the report, then death by the
/// signal.
fn version_one_fault(opt: &str) {
    dies_in_version_one(
        &format!("rec-v1{opt}"),
        opt,
        "    I s.frame > 5 {\n        q := 0 as *i64\n        R *q\n    }\n    s.frame * 2\n",
        "SIGSEGV (read of address 0x0) in risky at game.vais:9",
    );
}

at_o0_and_o2!(
    version_one_fault:
    a_fault_in_version_one_ends_the_process_with_the_report_at_o0,
    a_fault_in_version_one_ends_the_process_with_the_report_at_o2
);

/// Four threads enter the new code before any of them faults (it sleeps a second first, and each
/// thread calls it every 2 ms), so their four handlers run at about the same time; each thread
/// recovers on its own and all keep running.
fn four_threads(opt: &str) {
    let src = r#"X F fflush(f: *u8) -> i32
X F pthread_create(t: *i64, attr: *u8, f: fn(*u8) -> *u8, arg: *u8) -> i32
X F pthread_join(t: i64, r: *u8) -> i32
#[hot]
F work(id: i64, i: i64) -> i64 {
    id * 1000 + i
}
F worker(arg: *u8) -> *u8 {
    id := arg as i64
    i := mut 0
    L i < 100000000 {
        r := work(id, i)
        printf("t=%ld i=%ld r=%ld\n", id, i, r)
        fflush(0 as *u8)
        i += 1
        usleep(2000)
    }
    0 as *u8
}
F main() -> i64 {
    t0 := mut 0
    t1 := mut 0
    t2 := mut 0
    t3 := mut 0
    pthread_create(&t0, 0 as *u8, worker, 0 as *u8)
    pthread_create(&t1, 0 as *u8, worker, 1 as *u8)
    pthread_create(&t2, 0 as *u8, worker, 2 as *u8)
    pthread_create(&t3, 0 as *u8, worker, 3 as *u8)
    pthread_join(t0, 0 as *u8)
    0
}
"#;
    let p = Project::new(&format!("rec-threads{opt}"), src);
    p.build_at(opt);
    let mut host = p.start();
    host.wait_stdout("all threads running", |l| {
        l.starts_with("t=3") && field(l, "i") > 3
    });
    p.edit(
        "    id * 1000 + i\n",
        "    usleep(1000000)\n    q := 0 as *i64\n    *q + id\n",
    );
    p.patch_at(opt);
    let lines = host.wait_stderr_count("four fault reports", 4, |l| l.contains("v2 faulted"));
    for l in &lines {
        assert!(l.contains("in work at game.vais:"), "{l}");
        assert!(l.ends_with("back to v1, the program continues"), "{l}");
    }
    for t in 0..4 {
        let zero = host.wait_stdout("a recovered call", |l| {
            l.starts_with(&format!("t={t} ")) && field(l, "r") == 0 && field(l, "i") > 0
        });
        let i = field(&zero, "i");
        host.wait_stdout("the thread goes on at v1", |l| {
            l.starts_with(&format!("t={t} "))
                && field(l, "i") > i + 3
                && field(l, "r") == t * 1000 + field(l, "i")
        });
    }
    assert!(host.alive());
}

at_o0_and_o2!(
    four_threads:
    four_threads_faulting_at_once_each_recover_at_o0,
    four_threads_faulting_at_once_each_recover_at_o2
);

/// A method returning a small struct (two registers) returns it zeroed, reached through
/// another hot function.
fn method_struct(opt: &str) {
    let src = r#"X F fflush(f: *u8) -> i32
S Pair { x: i64, y: i64 }
S Game { frame: i64 }
X Game {
    #[hot]
    F pair(&self) -> Pair {
        Pair { x: self.frame, y: self.frame * 2 }
    }
}
#[hot]
F both(g: *Game) -> Pair {
    g.frame += 1
    g.pair()
}
F main() -> i64 {
    g := mut Game { frame: 0 }
    L g.frame < 100000000 {
        p := both(&g)
        printf("frame=%ld x=%ld y=%ld\n", g.frame, p.x, p.y)
        fflush(0 as *u8)
        usleep(2000)
    }
    0
}
"#;
    let p = Project::new(&format!("rec-method{opt}"), src);
    p.build_at(opt);
    let mut host = p.start();
    host.wait_stdout("running", |l| field(l, "frame") >= 3);
    p.edit(
        "        Pair { x: self.frame, y: self.frame * 2 }\n",
        "        q := 0 as *i64\n        Pair { x: *q, y: self.frame * 2 }\n",
    );
    p.patch_at(opt);
    let line = host.wait_stderr("the fault report", |l| l.contains("v2 faulted"));
    assert!(line.contains("in Game.pair at game.vais:8"), "{line}");
    // At -O2 `both` calls `pair` last, as a jump: `pair`'s frame is the one `main` called.
    if opt == "-O0" {
        assert!(line.contains("inside both"), "{line}");
    }
    host.wait_stdout("a zeroed pair", |l| {
        field(l, "frame") > 3 && field(l, "x") == 0 && field(l, "y") == 0
    });
    let last = host.stdout_lines().last().cloned().unwrap_or_default();
    host.wait_stdout("v1 again", |l| {
        field(l, "frame") > field(&last, "frame") && field(l, "x") == field(l, "frame")
    });
    assert!(host.alive());
}

at_o0_and_o2!(
    method_struct:
    a_method_returning_a_struct_returns_it_zeroed_at_o0,
    a_method_returning_a_struct_returns_it_zeroed_at_o2
);

/// Structs returned in memory (four words; three floats, of which LLVM would return the third on
/// the x87 stack) come back zeroed from a recovered call, at -O0 and -O2.
#[test]
fn structs_returned_in_memory_come_back_zeroed() {
    for opt in ["-O0", "-O2"] {
        let src = r#"X F fflush(f: *u8) -> i32
S Four { a: i64, b: i64, c: i64, d: i64 }
S Floats { x: f64, y: f64, z: f64 }
#[hot]
F four(n: i64) -> Four {
    Four { a: n, b: n, c: n, d: n }
}
#[hot]
F floats(n: i64) -> Floats {
    Floats { x: 1.5, y: 2.5, z: 3.5 }
}
F main() -> i64 {
    n := mut 1
    L n < 100000000 {
        q := four(n)
        f := floats(n)
        printf("n=%ld sum=%ld x=%.1f y=%.1f z=%.1f\n", n, q.a + q.b + q.c + q.d, f.x, f.y, f.z)
        fflush(0 as *u8)
        n += 1
        usleep(2000)
    }
    0
}
"#;
        let p = Project::new(&format!("rec-sret{opt}"), src);
        p.build_at(opt);
        let mut host = p.start();
        host.wait_stdout("running", |l| {
            field(l, "n") >= 3
                && field(l, "sum") == 4 * field(l, "n")
                && l.ends_with("x=1.5 y=2.5 z=3.5")
        });
        // Each fault returns the table to v1, so each struct gets its own faulting version.
        p.edit(
            "    Four { a: n, b: n, c: n, d: n }\n",
            "    Four { a: n, b: n, c: n, d: n + *(0 as *i64) }\n",
        );
        p.patch_at(opt);
        host.wait_stderr("the first fault", |l| l.contains("v2 faulted"));
        host.wait_stdout("a zeroed Four", |l| l.contains("sum=0 x=1.5 y=2.5 z=3.5"));
        p.edit(
            "    Four { a: n, b: n, c: n, d: n + *(0 as *i64) }\n",
            "    Four { a: n, b: n, c: n, d: n }\n",
        );
        p.edit(
            "    Floats { x: 1.5, y: 2.5, z: 3.5 }\n",
            "    Floats { x: 1.5, y: 2.5, z: 3.5 + *(0 as *f64) }\n",
        );
        p.patch_at(opt);
        host.wait_stderr("the second fault", |l| l.contains("v3 faulted"));
        host.wait_stdout("zeroed Floats", |l| {
            l.ends_with("x=0.0 y=0.0 z=0.0") && field(l, "sum") == 4 * field(l, "n")
        });
        assert!(host.alive(), "{opt}");
    }
}

/// `main` calls `tick` and checks its own register-held `a`; a worker thread calls `risky`
/// flat out and counts the zeros recovered calls return.
const RECLAIMED: &str = r#"X F fflush(f: *u8) -> i32
X F pthread_create(t: *i64, attr: *u8, f: fn(*u8) -> *u8, arg: *u8) -> i32
G zeros: i64 = 0
#[hot]
F risky(i: i64) -> i64 {
    i + 1
}
#[hot]
F tick(frame: i64) -> i64 {
    frame * 2
}
F worker(arg: *u8) -> *u8 {
    i := mut 0
    L i < 1000000000000 {
        I risky(i) == 0 { zeros += 1 }
        i += 1
        usleep(20)
    }
    0 as *u8
}
F main() -> i64 {
    t := mut 0
    pthread_create(&t, 0 as *u8, worker, 0 as *u8)
    frame := mut 0
    a := mut 1000
    L frame < 100000000 {
        frame += 1
        r := tick(frame)
        printf("frame=%ld r=%ld a=%ld zeros=%ld\n", frame, r, a - frame, zeros)
        fflush(0 as *u8)
        a += 1
        usleep(2000)
    }
    0
}
"#;

/// Faults while old libraries are being checked and unloaded: good and faulting versions
/// alternate, so every other reload the worker thread faults at once in the new code, right
/// as the runtime's thread publishes it and then checks every thread's stack (its signal reaches
/// the faulting thread during or just after its recovery) and unloads the faulted libraries.
/// Every fault returns to the good version before it, the main thread's state stays continuous,
/// and the libraries mapped stay bounded.
fn faults_during_reclaim(opt: &str) {
    let p = Project::new(&format!("rec-reclaim{opt}"), RECLAIMED);
    p.build_at(opt);
    p.edit("    frame * 2\n", "    frame * 3\n");
    p.patch_at(opt);
    let good = std::fs::read(p.patch_path()).expect("good patch");
    p.edit("    i + 1\n", "    q := 0 as *i64\n    *q + i\n");
    p.patch_at(opt);
    let bad = std::fs::read(p.patch_path()).expect("faulting patch");
    std::fs::remove_file(p.patch_path()).expect("remove patch");
    let mut host = hot_support::Host::spawn(
        std::process::Command::new(&p.exe)
            .current_dir(&p.dir)
            .env("VAIS_HOT_LOG", "debug"),
    );
    host.wait_stdout("running", |l| field(l, "frame") >= 3);
    const PAIRS: usize = 24;
    for k in 0..PAIRS {
        let v = 2 * k + 2;
        p.install_patch(&host, &good, v);
        p.install_patch(&host, &bad, v + 1);
        let line = host.wait_stderr("the fault report", |l| {
            l.contains(&format!("v{} faulted", v + 1))
        });
        assert!(line.contains("in risky at game.vais:"), "{line}");
        assert!(
            line.ends_with(&format!("back to v{v}, the program continues")),
            "{line}"
        );
    }
    host.wait_stdout("every fault counted", |l| {
        field(l, "zeros") == PAIRS as i64 && field(l, "r") == 3 * field(l, "frame")
    });
    let checks = host
        .stderr_text()
        .lines()
        .filter(|l| l.contains("unloaded v"))
        .count();
    assert!(checks >= 2, "{}", host.stderr_text());
    let mapped = host.patch_libraries();
    assert!(
        (1..=16).contains(&mapped),
        "{mapped} patch libraries mapped"
    );
    continuous_frames(&host.stdout_lines());
    assert!(host.alive());
}

/// `main`'s frame counter goes up by one a line and its `a` tracks it.
fn continuous_frames(lines: &[String]) {
    let mut last = 0;
    for l in lines.iter().filter(|l| l.starts_with("frame=")) {
        assert_eq!(field(l, "a"), 999, "{l}");
        assert_eq!(field(l, "frame"), last + 1, "{l}");
        last = field(l, "frame");
    }
}

at_o0_and_o2!(
    faults_during_reclaim:
    faults_while_old_libraries_are_checked_and_unloaded_at_o0,
    faults_while_old_libraries_are_checked_and_unloaded_at_o2
);

/// When the version a fault returns to faults as well, the table goes back again: v3 sets a
/// flag and faults (back to v2), then v2's code, which faults once the flag is set, faults too
/// (back to v1), and v1 goes on with `main`'s state intact.
#[test]
fn a_fault_in_the_version_returned_to_goes_back_again() {
    let opt = "-O2";
    let (p, mut host) = running("rec-chain", opt);
    // A new global cannot be hot-applied, so the existing `depth` (which only `deep` uses
    // otherwise, and nothing calls `deep` here) is the flag.
    p.edit(
        GOOD_RISKY,
        "    I depth == 7 {\n        q := 0 as *i64\n        R *q\n    }\n    s.frame * 3\n",
    );
    p.patch_at(opt);
    host.wait_applied(2);
    host.wait_stdout("v2 running", |l| field(l, "r") == 3 * field(l, "frame"));
    p.edit("    I depth == 7 {", "    depth = 7\n    I depth == 7 {");
    p.patch_at(opt);
    host.wait_fault(3, &[], 2);
    host.wait_fault(2, &["in risky at game.vais:"], 1);
    let last = host.stdout_lines().len() as i64;
    host.wait_stdout("v1 again", |l| {
        l.starts_with("frame=")
            && field(l, "frame") > last + 3
            && field(l, "r") == 2 * field(l, "frame")
    });
    continuous(&host.stdout_lines());
    assert!(host.alive());
}
