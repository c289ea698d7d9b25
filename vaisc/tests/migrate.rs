//! Live data migration end to end, with real processes: a hot host runs, its structs and enums
//! change layout in a patch, and the test checks that every value the program keeps (globals,
//! arrays in globals, nested structs, `main`'s locals) carries on in the new layout, that code
//! which keeps running (`main`) reads each field at its new place, and that what cannot be
//! migrated is refused in one line while the old code keeps running.

// Shared by the hot-reload tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;
// Shared by the migration tests, each of which uses only part of it.
#[allow(dead_code)]
mod migrate_support;

use hot_support::{field, patch_ok, patch_refused, Host, Project};
use migrate_support::{
    insert_speed, main_reads_right, refused_by_both, relayout, shapes_started, started, GAME,
    SHAPES,
};

#[test]
fn an_inserted_field_gets_zero_and_main_reads_the_moved_ones() {
    let (p, host) = started("insert", GAME);
    insert_speed(&p);
    p.edit("s.x += 10", "s.x += 10\n    s.speed += 1");
    p.edit(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "printf(\"v2 hot frame=%ld speed=%ld\\n\", s.frame, s.speed)",
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

#[test]
fn enum_variants_follow_by_name_and_a_live_removed_one_refuses() {
    let (p, host) = shapes_started("enums", SHAPES);
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
    relayout(
        &p,
        "frame: i64, x: i64, big: [i64; 20]",
        "frame: 0, x: 0, big: [0; 20]",
    );
    let err = patch_refused(&p);
    assert!(
        err.contains(
            "global `g`: needs 176 bytes after the change, but 96 were kept (restart to apply)"
        ),
        "{err}"
    );
    drop(p);

    // Three sources in which inserting a field before `x` is refused, each for its own reason:
    // each case gives the text of `GAME` it replaces, what it puts there, and the parts of the
    // refusal.
    let cases: [(&str, &str, &str, &[&str]); 3] = [
        // A pointer-typed local of `main` may point inside a value whose fields move.
        (
            "pointer",
            "    l := mut State { frame: 0, x: 0 }\n",
            "    l := mut State { frame: 0, x: 0 }\n    px := &g.x\n",
            &[
                "State: `px` of `main` (*i64, game.vais:",
                "may point inside a value whose fields move",
            ],
        ),
        // Values in memory the runtime cannot find.
        (
            "heap",
            "F main() -> i64 {\n",
            "X F malloc(n: u64) -> *u8\nF make() -> *State = malloc(64) as *State\nF main() -> i64 {\n",
            &["State: values may live in memory the runtime cannot find (`as *State` at game.vais:"],
        ),
        // Another thread that may run Vais code.
        (
            "thread",
            "F main() -> i64 {\n",
            "X F pthread_create(t: *u64, a: *u8, f: fn(*u8) -> *u8, arg: *u8) -> i32\nF main() -> i64 {\n",
            &["State: another thread may be running Vais code (`pthread_create` is declared at game.vais:"],
        ),
    ];
    for (name, from, to, expected) in cases {
        let p = Project::new(name, &GAME.replace(from, to));
        p.build();
        relayout(&p, "frame: i64, y: i64, x: i64", "frame: 0, y: 0, x: 0");
        let err = patch_refused(&p);
        for part in expected {
            assert!(err.contains(part), "{name}: {err}");
        }
    }
}

#[test]
fn the_runtime_rechecks_and_old_code_keeps_running() {
    // A field `main` reads changes type: refused by the compiler, and by the runtime when
    // such a patch arrives anyway (built aside, then copied into place).
    let (p, host) = started("recheck", GAME);
    relayout(&p, "frame: i64, x: f64", "frame: 0, x: 0.0");
    p.edit("s.x += 10", "s.x += 10.0");
    p.edit(
        "printf(\"main frame=%ld x=%ld lx=%ld\\n\", g.frame, g.x, l.x)",
        "printf(\"main frame=%ld x=%ld lx=%ld\\n\", g.frame, g.x as i64, l.x as i64)",
    );
    let expected = "State: field `x` changes type from i64 to f64, but code that keeps running (`main`) uses it as i64";
    refused_by_both(&p, &host, expected);
}

#[test]
fn rollback_across_a_layout_change_moves_the_values_back() {
    let (p, host) = started("rollback", GAME);
    relayout(
        &p,
        "speed: i64, frame: i64, x: i64",
        "speed: 0, frame: 0, x: 0",
    );
    p.edit(
        "printf(\"v1 hot frame=%ld\\n\", s.frame)",
        "printf(\"v2 hot frame=%ld\\n\", s.frame)",
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

#[test]
fn a_struct_passed_by_value_to_an_ordinary_function_is_refused_at_build_and_at_load() {
    // `energy` is code that keeps running: its by-value copy of a `State` has the old size.
    let source = GAME
        .replace(
            "F main() -> i64 {\n",
            "F energy(s: State) -> i64 = s.frame + s.x\nF main() -> i64 {\n",
        )
        .replace(
            "        usleep(2000)\n",
            "        I energy(g) < 0 {\n            printf(\"never\\n\")\n        }\n        usleep(2000)\n",
        );
    let (p, host) = started("by-value", &source);
    relayout(&p, "frame: i64, y: i64, x: i64", "frame: 0, y: 0, x: 0");
    let expected =
        "State: passed by value to or from `energy` (game.vais:14), whose copy keeps the old size";
    refused_by_both(&p, &host, expected);
}
