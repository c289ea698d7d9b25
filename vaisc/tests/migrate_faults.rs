//! Live data migration meeting crash recovery and nested reloads, end to end with real
//! processes: a version that changed layouts faults, and the older code the fault handler
//! returns to finds the values in its own layouts again before any of it runs; a reload asked
//! for from inside hot code waits for `main`'s next safe point when it moves values.

// Shared by the hot-reload tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;
// Shared by the migration tests, each of which uses only part of it.
#[allow(dead_code)]
mod migrate_support;

use hot_support::patch_ok;
use migrate_support::{
    hot_reads_right, insert_speed, main_reads_right, shapes_started, showing_x, started,
    v1_again_after_v2_faulted, SHAPES,
};

#[test]
fn a_fault_after_a_layout_change_moves_the_values_back_before_old_code_runs() {
    let (p, mut host) = started("fault-back", &showing_x());
    // v2 inserts a field before `x` (so `x` moves) and faults once it has run 20 frames.
    insert_speed(&p);
    p.edit("    s.x += 10\n", "    s.x += 10\n    s.speed += 1\n");
    p.edit(
        "    printf(\"v1 hot frame=%ld x=%ld\\n\", s.frame, s.x)\n",
        "    I s.speed >= 20 {\n        q := 0 as *i64\n        s.x = *q\n    }\n    printf(\"v2 hot frame=%ld x=%ld\\n\", s.frame, s.x)\n",
    );
    patch_ok(&p);
    let seen = v1_again_after_v2_faulted(&host);
    // v1's hot code, with its constant offsets, and `main`, with the offset table, both read
    // the values the v2 code left, in v1's layout.
    hot_reads_right(&host, "v1 hot", seen);
    main_reads_right(&host, 10);

    // The field again, without the fault: the values migrate forward once more.
    p.edit("    I s.speed >= 20 {", "    I s.speed < 0 {");
    p.edit("v2 hot frame", "v3 hot frame");
    patch_ok(&p);
    host.wait_applied(3);
    let seen = host.stdout_lines().len();
    host.wait_count("new code", seen + 10, |l| l.starts_with("v3 hot"));
    hot_reads_right(&host, "v3 hot", seen);
    hot_reads_right(&host, "v1 hot", 0);
    main_reads_right(&host, 10);
    assert!(host.alive());
}

#[test]
fn hot_check_inside_hot_code_leaves_a_migration_to_mains_next_safe_point() {
    // `show` asks for the patch itself and reads `s.x` after: were the values moved there,
    // the v1 code would read `x` at its old place.
    let source = format!(
        "U std/hot\n{}",
        showing_x().replace(
            "F show(s: *State) {\n",
            "F show(s: *State) {\n    hot_check()\n",
        )
    );
    let (p, mut host) = started("nested-check", &source);
    insert_speed(&p);
    p.edit("v1 hot frame", "v2 hot frame");
    patch_ok(&p);
    host.wait_stderr("the deferral", |l| {
        l.contains("v2 waits for main's next call of a hot function")
    });
    host.wait_applied(2);
    let seen = host.stdout_lines().len();
    host.wait_count("new code", seen + 10, |l| l.starts_with("v2 hot"));
    hot_reads_right(&host, "v1 hot", 0);
    hot_reads_right(&host, "v2 hot", 0);
    main_reads_right(&host, 10);
    assert!(host.alive());
}

/// `SHAPES` without the `Square` variant: a world whose shape grows; `main` keeps it.
fn shapes() -> String {
    SHAPES
        .replace(", Square(i64)", "")
        .replace("        Shape.Square(s) => Shape.Square(s),\n", "")
}

#[test]
fn a_fault_whose_values_cannot_move_back_keeps_the_version_of_their_layouts() {
    let (p, mut host) = shapes_started("fault-refused", &shapes());
    // v2 adds `Tri`; every 50th frame the value becomes one and that frame faults. v1 has no
    // `Tri`, so the values cannot move back: v2, whose layouts they have, runs on.
    p.edit(
        "E Shape { Dot, Circle(i64) }",
        "E Shape { Dot, Circle(i64), Tri }",
    );
    p.edit(
        "        Shape.Circle(r) => Shape.Circle(r + 1),\n",
        "        Shape.Circle(r) => I a.frame % 50 == 0 { Shape.Tri } E { Shape.Circle(r + 1) },\n        Shape.Tri => Shape.Circle(1),\n",
    );
    p.edit(
        "    n := M a.shape",
        "    I a.frame % 50 == 0 {\n        q := 0 as *i64\n        a.frame = *q\n    }\n    n := M a.shape",
    );
    p.edit("printf(\"v1 r=%ld\\n\", n)", "printf(\"v2 r=%ld\\n\", n)");
    patch_ok(&p);
    host.wait_stderr("the fault", |l| l.contains("v2 faulted"));
    host.wait_stderr("the refusal", |l| {
        l.contains("rollback refused: cannot move the program's values back to v1's layouts after the fault")
            && l.contains("v2, whose layouts they have, runs again")
    });
    let seen = host.stdout_lines().len();
    host.wait_count("v2 again", seen + 5, |l| l.starts_with("v2 r="));
    // v1's code never ran on the values in v2's layout.
    let after: Vec<String> = host.stdout_lines().into_iter().skip(seen).collect();
    assert!(after.iter().all(|l| !l.starts_with("v1 ")), "{after:?}");
    assert!(host.alive());
}
