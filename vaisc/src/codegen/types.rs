//! Vais types as LLVM types, with C layout.
//!
//! Structs become named LLVM structs whose natural layout is the C one. An enum is the named
//! struct `{ i32 tag, i64, ..., i64 }` with K payload words (`{ i32, [0 x i64] }` without
//! payload); each variant's fields are laid out as a C struct inside the payload, which starts
//! at the first word and is reached by casting a pointer to it. `()` and `!` have no LLVM value
//! type: functions returning them return `void`, and expressions of those types yield nothing.

use super::func::Gen;
use super::CodegenError;
use crate::tir::{FloatTy, FnTy, Ty};
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType, StructType};
use inkwell::AddressSpace;

impl<'a, 'ctx> Gen<'a, 'ctx> {
    /// Creates the named struct types of every struct and enum, then fills in their bodies
    /// (two steps, because structs may point to each other).
    pub(super) fn declare_types(&mut self) -> Result<(), CodegenError> {
        for s in &self.program.structs {
            self.struct_types.push(self.ctx.opaque_struct_type(&s.name));
        }
        for e in &self.program.enums {
            self.enum_types.push(self.ctx.opaque_struct_type(&e.name));
        }
        for (i, s) in self.program.structs.iter().enumerate() {
            let fields: Vec<BasicTypeEnum> = s.fields.iter().map(|f| self.llvm(&f.ty)).collect();
            self.struct_types[i].set_body(&fields, false);
        }
        for (i, e) in self.program.enums.iter().enumerate() {
            let mut payload_words = 0;
            for v in &e.variants {
                let st =
                    self.variant_type(&v.fields.iter().map(|f| f.ty.clone()).collect::<Vec<_>>());
                let size = self.target.get_abi_size(&st);
                payload_words = payload_words.max(size.div_ceil(8));
            }
            // The payload words are separate fields rather than one array: the same layout,
            // but a value of the enum (a call's result) is then a struct of scalars, which the
            // fast instruction selector can take apart (`Gen::store_aggregate`). Without
            // payload, the empty array keeps the enum's alignment.
            let i64t = self.ctx.i64_type();
            let mut body: Vec<BasicTypeEnum> = vec![self.ctx.i32_type().into()];
            if payload_words == 0 {
                body.push(i64t.array_type(0).into());
            } else {
                body.extend((0..payload_words).map(|_| BasicTypeEnum::from(i64t)));
            }
            self.enum_types[i].set_body(&body, false);
        }
        Ok(())
    }

    /// The anonymous C struct of a variant's payload fields.
    pub(super) fn variant_type(&self, fields: &[Ty]) -> StructType<'ctx> {
        let tys: Vec<BasicTypeEnum> = fields.iter().map(|t| self.llvm(t)).collect();
        self.ctx.struct_type(&tys, false)
    }

    /// The LLVM type of values of `ty`. `()` and `!` map to `i8`, which only ever appears as
    /// the pointee of `*()` or in never-used slots. The error type never reaches code
    /// generation (programs with errors are not lowered); it is grouped with them so that
    /// these matches stay total.
    pub(super) fn llvm(&self, ty: &Ty) -> BasicTypeEnum<'ctx> {
        match ty {
            Ty::Unit | Ty::Never | Ty::Error => self.ctx.i8_type().into(),
            Ty::Bool => self.ctx.bool_type().into(),
            Ty::Int(i) => self.ctx.custom_width_int_type(i.bits()).into(),
            Ty::Float(FloatTy::F32) => self.ctx.f32_type().into(),
            Ty::Float(FloatTy::F64) => self.ctx.f64_type().into(),
            Ty::Str | Ty::Task(_) => self.i8_ptr().into(),
            Ty::Ptr(inner) => self.llvm(inner).ptr_type(AddressSpace::default()).into(),
            Ty::Array(elem, n) => self.llvm(elem).array_type(*n as u32).into(),
            Ty::Struct(id) => self.struct_types[*id].into(),
            Ty::Enum(id) => self.enum_types[*id].into(),
            Ty::Fn(f) => self.fn_type(f).ptr_type(AddressSpace::default()).into(),
            Ty::Closure(_) => self.closure_type().into(),
        }
    }

    pub(super) fn i8_ptr(&self) -> inkwell::types::PointerType<'ctx> {
        self.ctx.i8_type().ptr_type(AddressSpace::default())
    }

    pub(super) fn fn_type(&self, f: &FnTy) -> FunctionType<'ctx> {
        let params: Vec<BasicMetadataTypeEnum> =
            f.params.iter().map(|p| self.llvm(p).into()).collect();
        match &f.ret {
            Ty::Unit | Ty::Never | Ty::Error => self.ctx.void_type().fn_type(&params, f.variadic),
            ret => self.llvm(ret).fn_type(&params, f.variadic),
        }
    }

    /// Whether values of `ty` exist at run time.
    pub(super) fn has_value(ty: &Ty) -> bool {
        !matches!(ty, Ty::Unit | Ty::Never | Ty::Error)
    }

    /// Whether `ty` is stored as an aggregate, which is copied with `memcpy` rather than
    /// loaded into registers.
    pub(super) fn is_aggregate(ty: &Ty) -> bool {
        matches!(ty, Ty::Struct(_) | Ty::Enum(_) | Ty::Array(..))
    }

    pub(super) fn size_of(&self, ty: &Ty) -> u64 {
        self.target.get_abi_size(&self.llvm(ty))
    }
}
