//! Pins a patch when its code creates a closure the program may keep.
//!
//! The code of an escaping closure (`abi::PIN_ON_USE_ATTRIBUTE`) lives in the patch that
//! created the closure, and the closure may be stored anywhere and called after later reloads.
//! Such a patch must stay loaded, but only once it has really created one: a hot function that
//! could store a closure but has not (yet) done so should not keep every version it was ever
//! built into. So each instruction that takes the address of such code first sets the patch's
//! exported flag `abi::PINNED_SYMBOL`, which the loader reads before unloading the library
//! (after making sure no thread is inside it, so a closure being created at that moment is
//! seen too).

use crate::unload::{is_dead_constant, operand_slots, users};
use inkwell::attributes::AttributeLoc;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::llvm_sys::core::{
    LLVMIsACallInst, LLVMIsAConstant, LLVMIsAGlobalValue, LLVMIsAInstruction, LLVMIsAPHINode,
};
use inkwell::llvm_sys::prelude::LLVMValueRef;
use inkwell::module::{Linkage, Module};
use inkwell::values::{AsValueRef, InstructionValue};
use vais_hot_abi as abi;

/// Whether `v` is of the kind an `LLVMIsA..` function tests.
fn is_a(v: LLVMValueRef, test: unsafe extern "C" fn(LLVMValueRef) -> LLVMValueRef) -> bool {
    // SAFETY: `v` is a live value; the `LLVMIsA..` functions only read its kind.
    !unsafe { test(v) }.is_null()
}

/// Makes every use of pin-on-use code set the pinned flag. Returns false if some use has a
/// shape this cannot rewrite (the patch must then stay loaded whatever runs).
pub fn pin_on_use<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
) -> Result<bool, crate::HotError> {
    let mut sites: Vec<LLVMValueRef> = Vec::new();
    let mut complete = true;
    let mut f = module.get_first_function();
    while let Some(func) = f {
        f = func.get_next_function();
        if func
            .get_string_attribute(AttributeLoc::Function, abi::PIN_ON_USE_ATTRIBUTE)
            .is_none()
        {
            continue;
        }
        collect_sites(func.as_value_ref(), &mut sites, &mut complete);
    }
    if sites.is_empty() {
        return Ok(complete);
    }
    let i32t = ctx.i32_type();
    let flag = module.add_global(i32t, None, abi::PINNED_SYMBOL);
    flag.set_linkage(Linkage::External);
    flag.set_visibility(inkwell::GlobalVisibility::Protected);
    flag.set_initializer(&i32t.const_zero());
    let builder: Builder = ctx.create_builder();
    for site in sites {
        // SAFETY: `site` is a live instruction of a function body (not a phi, checked by
        // `take_site`); storing to the patch's own flag before it changes nothing it computes.
        let inst = unsafe { InstructionValue::new(site) };
        builder.position_before(&inst);
        builder
            .build_store(flag.as_pointer_value(), i32t.const_int(1, false))
            .map_err(crate::builder_error)?;
    }
    Ok(complete)
}

/// Finds the instructions using `v` directly or through constants built from it (a cast, the
/// constant `{ code, null }` pair of a closure capturing nothing).
fn collect_sites(v: LLVMValueRef, sites: &mut Vec<LLVMValueRef>, complete: &mut bool) {
    for user in users(v) {
        if is_a(user, LLVMIsAInstruction) {
            take_site(user, v, sites, complete);
        } else if is_dead_constant(user) {
            continue;
        } else if is_a(user, LLVMIsAConstant) && !is_a(user, LLVMIsAGlobalValue) {
            collect_sites(user, sites, complete);
        } else {
            *complete = false;
        }
    }
}

/// Records instruction `user` (which uses `v`, the code or a cast of it) as a place that takes
/// the code's address; anything else (a phi, a constant initialiser) cannot get a store in
/// front of it.
fn take_site(
    user: LLVMValueRef,
    v: LLVMValueRef,
    sites: &mut Vec<LLVMValueRef>,
    complete: &mut bool,
) {
    if is_a(user, LLVMIsAInstruction) && !is_a(user, LLVMIsAPHINode) {
        // A direct call hands nothing out.
        if is_a(user, LLVMIsACallInst) && operand_slots(user, v).is_empty() {
            return;
        }
        if !sites.contains(&user) {
            sites.push(user);
        }
    } else {
        *complete = false;
    }
}
