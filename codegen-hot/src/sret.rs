//! Hot functions whose result the x86-64 ABI returns in memory get an explicit `sret` pointer,
//! so that a call the runtime's fault recovery unwinds returns a zeroed struct.
//!
//! A struct that does not fit the return registers is written by the callee, at its `ret`,
//! through a pointer the caller passes. When LLVM lowers such a return by itself, the caller's
//! result slot is invisible to IR, so after a recovered fault the caller would read whatever the
//! slot held before. Instead, the hot function takes the pointer as an explicit first `sret`
//! parameter (the same machine convention) and the call-site stub owns the slot: it zeroes it,
//! calls, and loads the result. The callee still writes only at its `ret`, so a call abandoned
//! at a fault leaves the slot zero. Host and patch make the same choice from the same type, so
//! their bodies agree on the convention. The cost (zeroing the slot) falls only on calls of such
//! functions.

use crate::{builder_error, HotError};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::targets::TargetData;
use inkwell::types::{AnyType, BasicMetadataTypeEnum, BasicType, BasicTypeEnum};
use inkwell::values::{AsValueRef, FunctionValue, InstructionOpcode};
use inkwell::AddressSpace;

/// Integer and float scalars a type is made of.
fn leaves(ty: BasicTypeEnum) -> (usize, usize) {
    match ty {
        BasicTypeEnum::StructType(s) => s
            .get_field_types()
            .into_iter()
            .map(leaves)
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
        BasicTypeEnum::ArrayType(a) => {
            let (i, f) = leaves(a.get_element_type());
            (i * a.len() as usize, f * a.len() as usize)
        }
        BasicTypeEnum::FloatType(_) => (0, 1),
        _ => (1, 0),
    }
}

/// The aggregate `f` returns, if the return registers the recovery zeroes (RAX, RDX, RCX,
/// XMM0, XMM1) cannot hold it: more than 16 bytes, more than three integer scalars or more than
/// two float scalars (LLVM returns a third float on the x87 stack).
pub fn memory_return<'ctx>(
    module: &Module<'ctx>,
    f: FunctionValue<'ctx>,
) -> Option<BasicTypeEnum<'ctx>> {
    let ty = f.get_type().get_return_type()?;
    if !matches!(
        ty,
        BasicTypeEnum::StructType(_) | BasicTypeEnum::ArrayType(_)
    ) {
        return None;
    }
    let data = TargetData::create(&module.get_data_layout().as_str().to_string_lossy());
    let (ints, floats) = leaves(ty);
    (data.get_abi_size(&ty) > 16 || ints > 3 || floats > 2).then_some(ty)
}

/// Moves `f`'s body into a new function taking the result pointer first and returning nothing;
/// `f` is left without a body. Each `ret v` becomes `store v, out; ret void`.
pub fn to_sret<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    builder: &Builder<'ctx>,
    f: FunctionValue<'ctx>,
    ty: BasicTypeEnum<'ctx>,
) -> Result<FunctionValue<'ctx>, HotError> {
    let mut params: Vec<BasicMetadataTypeEnum> = vec![ty.ptr_type(AddressSpace::default()).into()];
    params.extend(f.get_type().get_param_types());
    let fty = ctx.void_type().fn_type(&params, false);
    let name = f.get_name().to_string_lossy().into_owned();
    let body = module.add_function(&format!("{name}.sret"), fty, Some(f.get_linkage()));
    body.add_attribute(AttributeLoc::Param(0), sret_attribute(ctx, ty));
    if let Some(sp) = f.get_subprogram() {
        body.set_subprogram(sp);
    }
    let placeholder = ctx.append_basic_block(body, "placeholder");
    let mut after = placeholder;
    for bb in f.get_basic_blocks() {
        bb.move_after(after)
            .map_err(|()| builder_error("cannot move a block"))?;
        after = bb;
    }
    // SAFETY: the placeholder is empty and nothing refers to it.
    unsafe { placeholder.delete() }.map_err(|()| builder_error("cannot delete a block"))?;
    for (old, new) in f.get_params().iter().zip(body.get_params().iter().skip(1)) {
        // SAFETY: both are live values of the same type; every use of the old parameter now
        // lies in `body`, where the new one is defined.
        unsafe {
            inkwell::llvm_sys::core::LLVMReplaceAllUsesWith(old.as_value_ref(), new.as_value_ref())
        };
    }
    let out = body
        .get_first_param()
        .ok_or_else(|| builder_error("no result parameter"))?
        .into_pointer_value();
    for bb in body.get_basic_blocks() {
        let Some(ret) = bb.get_terminator() else {
            continue;
        };
        if ret.get_opcode() != InstructionOpcode::Return {
            continue;
        }
        let Some(inkwell::values::Operand::Value(value)) = ret.get_operand(0) else {
            return Err(builder_error("a struct return without a value"));
        };
        builder.position_before(&ret);
        builder.build_store(out, value).map_err(builder_error)?;
        builder.build_return(None).map_err(builder_error)?;
        ret.erase_from_basic_block();
    }
    Ok(body)
}

/// For the declaration `f` (a host function the patch does not carry), a declaration taking the
/// result pointer first, as the host's body does; the caller gives it `f`'s name once `f` is
/// gone, as for [`to_sret`].
pub fn sret_declaration<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    f: FunctionValue<'ctx>,
    ty: BasicTypeEnum<'ctx>,
) -> FunctionValue<'ctx> {
    let mut params: Vec<BasicMetadataTypeEnum> = vec![ty.ptr_type(AddressSpace::default()).into()];
    params.extend(f.get_type().get_param_types());
    let fty = ctx.void_type().fn_type(&params, false);
    let name = f.get_name().to_string_lossy().into_owned();
    let decl = module.add_function(&format!("{name}.sret"), fty, Some(f.get_linkage()));
    decl.add_attribute(AttributeLoc::Param(0), sret_attribute(ctx, ty));
    decl
}

pub fn sret_attribute<'ctx>(ctx: &'ctx Context, ty: BasicTypeEnum<'ctx>) -> Attribute {
    ctx.create_type_attribute(
        Attribute::get_named_enum_kind_id("sret"),
        ty.as_any_type_enum(),
    )
}
