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
    let mut sources = SourceMap::new();
    let file = sources.add("t.vais", src.to_string());
    let (module, diags) = parse(file, src);
    assert!(diags.is_empty(), "{diags:?}");
    let (program, diags) = crate::typeck::check(&[LoadedModule { file, module }]);
    let program = program.unwrap_or_else(|| panic!("{diags:?}"));
    let ctx = Context::create();
    let module = lower(&ctx, &program, &sources, &Options::default()).expect("lowers");
    module.print_to_string().to_string()
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
