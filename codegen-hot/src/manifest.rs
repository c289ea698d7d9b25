//! The manifest as LLVM constants, built from the field lists of `vais-hot-abi` so that its
//! layout is the `#[repr(C)]` one the loader reads (checked by this crate's tests).

use crate::Plan;
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::types::{BasicTypeEnum, StructType};
use inkwell::values::{BasicValueEnum, FunctionValue, GlobalValue, PointerValue};
use inkwell::AddressSpace;
use vais_hot_abi::{self as abi, FieldKind};

/// The LLVM struct type for a list of ABI fields.
pub fn struct_type<'ctx>(ctx: &'ctx Context, fields: &[FieldKind]) -> StructType<'ctx> {
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let tys: Vec<BasicTypeEnum> = fields
        .iter()
        .map(|f| match f {
            FieldKind::U32 => ctx.i32_type().into(),
            FieldKind::U64 => ctx.i64_type().into(),
            FieldKind::Ptr => i8p.into(),
        })
        .collect();
    ctx.struct_type(&tys, false)
}

/// A private constant NUL-terminated string; returns an `i8*` to it.
fn c_string<'ctx>(ctx: &'ctx Context, module: &Module<'ctx>, s: &str) -> PointerValue<'ctx> {
    let value = ctx.const_string(s.as_bytes(), true);
    let g = module.add_global(value.get_type(), None, "vais.hot.name");
    g.set_initializer(&value);
    g.set_constant(true);
    g.set_linkage(Linkage::Private);
    g.as_pointer_value()
        .const_cast(ctx.i8_type().ptr_type(AddressSpace::default()))
}

/// A private constant array of `ty` structs; returns an `i8*` to its first element.
fn array<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    ty: StructType<'ctx>,
    values: &[inkwell::values::StructValue<'ctx>],
    name: &str,
) -> PointerValue<'ctx> {
    let value = ty.const_array(values);
    let g = module.add_global(value.get_type(), None, name);
    g.set_initializer(&value);
    g.set_constant(true);
    g.set_linkage(Linkage::Private);
    g.as_pointer_value()
        .const_cast(ctx.i8_type().ptr_type(AddressSpace::default()))
}

/// Emits `__vais_hot_manifest` describing `functions` (the hot functions, in slot order).
pub fn emit<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    plan: &Plan,
    functions: &[FunctionValue<'ctx>],
    hashes: &[u64],
    kind: u32,
    flags: u32,
) -> GlobalValue<'ctx> {
    let i32t = ctx.i32_type();
    let i64t = ctx.i64_type();
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let fn_ty = struct_type(ctx, abi::FUNCTION_ENTRY_FIELDS);
    let entries: Vec<_> = plan
        .functions
        .iter()
        .zip(functions)
        .zip(hashes)
        .map(|((hf, f), hash)| {
            let fields: [BasicValueEnum; 7] = [
                c_string(ctx, module, &hf.name).into(),
                c_string(ctx, module, &hf.signature).into(),
                i64t.const_int(abi::hash(hf.signature.as_bytes()), false)
                    .into(),
                i64t.const_int(*hash, false).into(),
                i32t.const_int(u64::from(hf.slot), false).into(),
                i32t.const_zero().into(),
                f.as_global_value()
                    .as_pointer_value()
                    .const_cast(i8p)
                    .into(),
            ];
            fn_ty.const_named_struct(&fields)
        })
        .collect();
    let layout_ty = struct_type(ctx, abi::LAYOUT_ENTRY_FIELDS);
    let layouts: Vec<_> = plan
        .layouts
        .iter()
        .map(|l| {
            let fields: [BasicValueEnum; 3] = [
                c_string(ctx, module, &l.name).into(),
                c_string(ctx, module, &l.description).into(),
                i64t.const_int(abi::hash(l.description.as_bytes()), false)
                    .into(),
            ];
            layout_ty.const_named_struct(&fields)
        })
        .collect();
    let functions_ptr = array(ctx, module, fn_ty, &entries, "vais.hot.functions");
    let layouts_ptr = array(ctx, module, layout_ty, &layouts, "vais.hot.layouts");
    let manifest_ty = struct_type(ctx, abi::MANIFEST_FIELDS);
    let fields: [BasicValueEnum; 9] = [
        i32t.const_int(u64::from(abi::ABI_VERSION), false).into(),
        i32t.const_int(u64::from(kind), false).into(),
        i64t.const_int(plan.program_id, false).into(),
        i32t.const_int(entries.len() as u64, false).into(),
        i32t.const_int(layouts.len() as u64, false).into(),
        i32t.const_int(u64::from(flags), false).into(),
        i32t.const_zero().into(),
        functions_ptr.into(),
        layouts_ptr.into(),
    ];
    let value = manifest_ty.const_named_struct(&fields);
    let g = module.add_global(manifest_ty, None, abi::MANIFEST_SYMBOL);
    g.set_initializer(&value);
    g.set_constant(true);
    g.set_linkage(Linkage::External);
    g.set_visibility(inkwell::GlobalVisibility::Protected);
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use inkwell::targets::{InitializationConfig, Target, TargetMachine};
    use std::mem::{offset_of, size_of};

    /// The LLVM layout of the manifest structs equals the Rust `#[repr(C)]` one the loader uses.
    #[test]
    fn llvm_layout_equals_rust_layout() {
        Target::initialize_native(&InitializationConfig::default()).expect("native target");
        let triple = TargetMachine::get_default_triple();
        let target = Target::from_triple(&triple).expect("target");
        let tm = target
            .create_target_machine(
                &triple,
                "generic",
                "",
                inkwell::OptimizationLevel::None,
                inkwell::targets::RelocMode::PIC,
                inkwell::targets::CodeModel::Default,
            )
            .expect("target machine");
        let data = tm.get_target_data();
        let ctx = Context::create();
        let check = |fields: &[FieldKind], size: usize, offsets: &[(usize, usize)]| {
            let ty = struct_type(&ctx, fields);
            assert_eq!(data.get_abi_size(&ty) as usize, size);
            for &(index, offset) in offsets {
                let llvm = data.offset_of_element(&ty, index as u32).expect("field");
                assert_eq!(llvm as usize, offset, "field {index}");
            }
        };
        check(
            abi::MANIFEST_FIELDS,
            size_of::<abi::Manifest>(),
            &[
                (0, offset_of!(abi::Manifest, abi_version)),
                (1, offset_of!(abi::Manifest, kind)),
                (2, offset_of!(abi::Manifest, program_id)),
                (3, offset_of!(abi::Manifest, function_count)),
                (4, offset_of!(abi::Manifest, layout_count)),
                (5, offset_of!(abi::Manifest, flags)),
                (6, offset_of!(abi::Manifest, reserved)),
                (7, offset_of!(abi::Manifest, functions)),
                (8, offset_of!(abi::Manifest, layouts)),
            ],
        );
        check(
            abi::FUNCTION_ENTRY_FIELDS,
            size_of::<abi::FunctionEntry>(),
            &[
                (0, offset_of!(abi::FunctionEntry, name)),
                (1, offset_of!(abi::FunctionEntry, signature)),
                (2, offset_of!(abi::FunctionEntry, signature_hash)),
                (3, offset_of!(abi::FunctionEntry, body_hash)),
                (4, offset_of!(abi::FunctionEntry, slot)),
                (5, offset_of!(abi::FunctionEntry, reserved)),
                (6, offset_of!(abi::FunctionEntry, address)),
            ],
        );
        check(
            abi::LAYOUT_ENTRY_FIELDS,
            size_of::<abi::LayoutEntry>(),
            &[
                (0, offset_of!(abi::LayoutEntry, name)),
                (1, offset_of!(abi::LayoutEntry, layout)),
                (2, offset_of!(abi::LayoutEntry, hash)),
            ],
        );
    }
}
