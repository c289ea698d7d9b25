//! Layout-independent code for hot hosts. A patch may change the layout of a struct while the
//! host's code that is not reloadable (`main` and the functions it calls) keeps running, so in a
//! hot host that code reads each field's offset, and each struct's size (for array strides,
//! copies and fills), from the offset table (`vais_hot_abi::OFFSET_TABLE_SYMBOL`), which the
//! runtime rewrites when it migrates the program's values: one load per access, in the manner
//! of the Objective-C runtime's non-fragile instance variables. Hot functions keep constant
//! offsets (a patch is compiled against the new layout).
//!
//! Values such code creates are given room to grow: its stack slots of types that contain a
//! struct are [`room`] bytes, globals and the locals of `main` that live across hot calls are
//! static storage of [`vais_hot_abi::layout::room_for`] their size, which the runtime knows
//! (the manifest lists each with its address) and migrates in place. Before each call `main`
//! makes to a hot function it tests the runtime's pending flag, so a patch that moves values is
//! applied there, when only `main` is on the stack.

use super::func::{Gen, Res};
use crate::tir::{FuncId, Program, StructId, Ty};
use inkwell::module::Linkage;
use inkwell::types::BasicType;
use inkwell::values::{BasicValue, FunctionValue, GlobalValue, IntValue, PointerValue};
use inkwell::{AddressSpace, AtomicOrdering, IntPredicate};
use vais_hot_abi::layout::room_for;

/// What a hot host's code generation needs beyond a normal build's.
pub(super) struct HotHost<'ctx> {
    /// The offset table.
    offsets: GlobalValue<'ctx>,
    /// Per struct: the index of its size in the table (its field offsets follow).
    bases: Vec<u32>,
    /// The runtime's flag: a patch that moves values waits.
    pending: GlobalValue<'ctx>,
    /// The runtime's `vais_hot_safe_point`.
    safe_point: FunctionValue<'ctx>,
}

/// Per struct, where its entries in the offset table start, and the table's length.
pub fn offset_table_bases(program: &Program) -> (Vec<u32>, u32) {
    let mut bases = Vec::new();
    let mut at = 0u32;
    for s in &program.structs {
        bases.push(at);
        at += 1 + s.fields.len() as u32;
    }
    (bases, at)
}

/// Whether values of `ty` contain a struct or an enum, whose layout a patch may change.
pub fn has_layout(program: &Program, ty: &Ty) -> bool {
    match ty {
        Ty::Struct(_) | Ty::Enum(_) => true,
        Ty::Array(elem, _) => has_layout(program, elem),
        _ => false,
    }
}

/// The locals of `main` a hot host keeps in static storage, so the runtime can migrate them:
/// those whose type contains a struct or an enum. Empty if anything calls `main` (each call
/// would need storage of its own).
pub fn kept_locals(program: &Program) -> Vec<usize> {
    let Some(main) = program.main else {
        return Vec::new();
    };
    if crate::hot::calls_main(program) {
        return Vec::new();
    }
    let Some(body) = &program.functions[main].body else {
        return Vec::new();
    };
    body.locals
        .iter()
        .enumerate()
        .filter(|(_, l)| has_layout(program, &l.ty))
        .map(|(i, _)| i)
        .collect()
}

/// The symbol of a kept local of `main` (index `id`, named `name` in the source).
pub fn kept_local_symbol(name: &str, id: usize) -> String {
    format!("__vais_hot_local.main.{name}.{id}")
}

impl<'ctx> Gen<'_, 'ctx> {
    /// Sets up the offset table and the runtime's safe point, for a hot host.
    pub(super) fn declare_hot_host(&mut self) -> Res<()> {
        let i64t = self.ctx.i64_type();
        let (bases, len) = offset_table_bases(self.program);
        let mut init = Vec::new();
        for st in &self.struct_types {
            init.push(i64t.const_int(self.target.get_abi_size(st), false));
            for i in 0..st.count_fields() {
                let offset = self.target.offset_of_element(st, i).unwrap_or(0);
                init.push(i64t.const_int(offset, false));
            }
        }
        let ty = i64t.array_type(len);
        let offsets = self
            .module
            .add_global(ty, None, vais_hot_abi::OFFSET_TABLE_SYMBOL);
        offsets.set_initializer(&i64t.const_array(&init));
        // Exported and written by the runtime, so LLVM may never fold its entries.
        offsets.set_linkage(Linkage::External);
        let i32t = self.ctx.i32_type();
        let pending = self
            .module
            .add_global(i32t, None, vais_hot_abi::PENDING_SYMBOL);
        pending.set_linkage(Linkage::External);
        let safe_point = self.module.add_function(
            vais_hot_abi::SAFE_POINT_SYMBOL,
            self.ctx.void_type().fn_type(&[], false),
            Some(Linkage::External),
        );
        self.hot = Some(HotHost {
            offsets,
            bases,
            pending,
            safe_point,
        });
        Ok(())
    }

    /// Whether the function being emitted reads layouts from the offset table: code of a hot
    /// host that is not itself hot.
    pub(super) fn dynamic(&self) -> bool {
        self.f.as_ref().is_some_and(|f| f.dynamic)
    }

    /// Whether function `id` of a hot host is such code.
    pub(super) fn is_dynamic_fn(&self, id: FuncId) -> bool {
        self.hot.is_some() && !self.program.functions[id].attrs.hot
    }

    fn table_entry(&mut self, index: u32) -> Res<IntValue<'ctx>> {
        let Some(hot) = &self.hot else {
            return Err(super::CodegenError::Internal(
                "offset table outside a hot host".into(),
            ));
        };
        let i64t = self.ctx.i64_type();
        let table = hot.offsets.as_pointer_value();
        // SAFETY: `index` is below the table's length: bases and field counts come from the
        // same program as the table (`offset_table_bases`).
        let slot = unsafe {
            self.builder.build_in_bounds_gep(
                table,
                &[i64t.const_zero(), i64t.const_int(u64::from(index), false)],
                "layout.slot",
            )
        }?;
        Ok(self.builder.build_load(slot, "layout")?.into_int_value())
    }

    /// `base + offset`, as a pointer to `to`.
    fn byte_offset(
        &mut self,
        base: PointerValue<'ctx>,
        offset: IntValue<'ctx>,
        to: &Ty,
    ) -> Res<PointerValue<'ctx>> {
        let raw = self
            .builder
            .build_pointer_cast(base, self.i8_ptr(), "raw")?;
        // SAFETY: the offset lies inside the value `base` points to (a field offset or an
        // element's position, from the runtime's current layouts).
        let p = unsafe { self.builder.build_in_bounds_gep(raw, &[offset], "at") }?;
        let ptr_ty = self.llvm(to).ptr_type(AddressSpace::default());
        Ok(self.builder.build_pointer_cast(p, ptr_ty, "typed")?)
    }

    /// The address of field `index` of the struct `sid` at `base`.
    pub(super) fn field_ptr(
        &mut self,
        base: PointerValue<'ctx>,
        sid: StructId,
        index: u32,
    ) -> Res<PointerValue<'ctx>> {
        if !self.dynamic() {
            return Ok(self.builder.build_struct_gep(base, index, "field")?);
        }
        let at = self.hot.as_ref().map_or(0, |h| h.bases[sid]) + 1 + index;
        let offset = self.table_entry(at)?;
        let ty = self.program.structs[sid].fields[index as usize].ty.clone();
        self.byte_offset(base, offset, &ty)
    }

    /// The size of a value of type `ty`, as a value.
    pub(super) fn size_value(&mut self, ty: &Ty) -> Res<IntValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        if !self.dynamic() || !has_layout(self.program, ty) {
            return Ok(i64t.const_int(self.size_of(ty), false));
        }
        match ty {
            Ty::Struct(sid) => {
                let at = self.hot.as_ref().map_or(0, |h| h.bases[*sid]);
                self.table_entry(at)
            }
            Ty::Array(elem, n) => {
                let one = self.size_value(elem)?;
                Ok(self
                    .builder
                    .build_int_mul(one, i64t.const_int(*n, false), "size")?)
            }
            // Enums keep their layout under code that keeps running (a patch that changes one
            // such code uses is refused).
            _ => Ok(i64t.const_int(self.size_of(ty), false)),
        }
    }

    /// The address of element `i` of the array at `base` (a pointer to the array when
    /// `whole_array`, else to its first element), whose elements are of type `elem`.
    pub(super) fn element_ptr(
        &mut self,
        base: PointerValue<'ctx>,
        elem: &Ty,
        i: IntValue<'ctx>,
        whole_array: bool,
    ) -> Res<PointerValue<'ctx>> {
        if self.dynamic() && has_layout(self.program, elem) {
            let stride = self.size_value(elem)?;
            let i = self
                .builder
                .build_int_s_extend_or_bit_cast(i, self.ctx.i64_type(), "i")?;
            let offset = self.builder.build_int_mul(i, stride, "offset")?;
            return self.byte_offset(base, offset, elem);
        }
        let zero = self.ctx.i64_type().const_zero();
        // SAFETY: indexing an array place or pointer; out-of-bounds indices are the program's
        // responsibility, as in C (no bounds checks in Tier 1).
        Ok(if whole_array {
            unsafe { self.builder.build_gep(base, &[zero, i], "elem") }?
        } else {
            unsafe { self.builder.build_gep(base, &[i], "elem") }?
        })
    }

    /// The bytes a stack slot of type `ty` takes in code that reads layouts from the table:
    /// room to grow for every struct it contains.
    fn room(&self, ty: &Ty) -> u64 {
        match ty {
            Ty::Struct(_) => room_for(self.size_of(ty)),
            Ty::Array(elem, n) if has_layout(self.program, elem) => n * self.room(elem),
            _ => self.size_of(ty),
        }
    }

    /// A stack slot for a value of type `ty`, built by `builder`: with room to grow in code
    /// that reads layouts from the table.
    pub(super) fn slot(
        &self,
        builder: &inkwell::builder::Builder<'ctx>,
        ty: &Ty,
        dynamic: bool,
        name: &str,
    ) -> Res<PointerValue<'ctx>> {
        if !dynamic || !has_layout(self.program, ty) {
            return Ok(builder.build_alloca(self.llvm(ty), name)?);
        }
        let bytes = self.ctx.i8_type().array_type(self.room(ty) as u32);
        let slot = builder.build_alloca(bytes, name)?;
        if let Some(inst) = slot.as_instruction_value() {
            inst.set_alignment(16)
                .map_err(|e| super::CodegenError::Internal(e.to_string()))?;
        }
        let ptr_ty = self.llvm(ty).ptr_type(AddressSpace::default());
        Ok(builder.build_pointer_cast(slot, ptr_ty, name)?)
    }

    /// Static storage for kept local `id` of `main`, with room to grow.
    pub(super) fn kept_slot(&self, id: usize, name: &str, ty: &Ty) -> PointerValue<'ctx> {
        let size = self.size_of(ty);
        let bytes = self.ctx.i8_type().array_type(room_for(size) as u32);
        let g = self
            .module
            .add_global(bytes, None, &kept_local_symbol(name, id));
        g.set_initializer(&bytes.const_zero());
        g.set_linkage(Linkage::Internal);
        g.set_alignment(16);
        g.as_pointer_value()
            .const_cast(self.llvm(ty).ptr_type(AddressSpace::default()))
    }

    /// Before a call from `main` to a hot function: if a patch that moves values waits, apply
    /// it now (only `main` is on the stack).
    pub(super) fn safe_point_before_call(&mut self, callee: FuncId) -> Res<()> {
        let Some(hot) = &self.hot else { return Ok(()) };
        let in_main = self.f.as_ref().is_some_and(|f| f.is_main);
        if !in_main || !self.program.functions[callee].attrs.hot {
            return Ok(());
        }
        let (pending, safe_point) = (hot.pending, hot.safe_point);
        let flag = self
            .builder
            .build_load(pending.as_pointer_value(), "pending")?;
        if let Some(inst) = flag.as_instruction_value() {
            // Pairs with the runtime's store of the flag; a plain load on x86-64.
            inst.set_atomic_ordering(AtomicOrdering::Acquire)
                .and_then(|()| inst.set_alignment(4))
                .map_err(|e| super::CodegenError::Internal(e.to_string()))?;
        }
        let waiting = self.builder.build_int_compare(
            IntPredicate::NE,
            flag.into_int_value(),
            self.ctx.i32_type().const_zero(),
            "waiting",
        )?;
        let apply = self.new_block("safe_point")?;
        let go = self.new_block("call")?;
        self.builder.build_conditional_branch(waiting, apply, go)?;
        self.builder.position_at_end(apply);
        self.builder.build_call(safe_point, &[], "")?;
        self.builder.build_unconditional_branch(go)?;
        self.builder.position_at_end(go);
        Ok(())
    }

    /// Storage of a global: in a hot host, the value followed by room to grow.
    pub(super) fn global_storage(&self, ty: &Ty, name: &str) -> GlobalValue<'ctx> {
        let llty = self.llvm(ty);
        if self.hot.is_none() || !has_layout(self.program, ty) {
            return self.module.add_global(llty, None, name);
        }
        let extra = room_for(self.size_of(ty)) - self.size_of(ty);
        let padded = self.ctx.struct_type(
            &[llty, self.ctx.i8_type().array_type(extra as u32).into()],
            false,
        );
        let g = self.module.add_global(padded, None, name);
        g.set_alignment(16);
        g
    }

    /// The initialiser for a global made by [`Gen::global_storage`] for type `ty`.
    pub(super) fn global_init(
        &self,
        g: GlobalValue<'ctx>,
        ty: &Ty,
        value: inkwell::values::BasicValueEnum<'ctx>,
    ) {
        if self.hot.is_none() || !has_layout(self.program, ty) {
            g.set_initializer(&value);
            return;
        }
        let extra = room_for(self.size_of(ty)) - self.size_of(ty);
        let rest = self.ctx.i8_type().array_type(extra as u32).const_zero();
        g.set_initializer(&self.ctx.const_struct(&[value, rest.into()], false));
    }

    /// A pointer to the value of global `g` of type `ty`.
    pub(super) fn global_ptr(&self, g: GlobalValue<'ctx>, ty: &Ty) -> PointerValue<'ctx> {
        let want = self.llvm(ty).ptr_type(AddressSpace::default());
        g.as_pointer_value().const_cast(want)
    }
}
