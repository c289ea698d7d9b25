//! Makes a patch library safe to unload once no thread runs its code.
//!
//! The loader reclaims old patches (see `loader/src/reclaim.rs`), which is only sound if nothing
//! the patch handed out points into it. Code addresses on thread stacks the loader checks for
//! itself; this pass removes the other two ways a pointer into a patch could escape into the
//! program's data:
//!
//! - A function pointer to a hot function is the *host's* exported entry point
//!   (`__vais_hot_entry.f`), never the patch's private stub.
//! - A string literal is a copy the runtime owns: each literal site asks `vais_hot_literal` once
//!   and caches the answer in the patch, so a literal stored in a global outlives the patch.
//!
//! What it cannot remove, a non-hot function of the patch used as a function value, it reports,
//! and the manifest then tells the loader to keep the library. Closure code is the exception:
//! code marked [`abi::LOCAL_CODE_ATTRIBUTE`] (the body of a closure that does not escape) has
//! its address only in the frame that created the closure or frames it calls, all inside the
//! patch and so seen by the loader's stack check; code marked [`abi::PIN_ON_USE_ATTRIBUTE`]
//! (an escaping closure's) pins the patch when it runs instead (`pin.rs`).

use crate::{builder_error, HotError};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::context::Context;
use inkwell::llvm_sys::core::{
    LLVMConstBitCast, LLVMConstIntGetZExtValue, LLVMGetBasicBlockTerminator, LLVMGetConstOpcode,
    LLVMGetFirstUse, LLVMGetIncomingBlock, LLVMGetNextUse, LLVMGetNumOperands, LLVMGetOperand,
    LLVMGetUser, LLVMIsACallInst, LLVMIsAConstant, LLVMIsAConstantExpr, LLVMIsAConstantInt,
    LLVMIsAGlobalValue, LLVMIsAInstruction, LLVMIsAPHINode, LLVMReplaceAllUsesWith, LLVMSetOperand,
    LLVMTypeOf,
};
use inkwell::llvm_sys::prelude::LLVMValueRef;
use inkwell::llvm_sys::LLVMOpcode;
use inkwell::module::{Linkage, Module};
use inkwell::values::{AsValueRef, BasicValue, FunctionValue, InstructionValue};
use inkwell::{AddressSpace, AtomicOrdering};
use std::collections::HashMap;
use vais_hot_abi as abi;

/// The users of `v`, each once, in use-list order.
pub(crate) fn users(v: LLVMValueRef) -> Vec<LLVMValueRef> {
    let mut out: Vec<LLVMValueRef> = Vec::new();
    // SAFETY: `v` is a live value of the module being rewritten; walking its use list only
    // reads LLVM's data structures.
    unsafe {
        let mut u = LLVMGetFirstUse(v);
        while !u.is_null() {
            let user = LLVMGetUser(u);
            if !out.contains(&user) {
                out.push(user);
            }
            u = LLVMGetNextUse(u);
        }
    }
    out
}

/// The operand indices of instruction `inst` that hold `v`, leaving out a call's callee.
pub(crate) fn operand_slots(inst: LLVMValueRef, v: LLVMValueRef) -> Vec<u32> {
    // SAFETY: `inst` is a live instruction; reading operands has no side effects.
    unsafe {
        let n = LLVMGetNumOperands(inst).max(0) as u32;
        let n = if LLVMIsACallInst(inst).is_null() {
            n
        } else {
            n.saturating_sub(1)
        };
        (0..n).filter(|&i| LLVMGetOperand(inst, i) == v).collect()
    }
}

/// Redirects every use of the patch stub `stub` other than a direct call to the host's entry
/// point for hot function `name`. Returns false if a use had a shape it cannot rewrite.
pub fn use_host_entry<'ctx>(module: &Module<'ctx>, stub: FunctionValue<'ctx>, name: &str) -> bool {
    let s = stub.as_value_ref();
    let mut entry = None;
    let mut host_entry = || {
        *entry.get_or_insert_with(|| {
            let f = module.add_function(
                &format!("{}{name}", abi::ENTRY_PREFIX),
                stub.get_type(),
                Some(Linkage::External),
            );
            f.as_value_ref()
        })
    };
    let mut complete = true;
    for user in users(s) {
        // SAFETY: `user` uses the stub; replacing an operand with a value of the same type, or
        // a constant expression with an equal one over the entry, keeps the IR well typed.
        unsafe {
            if !LLVMIsAInstruction(user).is_null() {
                for i in operand_slots(user, s) {
                    LLVMSetOperand(user, i, host_entry());
                }
            } else if !LLVMIsAConstantExpr(user).is_null()
                && LLVMGetConstOpcode(user) == LLVMOpcode::LLVMBitCast
            {
                let replacement = LLVMConstBitCast(host_entry(), LLVMTypeOf(user));
                LLVMReplaceAllUsesWith(user, replacement);
            } else {
                complete = false;
            }
        }
    }
    complete
}

/// True if `c` is a constant expression equal in address to the global it is built on: a
/// bitcast, or a getelementptr whose indices are all zero.
fn same_address(c: LLVMValueRef) -> bool {
    // SAFETY: `c` is a live constant expression; only its opcode and operands are read.
    unsafe {
        match LLVMGetConstOpcode(c) {
            LLVMOpcode::LLVMBitCast => true,
            LLVMOpcode::LLVMGetElementPtr => (1..LLVMGetNumOperands(c).max(1) as u32).all(|i| {
                let idx = LLVMGetOperand(c, i);
                !LLVMIsAConstantInt(idx).is_null() && LLVMConstIntGetZExtValue(idx) == 0
            }),
            _ => false,
        }
    }
}

/// Replaces every use of the patch's string literals by the runtime's copy. Returns false if a
/// literal is used in a way this cannot rewrite (the patch must then stay loaded).
pub fn intern_literals<'ctx>(ctx: &'ctx Context, module: &Module<'ctx>) -> Result<bool, HotError> {
    let mut literals = Vec::new();
    let mut g = module.get_first_global();
    while let Some(global) = g {
        g = global.get_next_global();
        let name = global.get_name().to_string_lossy().into_owned();
        if global.get_linkage() == Linkage::Private
            && global.is_constant()
            && name.starts_with(".str")
        {
            literals.push(global);
        }
    }
    if literals.is_empty() {
        return Ok(true);
    }
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let lookup = literal_lookup(ctx, module)?;
    let builder = ctx.create_builder();
    let mut complete = true;
    for g in literals {
        let gv = g.as_value_ref();
        // Every (instruction, operand) to rewrite, with the value it holds there, gathered before
        // anything is inserted: the new calls themselves use the literal's address.
        let mut sites = Vec::new();
        for user in users(gv) {
            // SAFETY: only kinds of values are queried.
            let (is_inst, is_expr) = unsafe {
                (
                    !LLVMIsAInstruction(user).is_null(),
                    !LLVMIsAConstantExpr(user).is_null(),
                )
            };
            if is_inst {
                sites.extend(operand_slots(user, gv).into_iter().map(|i| (user, i, gv)));
            } else if is_expr && same_address(user) {
                for inner in users(user) {
                    // SAFETY: as above.
                    if unsafe { LLVMIsAInstruction(inner) }.is_null() {
                        complete = false;
                        continue;
                    }
                    sites.extend(
                        operand_slots(inner, user)
                            .into_iter()
                            .map(|i| (inner, i, user)),
                    );
                }
            } else {
                complete = false;
            }
        }
        if sites.is_empty() {
            continue;
        }
        let len = g.get_value_type().into_array_type().len();
        let cache = module.add_global(
            i8p,
            None,
            &format!("{}.cache", g.get_name().to_string_lossy()),
        );
        cache.set_linkage(Linkage::Internal);
        cache.set_initializer(&i8p.const_null());
        let data = g.as_pointer_value().const_cast(i8p);
        let args = [
            cache.as_pointer_value().into(),
            data.into(),
            ctx.i64_type().const_int(u64::from(len), false).into(),
        ];
        // A phi needs one value per incoming block, so a block's copy is shared by its entries.
        let mut in_block: HashMap<(LLVMValueRef, usize), LLVMValueRef> = HashMap::new();
        for (inst, index, old) in sites {
            // SAFETY: `inst` is a live instruction of a function body; the builder is placed
            // before it (or before the incoming block's terminator for a phi), where the
            // literal's value is needed.
            unsafe {
                let at = if LLVMIsAPHINode(inst).is_null() {
                    inst
                } else {
                    let block = LLVMGetIncomingBlock(inst, index);
                    if let Some(v) = in_block.get(&(inst, block as usize)) {
                        LLVMSetOperand(inst, index, *v);
                        continue;
                    }
                    LLVMGetBasicBlockTerminator(block)
                };
                builder.position_before(&InstructionValue::new(at));
                let copy = builder
                    .build_call(lookup, &args, "lit")
                    .map_err(builder_error)?
                    .try_as_basic_value()
                    .basic()
                    .ok_or_else(|| builder_error("literal lookup returns nothing"))?;
                let ty = inkwell::types::BasicTypeEnum::new(LLVMTypeOf(old));
                let value = builder
                    .build_bit_cast(copy, ty, "lit.ptr")
                    .map_err(builder_error)?
                    .as_value_ref();
                if !LLVMIsAPHINode(inst).is_null() {
                    in_block.insert((inst, LLVMGetIncomingBlock(inst, index) as usize), value);
                }
                LLVMSetOperand(inst, index, value);
            }
        }
    }
    Ok(complete)
}

/// `i8* __vais_hot_lit(i8** cache, i8* bytes, i64 len)`: the cached copy, or the runtime's
/// answer the first time. Always inlined, so a literal costs one load after its first use.
fn literal_lookup<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
) -> Result<FunctionValue<'ctx>, HotError> {
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let fty = i8p.fn_type(
        &[
            i8p.ptr_type(AddressSpace::default()).into(),
            i8p.into(),
            ctx.i64_type().into(),
        ],
        false,
    );
    let runtime = module.add_function(abi::LITERAL_SYMBOL, fty, Some(Linkage::External));
    let f = module.add_function("__vais_hot_lit", fty, Some(Linkage::Internal));
    let always = ctx.create_enum_attribute(Attribute::get_named_enum_kind_id("alwaysinline"), 0);
    f.add_attribute(AttributeLoc::Function, always);
    let b = ctx.create_builder();
    let entry = ctx.append_basic_block(f, "entry");
    let hit = ctx.append_basic_block(f, "hit");
    let miss = ctx.append_basic_block(f, "miss");
    b.position_at_end(entry);
    let cache = f
        .get_nth_param(0)
        .ok_or_else(|| builder_error("no cache parameter"))?
        .into_pointer_value();
    let cached = b.build_load(cache, "cached").map_err(builder_error)?;
    if let Some(load) = cached.as_instruction_value() {
        load.set_atomic_ordering(AtomicOrdering::Acquire)
            .map_err(builder_error)?;
        load.set_alignment(8).map_err(builder_error)?;
    }
    let missing = b
        .build_is_null(cached.into_pointer_value(), "missing")
        .map_err(builder_error)?;
    b.build_conditional_branch(missing, miss, hit)
        .map_err(builder_error)?;
    b.position_at_end(hit);
    b.build_return(Some(&cached)).map_err(builder_error)?;
    b.position_at_end(miss);
    let args: Vec<_> = f.get_params().into_iter().map(Into::into).collect();
    let copy = b
        .build_call(runtime, &args, "copy")
        .map_err(builder_error)?
        .try_as_basic_value()
        .basic()
        .ok_or_else(|| builder_error("vais_hot_literal returns nothing"))?;
    b.build_return(Some(&copy)).map_err(builder_error)?;
    Ok(f)
}

/// True if `v` is a constant that nothing live uses: what is left of a replaced global's
/// initialiser, say. LLVM keeps such constants (and their uses) until the module is destroyed.
pub(crate) fn is_dead_constant(v: LLVMValueRef) -> bool {
    // SAFETY: only kinds of values and use lists are read.
    let constant = unsafe {
        !LLVMIsAConstant(v).is_null()
            && LLVMIsAGlobalValue(v).is_null()
            && LLVMIsAInstruction(v).is_null()
    };
    constant && users(v).into_iter().all(is_dead_constant)
}

/// True if some function defined in the module is used other than by a direct call: its
/// address can then be stored anywhere, and the library must stay loaded.
pub fn hands_out_own_code(module: &Module) -> bool {
    let mut f = module.get_first_function();
    while let Some(func) = f {
        f = func.get_next_function();
        if func.count_basic_blocks() == 0 {
            continue;
        }
        // Code only held by the frame that takes its address (a closure that does not escape),
        // and closure code that pins the patch when used (`pin.rs`).
        let closure_code = [abi::LOCAL_CODE_ATTRIBUTE, abi::PIN_ON_USE_ATTRIBUTE]
            .iter()
            .any(|a| {
                func.get_string_attribute(AttributeLoc::Function, a)
                    .is_some()
            });
        if closure_code {
            continue;
        }
        let v = func.as_value_ref();
        for user in users(v) {
            // SAFETY: only kinds of values and operands are read.
            let called_only =
                unsafe { !LLVMIsACallInst(user).is_null() && operand_slots(user, v).is_empty() };
            if !called_only && !is_dead_constant(user) {
                return true;
            }
        }
    }
    false
}
