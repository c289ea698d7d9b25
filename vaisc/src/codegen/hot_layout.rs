//! Layout-independent code for hot hosts. A patch may change the layout of a struct while the
//! host's code that is not reloadable (`main` and the functions it calls) keeps running, so in a
//! hot host that code reads each field's offset, and each struct's size (for array strides,
//! copies and fills), from the offset table: one exported `u64` per field and per struct
//! (`vais_hot_abi::layout::offset_symbol`, `size_symbol`), which the runtime rewrites when it
//! migrates the program's values. One load per access, in the manner of the Objective-C
//! runtime's non-fragile instance variables. Hot functions keep constant offsets (a patch is
//! compiled against the new layout).
//!
//! Values such code keeps are given room to grow: each struct or enum in its stack slots,
//! globals and the locals of `main` that live across hot calls takes `{ T, T, [64 x i8] }`
//! (twice its size plus 64 bytes, the policy of `vais_hot_abi::layout::room_for`). Globals and
//! those locals of `main` are static storage the manifest lists with their address and room,
//! so the runtime migrates them in place. The code's text names types and table entries, never
//! sizes or positions, so adding a field does not change code that does not use it. Before each
//! call such code makes to a hot function it tests the runtime's pending flag, so a patch that
//! moves values is applied there: at once in `main`, where only `main` is on the stack, and in
//! the other functions when the runtime finds no hot code's frames above them.

use super::func::{Gen, Res};
use crate::tir::{Const, FuncId, Program, StructId, Ty};
use inkwell::module::Linkage;
use inkwell::types::{BasicType, BasicTypeEnum};
use inkwell::values::{
    BasicValue, BasicValueEnum, CallSiteValue, FunctionValue, GlobalValue, InstructionOpcode,
    IntValue, PointerValue,
};
use inkwell::{AddressSpace, AtomicOrdering, IntPredicate};
use std::collections::HashSet;
use vais_hot_abi::layout::{offset_symbol, size_symbol};

/// How [`Gen::element_ptr`] reaches an element.
#[derive(Clone, Copy)]
pub(super) enum Elem {
    /// `a[i]` of an array place: any index the program computes.
    Indexed,
    /// `p[i]` of a pointer to the first element.
    Pointer,
    /// An element an array literal or repeat fills: the index is within the array.
    Within,
}

/// The bytes of room beyond twice a value's size.
const ROOM_EXTRA: u32 = 64;

/// What a hot host's code generation needs beyond a normal build's.
pub(super) struct HotHost<'ctx> {
    /// The runtime's flag: a patch that moves values waits.
    pending: GlobalValue<'ctx>,
    /// The runtime's `vais_hot_safe_point`, for `main`.
    safe_point: FunctionValue<'ctx>,
    /// The runtime's `vais_hot_nested_safe_point`, for the other functions that are not hot.
    nested_safe_point: FunctionValue<'ctx>,
    /// The runtime's flag: a migration has moved values (`layout_versions.rs`).
    pub(super) moved: GlobalValue<'ctx>,
    /// Which functions may reach a migration.
    pub(super) migrations: super::layout_versions::Migrations,
    /// The program's functions a call of which cannot reach a migration (not hot, and
    /// `migrations` says so): the offset table is the same after such a call as before it.
    /// Filled once the functions are declared ([`Gen::note_quiet_functions`]); only looked up.
    quiet: HashSet<FunctionValue<'ctx>>,
}

/// Whether values of `ty` contain a struct or an enum, whose layout a patch may change.
pub fn has_layout(ty: &Ty) -> bool {
    match ty {
        Ty::Struct(_) | Ty::Enum(_) => true,
        Ty::Array(elem, _) => has_layout(elem),
        _ => false,
    }
}

/// The locals of `main` a hot host keeps in static storage, so the runtime can migrate them:
/// those whose type contains a struct or an enum. Empty if anything calls `main` (each call
/// would need storage of its own).
pub fn kept_locals(program: &Program) -> Vec<usize> {
    kept_locals_given(program, crate::hot::calls_main(program))
}

/// [`kept_locals`], where whether anything calls `main` is known (`main_called`).
pub fn kept_locals_given(program: &Program, main_called: bool) -> Vec<usize> {
    let Some(main) = program.main else {
        return Vec::new();
    };
    if main_called {
        return Vec::new();
    }
    let Some(body) = &program.functions[main].body else {
        return Vec::new();
    };
    body.locals
        .iter()
        .enumerate()
        .filter(|(_, l)| has_layout(&l.ty))
        .map(|(i, _)| i)
        .collect()
}

/// The symbol of a kept local of `main` (index `id`, named `name` in the source).
pub fn kept_local_symbol(name: &str, id: usize) -> String {
    format!("__vais_hot_local.main.{name}.{id}")
}

impl<'ctx> Gen<'_, 'ctx> {
    /// Declares the runtime's pending flag and safe point, for a hot host.
    pub(super) fn declare_hot_host(&mut self) -> Res<()> {
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
        let nested_safe_point = self.module.add_function(
            vais_hot_abi::NESTED_SAFE_POINT_SYMBOL,
            self.ctx.void_type().fn_type(&[], false),
            Some(Linkage::External),
        );
        let moved = self
            .module
            .add_global(i32t, None, vais_hot_abi::LAYOUTS_MOVED_SYMBOL);
        moved.set_linkage(Linkage::External);
        self.hot = Some(HotHost {
            pending,
            safe_point,
            nested_safe_point,
            moved,
            migrations: super::layout_versions::Migrations::of(self.program),
            quiet: HashSet::new(),
        });
        Ok(())
    }

    /// Records which of the declared functions (`Gen::functions`) cannot reach a migration
    /// when called, for [`Gen::reload_layouts_after_calls`].
    pub(super) fn note_quiet_functions(&mut self) {
        let Some(hot) = &mut self.hot else { return };
        hot.quiet = self
            .functions
            .iter()
            .enumerate()
            .filter(|&(id, _)| {
                !self.program.functions[id].attrs.hot && !hot.migrations.function(id)
            })
            .map(|(_, f)| *f)
            .collect();
    }

    /// Whether the code being emitted reads layouts from the offset table: code of a hot host
    /// that is not itself hot, outside the host-layout version of code emitted twice
    /// (`layout_versions.rs`).
    pub(super) fn dynamic(&self) -> bool {
        self.f
            .as_ref()
            .is_some_and(|f| f.dynamic && f.version != Some(true))
    }

    /// Whether function `id` of a hot host is such code.
    pub(super) fn is_dynamic_fn(&self, id: FuncId) -> bool {
        self.hot.is_some() && !self.program.functions[id].attrs.hot
    }

    /// The offset table's entry `symbol`, defining it (with its value in this build) the first
    /// time the module uses it. Exported and written by the runtime, so LLVM may never fold it.
    ///
    /// The runtime rewrites entries only while the program is inside a call (the safe point is
    /// one), so a function reads each entry it uses into a stack slot of its own at its start
    /// and again after every call it makes ([`Gen::reload_layouts_after_calls`]): the slot does
    /// not escape, so LLVM keeps the value in a register wherever no call intervenes (out of
    /// loops, for one), where a load of the global itself would be repeated after every store.
    fn table_entry(&mut self, symbol: &str, value: u64) -> Res<IntValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        let g = match self.module.get_global(symbol) {
            Some(g) => g,
            None => {
                let g = self.module.add_global(i64t, None, symbol);
                g.set_initializer(&i64t.const_int(value, false));
                // Several units of one host may each use an entry: each defines it, weakly,
                // and the linker keeps one (the values are the same, from the same program).
                g.set_linkage(if self.in_units() {
                    Linkage::WeakAny
                } else {
                    Linkage::External
                });
                g
            }
        };
        let cached = self.f.as_ref().and_then(|f| {
            f.layout_slots
                .iter()
                .find(|(s, _)| *s == g)
                .map(|(_, p)| *p)
        });
        let slot = match cached {
            Some(slot) => slot,
            None => {
                let entry = self.state()?.entry;
                let at_start = self.ctx.create_builder();
                match entry.get_first_instruction() {
                    Some(first) => at_start.position_before(&first),
                    None => at_start.position_at_end(entry),
                }
                let slot = at_start.build_alloca(i64t, "layout.slot")?;
                let v = at_start.build_load(g.as_pointer_value(), "layout.start")?;
                at_start.build_store(slot, v)?;
                self.state()?.layout_slots.push((g, slot));
                slot
            }
        };
        Ok(self.builder.build_load(slot, "layout")?.into_int_value())
    }

    /// After the whole function `id` is emitted: reloads every offset-table entry it uses
    /// after each call it makes that may reach a migration (see [`Gen::table_entry`]). Only a
    /// migration rewrites the table, so after any other call (an LLVM intrinsic, a function
    /// that is neither hot nor reaches a migration) the slots still hold the table's values, and
    /// a function that cannot reach a migration at all reloads nothing: the analysis is the one
    /// that lets such code run with constant layouts (`layout_versions.rs`).
    pub(super) fn reload_layouts_after_calls(&mut self, id: FuncId) -> Res<()> {
        let (Some(f), Some(hot)) = (&self.f, &self.hot) else {
            return Ok(());
        };
        if f.layout_slots.is_empty() || !hot.migrations.function(id) {
            return Ok(());
        }
        let slots = f.layout_slots.clone();
        let builder = self.ctx.create_builder();
        for bb in f.func.get_basic_blocks() {
            let mut inst = bb.get_first_instruction();
            while let Some(i) = inst {
                inst = i.get_next_instruction();
                let Ok(call) = CallSiteValue::try_from(i) else {
                    continue;
                };
                let quiet = call
                    .get_called_fn_value()
                    .is_some_and(|g| g.get_intrinsic_id() != 0 || hot.quiet.contains(&g));
                if quiet {
                    continue;
                }
                match inst {
                    Some(next) => builder.position_before(&next),
                    None => builder.position_at_end(bb),
                }
                for (g, slot) in &slots {
                    let v = builder.build_load(g.as_pointer_value(), "layout.after")?;
                    builder.build_store(*slot, v)?;
                }
            }
        }
        Ok(())
    }

    /// `base + offset`, as a pointer to `to`.
    fn byte_offset(
        &mut self,
        base: PointerValue<'ctx>,
        offset: IntValue<'ctx>,
        to: &Ty,
    ) -> Res<PointerValue<'ctx>> {
        let raw = match self.byte_pointer_of(base) {
            Some(raw) => raw,
            None => self
                .builder
                .build_pointer_cast(base, self.i8_ptr(), "raw")?,
        };
        // SAFETY: the offset lies inside the value `base` points to (a field offset or an
        // element's position, from the runtime's current layouts).
        let p = unsafe { self.builder.build_in_bounds_gep(raw, &[offset], "at") }?;
        let ptr_ty = self.llvm(to).ptr_type(AddressSpace::default());
        Ok(self.builder.build_pointer_cast(p, ptr_ty, "typed")?)
    }

    /// The byte pointer `base` was cast from, when it is such a cast (the typed result of
    /// [`Gen::byte_offset`], as the base of a nested field's): the field's own offset is then
    /// added to it without casting back, one instruction less per level of nesting.
    fn byte_pointer_of(&self, base: PointerValue<'ctx>) -> Option<PointerValue<'ctx>> {
        let cast = base.as_instruction()?;
        if cast.get_opcode() != InstructionOpcode::BitCast {
            return None;
        }
        let from = cast.get_operand(0)?.value()?;
        match from {
            BasicValueEnum::PointerValue(p) if p.get_type() == self.i8_ptr() => Some(p),
            _ => None,
        }
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
        let def = &self.program.structs[sid];
        let field = &def.fields[index as usize];
        let (symbol, ty) = (offset_symbol(&def.name, &field.name), field.ty.clone());
        let value = self
            .target
            .offset_of_element(&self.struct_types[sid], index)
            .unwrap_or(0);
        let offset = self.table_entry(&symbol, value)?;
        self.byte_offset(base, offset, &ty)
    }

    /// The size of a value of type `ty`, as a value.
    pub(super) fn size_value(&mut self, ty: &Ty) -> Res<IntValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        if !self.dynamic() || !has_layout(ty) {
            return Ok(i64t.const_int(self.size_of(ty), false));
        }
        match ty {
            Ty::Struct(sid) => {
                let symbol = size_symbol(&self.program.structs[*sid].name);
                let value = self.size_of(ty);
                self.table_entry(&symbol, value)
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

    /// The address of element `i` of the array at `base` (see [`Elem`]), whose elements are
    /// of type `elem`.
    pub(super) fn element_ptr(
        &mut self,
        base: PointerValue<'ctx>,
        elem: &Ty,
        i: IntValue<'ctx>,
        kind: Elem,
    ) -> Res<PointerValue<'ctx>> {
        if self.dynamic() && has_layout(elem) {
            let stride = self.size_value(elem)?;
            let i = self
                .builder
                .build_int_s_extend_or_bit_cast(i, self.ctx.i64_type(), "i")?;
            let offset = self.builder.build_int_mul(i, stride, "offset")?;
            return self.byte_offset(base, offset, elem);
        }
        let zero = self.ctx.i64_type().const_zero();
        // SAFETY: indexing an array place or pointer; out-of-bounds indices are the program's
        // responsibility, as in C (no bounds checks in Tier 1); `Within` indices are below the
        // length the literal gives.
        Ok(match kind {
            Elem::Indexed => unsafe { self.builder.build_gep(base, &[zero, i], "elem") }?,
            Elem::Pointer => unsafe { self.builder.build_gep(base, &[i], "elem") }?,
            Elem::Within => unsafe { self.builder.build_in_bounds_gep(base, &[zero, i], "elem") }?,
        })
    }

    /// The type of storage for a value of type `ty` with room to grow: `{ T, T, [64 x i8] }`
    /// for each struct or enum (arrays of them element by element), `ty`'s own otherwise.
    pub(super) fn room_type(&self, ty: &Ty) -> BasicTypeEnum<'ctx> {
        match ty {
            Ty::Struct(_) | Ty::Enum(_) => {
                let t = self.llvm(ty);
                let pad = self.ctx.i8_type().array_type(ROOM_EXTRA).into();
                self.ctx.struct_type(&[t, t, pad], false).into()
            }
            Ty::Array(elem, n) if has_layout(elem) => {
                self.room_type(elem).array_type(*n as u32).into()
            }
            _ => self.llvm(ty),
        }
    }

    /// The bytes [`Gen::room_type`] takes.
    pub(super) fn room_size(&self, ty: &Ty) -> u64 {
        self.target.get_abi_size(&self.room_type(ty))
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
        if !dynamic || !has_layout(ty) {
            return Ok(builder.build_alloca(self.llvm(ty), name)?);
        }
        let slot = builder.build_alloca(self.room_type(ty), name)?;
        let ptr_ty = self.llvm(ty).ptr_type(AddressSpace::default());
        Ok(builder.build_pointer_cast(slot, ptr_ty, name)?)
    }

    /// Static storage for kept local `id` of `main`, with room to grow.
    pub(super) fn kept_slot(&self, id: usize, name: &str, ty: &Ty) -> PointerValue<'ctx> {
        let room = self.room_type(ty);
        let g = self
            .module
            .add_global(room, None, &kept_local_symbol(name, id));
        g.set_initializer(&room.const_zero());
        // The manifest, which lists the slot's address, is in the first unit of a host built
        // in units; `main` may be in another.
        if self.in_units() {
            g.set_linkage(Linkage::External);
            g.set_visibility(inkwell::GlobalVisibility::Hidden);
        } else {
            g.set_linkage(Linkage::Internal);
        }
        g.as_pointer_value()
            .const_cast(self.llvm(ty).ptr_type(AddressSpace::default()))
    }

    /// Before a call from a function that is not hot to a hot function: if a patch that moves
    /// values waits, apply it now. In `main` only `main` is on the stack; any other such
    /// function may have been called by hot code, so its safe point is the runtime's nested
    /// one, which looks for hot frames above it first.
    pub(super) fn safe_point_before_call(&mut self, callee: FuncId) -> Res<()> {
        let Some(hot) = &self.hot else { return Ok(()) };
        let Some(f) = self.f.as_ref() else {
            return Ok(());
        };
        if !f.dynamic || !self.program.functions[callee].attrs.hot {
            return Ok(());
        }
        let safe_point = if f.is_main {
            hot.safe_point
        } else {
            hot.nested_safe_point
        };
        let pending = hot.pending;
        let waiting = self.runtime_flag(pending, IntPredicate::NE, "waiting")?;
        let apply = self.new_block("safe_point")?;
        let go = self.new_block("call")?;
        self.builder.build_conditional_branch(waiting, apply, go)?;
        self.builder.position_at_end(apply);
        self.builder.build_call(safe_point, &[], "")?;
        self.builder.build_unconditional_branch(go)?;
        self.builder.position_at_end(go);
        Ok(())
    }

    /// Whether the runtime's `u32` flag `flag` compares to zero by `pred`.
    pub(super) fn runtime_flag(
        &mut self,
        flag: GlobalValue<'ctx>,
        pred: IntPredicate,
        name: &str,
    ) -> Res<IntValue<'ctx>> {
        let value = self.builder.build_load(flag.as_pointer_value(), name)?;
        if let Some(inst) = value.as_instruction_value() {
            // Pairs with the runtime's release store of the flag; a plain load on x86-64.
            inst.set_atomic_ordering(AtomicOrdering::Acquire)
                .and_then(|()| inst.set_alignment(4))
                .map_err(|e| super::CodegenError::Internal(e.to_string()))?;
        }
        Ok(self.builder.build_int_compare(
            pred,
            value.into_int_value(),
            self.ctx.i32_type().const_zero(),
            name,
        )?)
    }

    /// Storage of a global: in a hot host, with room to grow.
    pub(super) fn global_storage(&self, ty: &Ty, name: &str) -> GlobalValue<'ctx> {
        let storage = if self.hot.is_some() {
            self.room_type(ty)
        } else {
            self.llvm(ty)
        };
        self.module.add_global(storage, None, name)
    }

    /// The initialiser for a global made by [`Gen::global_storage`] for type `ty`, from the
    /// constant `c` and its value `value` (of `ty`'s own type).
    pub(super) fn global_init(
        &mut self,
        c: &Const,
        ty: &Ty,
        value: BasicValueEnum<'ctx>,
    ) -> Res<BasicValueEnum<'ctx>> {
        if self.hot.is_none() || !has_layout(ty) {
            return Ok(value);
        }
        Ok(match (ty, c) {
            (_, Const::Zero) => self.room_type(ty).const_zero(),
            (Ty::Struct(_) | Ty::Enum(_), _) => {
                let zero = self.llvm(ty).const_zero();
                let pad = self.ctx.i8_type().array_type(ROOM_EXTRA).const_zero();
                self.ctx
                    .const_struct(&[value, zero, pad.into()], false)
                    .into()
            }
            (Ty::Array(elem, _), Const::Array(items)) => {
                let mut values = Vec::new();
                for item in items {
                    let v = self.constant(item, elem)?;
                    values.push(self.global_init(item, elem, v)?);
                }
                super::func::const_array(self.room_type(elem), &values)
            }
            _ => {
                return Err(super::CodegenError::Internal(
                    "global constant of an aggregate type".into(),
                ))
            }
        })
    }

    /// A pointer to the value of global `g` of type `ty`.
    pub(super) fn global_ptr(&self, g: GlobalValue<'ctx>, ty: &Ty) -> PointerValue<'ctx> {
        let want = self.llvm(ty).ptr_type(AddressSpace::default());
        g.as_pointer_value().const_cast(want)
    }
}
