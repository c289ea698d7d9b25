//! Unit tests of code generation on small programs: determinism, and the whole IR (reviewed
//! snapshots under `vaisc/tests/snapshots/`) for the corners that end-to-end tests cannot see.

use super::{lower, Options};
use crate::parser::parse;
use crate::resolve::LoadedModule;
use crate::snapshot::assert_snapshot;
use crate::source::SourceMap;
use inkwell::context::Context;

/// The unoptimised IR of a one-file program.
fn ir(src: &str) -> String {
    with_module(src, |m| m.print_to_string().to_string())
}

/// Runs `f` on the unoptimised module of a one-file program.
fn with_module<T>(src: &str, f: impl FnOnce(&inkwell::module::Module) -> T) -> T {
    let mut sources = SourceMap::new();
    let file = sources.add("t.vais", src.to_string());
    let (module, diags) = parse(file, src);
    assert!(diags.is_empty(), "{diags:?}");
    let (program, diags) = crate::typeck::check(&[LoadedModule { file, module }]);
    let program = program.unwrap_or_else(|| panic!("{diags:?}"));
    let ctx = Context::create();
    let module = lower(&ctx, &program, &sources, &Options::default()).expect("lowers");
    f(&module)
}

const SAMPLE: &str = "
S P { x: i64, y: f64 }
E E2 { A, B(i64) }
G g: i64 = 3
#[hot] F step(p: *P) -> i64 { p.x += 1; p.x }
F main() -> i64 {
    p := P { x: 1, y: 2.0 }
    e := E2.B(4)
    v := M e { A => 0, B(n) => n }
    printf(\"%ld %s\\n\", step(&p) + v + g, \"hi\")
    0
}";

#[test]
fn output_is_deterministic() {
    assert_eq!(ir(SAMPLE), ir(SAMPLE));
}

/// The whole IR of `SAMPLE`: user functions are internal, `main` wraps `vais_main`, and a
/// normal build calls the `#[hot]` function directly, with no jump table.
#[test]
fn sample_program_ir() {
    assert_snapshot("codegen_sample", &ir(SAMPLE));
}

/// A repeat literal of zero is one `llvm.memset`: the IR does not grow with the length.
#[test]
fn repeat_literals_of_zero_are_a_memset() {
    assert_snapshot(
        "codegen_zero_repeat",
        &ir("F main() -> i64 { a := [0.0; 1000]; a[5] as i64 }"),
    );
}

/// The trap of a division by zero is `ud1` with the reason in its last byte, which the crash
/// handler of the runtime (`vais_hot_abi::trap_kind`) reads back; at every level.
#[test]
fn division_traps_encode_their_reason_in_the_instruction() {
    let src = "X F time(t: *u8) -> i64\nF f(a: i64, b: i64) -> i64 = a / b\nF main() -> i64 = f(time(0), time(0))";
    for level in [0, 2] {
        let object = with_module(src, |m| {
            super::optimize(m, level).expect("optimises");
            super::target_machine(level)
                .expect("target")
                .write_to_memory_buffer(m, inkwell::targets::FileType::Object)
                .expect("object")
                .as_slice()
                .to_vec()
        });
        for kind in [
            vais_hot_abi::TRAP_DIVISION_BY_ZERO,
            vais_hot_abi::TRAP_DIVISION_OVERFLOW,
        ] {
            let found = object
                .windows(vais_hot_abi::TRAP_LEN)
                .any(|w| vais_hot_abi::trap_kind(w.try_into().expect("5 bytes")) == Some(kind));
            assert!(found, "no trap of kind {kind} at -O{level}");
        }
    }
}

#[test]
fn only_divisors_that_can_fault_are_checked() {
    let by_constant = ir("F f(a: i64) -> i64 = a / 4 + a % -3\nF main() -> i64 = f(1)");
    assert!(!by_constant.contains("ubsantrap"), "{by_constant}");
    let unsigned = ir("F f(a: u64, b: u64) -> u64 = a / b\nF main() -> i64 = f(1, 1) as i64");
    assert_eq!(
        unsigned.matches("call void @llvm.ubsantrap(i8 1)").count(),
        1
    );
    assert!(!unsigned.contains("ubsantrap(i8 2)"), "{unsigned}");
    let by_minus_one = ir("F f(a: i32) -> i32 = a / -1\nF main() -> i64 = f(1) as i64");
    assert!(!by_minus_one.contains("ubsantrap(i8 1)"), "{by_minus_one}");
    assert!(by_minus_one.contains("ubsantrap(i8 2)"), "{by_minus_one}");
}

/// In test builds a module broken by a stage is an internal error naming the stage.
#[test]
fn a_broken_module_is_an_internal_error_naming_the_stage() {
    let ctx = Context::create();
    let module = ctx.create_module("m");
    let f = module.add_function("f", ctx.i64_type().fn_type(&[], false), None);
    // A block without a terminator is invalid IR.
    ctx.append_basic_block(f, "entry");
    let err = super::verify_after(&module, "the test stage").expect_err("invalid");
    assert!(
        err.to_string().starts_with(
            "internal code generation error: invalid LLVM module after the test stage:"
        ),
        "{err}"
    );
}

/// Tasks: a call to an async function fills a zeroed record and runs nothing, its run
/// function loads the arguments and stores the result, `spawn` and `.await` call the two
/// helpers, emitted once.
#[test]
fn task_ir() {
    assert_snapshot(
        "codegen_tasks",
        &ir("A F add(a: i64, b: f64) -> f64 = a as f64 + b
F main() -> i64 {
    t := add(1, 2.5)
    u := spawn add(2, 0.5)
    (t.await + u.await) as i64
}"),
    );
}
