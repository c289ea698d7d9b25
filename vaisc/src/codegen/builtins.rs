//! Keeps LLVM from taking a program's own functions for C library ones.
//!
//! A program may define its own `sqrt` or `abs`. LLVM knows those names as C library functions
//! and, when optimising, would fold a call to them or replace it (and could introduce calls to
//! them, say `puts` for a `printf`). Telling every function that such a name is not a built-in
//! here (`no-builtin-NAME`, what clang's `-fno-builtin-NAME` does) prevents both.
//!
//! Only the names LLVM actually knows need it: the list comes from the linked LLVM's own
//! `TargetLibraryInfo.def`, read at build time (`build.rs`). Giving every function one attribute
//! per program function instead costs time cubic in the number of functions, since LLVM rebuilds
//! a function's attribute set on each addition.

use crate::tir::Program;
use inkwell::attributes::AttributeLoc;
use inkwell::context::Context;
use inkwell::values::FunctionValue;
use std::sync::OnceLock;

/// The names LLVM treats as C library functions, one per line.
const LIBRARY_FUNCTIONS: &str = include_str!(concat!(env!("OUT_DIR"), "/libfuncs.txt"));

/// True if LLVM would take a function named `name` for the C library's. The names are sorted
/// once per process: every unit of a build asks for each of the program's functions, and
/// scanning the list of some five hundred names each time was a few percent of a large build.
fn is_library_function(name: &str) -> bool {
    static SORTED: OnceLock<Vec<&'static str>> = OnceLock::new();
    SORTED
        .get_or_init(|| {
            let mut names: Vec<&str> = LIBRARY_FUNCTIONS.lines().collect();
            names.sort_unstable();
            names
        })
        .binary_search(&name)
        .is_ok()
}

/// Marks, in every function the program defines, the C library names it defines itself as
/// not built-in. `functions[i]` is the LLVM function of `program.functions[i]`.
pub fn shadow(ctx: &Context, program: &Program, functions: &[FunctionValue]) {
    let attrs: Vec<_> = program
        .functions
        .iter()
        .filter(|d| d.is_defined() && is_library_function(&d.name))
        .map(|d| ctx.create_string_attribute(&format!("no-builtin-{}", d.name), ""))
        .collect();
    if attrs.is_empty() {
        return;
    }
    for (def, f) in program.functions.iter().zip(functions) {
        if def.is_defined() {
            for a in &attrs {
                f.add_attribute(AttributeLoc::Function, *a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_library_function;

    #[test]
    fn library_names_come_from_the_linked_llvm() {
        for name in ["sqrt", "abs", "puts", "memcpy", "printf", "strlen"] {
            assert!(is_library_function(name), "{name}");
        }
        for name in ["main", "update", "f0", "sqr", "Vec3.len2", ""] {
            assert!(!is_library_function(name), "{name}");
        }
    }
}
