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

/// IR of `src` after the pass, for a host or (with `host_of`) a patch.
fn hot_ir(src: &str, host_of: Option<&str>) -> String {
    let (p, sources) = program(src);
    let entry = Path::new("game.vais");
    let plan = match host_of {
        None => super::host_plan(&p, entry, "vaisc"),
        Some(host_src) => {
            let (hp, _) = program(host_src);
            let host =
                super::HostInfo::from_plan(&super::host_plan(&hp, entry, "vaisc"), Vec::new());
            super::patch_plan(&p, entry, &host).expect("compatible")
        }
    };
    let ctx = Context::create();
    let module = crate::codegen::lower(&ctx, &p, &sources, &Default::default()).expect("lower");
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

#[test]
fn body_hashes_change_only_with_the_code_they_cover() {
    let (p, sources) = program(GAME);
    let plan = super::host_plan(&p, Path::new("game.vais"), "vaisc");
    let hashes = |src: &str| {
        let (p, _) = program(src);
        let ctx = Context::create();
        let m = crate::codegen::lower(&ctx, &p, &sources, &Default::default()).expect("lower");
        codegen_hot::apply(&ctx, &m, &plan).expect("pass").bodies
    };
    let base = hashes(GAME);
    let update_changed = hashes(&GAME.replace("s.frame += 1", "s.frame += 3"));
    assert_ne!(base[0], update_changed[0]);
    assert_eq!(
        base[1], update_changed[1],
        "twice calls update through the table"
    );
    let unrelated = hashes(&GAME.replace("twice(&s) + run", "twice(&s) * 2 + run"));
    assert_eq!(base, unrelated);
}

#[test]
fn incompatible_patches_are_refused_at_build_time() {
    let (host, _) = program(GAME);
    let entry = Path::new("game.vais");
    let info = super::HostInfo::from_plan(&super::host_plan(&host, entry, "vaisc"), Vec::new());
    let (changed, _) = program(&GAME.replace("S State { frame: i64 }", "S State { frame: i32 }"));
    let err = super::patch_plan(&changed, entry, &info).expect_err("layout change");
    assert_eq!(
        err.0,
        vec!["struct State: layout changed from { frame: i64 @0 } size 8 to { frame: i32 @0 } size 4"]
    );
    let with_global = format!(
        "G score: i64 = 0\n{}",
        GAME.replace("s.frame += 1", "score += 1")
    );
    let (p, _) = program(&with_global);
    let err = super::patch_plan(&p, entry, &info).expect_err("new global");
    assert_eq!(
        err.0,
        vec!["global `score` is new: the running program does not have it"]
    );
}
