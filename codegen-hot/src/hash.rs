//! Body hashes: a fingerprint of the code each hot function runs, so the loader can tell which
//! functions a patch really changes.
//!
//! A hot function's hash covers its own IR and the IR of every non-hot function it reaches
//! (called or referenced, transitively), because a patch carries private copies of those and an
//! edit to a helper changes what the hot function does. Hot callees are excluded: they have
//! their own slots and hashes. String constants are renamed after their contents first, so an
//! unrelated string added elsewhere does not renumber them and change every hash.
//!
//! The code hashed is the function's printed IR, cut out of one print of the whole module.
//! Printing functions one at a time would make LLVM number the whole module's metadata for
//! each of them, which is quadratic in the program's size (most of a 5,000-line build).

use inkwell::module::{Linkage, Module};
use inkwell::values::{AnyValue, BasicValueEnum, FunctionValue, Operand};
use std::collections::{HashMap, HashSet};
use vais_hot_abi as abi;

/// Renames private constant globals (string literals) to `.str.<hash of contents>`.
fn stabilize_string_names(module: &Module) {
    let mut g = module.get_first_global();
    while let Some(global) = g {
        g = global.get_next_global();
        if global.get_linkage() != Linkage::Private || !global.is_constant() {
            continue;
        }
        if let Some(init) = global.get_initializer() {
            let text = init.print_to_string().to_string();
            global.set_name(&format!(".str.{:016x}", abi::hash(text.as_bytes())));
        }
    }
}

/// A hash of every defined function's own code, by symbol name, in module order (after naming
/// string literals by their contents). Comparing these between builds tells which functions an
/// edit touched.
pub fn code_hashes(module: &Module) -> Vec<(String, u64)> {
    stabilize_string_names(module);
    let ir = module.print_to_string().to_string();
    // The module prints its definitions in the same order as its function list.
    defined_functions(module)
        .zip(definitions(&ir))
        .map(|(f, text)| (name(f), abi::hash(without_debug_refs(text).as_bytes())))
        .collect()
}

/// `text` without its references to debug metadata (`, !dbg !12`, ` !dbg !3`): their numbers
/// are the module's, so an edit anywhere renumbers them, and a line number is not code. Hot
/// builds carry line tables for the fault report; they must not mark every function changed.
fn without_debug_refs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" !dbg !") {
        let keep = rest[..at].strip_suffix(',').unwrap_or(&rest[..at]);
        out.push_str(keep);
        let after = &rest[at + " !dbg !".len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// The body hash of each function of `hot`, in order: a hash of the code hashes (`code`, from
/// [`code_hashes`]) of the function and of every non-hot function it reaches.
pub fn body_hashes<'ctx>(
    module: &Module<'ctx>,
    hot: &[FunctionValue<'ctx>],
    code: &[(String, u64)],
) -> Vec<u64> {
    let code: HashMap<&str, u64> = code.iter().map(|(n, h)| (n.as_str(), *h)).collect();
    let hot_names: HashSet<String> = hot.iter().map(|f| name(*f)).collect();
    hot.iter()
        .map(|&root| {
            let mut covered = Vec::new();
            let mut seen = HashSet::new();
            let mut queue = vec![root];
            seen.insert(name(root));
            while let Some(f) = queue.pop() {
                let n = name(f);
                covered
                    .extend_from_slice(&code.get(n.as_str()).copied().unwrap_or(0).to_le_bytes());
                for callee in referenced_functions(module, f) {
                    let n = name(callee);
                    if callee.count_basic_blocks() > 0 && !hot_names.contains(&n) && seen.insert(n)
                    {
                        queue.push(callee);
                    }
                }
            }
            abi::hash(&covered)
        })
        .collect()
}

/// The functions with a body, in module order.
fn defined_functions<'ctx>(module: &Module<'ctx>) -> impl Iterator<Item = FunctionValue<'ctx>> {
    module
        .get_functions()
        .filter(|f| f.count_basic_blocks() > 0)
}

/// Each function definition in printed IR, in order. A definition opens with a line starting
/// `define ` and ends at the first line that is only `}`: body lines are indented or are
/// labels, so none of them is.
fn definitions(ir: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut open = None;
    let mut at = 0;
    for line in ir.split_inclusive('\n') {
        if line.starts_with("define ") {
            open = Some(at);
        } else if line.trim_end() == "}" {
            if let Some(start) = open.take() {
                out.push(&ir[start..at + line.len()]);
            }
        }
        at += line.len();
    }
    out
}

fn name(f: FunctionValue) -> String {
    f.get_name().to_string_lossy().into_owned()
}

/// Functions named as operands anywhere in `f`'s body, in order of appearance.
fn referenced_functions<'ctx>(
    module: &Module<'ctx>,
    f: FunctionValue<'ctx>,
) -> Vec<FunctionValue<'ctx>> {
    let mut out = Vec::new();
    for bb in f.get_basic_blocks() {
        let mut inst = bb.get_first_instruction();
        while let Some(i) = inst {
            inst = i.get_next_instruction();
            for k in 0..i.get_num_operands() {
                let operand = i.get_operand(k);
                if let Some(Operand::Value(BasicValueEnum::PointerValue(p))) = operand {
                    let n = p.get_name().to_string_lossy();
                    if let Some(callee) = module.get_function(&n) {
                        out.push(callee);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use inkwell::context::Context;

    #[test]
    fn debug_references_do_not_count_as_code() {
        let a =
            "define i64 @f() !dbg !7 {\n  %x = add i64 1, 2, !dbg !12\n  ret i64 %x, !dbg !13\n}\n";
        let b =
            "define i64 @f() !dbg !9 {\n  %x = add i64 1, 2, !dbg !40\n  ret i64 %x, !dbg !41\n}\n";
        assert_eq!(without_debug_refs(a), without_debug_refs(b));
        assert_eq!(
            without_debug_refs(a),
            "define i64 @f() {\n  %x = add i64 1, 2\n  ret i64 %x\n}\n"
        );
    }

    #[test]
    fn each_definition_is_cut_out_of_the_module_print_as_printed_alone() {
        let ctx = Context::create();
        let module = ctx.create_module("m");
        let i64t = ctx.i64_type();
        let builder = ctx.create_builder();
        module.add_function("external", i64t.fn_type(&[], false), None);
        for name in ["first", "second.with.dots", "third"] {
            let f = module.add_function(name, i64t.fn_type(&[i64t.into()], false), None);
            let entry = ctx.append_basic_block(f, "entry");
            let done = ctx.append_basic_block(f, "done");
            builder.position_at_end(entry);
            builder.build_unconditional_branch(done).expect("branch");
            builder.position_at_end(done);
            let arg = f.get_first_param().expect("param").into_int_value();
            builder.build_return(Some(&arg)).expect("return");
        }
        let ir = module.print_to_string().to_string();
        let cut = definitions(&ir);
        assert_eq!(cut.len(), 3, "the declaration is not a definition");
        for (f, cut) in defined_functions(&module).zip(cut) {
            let alone = f.print_to_string().to_string();
            assert!(cut.starts_with("define "), "{cut}");
            assert!(alone.contains(cut), "{alone}\nvs\n{cut}");
        }
    }
}
