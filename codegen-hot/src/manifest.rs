//! The manifest as LLVM constants, built from the field lists of `vais-hot-abi` so that its
//! layout is the `#[repr(C)]` one the loader reads (checked by this crate's tests). Every field
//! of a constant is set by its name in that list, never by position, so two fields of the same
//! type cannot trade places unnoticed; the tests read a built manifest back through the Rust
//! structs.

use crate::{HotError, Layout, Plan};
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::targets::TargetData;
use inkwell::types::{BasicTypeEnum, StructType};
use inkwell::values::{BasicValueEnum, FunctionValue, GlobalValue, PointerValue, StructValue};
use inkwell::AddressSpace;
use vais_hot_abi::layout::FieldLayout;
use vais_hot_abi::{self as abi, Field, FieldKind};

/// The LLVM type of one ABI field kind.
fn field_type<'ctx>(ctx: &'ctx Context, kind: FieldKind) -> BasicTypeEnum<'ctx> {
    match kind {
        FieldKind::U32 => ctx.i32_type().into(),
        FieldKind::U64 => ctx.i64_type().into(),
        FieldKind::Ptr => ctx.i8_type().ptr_type(AddressSpace::default()).into(),
    }
}

/// The LLVM struct type for a list of ABI fields.
pub fn struct_type<'ctx>(ctx: &'ctx Context, fields: &[Field]) -> StructType<'ctx> {
    let tys: Vec<BasicTypeEnum> = fields.iter().map(|f| field_type(ctx, f.kind)).collect();
    ctx.struct_type(&tys, false)
}

/// A constant of an ABI struct under construction, its fields given by name.
struct Named<'ctx> {
    ctx: &'ctx Context,
    fields: &'static [Field],
    values: Vec<Option<BasicValueEnum<'ctx>>>,
}

impl<'ctx> Named<'ctx> {
    fn new(ctx: &'ctx Context, fields: &'static [Field]) -> Named<'ctx> {
        Named {
            ctx,
            fields,
            values: vec![None; fields.len()],
        }
    }

    /// Sets field `name`, which must exist, have `value`'s type and not be set yet.
    fn set(mut self, name: &str, value: impl Into<BasicValueEnum<'ctx>>) -> Result<Self, HotError> {
        let value = value.into();
        let i = self
            .fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| HotError::Builder(format!("no manifest field `{name}`")))?;
        if value.get_type() != field_type(self.ctx, self.fields[i].kind) {
            return Err(HotError::Builder(format!(
                "manifest field `{name}` of the wrong type"
            )));
        }
        if self.values[i].replace(value).is_some() {
            return Err(HotError::Builder(format!(
                "manifest field `{name}` set twice"
            )));
        }
        Ok(self)
    }

    fn u32(self, name: &str, v: u32) -> Result<Self, HotError> {
        let value = self.ctx.i32_type().const_int(u64::from(v), false);
        self.set(name, value)
    }

    fn u64(self, name: &str, v: u64) -> Result<Self, HotError> {
        let value = self.ctx.i64_type().const_int(v, false);
        self.set(name, value)
    }

    /// The constant; every field must have been set.
    fn build(self) -> Result<StructValue<'ctx>, HotError> {
        let values = self
            .values
            .iter()
            .zip(self.fields)
            .map(|(v, f)| {
                v.ok_or_else(|| HotError::Builder(format!("manifest field `{}` not set", f.name)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(struct_type(self.ctx, self.fields).const_named_struct(&values))
    }
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
    values: &[StructValue<'ctx>],
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

/// A null `i8*`.
fn null<'ctx>(ctx: &'ctx Context) -> PointerValue<'ctx> {
    ctx.i8_type().ptr_type(AddressSpace::default()).const_null()
}

/// The field records of one struct, variant or global.
fn field_entries<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    fields: &[FieldLayout],
) -> Result<PointerValue<'ctx>, HotError> {
    if fields.is_empty() {
        return Ok(null(ctx));
    }
    let mut entries = Vec::new();
    for f in fields {
        let default = match &f.default {
            Some(bytes) => {
                let value = ctx.const_string(bytes, false);
                let g = module.add_global(value.get_type(), None, "vais.hot.default");
                g.set_initializer(&value);
                g.set_constant(true);
                g.set_linkage(Linkage::Private);
                g.as_pointer_value()
                    .const_cast(ctx.i8_type().ptr_type(AddressSpace::default()))
            }
            None => null(ctx),
        };
        entries.push(
            Named::new(ctx, abi::FIELD_ENTRY_FIELDS)
                .set("name", c_string(ctx, module, &f.name))?
                .set("type_name", c_string(ctx, module, &f.type_name))?
                .u32("kind", f.kind.code())?
                .u32("flags", f.flags)?
                .u64("offset", f.offset)?
                .u64("size", f.size)?
                .u64("count", f.count)?
                .set("default", default)?
                .build()?,
        );
    }
    let ty = struct_type(ctx, abi::FIELD_ENTRY_FIELDS);
    Ok(array(ctx, module, ty, &entries, "vais.hot.fields"))
}

/// The record of one layout. A host's globals carry their address (`symbol`), so the runtime
/// finds every value it may have to migrate.
fn layout_entry<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    l: &Layout,
    kind: u32,
) -> Result<StructValue<'ctx>, HotError> {
    let t = &l.layout;
    let description = t.describe();
    let count =
        |n: usize| u32::try_from(n).map_err(|_| HotError::Builder("too many entries".into()));
    let mut variants = Vec::new();
    for v in &t.variants {
        variants.push(
            Named::new(ctx, abi::VARIANT_ENTRY_FIELDS)
                .set("name", c_string(ctx, module, &v.name))?
                .u64("tag", v.tag)?
                .set("fields", field_entries(ctx, module, &v.fields)?)?
                .u32("field_count", count(v.fields.len())?)?
                .u32("flags", v.flags)?
                .build()?,
        );
    }
    let variants_ptr = if variants.is_empty() {
        null(ctx)
    } else {
        let ty = struct_type(ctx, abi::VARIANT_ENTRY_FIELDS);
        array(ctx, module, ty, &variants, "vais.hot.variants")
    };
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    // A host built in units holds the manifest in its first unit, and a value's storage (a
    // kept local of `main`) may be in another: then it is declared here, for the linker.
    let host_global = match (&l.symbol, kind == abi::KIND_HOST, t.storage) {
        (Some(symbol), true, Some(_)) => Some(module.get_global(symbol).unwrap_or_else(|| {
            let g = module.add_global(ctx.i8_type(), None, symbol);
            g.set_linkage(Linkage::External);
            g
        })),
        _ => None,
    };
    let (address, room) = match (host_global, t.storage) {
        (Some(g), Some(storage)) => (g.as_pointer_value().const_cast(i8p), storage.room),
        _ => (null(ctx), 0),
    };
    let refusal = match &t.refusal {
        Some(r) => c_string(ctx, module, r),
        None => null(ctx),
    };
    Named::new(ctx, abi::LAYOUT_ENTRY_FIELDS)
        .set("name", c_string(ctx, module, &t.name))?
        .set("layout", c_string(ctx, module, &description))?
        .u64("hash", abi::hash(description.as_bytes()))?
        .u32("kind", t.kind as u32)?
        .u32("field_count", count(t.fields.len())?)?
        .u64("size", t.size)?
        .u64("room", room)?
        .set("fields", field_entries(ctx, module, &t.fields)?)?
        .set("variants", variants_ptr)?
        .u32("variant_count", count(t.variants.len())?)?
        .u32("reserved", 0)?
        .set("address", address)?
        .set("refusal", refusal)?
        .build()
}

/// Emits `__vais_hot_manifest` describing `functions` (the hot functions, in slot order).
pub fn emit<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    plan: &Plan,
    functions: &[FunctionValue<'ctx>],
    kind: u32,
    flags: u32,
) -> Result<GlobalValue<'ctx>, HotError> {
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let mut entries = Vec::new();
    for (hf, f) in plan.functions.iter().zip(functions) {
        let address = f.as_global_value().as_pointer_value().const_cast(i8p);
        entries.push(
            Named::new(ctx, abi::FUNCTION_ENTRY_FIELDS)
                .set("name", c_string(ctx, module, &hf.name))?
                .set("signature", c_string(ctx, module, &hf.signature))?
                .u64("signature_hash", abi::hash(hf.signature.as_bytes()))?
                .u64("body_hash", hf.body_hash)?
                .u32("slot", hf.slot)?
                .u32("reserved", 0)?
                .set("address", address)?
                .build()?,
        );
    }
    let mut layouts = Vec::new();
    for l in &plan.layouts {
        layouts.push(layout_entry(ctx, module, l, kind)?);
    }
    let new_globals = new_global_entries(ctx, module, plan)?;
    let fn_ty = struct_type(ctx, abi::FUNCTION_ENTRY_FIELDS);
    let layout_ty = struct_type(ctx, abi::LAYOUT_ENTRY_FIELDS);
    let new_global_ty = struct_type(ctx, abi::NEW_GLOBAL_ENTRY_FIELDS);
    let functions_ptr = array(ctx, module, fn_ty, &entries, "vais.hot.functions");
    let layouts_ptr = array(ctx, module, layout_ty, &layouts, "vais.hot.layouts");
    let new_globals_ptr = array(
        ctx,
        module,
        new_global_ty,
        &new_globals,
        "vais.hot.new_globals",
    );
    let count =
        |n: usize| u32::try_from(n).map_err(|_| HotError::Builder("too many entries".into()));
    let value = Named::new(ctx, abi::MANIFEST_FIELDS)
        .u32("abi_version", abi::ABI_VERSION)?
        .u32("kind", kind)?
        .u64("program_id", plan.program_id)?
        .u32("function_count", count(entries.len())?)?
        .u32("layout_count", count(layouts.len())?)?
        .u32("flags", flags)?
        .u32("reserved", 0)?
        .set("functions", functions_ptr)?
        .set("layouts", layouts_ptr)?
        .u32("new_global_count", count(new_globals.len())?)?
        .u32("new_global_reserved", 0)?
        .set("new_globals", new_globals_ptr)?
        .build()?;
    let g = module.add_global(value.get_type(), None, abi::MANIFEST_SYMBOL);
    g.set_initializer(&value);
    g.set_constant(true);
    g.set_linkage(Linkage::External);
    g.set_visibility(inkwell::GlobalVisibility::Protected);
    Ok(g)
}

/// One [`abi::NewGlobalEntry`] per new global of the plan: its pointer variable and initial
/// value are the ones the code generator emitted under the ABI's names, and its size and
/// alignment are LLVM's for the module's target (the layout the code uses).
fn new_global_entries<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    plan: &Plan,
) -> Result<Vec<StructValue<'ctx>>, HotError> {
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let data = TargetData::create(&module.get_data_layout().as_str().to_string_lossy());
    let mut out = Vec::new();
    for ng in &plan.new_globals {
        let find = |prefix: &str| {
            module
                .get_global(&format!("{prefix}{}", ng.name))
                .ok_or_else(|| HotError::MissingNewGlobal(ng.name.clone()))
        };
        let (slot, init) = (
            find(abi::NEW_GLOBAL_SLOT_PREFIX)?,
            find(abi::NEW_GLOBAL_INIT_PREFIX)?,
        );
        init.set_constant(true);
        let ty = BasicTypeEnum::try_from(init.get_value_type())
            .map_err(|()| HotError::MissingNewGlobal(ng.name.clone()))?;
        out.push(
            Named::new(ctx, abi::NEW_GLOBAL_ENTRY_FIELDS)
                .set("name", c_string(ctx, module, &ng.name))?
                .set("layout", c_string(ctx, module, &ng.description))?
                .u64("hash", abi::hash(ng.description.as_bytes()))?
                .u64("size", data.get_abi_size(&ty))?
                .u64("align", u64::from(data.get_abi_alignment(&ty)))?
                .set("init", init.as_pointer_value().const_cast(i8p))?
                .set("slot", slot.as_pointer_value().const_cast(i8p))?
                .build()?,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HotFunction, Layout, Mode};
    use inkwell::targets::{FileType, InitializationConfig, Target, TargetMachine};
    use std::mem::{offset_of, size_of};
    use vais_hot_abi::layout::{LayoutKind, TypeLayout, ValueKind};

    fn target_machine() -> TargetMachine {
        Target::initialize_native(&InitializationConfig::default()).expect("native target");
        let triple = TargetMachine::get_default_triple();
        let target = Target::from_triple(&triple).expect("target");
        target
            .create_target_machine(
                &triple,
                "generic",
                "",
                inkwell::OptimizationLevel::None,
                inkwell::targets::RelocMode::PIC,
                inkwell::targets::CodeModel::Default,
            )
            .expect("target machine")
    }

    /// `(name, offset)` of each named field of a Rust struct.
    macro_rules! offsets {
        ($ty:ty: $($f:ident),*) => { vec![$((stringify!($f), offset_of!($ty, $f))),*] };
    }

    /// The LLVM layout of the manifest structs equals the Rust `#[repr(C)]` one the loader
    /// uses, field by field name.
    #[test]
    fn llvm_layout_equals_rust_layout() {
        let tm = target_machine();
        let data = tm.get_target_data();
        let ctx = Context::create();
        let check = |fields: &[Field], size: usize, rust: Vec<(&str, usize)>| {
            let ty = struct_type(&ctx, fields);
            assert_eq!(data.get_abi_size(&ty) as usize, size);
            assert_eq!(fields.len(), rust.len());
            for (name, offset) in rust {
                let index = fields.iter().position(|f| f.name == name).expect("field");
                let llvm = data.offset_of_element(&ty, index as u32).expect("field");
                assert_eq!(llvm as usize, offset, "field {name}");
            }
        };
        check(
            abi::MANIFEST_FIELDS,
            size_of::<abi::Manifest>(),
            offsets!(abi::Manifest: abi_version, kind, program_id, function_count, layout_count,
                flags, reserved, functions, layouts, new_global_count, new_global_reserved,
                new_globals),
        );
        check(
            abi::NEW_GLOBAL_ENTRY_FIELDS,
            size_of::<abi::NewGlobalEntry>(),
            offsets!(abi::NewGlobalEntry: name, layout, hash, size, align, init, slot),
        );
        check(
            abi::FUNCTION_ENTRY_FIELDS,
            size_of::<abi::FunctionEntry>(),
            offsets!(abi::FunctionEntry: name, signature, signature_hash, body_hash, slot,
                reserved, address),
        );
        check(
            abi::LAYOUT_ENTRY_FIELDS,
            size_of::<abi::LayoutEntry>(),
            offsets!(abi::LayoutEntry: name, layout, hash, kind, field_count, size, room,
                fields, variants, variant_count, reserved, address, refusal),
        );
        check(
            abi::FIELD_ENTRY_FIELDS,
            size_of::<abi::FieldEntry>(),
            offsets!(abi::FieldEntry: name, type_name, kind, flags, offset, size, count,
                default),
        );
        check(
            abi::VARIANT_ENTRY_FIELDS,
            size_of::<abi::VariantEntry>(),
            offsets!(abi::VariantEntry: name, tag, fields, field_count, flags),
        );
    }

    /// A struct with a defaulted field, as the code generator would describe it.
    fn sample_layout() -> TypeLayout {
        let x = FieldLayout {
            name: "x".into(),
            type_name: "i64".into(),
            kind: ValueKind::Int {
                bits: 64,
                signed: true,
            },
            offset: 0,
            size: 8,
            count: 1,
            default: None,
            flags: vais_hot_abi::layout::FIELD_USED_BY_HOST,
        };
        let y = FieldLayout {
            name: "y".into(),
            type_name: "f64".into(),
            kind: ValueKind::Float { bits: 64 },
            offset: 8,
            default: Some(2.5f64.to_le_bytes().to_vec()),
            flags: 0,
            ..x.clone()
        };
        TypeLayout {
            kind: LayoutKind::Struct,
            name: "S".into(),
            size: 16,
            fields: vec![x, y],
            variants: Vec::new(),
            storage: None,
            refusal: Some("because".into()),
        }
    }

    /// A manifest built by the pass, compiled, loaded and read through the Rust structs the
    /// loader uses, has every value where the loader looks for it: swapping two fields of the
    /// same type on either side fails here.
    #[test]
    fn a_built_manifest_reads_back_through_the_loaders_structs() {
        let ctx = Context::create();
        let module = ctx.create_module("m");
        let tm = target_machine();
        module.set_triple(&tm.get_triple());
        module.set_data_layout(&tm.get_target_data().get_data_layout());
        let i64t = ctx.i64_type();
        let builder = ctx.create_builder();
        for name in ["first", "second"] {
            let f = module.add_function(name, i64t.fn_type(&[], false), None);
            builder.position_at_end(ctx.append_basic_block(f, "entry"));
            builder
                .build_return(Some(&i64t.const_int(7, false)))
                .expect("return");
        }
        let plan = Plan {
            program_id: 0x1122_3344_5566_7788,
            table_len: 2,
            functions: ["first", "second"]
                .iter()
                .enumerate()
                .map(|(slot, name)| HotFunction {
                    name: name.to_string(),
                    signature: format!("() -> i64 /* {name} */"),
                    slot: slot as u32,
                    body_hash: 0x0bad_cafe + slot as u64,
                })
                .collect(),
            layouts: vec![Layout {
                layout: sample_layout(),
                symbol: None,
            }],
            globals: Vec::new(),
            exports: vec!["second".into()],
            symbol_prefix: String::new(),
            new_globals: Vec::new(),
            mode: Mode::Host {
                compiler: "vaisc".into(),
                safe_points: true,
            },
        };
        crate::apply(&ctx, &module, &plan).expect("pass");
        let dir = std::env::temp_dir().join(format!("codegen-hot-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let object = dir.join("m.o");
        let library = dir.join("libm.so");
        tm.write_to_file(&module, FileType::Object, &object)
            .expect("object");
        let status = std::process::Command::new("cc")
            .args(["-shared", "-o"])
            .arg(&library)
            .arg(&object)
            .status()
            .expect("cc");
        assert!(status.success());
        // SAFETY: the library is the one just built from the module above; its initialisers
        // run nothing, and it stays loaded while the manifest is read.
        let lib = unsafe { libloading::Library::new(&library) }.expect("load");
        // SAFETY: `__vais_hot_manifest` is the manifest the pass emitted, of this type.
        let manifest: libloading::Symbol<*const abi::Manifest> =
            unsafe { lib.get(abi::MANIFEST_SYMBOL.as_bytes()) }.expect("manifest");
        // SAFETY: as above; the library is loaded for this whole block.
        let m = unsafe { &**manifest };
        assert_eq!(m.abi_version, abi::ABI_VERSION);
        assert_eq!(m.kind, abi::KIND_HOST);
        assert_eq!(m.program_id, plan.program_id);
        assert_eq!((m.function_count, m.layout_count), (2, 1));
        assert_eq!(m.flags, abi::FLAG_SAFE_POINTS);
        // SAFETY: the manifest was emitted by the pass, which is what `functions` requires.
        let functions = unsafe { m.functions() };
        for (f, hf) in functions.iter().zip(&plan.functions) {
            // SAFETY: the names are NUL-terminated strings of the loaded library.
            let (name, signature) = unsafe { (abi::c_str(f.name), abi::c_str(f.signature)) };
            assert_eq!(name, hf.name.as_str());
            assert_eq!(signature, hf.signature.as_str());
            assert_eq!(f.signature_hash, abi::hash(hf.signature.as_bytes()));
            assert_eq!(f.body_hash, hf.body_hash);
            assert_ne!(f.signature_hash, f.body_hash);
            assert_eq!(f.slot, hf.slot);
            assert!(!f.address.is_null());
        }
        // SAFETY: as for `functions`.
        let layout = unsafe { &m.layouts()[0] };
        // SAFETY: the record was emitted by the pass, as `read` requires.
        let read = unsafe { TypeLayout::read(layout) };
        assert_eq!(read, sample_layout());
        // SAFETY: NUL-terminated string of the loaded library.
        let description = unsafe { abi::c_str(layout.layout) };
        assert_eq!(description, "{ x: i64 @0, y: f64 @8 } size 16");
        assert_eq!(layout.hash, abi::hash(description.as_bytes()));
        drop(lib);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
