//! Live data migration when the code that keeps running is not only `main`, end to end with
//! real processes: `main -> frame(&state) -> update`, where `frame` is an ordinary function
//! whose calls of hot functions are the only safe points; a fault in `update` after a layout
//! change, with `frame`'s next hot call moving the values back first; and the refusal of a
//! layout change for a struct local of such a function, which the runtime cannot find; and
//! code without safe points, which runs with the host's layouts until the first migration.

// Shared by the hot-reload tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;
// Shared by the migration tests, each of which uses only part of it.
#[allow(dead_code)]
mod migrate_support;

use hot_support::{field, patch_ok, patch_refused, Host, Project};
use migrate_support::{
    hot_reads_right, insert_speed, main_reads_right, refused_by_both, showing_x, started,
    v1_again_after_v2_faulted, GAME,
};

/// `GAME` with `main` calling hot code only through the ordinary `frame`, and the hot `show`
/// printing `x` too.
fn game() -> String {
    showing_x()
        .replace(
            "F main() -> i64 {\n",
            "F frame(s: *State) {\n    tick(s)\n    show(s)\n}\nF main() -> i64 {\n",
        )
        .replace(
            "        tick(&g)\n        tick(&l)\n        show(&g)\n",
            "        frame(&g)\n        frame(&l)\n",
        )
}

/// Checks that every line of v1's and of v2's hot code read `x` right, that `main` reads its
/// fields right in 10 more lines, and that the host is still running.
fn all_read_right(host: &mut Host) {
    hot_reads_right(host, "v1 hot", 0);
    hot_reads_right(host, "v2 hot", 0);
    main_reads_right(host, 10);
    assert!(host.alive());
}

#[test]
fn an_ordinary_function_calling_hot_code_is_where_values_migrate() {
    let (p, mut host) = started("nested-safe-point", &game());
    insert_speed(&p);
    p.edit("v1 hot frame", "v2 hot frame");
    patch_ok(&p);
    host.wait_applied(2);
    let seen = host.stdout_lines().len();
    host.wait_count("new code", seen + 10, |l| l.starts_with("v2 hot"));
    all_read_right(&mut host);
}

#[test]
fn a_fault_in_hot_code_an_ordinary_function_calls_moves_the_values_back_at_its_next_call() {
    let (p, mut host) = started("nested-fault", &game());
    // v2 inserts a field before `x` and `tick` faults once it has run 20 frames; `frame` calls
    // v1's `show` right after, which must find the values in v1's layout.
    insert_speed(&p);
    p.edit(
        "    s.x += 10\n",
        "    s.x += 10\n    s.speed += 1\n    I s.speed >= 20 {\n        q := 0 as *i64\n        s.x = *q\n    }\n",
    );
    p.edit("v1 hot frame", "v2 hot frame");
    patch_ok(&p);
    v1_again_after_v2_faulted(&host);
    all_read_right(&mut host);
}

#[test]
fn a_struct_local_of_an_ordinary_function_across_a_hot_call_is_refused() {
    // `step` keeps a `State` on its stack while it calls hot `tick`: the runtime cannot find it.
    let source = GAME
        .replace(
            "F main() -> i64 {\n",
            "F step() -> i64 {\n    t := mut State { frame: 0, x: 0 }\n    tick(&t)\n    t.x\n}\nF main() -> i64 {\n",
        )
        .replace(
            "        usleep(2000)\n",
            "        I step() != 10 {\n            printf(\"never\\n\")\n        }\n        usleep(2000)\n",
        );
    let (p, host) = started("nested-local", &source);
    insert_speed(&p);
    p.edit(
        "t := mut State { frame: 0, x: 0 }",
        "t := mut State { frame: 0, speed: 0, x: 0 }",
    );
    let expected = "State: `t` of `step` (State, game.vais:15) is on the stack, where the runtime cannot find it, across its call of hot function `tick`";
    refused_by_both(&p, &host, expected);
}

#[test]
fn an_ordinary_function_called_by_hot_code_leaves_a_migration_to_mains_next_safe_point() {
    // Hot `tick` calls the ordinary `relay`, whose call of hot `show` is a safe point with
    // `tick`'s frame above it; `tick` writes `x` after, at its constant offset. The program
    // waits inside `relay`, so that is where a waiting patch meets its first safe point.
    let source = GAME
        .replace(
            "    s.frame += 1\n    s.x += 10\n",
            "    s.frame += 1\n    relay(s)\n    s.x = s.frame * 10\n",
        )
        .replace(
            "F main() -> i64 {\n",
            "F relay(s: *State) {\n    usleep(2000)\n    show(s)\n}\nF main() -> i64 {\n",
        )
        .replace("        usleep(2000)\n", "");
    let (p, mut host) = started("nested-under-hot", &source);
    insert_speed(&p);
    p.edit("v1 hot frame", "v2 hot frame");
    patch_ok(&p);
    host.wait_applied(2);
    let seen = host.stdout_lines().len();
    host.wait_count("new code", seen + 10, |l| l.starts_with("v2 hot"));
    main_reads_right(&host, 10);
    // Every line `main` printed, across the migration: had the values moved inside `relay`,
    // `tick` would have written `x` at its old place once.
    for l in host
        .stdout_lines()
        .iter()
        .filter(|l| l.starts_with("main "))
    {
        assert_eq!(field(l, "x"), 10 * field(l, "frame"), "{l}");
        assert_eq!(field(l, "lx"), 10 * field(l, "frame"), "{l}");
    }
    assert!(host.alive());
}

#[test]
fn a_struct_local_across_a_call_through_a_function_value_is_refused() {
    // `each` calls whatever it is given, which may be hot code, with a `State` on its stack.
    let source = GAME
        .replace(
            "F main() -> i64 {\n",
            "F each(f: fn(*State)) -> i64 {\n    t := mut State { frame: 0, x: 0 }\n    f(&t)\n    t.x\n}\nF main() -> i64 {\n",
        )
        .replace(
            "        usleep(2000)\n",
            "        I each(tick) != 10 {\n            printf(\"never\\n\")\n        }\n        usleep(2000)\n",
        );
    let p = Project::new("nested-value", &source);
    p.build();
    insert_speed(&p);
    p.edit(
        "t := mut State { frame: 0, x: 0 }",
        "t := mut State { frame: 0, speed: 0, x: 0 }",
    );
    let err = patch_refused(&p);
    let expected = "State: `t` of `each` (State, game.vais:15) is on the stack, where the runtime cannot find it, across its call of a function value, which may be hot";
    assert!(err.contains(expected), "{err}");
}

/// Code that cannot reach a migration runs with the host's layouts as constants until the
/// first migration, and with the offset table after it: `read_x` (no calls) and `main`'s
/// inner loop (no calls) read `x` right on both sides of a migration that moves it.
#[test]
fn code_without_safe_points_reads_fields_right_before_and_after_a_migration() {
    let source = GAME
        .replace(
            "F main() -> i64 {\n",
            "F read_x(s: *State) -> i64 = s.x\nF main() -> i64 {\n",
        )
        .replace(
            "        printf(\"main frame=%ld x=%ld lx=%ld\\n\", g.frame, g.x, l.x)\n",
            "        lx := mut 0\n        L i: 0..4 { lx += l.x }\n        printf(\"main frame=%ld x=%ld lx=%ld\\n\", g.frame, read_x(&g), lx / 4)\n",
        );
    let (p, mut host) = started("versions", &source);
    main_reads_right(&host, 5);
    insert_speed(&p);
    p.edit("v1 hot frame", "v2 hot frame");
    patch_ok(&p);
    host.wait_applied(2);
    main_reads_right(&host, 10);
    assert!(host.alive());
}
