//! Body hashes: a fingerprint of the code each hot function runs, so the loader can tell which
//! functions a patch really changes.
//!
//! A hot function's hash covers its own IR and the IR of every non-hot function it reaches
//! (called or referenced, transitively), because a patch carries private copies of those and an
//! edit to a helper changes what the hot function does. Hot callees are excluded: they have
//! their own slots and hashes. String constants are renamed after their contents first, so an
//! unrelated string added elsewhere does not renumber them and change every hash.

use inkwell::module::{Linkage, Module};
use inkwell::values::{AnyValue, BasicValueEnum, FunctionValue, Operand};
use std::collections::HashSet;
use vais_hot_abi as abi;

/// Renames private constant globals (string literals) to `.str.<hash of contents>`.
pub fn stabilize_string_names(module: &Module) {
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

/// A hash of every defined function's own code, by symbol name, in module order. Comparing
/// these between builds tells which functions an edit touched.
pub fn code_hashes(module: &Module) -> Vec<(String, u64)> {
    stabilize_string_names(module);
    let mut out = Vec::new();
    let mut f = module.get_first_function();
    while let Some(func) = f {
        f = func.get_next_function();
        if func.count_basic_blocks() > 0 {
            let text = func.print_to_string().to_string();
            out.push((name(func), abi::hash(text.as_bytes())));
        }
    }
    out
}

/// The body hash of each function of `hot`, in order.
pub fn body_hashes<'ctx>(module: &Module<'ctx>, hot: &[FunctionValue<'ctx>]) -> Vec<u64> {
    let hot_names: HashSet<String> = hot.iter().map(|f| name(*f)).collect();
    hot.iter()
        .map(|&root| {
            let mut text = String::new();
            let mut seen = HashSet::new();
            let mut queue = vec![root];
            seen.insert(name(root));
            while let Some(f) = queue.pop() {
                text.push_str(&f.print_to_string().to_string());
                for callee in referenced_functions(module, f) {
                    let n = name(callee);
                    if callee.count_basic_blocks() > 0 && !hot_names.contains(&n) && seen.insert(n)
                    {
                        queue.push(callee);
                    }
                }
            }
            abi::hash(text.as_bytes())
        })
        .collect()
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
