//! Live data migration of the kinds of values generics, closures, tasks and new globals
//! bring, end to end with real processes: a generic struct's instance migrates like any
//! struct, a closure in a struct is copied; what the runtime cannot find (a `Vec`'s elements, a
//! task's record, a closure's environment, storage of a patch's new global) refuses a layout
//! change, naming the type and the program's line, while the old code keeps running.

// Shared by the hot-reload tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;
// Shared by the migration tests, each of which uses only part of it.
#[allow(dead_code)]
mod migrate_support;

use hot_support::{field, patch_ok, patch_refused};
use migrate_support::{built_with_defaulted_y, main_reads_right, started, GAME};

/// A generic struct's instance (`Pair<i64>`) is a migratable type of its own.
#[test]
fn a_generic_struct_instance_gains_a_field() {
    let source = GAME
        .replace(
            "S State { frame: i64, x: i64 }",
            "S Pair<T> { frame: T, x: T }",
        )
        .replace("State { frame: 0, x: 0 }", "Pair { frame: 0, x: 0 }")
        .replace("State", "Pair<i64>");
    let (p, host) = started("generic", &source);
    p.edit(
        "S Pair<T> { frame: T, x: T }",
        "S Pair<T> { frame: T, c: T, x: T }",
    );
    for _ in ["g", "l"] {
        p.edit("Pair { frame: 0, x: 0 }", "Pair { frame: 0, c: 0, x: 0 }");
    }
    p.edit("s.x += 10", "s.x += 10\n    s.c += 2");
    p.edit(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "printf(\"v2 hot frame=%ld c=%ld\\n\", s.frame, s.c)",
    );
    let err = patch_ok(&p);
    assert!(
        err.contains("migration: Pair<i64>: + c = 0, x moved 8 -> 16; 2 live values"),
        "{err}"
    );
    let first = host.wait_stdout("new code", |l| l.starts_with("v2 hot"));
    assert_eq!(field(&first, "c"), 2, "{first}");
    main_reads_right(&host, 10);
}

/// A struct kept in a `Vec` lives in the vector's `malloc` block, which the runtime cannot
/// find: a change to its layout is refused, naming the vector's type and the program's line.
#[test]
fn a_struct_held_in_a_vec_refuses_a_layout_change() {
    let source = GAME.replace(
        "    l := mut State { frame: 0, x: 0 }\n",
        "    l := mut State { frame: 0, x: 0 }\n    v: mut Vec<State> = Vec.new()\n    v.push(State { frame: 1, x: 2 })\n",
    );
    let p = built_with_defaulted_y("vec", &source);
    let err = patch_refused(&p);
    assert!(
        err.contains(
            "State: values may live in the elements of a `Vec<State>` (game.vais:16), which the runtime cannot find"
        ),
        "{err}"
    );
    // A struct that no vector holds still migrates.
    drop(p);
    let source = source
        .replace("S State {", "S Other { a: i64 }\nS State {")
        .replace("Vec<State>", "Vec<Other>")
        .replace("v.push(State { frame: 1, x: 2 })", "v.push(Other { a: 1 })");
    let p = built_with_defaulted_y("vec_other", &source);
    let err = patch_ok(&p);
    assert!(
        err.contains("migration: State: + y = 0, x moved 8 -> 16"),
        "{err}"
    );
}

/// A global a patch added lives in storage the runtime owns, which it does not migrate: a
/// later patch changing the layout of a struct in it is refused at load, and the code before
/// keeps running.
#[test]
fn a_new_global_of_a_struct_type_refuses_a_later_layout_change() {
    let (p, host) = started("new_global", GAME);
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        "G g: State = State { frame: 0, x: 0 }\nG extra: State = State { frame: 5, x: 7 }",
    );
    p.edit(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "extra.x += 1\n    printf(\"v2 hot frame=%ld extra=%ld\\n\", s.frame, extra.x)",
    );
    patch_ok(&p);
    host.wait_stdout("the new global", |l| l.starts_with("v2 hot"));
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, y: i64 = 3, x: i64 }",
    );
    p.edit("printf(\"v2 hot", "printf(\"v3 hot");
    patch_ok(&p);
    host.wait_stderr("the refusal", |l| {
        l.contains("v3 refused: global `extra` changed type from State; struct State { frame: i64 @0, x: i64 @8 } size 16 to State; struct State { frame: i64 @0, y: i64 @8, x: i64 @16 } size 24 since the patch that added it")
    });
    let is_v2 = |l: &str| l.starts_with("v2 hot");
    let seen = host.stdout_lines().iter().filter(|l| is_v2(l)).count();
    host.wait_count("v2 frames after the refusal", seen + 5, is_v2);
    let all = host.stdout_lines();
    assert!(all.iter().all(|l| !l.starts_with("v3")), "{all:?}");
    main_reads_right(&host, 5);
}

/// Tasks: `spawn` runs Vais code on another thread, and a task's record (its arguments and
/// result, `malloc` memory) may hold values the runtime cannot find. Both refuse, in one line
/// naming the program's line; a `Task<i64>` alone (a pointer) stands in the way of nothing.
#[test]
fn spawn_and_task_records_refuse_layout_changes() {
    let cases = [
        (
            "A F make(n: i64) -> i64 = n\n",
            "    t := spawn make(3)\n    printf(\"t=%ld\\n\", t.await)\n",
            Some("State: another thread may be running Vais code (`spawn` at game.vais:"),
        ),
        (
            "A F make(n: i64) -> State = State { frame: n, x: 0 }\n",
            "    t := make(3)\n    printf(\"t=%ld\\n\", t.await.frame)\n",
            Some("State: values may live in the record of a `Task<State>` (game.vais:"),
        ),
        (
            "A F make(n: i64) -> i64 = n\n",
            "    t := make(3)\n    printf(\"t=%ld\\n\", t.await)\n",
            None,
        ),
    ];
    for (i, (decl, body, refusal)) in cases.into_iter().enumerate() {
        let source = GAME.replace(
            "F main() -> i64 {\n",
            &format!("{decl}F main() -> i64 {{\n{body}"),
        );
        let p = built_with_defaulted_y(&format!("task{i}"), &source);
        match refusal {
            Some(why) => {
                let err = patch_refused(&p);
                assert!(err.contains(why), "{err}");
            }
            None => {
                let err = patch_ok(&p);
                assert!(
                    err.contains("migration: State: + y = 0, x moved 8 -> 16"),
                    "{err}"
                );
            }
        }
    }
}

/// A closure in a migrated struct (code and environment pointers) is copied and still calls;
/// a closure that captured a struct by value holds a copy the runtime cannot find, and refuses.
#[test]
fn closures_in_structs_migrate_and_captured_structs_refuse() {
    let source = GAME
        .replace(
            "#[hot]\nF show",
            "S Holder { k: i64, f: |i64| -> i64 }\n#[hot]\nF call(h: *Holder) {\n    printf(\"v1 call=%ld\\n\", h.f(h.k))\n}\n#[hot]\nF show",
        )
        .replace(
            "    l := mut State { frame: 0, x: 0 }\n",
            "    l := mut State { frame: 0, x: 0 }\n    m := 3\n    h := mut Holder { k: 7, f: |n| n * m }\n",
        )
        .replace("        show(&g)\n", "        show(&g)\n        call(&h)\n");
    let (p, host) = started("closure", &source);
    p.edit(
        "S Holder { k: i64, f: |i64| -> i64 }",
        "S Holder { k: i64, z: i64 = 5, f: |i64| -> i64 }",
    );
    p.edit(
        "printf(\"v1 call=%ld\\n\", h.f(h.k))",
        "printf(\"v2 call=%ld\\n\", h.f(h.k) + h.z)",
    );
    let err = patch_ok(&p);
    assert!(
        err.contains("migration: Holder: + z = 5, f moved 8 -> 16; 1 live value"),
        "{err}"
    );
    let line = host.wait_stdout("new code", |l| l.starts_with("v2 call"));
    assert_eq!(field(&line, "call"), 26, "{line}");
    main_reads_right(&host, 5);
    drop(host);
    drop(p);

    let source = GAME.replace(
        "    l := mut State { frame: 0, x: 0 }\n",
        "    l := mut State { frame: 0, x: 0 }\n    c := |n: i64| n + l.frame\n    printf(\"c=%ld\\n\", c(1))\n",
    );
    let p = built_with_defaulted_y("captured", &source);
    let err = patch_refused(&p);
    assert!(
        err.contains("State: values may live in the environment of a closure (game.vais:16), which the runtime cannot find"),
        "{err}"
    );
}
