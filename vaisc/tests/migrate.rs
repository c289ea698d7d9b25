//! Live data migration end to end, with real processes: a hot host runs, its structs and enums
//! change layout in a patch, and the test checks that every value the program keeps (globals,
//! arrays in globals, nested structs, `main`'s locals) carries on in the new layout, that code
//! which keeps running (`main`) reads each field at its new place, and that what cannot be
//! migrated is refused in one line while the old code keeps running.

// Shared by the hot-reload tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{field, Host, Project};

/// A game whose state is a global and a local of `main`; `main` prints the fields it reads.
const GAME: &str = r#"X F fflush(f: *u8) -> i32
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

fn patch_ok(p: &Project) -> String {
    let out = p.patch();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "patch build failed:\n{err}");
    err
}

fn patch_refused(p: &Project) -> String {
    let out = p.patch();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

/// Waits for `n` more `main` lines after the ones seen so far and checks that `main` kept
/// reading its fields right: `x` and `lx` are ten times the frame on every line.
fn main_reads_right(host: &Host, n: usize) {
    let seen = host.stdout_lines().len();
    let lines = host.wait_count("main lines", seen + n, |l| l.starts_with("main "));
    for l in &lines {
        assert_eq!(field(l, "x"), 10 * field(l, "frame"), "{l}");
        assert_eq!(field(l, "lx"), 10 * field(l, "frame"), "{l}");
    }
}

fn started(name: &str, source: &str) -> (Project, Host) {
    let p = Project::new(name, source);
    p.build();
    let host = p.start();
    host.wait_stdout("the first frames", |l| {
        l.starts_with("main ") && field(l, "frame") >= 5
    });
    (p, host)
}

#[test]
fn an_inserted_field_gets_zero_and_main_reads_the_moved_ones() {
    let (p, host) = started("insert", GAME);
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, speed: i64, x: i64 }",
    );
    p.edit("s.x += 10", "s.x += 10\n    s.speed += 1");
    p.edit(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "printf(\"v2 hot frame=%ld speed=%ld\\n\", s.frame, s.speed)",
    );
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        "G g: State = State { frame: 0, speed: 0, x: 0 }",
    );
    p.edit(
        "l := mut State { frame: 0, x: 0 }",
        "l := mut State { frame: 0, speed: 0, x: 0 }",
    );
    let err = patch_ok(&p);
    assert!(
        err.contains("migration: State: + speed = 0, x moved 8 -> 16; 2 live values"),
        "{err}"
    );
    host.wait_stderr("the migration", |l| {
        l.contains("migrated: State: + speed = 0, x moved 8 -> 16; 2 live values")
    });
    let first = host.wait_stdout("new code", |l| l.starts_with("v2 hot"));
    // The new field starts at zero and counts from the first call of the new code on (which
    // `tick`, run before `show`, makes).
    assert_eq!(field(&first, "speed"), 1, "{first}");
    let lines = host.wait_count("more new frames", 5, |l| l.starts_with("v2 hot"));
    assert!(field(&lines[4], "speed") >= 4, "{lines:?}");
    main_reads_right(&host, 20);
}

#[test]
fn a_new_field_with_a_default_reads_the_default_in_live_values() {
    let (p, host) = started("default", GAME);
    // The literals keep omitting the new field: it has a default.
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, speed: f64 = 2.5, x: i64 }",
    );
    p.edit(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "printf(\"v2 hot frame=%ld speed10=%ld\\n\", s.frame, (s.speed * 10.0) as i64)",
    );
    let err = patch_ok(&p);
    assert!(
        err.contains("migration: State: + speed = 2.5, x moved 8 -> 16; 2 live values"),
        "{err}"
    );
    host.wait_stderr("the migration", |l| {
        l.contains("migrated: State: + speed = 2.5, x moved 8 -> 16; 2 live values")
    });
    let lines = host.wait_count("new frames", 3, |l| l.starts_with("v2 hot"));
    for l in &lines {
        assert_eq!(field(l, "speed10"), 25, "{l}");
    }
    main_reads_right(&host, 10);
}

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

#[test]
fn removed_reordered_and_retyped_fields() {
    let source = GAME
        .replace(
            "S State { frame: i64, x: i64 }",
            "S State { frame: i64, x: i64, junk: i64, n: i32 }",
        )
        .replace(
            "State { frame: 0, x: 0 }",
            "State { frame: 0, x: 0, junk: 7, n: 0 }",
        )
        .replace("s.x += 10", "s.x += 10\n    s.n += 1");
    let (p, host) = started("reorder", &source);
    // `junk` goes, `n` becomes an f64 (converted as `as` would), and `x` moves to the front.
    p.edit(
        "S State { frame: i64, x: i64, junk: i64, n: i32 }",
        "S State { x: i64, n: f64, frame: i64 }",
    );
    p.edit("s.n += 1", "s.n += 0.5");
    p.edit(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "printf(\"v2 hot frame=%ld n2=%ld\\n\", s.frame, (s.n * 2.0) as i64)",
    );
    p.edit(
        "G g: State = State { frame: 0, x: 0, junk: 7, n: 0 }",
        "G g: State = State { x: 0, n: 0.0, frame: 0 }",
    );
    p.edit(
        "l := mut State { frame: 0, x: 0, junk: 7, n: 0 }",
        "l := mut State { x: 0, n: 0.0, frame: 0 }",
    );
    let err = patch_ok(&p);
    assert!(err.contains("migration: State: "), "{err}");
    assert!(err.contains("- junk"), "{err}");
    assert!(err.contains("n: i32 -> f64"), "{err}");
    let first = host.wait_stdout("new code", |l| l.starts_with("v2 hot"));
    // `n` counted one per frame in v1: its converted value is the frame before the new
    // code's first call, so twice it is at least twice that frame less one step.
    let (frame, n2) = (field(&first, "frame"), field(&first, "n2"));
    assert!(n2 >= 2 * (frame - 1) && n2 <= 2 * frame + 1, "{first}");
    main_reads_right(&host, 20);
}

/// Particles in a global array and in an array local of `main`, each holding a nested struct.
const PARTICLES: &str = r#"X F fflush(f: *u8) -> i32
S V2 { x: f64, y: f64 }
S P { pos: V2, id: i64 }
G ps: [P; 4] = [P { pos: V2 { x: 0.0, y: 0.0 }, id: 0 }; 4]
#[hot]
F step(a: *P, i: i64) {
    a.pos.x += 1.0
    a.id = i
}
#[hot]
F show(a: *P) {
    printf("v1 id=%ld\n", a.id)
    fflush(0)
}
F main() -> i64 {
    local := mut [P { pos: V2 { x: 0.0, y: 0.0 }, id: 0 }; 3]
    frame := mut 0
    L frame < 100000000 {
        frame += 1
        L i: 0..4 { step(&ps[i], i) }
        L i: 0..3 { step(&local[i], i + 10) }
        show(&ps[3])
        printf("main frame=%ld gx=%ld gid=%ld lx=%ld lid=%ld\n", frame, ps[3].pos.x as i64, ps[3].id, local[2].pos.x as i64, local[2].id)
        fflush(0)
        usleep(2000)
    }
    0
}
"#;

#[test]
fn nested_structs_in_arrays_of_a_global_and_of_mains_local() {
    let (p, host) = started("nested", PARTICLES);
    p.edit("S V2 { x: f64, y: f64 }", "S V2 { z: f64, x: f64, y: f64 }");
    p.edit("a.pos.x += 1.0", "a.pos.x += 1.0\n    a.pos.z += 2.0");
    p.edit(
        "printf(\"v1 id=%ld\\n\", a.id)",
        "printf(\"v2 id=%ld z=%ld\\n\", a.id, a.pos.z as i64)",
    );
    p.edit(
        "[P { pos: V2 { x: 0.0, y: 0.0 }, id: 0 }; 4]",
        "[P { pos: V2 { z: 0.0, x: 0.0, y: 0.0 }, id: 0 }; 4]",
    );
    p.edit(
        "[P { pos: V2 { x: 0.0, y: 0.0 }, id: 0 }; 3]",
        "[P { pos: V2 { z: 0.0, x: 0.0, y: 0.0 }, id: 0 }; 3]",
    );
    let err = patch_ok(&p);
    assert!(err.contains("V2: + z = 0"), "{err}");
    assert!(err.contains("2 live values"), "{err}");
    host.wait_stdout("new code", |l| l.starts_with("v2 id=3"));
    let seen = host.stdout_lines().len();
    let lines = host.wait_count("main lines", seen + 10, |l| l.starts_with("main "));
    for l in &lines {
        let frame = field(l, "frame");
        assert_eq!(field(l, "gx"), frame, "{l}");
        assert_eq!(field(l, "lx"), frame, "{l}");
        assert_eq!((field(l, "gid"), field(l, "lid")), (3, 12), "{l}");
    }
}

/// An enum value in `main`'s local, which hot code steps through its variants; `main` builds
/// it in the `Dot` variant.
const SHAPES: &str = r#"X F fflush(f: *u8) -> i32
E Shape { Dot, Circle(i64), Square(i64) }
S World { shape: Shape, frame: i64 }
#[hot]
F tick(a: *World) {
    a.frame += 1
    a.shape = M a.shape {
        Shape.Dot => Shape.Circle(1),
        Shape.Circle(r) => Shape.Circle(r + 1),
        Shape.Square(s) => Shape.Square(s),
    }
    n := M a.shape { Shape.Circle(r) => r, _ => 0 }
    printf("v1 r=%ld\n", n)
    fflush(0)
}
F main() -> i64 {
    w := mut World { shape: Shape.Dot, frame: 0 }
    L w.frame < 100000000 {
        tick(&w)
        usleep(2000)
    }
    0
}
"#;

#[test]
fn enum_variants_follow_by_name_and_a_live_removed_one_refuses() {
    let p = Project::new("enums", SHAPES);
    p.build();
    let host = p.start();
    host.wait_stdout("the first frames", |l| {
        l.starts_with("v1 r=") && field(l, "r") >= 5
    });
    // A variant added (at the end: `main` builds `Dot`, whose tag must stay) migrates.
    p.edit(
        "E Shape { Dot, Circle(i64), Square(i64) }",
        "E Shape { Dot, Circle(i64), Square(i64), Tri }",
    );
    p.edit(
        "Shape.Square(s) => Shape.Square(s),",
        "Shape.Square(s) => Shape.Square(s),\n        Shape.Tri => Shape.Tri,",
    );
    p.edit("printf(\"v1 r=%ld\\n\", n)", "printf(\"v2 r=%ld\\n\", n)");
    let err = patch_ok(&p);
    assert!(err.contains("Shape: + variant Tri"), "{err}");
    let first = host.wait_stdout("new code", |l| l.starts_with("v2 r="));
    assert!(field(&first, "r") >= 5, "the radius carried on: {first}");
    // Removing the variant the live value is in is refused, naming it; the code keeps running.
    p.edit(
        "E Shape { Dot, Circle(i64), Square(i64), Tri }",
        "E Shape { Dot, Square(i64), Tri }",
    );
    p.edit("        Shape.Circle(r) => Shape.Circle(r + 1),\n", "");
    p.edit(
        "Shape.Dot => Shape.Circle(1),",
        "Shape.Dot => Shape.Square(1),",
    );
    p.edit(
        "M a.shape { Shape.Circle(r) => r, _ => 0 }",
        "M a.shape { Shape.Square(r) => r, _ => 0 }",
    );
    p.edit("printf(\"v2 r=%ld\\n\", n)", "printf(\"v3 r=%ld\\n\", n)");
    patch_ok(&p);
    host.wait_stderr("the refusal", |l| {
        l.contains("refused: Shape: variant `Circle` is removed, but `w` of `main` holds one")
    });
    let seen = host.stdout_lines().len();
    host.wait_count("more v2 frames", seen + 5, |l| l.starts_with("v2 r="));
}

#[test]
fn what_cannot_be_migrated_is_refused_in_one_line() {
    // More room than kept: `main`'s `l` was given twice its 16 bytes plus 64.
    let p = Project::new("room", GAME);
    p.build();
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, x: i64, big: [i64; 20] }",
    );
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        "G g: State = State { frame: 0, x: 0, big: [0; 20] }",
    );
    p.edit(
        "l := mut State { frame: 0, x: 0 }",
        "l := mut State { frame: 0, x: 0, big: [0; 20] }",
    );
    let err = patch_refused(&p);
    assert!(
        err.contains(
            "global `g`: needs 176 bytes after the change, but 96 were kept (restart to apply)"
        ),
        "{err}"
    );
    drop(p);

    // A pointer-typed local of `main` may point inside a value whose fields move.
    let source = GAME.replace(
        "    l := mut State { frame: 0, x: 0 }\n",
        "    l := mut State { frame: 0, x: 0 }\n    px := &g.x\n",
    );
    let p = Project::new("pointer", &source);
    p.build();
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, y: i64, x: i64 }",
    );
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        "G g: State = State { frame: 0, y: 0, x: 0 }",
    );
    p.edit(
        "l := mut State { frame: 0, x: 0 }",
        "l := mut State { frame: 0, y: 0, x: 0 }",
    );
    let err = patch_refused(&p);
    assert!(
        err.contains("State: `px` of `main` (*i64, game.vais:"),
        "{err}"
    );
    assert!(
        err.contains("may point inside a value whose fields move"),
        "{err}"
    );
    drop(p);

    // Values in memory the runtime cannot find.
    let source = GAME.replace(
        "F main() -> i64 {\n",
        "X F malloc(n: u64) -> *u8\nF make() -> *State = malloc(64) as *State\nF main() -> i64 {\n",
    );
    let p = Project::new("heap", &source);
    p.build();
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, y: i64, x: i64 }",
    );
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        "G g: State = State { frame: 0, y: 0, x: 0 }",
    );
    p.edit(
        "l := mut State { frame: 0, x: 0 }",
        "l := mut State { frame: 0, y: 0, x: 0 }",
    );
    let err = patch_refused(&p);
    assert!(
        err.contains(
            "State: values may live in memory the runtime cannot find (`as *State` at game.vais:"
        ),
        "{err}"
    );
    drop(p);

    // Another thread that may run Vais code.
    let source = GAME.replace(
        "F main() -> i64 {\n",
        "X F pthread_create(t: *u64, a: *u8, f: fn(*u8) -> *u8, arg: *u8) -> i32\nF main() -> i64 {\n",
    );
    let p = Project::new("thread", &source);
    p.build();
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, y: i64, x: i64 }",
    );
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        "G g: State = State { frame: 0, y: 0, x: 0 }",
    );
    p.edit(
        "l := mut State { frame: 0, x: 0 }",
        "l := mut State { frame: 0, y: 0, x: 0 }",
    );
    let err = patch_refused(&p);
    assert!(
        err.contains("State: another thread may be running Vais code (`pthread_create` is declared at game.vais:"),
        "{err}"
    );
}

/// A struct kept in a `Vec` lives in the vector's `malloc` block, which the runtime cannot
/// find: a change to its layout is refused, naming the vector's type and the program's line.
#[test]
fn a_struct_held_in_a_vec_refuses_a_layout_change() {
    let source = GAME.replace(
        "    l := mut State { frame: 0, x: 0 }\n",
        "    l := mut State { frame: 0, x: 0 }\n    v: mut Vec<State> = Vec.new()\n    v.push(State { frame: 1, x: 2 })\n",
    );
    let p = Project::new("vec", &source);
    p.build();
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, y: i64 = 0, x: i64 }",
    );
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
    let p = Project::new("vec_other", &source);
    p.build();
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, y: i64 = 0, x: i64 }",
    );
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
        let p = Project::new(&format!("task{i}"), &source);
        p.build();
        p.edit(
            "S State { frame: i64, x: i64 }",
            "S State { frame: i64, y: i64 = 0, x: i64 }",
        );
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
    let p = Project::new("captured", &source);
    p.build();
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, y: i64 = 0, x: i64 }",
    );
    let err = patch_refused(&p);
    assert!(
        err.contains("State: values may live in the environment of a closure (game.vais:16), which the runtime cannot find"),
        "{err}"
    );
}

#[test]
fn the_runtime_rechecks_and_old_code_keeps_running() {
    // A field `main` reads changes type: refused by the compiler, and by the runtime when
    // such a patch arrives anyway (built aside, then copied into place).
    let (p, host) = started("recheck", GAME);
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { frame: i64, x: f64 }",
    );
    p.edit("s.x += 10", "s.x += 10.0");
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        "G g: State = State { frame: 0, x: 0.0 }",
    );
    p.edit(
        "l := mut State { frame: 0, x: 0 }",
        "l := mut State { frame: 0, x: 0.0 }",
    );
    p.edit(
        "printf(\"main frame=%ld x=%ld lx=%ld\\n\", g.frame, g.x, l.x)",
        "printf(\"main frame=%ld x=%ld lx=%ld\\n\", g.frame, g.x as i64, l.x as i64)",
    );
    let expected = "State: field `x` changes type from i64 to f64, but code that keeps running (`main`) uses it as i64";
    let err = patch_refused(&p);
    assert!(err.contains(expected), "{err}");
    let aside = p.dir.join("aside.so");
    let other = p.dir.join("other");
    std::fs::create_dir_all(&other).expect("dir");
    let out = p.vaisc(&["build", "--hot", "game.vais", "-o", "other/game"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::copy(other.join("libgame.so"), &aside).expect("copy");
    std::fs::rename(&aside, p.patch_path()).expect("install");
    host.wait_stderr("the runtime's refusal", |l| {
        l.contains(&format!("refused: {expected}"))
    });
    main_reads_right(&host, 10);
}

#[test]
fn rollback_across_a_layout_change_moves_the_values_back() {
    let (p, host) = started("rollback", GAME);
    p.edit(
        "S State { frame: i64, x: i64 }",
        "S State { speed: i64, frame: i64, x: i64 }",
    );
    p.edit(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "printf(\"v2 hot frame=%ld\\n\", s.frame)",
    );
    p.edit(
        "G g: State = State { frame: 0, x: 0 }",
        "G g: State = State { speed: 0, frame: 0, x: 0 }",
    );
    p.edit(
        "l := mut State { frame: 0, x: 0 }",
        "l := mut State { speed: 0, frame: 0, x: 0 }",
    );
    patch_ok(&p);
    host.wait_stdout("new code", |l| l.starts_with("v2 hot"));
    main_reads_right(&host, 5);
    let mut request = p.patch_path().into_os_string();
    request.push(".rollback");
    std::fs::write(&request, "").expect("request a rollback");
    host.wait_stderr("the rollback", |l| l.contains("rolled back from v2 to v1"));
    let seen = host.stdout_lines().len();
    let lines = host.wait_count("old code again", seen + 5, |l| l.starts_with("v1 hot"));
    // The old code counts on from where the new one left: its values were moved back.
    let before = host
        .stdout_lines()
        .iter()
        .filter(|l| l.starts_with("v2 hot"))
        .map(|l| field(l, "frame"))
        .max()
        .unwrap_or(0);
    assert!(
        field(&lines[lines.len() - 1], "frame") > before,
        "{lines:?}"
    );
    main_reads_right(&host, 10);
}

/// Builds `examples/NAME.vais` as a hot host in a scratch project and starts it.
fn example(name: &str) -> (Project, Host) {
    let path = format!("{}/../examples/{name}.vais", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(path).expect("example");
    let p = Project::new(name, &source);
    p.build();
    let host = Host::spawn(
        std::process::Command::new(&p.exe)
            .current_dir(&p.dir)
            .env("VAIS_HOT_LOG", "info")
            .env("VAIS_FRAMES", "100000"),
    );
    (p, host)
}

#[test]
fn the_simple_example_gains_a_field_while_it_runs() {
    let (p, host) = example("hot_reload_simple");
    host.wait_stdout("frames", |l| l.starts_with("Frame 5:"));
    p.edit("    x: i64,\n", "    hp: i64,\n    x: i64,\n");
    p.edit(
        "state.y = state.y + 2",
        "state.y = state.y + 2\n    state.hp = state.hp + 3",
    );
    p.edit(
        "printf(\"Frame %ld: x=%ld, y=%ld\\n\", state.frame, state.x, state.y)",
        "printf(\"Frame %ld: x=%ld, y=%ld, hp=%ld\\n\", state.frame, state.x, state.y, state.hp)",
    );
    p.edit(
        "GameState { frame: 0, x: 0, y: 0 }",
        "GameState { frame: 0, hp: 0, x: 0, y: 0 }",
    );
    let err = patch_ok(&p);
    assert!(
        err.contains("GameState: + hp = 0, x moved 8 -> 16, y moved 16 -> 24; 1 live value"),
        "{err}"
    );
    let line = host.wait_stdout("the new field", |l| l.contains("hp=3"));
    // Frame, x and y carried on: x counts the frames, y twice them.
    let frame: i64 = line["Frame ".len()..line.find(':').unwrap_or(0)]
        .parse()
        .expect("frame");
    assert!(
        line.contains(&format!("x={frame}, y={}", 2 * frame)),
        "{line}"
    );
}

#[test]
fn the_advanced_example_gains_a_particle_field_while_the_particles_fly() {
    let (p, host) = example("hot_reload_advanced");
    host.wait_stdout("frames", |l| l.starts_with("frame   5:"));
    p.edit("    life: i64,\n}", "    life: i64,\n    spin: f64,\n}");
    p.edit("life: 0 }; 100]", "life: 0, spin: 0.0 }; 100]");
    p.edit(
        "        p.life = p.life - 1\n",
        "        p.life = p.life - 1\n        p.spin = p.spin + 1.0\n",
    );
    p.edit("printf(\"frame %3ld", "printf(\"spin %.0f frame %3ld");
    p.edit(
        "max %.2f\\n\", s.frame",
        "max %.2f\\n\", s.particles[99].spin, s.frame",
    );
    let err = patch_ok(&p);
    assert!(
        err.contains("Particle: + spin = 0; System: count moved 4000 -> 4800"),
        "{err}"
    );
    let first = host.wait_stdout("the new field", |l| l.starts_with("spin 1 frame"));
    let seen: i64 = first["spin 1 frame".len()..first.find(':').unwrap_or(0)]
        .trim()
        .parse()
        .expect("frame");
    assert!(seen > 5, "the frames carried on: {first}");
    let lines = host.wait_count("more frames", 10, |l| l.starts_with("spin "));
    // `main` counts the frames (a field it reads at its new place) and all 100 particles fly.
    for (i, l) in lines.iter().enumerate() {
        assert!(
            l.contains(&format!("frame {:3}: 100 particles", seen + i as i64)),
            "{l}"
        );
    }
}
