//! Async functions in hot builds, end to end with real processes: an async function called from
//! hot code is carried by the patch, so its edits apply; a `#[hot]` async function reloads like
//! any hot function (tasks made after the reload run the new body, a task already running
//! finishes in the code it started in); and a fault in reloaded
//! code on a spawned task's thread, a stack overflow included (the worker has an alternate
//! signal stack), costs that task's call: the task yields zero and the program goes on.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
#[macro_use]
mod hot_support;

use hot_support::{field, running_at, Project};

/// `step` (hot) spawns `helper` (async, not hot) and makes a task of `work` (async and hot);
/// `main` prints what they give each frame.
const GAME: &str = r#"X F fflush(f: *u8) -> i32
#[hot]
A F work(x: i64) -> i64 {
    x + 1
}
A F helper(x: i64) -> i64 {
    x * 10
}
F deep(n: i64) -> i64 {
    I n < 0 { R 0 }
    deep(n + 1) + deep(n + 2)
}
#[hot]
F step(i: i64) -> i64 {
    t := spawn helper(i)
    u := work(i)
    t.await + u.await
}
F main() -> i64 {
    i := mut 1
    L i < 100000000 {
        r := step(i)
        printf("i=%ld r=%ld\n", i, r)
        fflush(0 as *u8)
        i += 1
        usleep(2000)
    }
    0
}
"#;

/// Edits of the spawned helper and of the hot async function both apply.
fn edits_apply(opt: &str) {
    let (p, mut host) = running_at(&format!("async-edit{opt}"), GAME, opt, "v1", |l| {
        field(l, "i") >= 3 && field(l, "r") == 11 * field(l, "i") + 1
    });
    p.edit("    x * 10\n", "    x * 100\n");
    p.patch_at(opt);
    host.wait_applied(2);
    host.wait_stdout("the new helper", |l| {
        field(l, "r") == 101 * field(l, "i") + 1
    });
    p.edit("    x + 1\n", "    x + 7\n");
    p.patch_at(opt);
    host.wait_applied(3);
    host.wait_stdout("the new hot async body", |l| {
        field(l, "r") == 101 * field(l, "i") + 7
    });
    assert!(host.alive());
}

at_o0_and_o2!(
    edits_apply:
    edits_of_async_functions_apply_at_o0,
    edits_of_async_functions_apply_at_o2
);

/// A stack overflow in new code, on the spawned task's own thread: the task yields zero, the
/// table returns to v1 and the program goes on.
fn overflow_in_a_task(opt: &str) {
    let (p, mut host) = running_at(&format!("async-fault{opt}"), GAME, opt, "v1", |l| {
        field(l, "i") >= 3
    });
    p.edit("    x * 10\n", "    deep(x) * 10\n");
    p.patch_at(opt);
    host.wait_fault(2, &["SIGSEGV (stack overflow) in deep at game.vais:"], 1);
    // The spawned part gave 0; `work`, on main's thread, still gave i + 1.
    let zero = host.wait_stdout("the task's zero", |l| {
        field(l, "i") > 3 && field(l, "r") == field(l, "i") + 1
    });
    let after = field(&zero, "i");
    host.wait_stdout("v1 again", |l| {
        field(l, "i") > after + 3 && field(l, "r") == 11 * field(l, "i") + 1
    });
    assert!(host.alive());
}

at_o0_and_o2!(
    overflow_in_a_task:
    a_stack_overflow_in_a_spawned_task_is_recovered_at_o0,
    a_stack_overflow_in_a_spawned_task_is_recovered_at_o2
);

/// A task of a `#[hot]` async function that is running when a reload comes finishes in the
/// code it started in; a task made after the reload runs the new body.
const SPINNER: &str = r#"U std/hot
X F fflush(f: *u8) -> i32
G stop: i64 = 0
G inside: i64 = 0
#[hot]
A F spin(tag: i64) -> i64 {
    inside = 1
    L stop == 0 { usleep(200) }
    tag * 1
}
F main() -> i64 {
    t := spawn spin(1)
    L inside == 0 { usleep(1000) }
    printf("spinning\n")
    fflush(0 as *u8)
    L hot_version() < 2 { usleep(1000) }
    u := spin(2)
    stop = 1
    printf("t=%ld u=%ld\n", t.await, u.await)
    0
}
"#;

fn running_task_keeps_its_code(opt: &str) {
    let p = Project::new(&format!("async-spin{opt}"), SPINNER);
    p.build_at(opt);
    std::fs::remove_file(p.patch_path()).expect("remove the first patch");
    let mut host = p.start();
    host.wait_stdout("the task running v1", |l| l == "spinning");
    p.edit("    tag * 1\n", "    tag * 100\n");
    p.patch_at(opt);
    host.wait_applied(2);
    assert_eq!(host.wait_exit(), Some(0), "{}", host.stderr_text());
    host.wait_stdout("both results", |l| l == "t=1 u=200");
}

at_o0_and_o2!(
    running_task_keeps_its_code:
    a_running_task_finishes_in_its_code_and_a_new_one_runs_the_reloaded_body_at_o0,
    a_running_task_finishes_in_its_code_and_a_new_one_runs_the_reloaded_body_at_o2
);
