//! Tests of the hot-reload pass on real programs: the whole IR of hosts and patches (reviewed
//! snapshots under `vaisc/tests/snapshots/`: the rewritten call sites, the function-pointer
//! stubs, the table and manifest, the patch's shape), body hashes and build-time refusals.

use crate::parser::parse;
use crate::resolve::LoadedModule;
use crate::snapshot::assert_snapshot;
use crate::source::SourceMap;
use crate::tir::Program;
use inkwell::context::Context;
use std::path::Path;

fn program(src: &str) -> (Program, SourceMap) {
    let mut sources = SourceMap::new();
    let file = sources.add("game.vais", src.to_string());
    let (module, diags) = parse(file, src);
    assert!(diags.is_empty(), "{diags:?}");
    let (program, diags) = crate::typeck::check(&[LoadedModule { file, module }]);
    (program.unwrap_or_else(|| panic!("{diags:?}")), sources)
}

fn layouts(p: &Program, sources: &SourceMap) -> Vec<codegen_hot::Layout> {
    super::layouts(p, sources).expect("layouts")
}

/// The host information a host build of `src` records.
fn host_info(src: &str) -> super::HostInfo {
    let (hp, sources) = program(src);
    let (plan, hashes) = super::host_plan(
        &hp,
        &sources,
        Path::new("game.vais"),
        "vaisc",
        layouts(&hp, &sources),
    );
    let code = super::host_code(&hp, &hashes, &plan);
    super::HostInfo::from_plan(&plan, code, super::initial_values(&hp))
}

/// The patch plan of `src` for the host built from `host_src`.
fn patch_of(src: &str, host_src: &str) -> super::PatchPlan {
    let (p, sources) = program(src);
    let host = host_info(host_src);
    super::patch_plan(
        &p,
        &sources,
        Path::new("game.vais"),
        &host,
        layouts(&p, &sources),
        false,
    )
    .expect("compatible")
}

/// The names of the functions a patch of `src` for the host of `host_src` carries.
fn carried(src: &str, host_src: &str) -> Vec<String> {
    let (p, _) = program(src);
    let patch = patch_of(src, host_src);
    (0..p.functions.len())
        .filter(|&f| patch.bodies[f])
        .map(|f| p.functions[f].name.clone())
        .collect()
}

/// IR of `src` after the pass, for a host or (with `host_of`) a patch, built at `-O0`.
fn hot_ir(src: &str, host_of: Option<&str>) -> String {
    hot_ir_at(src, host_of, 0)
}

/// [`hot_ir`] for a build at `opt_level` (the IR before optimisation).
fn hot_ir_at(src: &str, host_of: Option<&str>, opt_level: u8) -> String {
    let (p, sources) = program(src);
    let entry = Path::new("game.vais");
    let (plan, bodies) = match host_of {
        None => (
            super::host_plan(&p, &sources, entry, "vaisc", layouts(&p, &sources)).0,
            None,
        ),
        Some(host_src) => {
            let patch = patch_of(src, host_src);
            (patch.plan, Some(patch.bodies))
        }
    };
    let ctx = Context::create();
    let opts = crate::codegen::Options {
        opt_level,
        hot_host: host_of.is_none(),
        runtime_globals: super::runtime_globals(&p, &plan),
        ..Default::default()
    };
    let part = bodies.as_deref().map(crate::codegen::Part::patch);
    let module = crate::codegen::lower_part(&ctx, &p, &sources, &opts, part).expect("lower");
    codegen_hot::apply(&ctx, &module, &plan).expect("pass");
    module.verify().expect("valid IR after the pass");
    module.print_to_string().to_string()
}

const GAME: &str = "
S State { frame: i64 }
#[hot] F update(s: *State) -> i64 { s.frame += 1; s.frame }
#[hot] F twice(s: *State) -> i64 = update(s) + update(s)
F run(f: fn(*State) -> i64, s: *State) -> i64 = f(s)
F main() -> i64 {
    s := mut State { frame: 0 }
    twice(&s) + run(update, &s)
}";

/// The host of `GAME`: every call to a hot function (in `twice`, after inlining the stub)
/// loads its slot atomically and calls through it; a function pointer to a hot function is the
/// host's exported entry point `__vais_hot_entry.update`; the table is an exported mutable
/// global initialised with the host's own bodies; the manifest is a protected constant, and
/// `main` starts the runtime.
#[test]
fn host_ir() {
    assert_snapshot("hot_host_game", &hot_ir(GAME, None));
}

/// A host whose code that is not hot has two versions where it cannot reach a migration: the
/// body of `sum_y` (no calls) and `main`'s inner loop (no calls) each test
/// `__vais_hot_layouts_moved` once and run with constant offsets (`layouts.host`) or with the
/// offset table (`layouts.table`); `main`'s frame loop, which calls hot code, only reads the
/// table, and its safe point tests `__vais_hot_pending`. `main` reloads its offset-table slots
/// only after the calls that may migrate (the safe point and the call of `tick`), not after the
/// `memcpy` of its fill or its call of `sum_y`, which cannot. Built at `-O2`.
#[test]
fn host_ir_versions() {
    assert_snapshot("hot_host_versions", &hot_ir_at(VERSIONS, None, 2));
}

/// The host of [`host_ir_versions`] at `-O0`: only loops have two versions, so `sum_y` tests
/// the flag before its loop, and its code outside the loop reads the table.
#[test]
fn host_ir_versions_unoptimised() {
    assert_snapshot("hot_host_versions_o0", &hot_ir(VERSIONS, None));
}

const VERSIONS: &str = "
S P { x: i64, y: i64 }
#[hot] F tick(p: *P) { p.x += 1 }
F sum_y(ps: *P, n: i64) -> i64 {
    t := mut 0
    L i: 0..n { t += ps[i].y }
    t
}
F main() -> i64 {
    ps := mut [P { x: 0, y: 1 }; 4]
    L f: 0..3 {
        tick(&ps[0])
        L i: 0..4 { ps[i].y += ps[i].x }
    }
    sum_y(&ps[0], 4)
}";

/// A patch of `GAME`: it uses the host's table (external), defines the new body as a protected
/// `__vais_hot_body.update`, and has no `main` and no `vais_main`.
#[test]
fn patch_ir() {
    let edited = GAME.replace("s.frame += 1", "s.frame += 2");
    assert_snapshot("hot_patch_game", &hot_ir(&edited, Some(GAME)));
}

/// A patch that takes a function pointer to a hot function uses the host's entry point
/// (declared, not defined), so the pointer outlives the patch and compares equal; it hands out
/// nothing of its own, so its manifest flags are 0 (unloadable).
#[test]
fn patch_with_a_function_pointer_ir() {
    let host = GAME.replace("twice(&s) + run(update, &s)", "twice(&s) + via(&s)")
        + "\n#[hot] F via(s: *State) -> i64 = run(update, s)";
    let ir = hot_ir(&host.replace("s.frame += 1", "s.frame += 2"), Some(&host));
    assert_snapshot("hot_patch_function_pointer", &ir);
}

const TALK: &str = "
X F puts(s: str) -> i32
G last: str = \"none\"
F shout() -> i64 { puts(\"helper\") 0 }
#[hot] F greet(n: i64) -> i64 {
    last = \"hello\"
    I n > 0 { puts(\"pos\") } E { puts(\"neg\") }
    0
}
F main() -> i64 = greet(1)";

/// A patch reads each of its three string literals through `vais_hot_literal` (the runtime
/// copies the bytes, so the patch can be unloaded); its own bytes are only read for that.
#[test]
fn patch_with_string_literals_ir() {
    assert_snapshot(
        "hot_patch_string_literals",
        &hot_ir(&TALK.replace("hello", "hi"), Some(TALK)),
    );
}

/// A patch that hands one of its own helpers to the runtime is kept loaded: its manifest's
/// flags field is `FLAG_KEEP_LOADED`.
#[test]
fn patch_that_hands_out_a_helper_ir() {
    let src = "
X F vais_hot_on_reload(callback: fn(i64)) -> i64
F note(v: i64) { }
#[hot] F setup() -> i64 = vais_hot_on_reload(note)
F main() -> i64 = setup()";
    assert_snapshot(
        "hot_patch_keep_loaded",
        &hot_ir(&src.replace("{ }", "{ v + 1 }"), Some(src)),
    );
}

/// The hot functions' body hashes of a host build of `src`, in slot order.
fn body_hashes(src: &str) -> Vec<u64> {
    let (p, sources) = program(src);
    let (plan, _) = super::host_plan(
        &p,
        &sources,
        Path::new("game.vais"),
        "vaisc",
        layouts(&p, &sources),
    );
    plan.functions.iter().map(|f| f.body_hash).collect()
}

#[test]
fn body_hashes_change_only_with_the_code_they_cover() {
    let base = body_hashes(GAME);
    let update_changed = body_hashes(&GAME.replace("s.frame += 1", "s.frame += 3"));
    assert_ne!(base[0], update_changed[0]);
    assert_eq!(
        base[1], update_changed[1],
        "twice calls update through the table"
    );
    let unrelated = body_hashes(&GAME.replace("twice(&s) + run", "twice(&s) * 2 + run"));
    assert_eq!(base, unrelated);
}

/// A function newly marked `#[hot]` has no slot: the patch carries it and its callers there
/// (which call it directly), and `main`, which calls it too, has not changed.
#[test]
fn a_function_newly_made_hot_is_carried_with_its_callers() {
    let src = "
S State { frame: i64 }
F helper(s: *State) -> i64 = s.frame * 2
#[hot] F update(s: *State) -> i64 = helper(s)
F main() -> i64 {
    s := mut State { frame: 0 }
    update(&s) + helper(&s)
}";
    let edited = src.replace("F helper", "#[hot] F helper");
    assert_eq!(carried(&edited, src), vec!["helper", "update"]);
    let (p, _) = program(&edited);
    let patch = patch_of(&edited, src);
    let host = host_info(src);
    assert!(super::unreloadable_changes(&p, &host, &patch).is_empty());
}

/// A patch carries the functions whose code changed and the hot functions and helpers that
/// call a changed helper (their copies in the host call the old one), nothing else; a function
/// only `main` reached in the host is carried once hot code calls it (the host does not export
/// it).
#[test]
fn a_patch_carries_only_what_changed() {
    let src = "
S State { frame: i64 }
F helper(s: *State) -> i64 = s.frame * 2
F outer(s: *State) -> i64 = helper(s) + 1
F lonely() -> i64 = 7
#[hot] F update(s: *State) -> i64 { s.frame += 1; outer(s) }
#[hot] F other(s: *State) -> i64 = s.frame
#[hot] F caller(s: *State) -> i64 = update(s) + other(s)
F main() -> i64 {
    s := mut State { frame: 0 }
    caller(&s) + lonely()
}";
    assert!(carried(src, src).is_empty());
    assert_eq!(
        carried(&src.replace("frame += 1", "frame += 2"), src),
        vec!["update"]
    );
    assert_eq!(
        carried(&src.replace("s.frame * 2", "s.frame * 3"), src),
        vec!["helper", "outer", "update"]
    );
    assert_eq!(
        carried(&src.replace("= s.frame\n", "= s.frame + lonely()\n"), src),
        vec!["lonely", "other"]
    );
    // Recursion: both functions of a cycle change with either.
    let cycle = "
F even(n: i64) -> bool = I n == 0 { true } E { odd(n - 1) }
F odd(n: i64) -> bool = I n == 0 { false } E { even(n - 1) }
#[hot] F step(n: i64) -> bool = even(n)
#[hot] F idle(n: i64) -> i64 = n
F main() -> i64 = I step(4) { idle(1) } E { 0 }";
    assert!(carried(cycle, cycle).is_empty());
    assert_eq!(
        carried(&cycle.replace("{ false }", "{ n == 7 }"), cycle),
        vec!["even", "odd", "step"]
    );
}

/// Closures' lifted functions and the functions tasks run are hashed like named ones: an edit
/// inside a closure carries it and the function that creates it, an edit of an async helper
/// carries it and the hot function that makes its task, and nothing else.
#[test]
fn closures_and_tasks_carry_what_they_run() {
    let src = "
F apply(f: |i64| -> i64, x: i64) -> i64 = f(x)
A F helper(x: i64) -> i64 { x * 10 }
#[hot] F step(n: i64) -> i64 {
    twice := |x: i64| x * 2 + n
    apply(twice, n)
}
#[hot] F run(i: i64) -> i64 {
    t := spawn helper(i)
    t.await
}
F main() -> i64 = step(1) + run(2)";
    assert!(carried(src, src).is_empty());
    let closure = carried(&src.replace("x * 2 + n", "x * 3 + n"), src);
    assert_eq!(closure.len(), 2, "{closure:?}");
    assert!(closure.contains(&"step".to_string()), "{closure:?}");
    assert!(
        closure.iter().any(|f| f.starts_with("step.closure")),
        "{closure:?}"
    );
    assert_eq!(
        carried(&src.replace("x * 10", "x * 11"), src),
        vec!["helper", "run"]
    );
}

/// A changed layout carries every function whose code uses it, hot or not, even when its own
/// code is unchanged (the host's copies have the old offsets), and is no change of `main`'s
/// code (which reads layouts from the offset table in the host).
#[test]
fn a_changed_layout_carries_the_code_that_uses_it() {
    let src = "
S Inner { a: i64 }
S State { frame: i64, inner: Inner, x: i64 }
S Other { y: i64 }
F getx(s: *State) -> i64 = s.x
F gety(o: *Other) -> i64 = o.y
#[hot] F tick(s: *State) { s.x += 10 }
#[hot] F show(s: *State) -> i64 = getx(s)
#[hot] F other(o: *Other) -> i64 = gety(o)
F main() -> i64 {
    s := mut State { frame: 0, inner: Inner { a: 0 }, x: 0 }
    o := mut Other { y: 1 }
    tick(&s)
    show(&s) + other(&o) + s.x
}";
    let edited = src.replace("S Inner { a: i64 }", "S Inner { a: i64, b: i64 = 0 }");
    assert_eq!(carried(&edited, src), vec!["getx", "tick", "show"]);
    let (p, _) = program(&edited);
    let patch = patch_of(&edited, src);
    let host = host_info(src);
    // `main`'s literal of `Inner` stores the new field's default: that is a change of its code.
    assert_eq!(super::unreloadable_changes(&p, &host, &patch), vec!["main"]);
    let moved = src.replace("S Other { y: i64 }", "S Other { z: i64, y: i64 }");
    let moved = moved.replace("Other { y: 1 }", "Other { z: 0, y: 1 }");
    assert_eq!(carried(&moved, src), vec!["gety", "other"]);
}

#[test]
fn incompatible_patches_are_refused_at_build_time() {
    let entry = Path::new("game.vais");
    let info = host_info(GAME);
    // `main` does not read `frame`, so it may change type; values are converted.
    let (changed, changed_src) =
        program(&GAME.replace("S State { frame: i64 }", "S State { frame: i32 }"));
    let plan = super::patch_plan(
        &changed,
        &changed_src,
        entry,
        &info,
        layouts(&changed, &changed_src),
        false,
    )
    .expect("a migration");
    assert_eq!(
        plan.migration.summary(),
        "State: frame: i64 -> i32; 1 live value"
    );
    // A field `main` reads may move but not change type.
    let reads = GAME.replace("twice(&s) + run", "s.frame as i64 + twice(&s) + run");
    let read_info = host_info(&reads);
    let (changed, changed_src) =
        program(&reads.replace("S State { frame: i64 }", "S State { frame: i32 }"));
    let err = super::patch_plan(
        &changed,
        &changed_src,
        entry,
        &read_info,
        layouts(&changed, &changed_src),
        false,
    )
    .expect_err("a retyped field main reads");
    assert_eq!(
        err.0,
        vec!["State: field `frame` changes type from i64 to i32, but code that keeps running (`main`) uses it as i64"]
    );
    let with_global = format!(
        "G score: i64 = 0\n{}",
        GAME.replace("s.frame += 1", "score += 1")
    );
    let (p, p_src) = program(&with_global);
    let plan = super::patch_plan(&p, &p_src, entry, &info, layouts(&p, &p_src), false)
        .expect("a new global is fine")
        .plan;
    let new: Vec<(&str, &str)> = plan
        .new_globals
        .iter()
        .map(|g| (g.name.as_str(), g.description.as_str()))
        .collect();
    assert_eq!(new, vec![("score", "i64")]);
    assert!(!plan.globals.contains(&"score".to_string()));
    // The runtime compares a new global's type by this text, which holds the layouts of the
    // structs in it, so that a struct the host lacks cannot change unnoticed.
    let src = format!(
        "S Q {{ a: i64, s: State }}\nG qs: [Q; 2] = [Q {{ a: 1 }}, Q {{ a: 2 }}]\n{}",
        GAME.replace("s.frame += 1", "qs[0].a += 1")
    );
    let (p, p_src) = program(&src);
    let plan = super::patch_plan(&p, &p_src, entry, &info, layouts(&p, &p_src), false)
        .expect("a new global is fine")
        .plan;
    assert_eq!(
        plan.new_globals[0].description,
        "[Q; 2]; struct Q { a: i64 @0, s: State @8 } size 16; struct State { frame: i64 @0 } size 8"
    );
    // Its initial value is copied out of the patch, so it must not point into the patch.
    for (global, what) in [
        ("G score: str = \"none\"", "a string"),
        (
            "S H { f: fn(*State) -> i64 }\nG score: H = H { f: update }",
            "a function address",
        ),
    ] {
        let src = format!("{global}\n{}", GAME.replace("s.frame += 1", "score"));
        let (p, p_src) = program(&src);
        let err = super::patch_plan(&p, &p_src, entry, &info, layouts(&p, &p_src), false)
            .expect_err("pointer");
        assert_eq!(
            err.0,
            vec![format!("global `score` is new and its initial value holds {what}, which would point into the patch: restart the program to add it")]
        );
    }
}

/// A patch's new global is reached through the pointer variable the runtime fills, and the
/// patch keeps its initial value under the ABI's name; the host's globals stay declarations.
#[test]
fn a_patch_reaches_its_new_globals_through_the_runtimes_pointer() {
    let src = "
S P { x: i64, y: i64 }
G kept: i64 = 1
#[hot] F step() { kept += 1 }
F main() -> i64 { step(); kept }";
    let patched = src
        .replace(
            "G kept",
            "G ps: [P; 2] = [P { x: 1, y: 2 }, P { x: 3, y: 4 }]\nG kept",
        )
        .replace("kept += 1", "kept += 1; ps[1].y += kept");
    let ir = hot_ir(&patched, Some(src));
    for line in [
        "@kept = external global i64\n",
        "@__vais_hot_global_init.ps = internal constant [2 x %P] [%P { i64 1, i64 2 }, %P { i64 3, i64 4 }]\n",
        "@__vais_hot_global.ps = protected global [2 x %P]* null\n",
        "load [2 x %P]*, [2 x %P]** @__vais_hot_global.ps",
    ] {
        assert!(ir.contains(line), "{line}in\n{ir}");
    }
    assert!(!ir.contains("@ps "), "{ir}");
}

/// Every variable a patch uses is the host's, whatever its type: struct and array globals too.
#[test]
fn a_patch_uses_the_hosts_variables_of_every_type() {
    let src = "
S P { x: i64, y: i64 }
G ps: [P; 2] = [P { x: 1, y: 2 }, P { x: 3, y: 4 }]
G one: P = P { x: 7, y: 8 }
#[hot] F step() { ps[1].x += 1; one.y += 1 }
F main() -> i64 { step(); ps[1].x }";
    let ir = hot_ir(&src.replace("+= 1", "+= 2"), Some(src));
    for decl in [
        "@ps = external global [2 x %P]\n",
        "@one = external global %P\n",
    ] {
        assert!(ir.contains(decl), "{decl}in\n{ir}");
    }
    assert!(!ir.contains("patch-local"), "{ir}");
}

/// Adding code no hot function reaches leaves every body hash as it was, whatever the new code
/// holds (string literals, other functions' numbering, attributes, new types and globals).
#[test]
fn adding_unused_code_changes_no_body_hash() {
    let base_src = "
X F fflush(f: *u8) -> i32
G total: i64 = 0
S State { frame: i64 }
F abs(v: i64) -> i64 = I v < 0 { -v } E { v }
F helper(s: *State) -> i64 { printf(\"helper %ld\\n\", s.frame); abs(1) }
#[hot] F tick(s: *State) -> i64 {
    s.frame += 1
    total += helper(s)
    printf(\"v1 frame=%ld total=%ld\\n\", s.frame, total)
    fflush(0)
    0
}
#[hot] F spare() -> i64 = 5
F main() -> i64 {
    s := mut State { frame: 0 }
    tick(&s) + spare()
}";
    let additions = [
        "F unused() -> i64 = 42",
        "F unused() -> i64 { printf(\"x\\n\"); 42 }",
        "F unused(s: *State) -> i64 { printf(\"helper %ld\\n\", s.frame); helper(s) }",
        "#[inline] F unused(a: i64, b: i64) -> i64 = a / b",
        "S Other { a: i32, b: f64 }\nG other: Other = Other { a: 1, b: 2.0 }",
    ];
    let base = body_hashes(base_src);
    for added in additions {
        let first = format!("{added}\n{base_src}");
        assert_eq!(body_hashes(&first), base, "{added} before");
        let last = format!("{base_src}\n{added}");
        assert_eq!(body_hashes(&last), base, "{added} after");
    }
}

/// Initial values compare by what they are: a change shows, a renumbering of functions or a
/// string with a tab does not confuse it, and the host file keeps them.
#[test]
fn changed_initial_values_are_found() {
    let src = "
S P { x: i64, f: fn(i64) -> i64 }
F one(v: i64) -> i64 = v
F two(v: i64) -> i64 = v + 1
G p: P = P { x: 1, f: one }
G s: str = \"a\\tb\"
G xs: [f64; 2] = [0.5, 1.0]
F main() -> i64 = p.x";
    let info = super::HostInfo::parse(&host_info(src).to_text()).expect("round trip");
    let changed = |edited: &str| super::changed_initial_values(&program(edited).0, &info, &[]);
    assert!(changed(&format!("F zero() -> i64 = 0\n{src}")).is_empty());
    assert_eq!(changed(&src.replace("f: one", "f: two")), vec!["p"]);
    assert_eq!(changed(&src.replace("a\\tb", "a\\tc")), vec!["s"]);
    assert_eq!(changed(&src.replace("0.5", "0.25")), vec!["xs"]);
}

/// The manifest describes layouts with the code generator's numbers, `()` fields included
/// (codegen stores them as one byte, which a separate hand computation once took as none).
#[test]
fn layouts_are_the_code_generators() {
    let (p, p_src) = program(
        "S Q { a: u8, u: () }\nS R { q: Q, n: i32 }\nE K { A, B(u8, i64) }\nG k: i64 = 0\nF main() -> i64 = 0",
    );
    let described: Vec<(String, String)> = layouts(&p, &p_src)
        .into_iter()
        .map(|l| (l.layout.key(), l.layout.describe()))
        .collect();
    let expect = |name: &str, description: &str| (name.to_string(), description.to_string());
    assert_eq!(
        described,
        vec![
            expect("struct Q", "{ a: u8 @0, u: () @1 } size 2"),
            expect("struct R", "{ q: Q @0, n: i32 @4 } size 8"),
            expect("enum K", "{ A, B(0: u8 @8, 1: i64 @16) } size 24"),
            expect("global k", "i64"),
        ]
    );
}

/// Field defaults travel as the bytes of a value of the field's type, laid out as the code
/// generator lays it out (little-endian here); a field without one migrates as zero.
#[test]
fn field_defaults_are_encoded_with_the_code_generators_layout() {
    let (p, p_src) = program(
        "S D { a: i32 = -2, n: i64, b: f64 = 2.5, c: bool = true, h: u16 = 513 }\nG d: D = D { n: 1 }\nF main() -> i64 = 0",
    );
    let all = layouts(&p, &p_src);
    let d = all
        .iter()
        .find(|l| l.layout.key() == "struct D")
        .expect("D's layout");
    let defaults: Vec<(&str, Option<Vec<u8>>)> = d
        .layout
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.default.clone()))
        .collect();
    assert_eq!(
        defaults,
        vec![
            ("a", Some((-2i32).to_le_bytes().to_vec())),
            ("n", None),
            ("b", Some(2.5f64.to_le_bytes().to_vec())),
            ("c", Some(vec![1])),
            ("h", Some(513u16.to_le_bytes().to_vec())),
        ]
    );
}

/// Should code that uses `main` reach the pass despite `refusals`, the pass reports it instead
/// of deleting a function that still has uses (which crashed LLVM).
#[test]
fn the_pass_refuses_to_delete_a_main_still_used() {
    let src =
        "#[hot] F step(n: i64) -> i64 = I n > 0 { main() } E { n }\nF main() -> i64 = step(0)";
    let (p, sources) = program(src);
    assert_eq!(super::refusals(&p).len(), 1);
    let entry = Path::new("game.vais");
    let (plan, _) = super::host_plan(&p, &sources, entry, "vaisc", layouts(&p, &sources));
    // A host that exports nothing: the patch carries every function hot code reaches.
    let host = super::HostInfo::from_plan(&plan, Vec::new(), Vec::new());
    let plan = super::patch_plan(&p, &sources, entry, &host, layouts(&p, &sources), false)
        .expect("compatible")
        .plan;
    let ctx = Context::create();
    let module = crate::codegen::lower(&ctx, &p, &sources, &Default::default()).expect("lower");
    let err = codegen_hot::apply(&ctx, &module, &plan).expect_err("main is used");
    assert!(
        matches!(err, codegen_hot::HotError::UsesMain(ref f) if f == "vais_main"),
        "{err}"
    );
}

/// A function both `#[inline]` and `#[hot]` is built as hot: called through the table, never
/// inlined (LLVM rejects its module if it is marked both ways).
#[test]
fn an_inline_hot_function_is_just_hot() {
    let src = "#[inline]\n#[hot]\nF sq(v: i64) -> i64 = v * v\nF main() -> i64 = sq(3)";
    // `hot_ir` verifies the module.
    let ir = hot_ir(src, None);
    assert!(!ir.contains("call i64 @sq("), "{ir}");
    hot_ir(&src.replace("v * v", "v * v + 0"), Some(src));
}
