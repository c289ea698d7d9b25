//! Monomorphisation costs nothing: the optimised code of a generic function's instance is the
//! code of the same function written by hand for that one type.

use super::{lower, Options};
use crate::parser::parse;
use crate::resolve::LoadedModule;
use crate::source::SourceMap;
use inkwell::context::Context;
use inkwell::passes::{PassManager, PassManagerBuilder};
use inkwell::values::AnyValue;
use inkwell::OptimizationLevel;

/// A generic dot product and its hand-written `i64` copy, both used by `main`.
const PROGRAM: &str = "
F dot<T>(a: *T, b: *T, n: i64) -> T {
    t := mut a[0] - a[0]
    L i: 0..n { t += a[i] * b[i] }
    t
}
F dot_i64(a: *i64, b: *i64, n: i64) -> i64 {
    t := mut a[0] - a[0]
    L i: 0..n { t += a[i] * b[i] }
    t
}
F main() -> i64 {
    xs := [1, 2, 3]
    dot(&xs[0], &xs[0], 3) - dot_i64(&xs[0], &xs[0], 3)
}";

/// The body of function `name` after LLVM's `-O2` function passes (the module passes would
/// inline both into `main` and leave nothing to compare), with its name taken out.
fn optimised_body(name: &str) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add("t.vais", PROGRAM.to_string());
    let (module, diags) = parse(file, PROGRAM);
    assert!(diags.is_empty(), "{diags:?}");
    let (program, diags) = crate::typeck::check(&[LoadedModule { file, module }]);
    let program = program.unwrap_or_else(|| panic!("{diags:?}"));
    let ctx = Context::create();
    let module = lower(&ctx, &program, &sources, &Options::default()).expect("lowers");
    let pmb = PassManagerBuilder::create();
    pmb.set_optimization_level(OptimizationLevel::Default);
    let fpm = PassManager::create(&module);
    pmb.populate_function_pass_manager(&fpm);
    fpm.initialize();
    let f = module.get_function(name).expect("the function is there");
    fpm.run_on(&f);
    fpm.finalize();
    let text = f.print_to_string().to_string();
    text.replace(&format!("@\"{name}\"("), "@F(")
        .replace(&format!("@{name}("), "@F(")
}

#[test]
fn a_generic_instance_optimises_to_the_hand_written_code() {
    let generic = optimised_body("dot<i64>");
    let by_hand = optimised_body("dot_i64");
    assert!(generic.contains("mul"), "the loop is there:\n{generic}");
    assert_eq!(generic, by_hand);
}
