//! Unit tests of closure code generation: where environments live (the escape rule of
//! `typeck/escape.rs`), and that a closure call that does not escape becomes, at `-O2`, the same
//! code as a direct call.

use super::{lower, optimize, Options};
use crate::parser::parse;
use crate::resolve::LoadedModule;
use crate::snapshot::assert_snapshot;
use crate::source::SourceMap;
use inkwell::context::Context;

/// The IR of a one-file program, optimised at `level`.
fn ir_at(src: &str, level: u8) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add("t.vais", src.to_string());
    let (module, diags) = parse(file, src);
    assert!(diags.is_empty(), "{diags:?}");
    let (program, diags) = crate::typeck::check(&[LoadedModule { file, module }]);
    let program = program.unwrap_or_else(|| panic!("{diags:?}"));
    let ctx = Context::create();
    let opts = Options {
        opt_level: level,
        ..Options::default()
    };
    let module = lower(&ctx, &program, &sources, &opts).expect("lowers");
    optimize(&module, level).expect("optimises");
    module.print_to_string().to_string()
}

/// The callees of every call instruction, in order (`%reg` for an indirect call).
fn callees(ir: &str) -> Vec<String> {
    ir.lines()
        .filter_map(|l| {
            let at = l.find(" call ")?;
            let rest = &l[at..];
            let start = rest.find(['@', '%'])?;
            let name: String = rest[start..].chars().take_while(|c| *c != '(').collect();
            Some(name)
        })
        .collect()
}

/// `time(0)` keeps the inputs unknown to the optimiser, so the calls stay visible.
const WITH_CLOSURE: &str = "X F time(t: *u8) -> i64
F apply(f: |i64| -> i64, x: i64) -> i64 = f(x)
F main() -> i64 {
    k := time(0 as *u8)
    triple := |x: i64| x * 3 + k
    s := mut 0
    L i: 0..time(0 as *u8) { s += apply(triple, i) }
    printf(\"%ld\\n\", s)
    0
}";

const DIRECT: &str = "X F time(t: *u8) -> i64
F triple(x: i64, k: i64) -> i64 = x * 3 + k
F main() -> i64 {
    k := time(0 as *u8)
    s := mut 0
    L i: 0..time(0 as *u8) { s += triple(i, k) }
    printf(\"%ld\\n\", s)
    0
}";

#[test]
fn a_closure_that_does_not_escape_is_inlined_like_a_direct_call() {
    // Unoptimised, the call goes through the closure's code pointer.
    let unoptimised = ir_at(WITH_CLOSURE, 0);
    assert!(
        callees(&unoptimised).iter().any(|c| c.starts_with('%')),
        "{unoptimised}"
    );
    let closure = ir_at(WITH_CLOSURE, 2);
    let direct = ir_at(DIRECT, 2);
    assert_eq!(callees(&direct), ["@time", "@time", "@printf"], "{direct}");
    assert!(
        !callees(&closure).iter().any(|c| c.starts_with('%')),
        "an indirect call remains:\n{closure}"
    );
    assert_eq!(callees(&closure), callees(&direct), "{closure}\n{direct}");
    assert!(!closure.contains("@malloc"), "{closure}");
}

#[test]
fn only_escaping_environments_are_malloced() {
    let local = ir_at("F main() -> i64 { k := 2; f := |x: i64| x + k; f(1) }", 0);
    assert!(!local.contains("@malloc"), "{local}");
    let returned = ir_at(
        "F mk(k: i64) -> |i64| -> i64 = |x| x + k\nF main() -> i64 { f := mk(2); f(1) }",
        0,
    );
    assert_eq!(
        returned.matches("call i8* @malloc").count(),
        1,
        "{returned}"
    );
    // Capturing nothing, even a closure that escapes has no environment to allocate.
    let empty = ir_at(
        "F mk() -> |i64| -> i64 = |x| x + 1\nF main() -> i64 { f := mk(); f(1) }",
        0,
    );
    assert!(!empty.contains("@malloc"), "{empty}");
}

/// The escape rule case by case: each program creates closures capturing `k` (main's local);
/// the count is how many environments come from `malloc`.
#[test]
fn the_escape_rule_case_by_case() {
    let head = "G g: |i64| -> i64 = id\nF id(x: i64) -> i64 = x\nS S1 { f: |i64| -> i64 }\n";
    let cases: [(&str, &str, usize); 10] = [
        (
            "passed to a parameter that is only called",
            "F ap(f: |i64| -> i64) -> i64 = f(1)\nF main() -> i64 { k := 2; ap(|x| x + k) }",
            0,
        ),
        (
            "passed to a parameter stored in a global",
            "F keep(f: |i64| -> i64) { g = f }\nF main() -> i64 { k := 2; keep(|x| x + k); 0 }",
            1,
        ),
        (
            "passed on to a function that stores it",
            "F b(f: |i64| -> i64) { g = f }\nF a(f: |i64| -> i64) { b(f) }\nF main() -> i64 { k := 2; a(|x| x + k); 0 }",
            1,
        ),
        (
            "passed to a hot function",
            "#[hot] F ap(f: |i64| -> i64) -> i64 = f(1)\nF main() -> i64 { k := 2; ap(|x| x + k) }",
            1,
        ),
        (
            "assigned with `=` to a local",
            "F main() -> i64 { k := 2; f := mut |x: i64| x; f = |x| x + k; f(1) }",
            1,
        ),
        (
            "stored in a struct literal",
            "F main() -> i64 { k := 2; s := S1 { f: |x| x + k }; s.f(1) }",
            1,
        ),
        (
            "created by `:=` in a loop and called there",
            "F main() -> i64 { s := mut 0; L k: 0..3 { f := |x: i64| x + k; s += f(1) }; s }",
            0,
        ),
        (
            "captured by another closure",
            "F main() -> i64 { k := 2; f := |x: i64| x + k; h := |y: i64| f(y) + k; h(1) }",
            1,
        ),
        (
            "its address taken",
            "F main() -> i64 { k := 2; f := |x: i64| x + k; p := &f; (*p)(1) }",
            1,
        ),
        (
            "passed through a function pointer",
            "F ap(f: |i64| -> i64) -> i64 = f(1)\nF main() -> i64 { k := 2; p: fn(|i64| -> i64) -> i64 = ap; p(|x| x + k) }",
            1,
        ),
    ];
    for (what, body, expected) in cases {
        let ir = ir_at(&format!("{head}{body}"), 0);
        let found = ir.matches("call i8* @malloc").count();
        assert_eq!(found, expected, "{what}:\n{ir}");
    }
}

#[test]
fn closure_code_is_marked_for_the_hot_pass() {
    let src = "G g: |i64| -> i64 = id
F id(x: i64) -> i64 = x
F main() -> i64 {
    k := 1
    local := |x: i64| x + k
    g = |x| x + k
    local(1) + g(1)
}";
    let ir = ir_at(src, 0);
    let attr = |name: &str| {
        let line = ir
            .lines()
            .find(|l| l.starts_with("define") && l.contains(name))
            .unwrap_or_else(|| panic!("{name} in\n{ir}"));
        let group = line.rsplit(' ').nth(1).unwrap_or_default().to_string();
        ir.lines()
            .find(|l| l.starts_with(&format!("attributes {group} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        attr("@main.closure.1(").contains(vais_hot_abi::LOCAL_CODE_ATTRIBUTE),
        "{ir}"
    );
    assert!(
        attr("@main.closure.2(").contains(vais_hot_abi::PIN_ON_USE_ATTRIBUTE),
        "{ir}"
    );
}

/// The whole unoptimised IR of closures of each kind: a local one (its environment a stack slot,
/// its code marked local), a returned one (`malloc`'d, marked pin-on-use), one capturing
/// nothing (null environment), a named function as a closure (the thunk), and a capture-free
/// literal as a plain `fn` (no environment parameter).
#[test]
fn closure_ir() {
    let src = "F mk(k: i64) -> |i64| -> i64 = |x| x + k
F twice(x: i64) -> i64 = x * 2
F ap(f: |i64| -> i64, x: i64) -> i64 = f(x)
F main() -> i64 {
    k := 3
    local := |x: i64| x * k
    plain: fn(i64) -> i64 = |x| x - 1
    mk(1)(local(2)) + ap(twice, 1) + ap(|x| x, 0) + plain(5)
}";
    assert_snapshot("codegen_closures", &ir_at(src, 0));
}
