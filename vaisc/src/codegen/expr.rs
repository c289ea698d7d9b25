//! Expressions: values, places (addresses of variables, fields, elements and `*p`), stores of
//! aggregate literals directly into their destination, operators, casts and calls.
//!
//! Aggregates (structs, enums, arrays) are built in memory, never as large SSA values: a literal
//! is written field by field into its destination, and copying an aggregate place is a
//! `memcpy`. This keeps IR small for values like `[0.0; 1000]`.

use super::arith::DivOp;
use super::func::{Gen, Res};
use super::hot_layout::Elem;
use super::CodegenError;
use crate::tir::{BinOp, Callee, Expr, ExprKind, FloatTy, Ty, UnOp};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, CallableValue, IntValue, PointerValue,
};
use inkwell::{FloatPredicate, IntPredicate};

fn internal(msg: &str) -> CodegenError {
    CodegenError::Internal(msg.to_string())
}

impl<'a, 'ctx> Gen<'a, 'ctx> {
    /// Emits `e` and returns its value, or `None` for `()` and `!`.
    pub(super) fn expr(&mut self, e: &Expr) -> Res<Option<BasicValueEnum<'ctx>>> {
        if let Some(d) = &self.debug {
            d.set_location(self.ctx, &self.builder, self.sources, e.span);
        }
        let v = match &e.kind {
            ExprKind::Int(v) => Some(match self.llvm(&e.ty) {
                inkwell::types::BasicTypeEnum::PointerType(p) => p.const_null().into(),
                t => t.into_int_type().const_int(*v as u64, false).into(),
            }),
            ExprKind::Float(v) => Some(self.llvm(&e.ty).into_float_type().const_float(*v).into()),
            ExprKind::Bool(b) => Some(self.ctx.bool_type().const_int(u64::from(*b), false).into()),
            ExprKind::Str(s) => Some(self.string(s).into()),
            ExprKind::SizeOf(ty) => {
                // The same target data as `layout.rs`, so `sizeof` agrees with the manifest.
                let size = if Self::has_value(ty) {
                    self.target.get_abi_size(&self.llvm(ty))
                } else {
                    0
                };
                Some(self.ctx.i64_type().const_int(size, false).into())
            }
            ExprKind::SourceLocation => {
                let file = self.sources.file(e.span.file);
                let (line, _) = file.line_col(e.span.lo);
                let text = format!("{}:{line}", file.path.display());
                Some(self.string(&text).into())
            }
            ExprKind::Unit => None,
            ExprKind::FuncRef(f) => Some(
                self.functions[*f]
                    .as_global_value()
                    .as_pointer_value()
                    .into(),
            ),
            ExprKind::Local(id) if self.state()?.locals[*id].is_none() => self.state()?.values[*id],
            ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::Deref(_)
            | ExprKind::Field(..)
            | ExprKind::Index(..)
            | ExprKind::PtrIndex(..) => {
                if !Self::has_value(&e.ty) {
                    return Ok(None);
                }
                let p = self.place(e)?;
                Some(self.builder.build_load(p, "load")?)
            }
            ExprKind::AddrOf(inner) => Some(self.place(inner)?.into()),
            ExprKind::Unary(op, a) => Some(self.unary(*op, a)?),
            ExprKind::Binary(op, a, b) => {
                let l = self.value(a)?;
                let r = self.value(b)?;
                Some(self.binary(*op, l, r, &a.ty)?)
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                Some(self.short_circuit(matches!(e.kind, ExprKind::And(..)), a, b)?)
            }
            ExprKind::Cast(inner) => {
                let v = self.value(inner)?;
                Some(self.cast(v, &inner.ty, &e.ty)?)
            }
            ExprKind::Call { callee, args } => self.call(callee, args, &e.ty)?,
            ExprKind::Closure { func, env, escapes } => {
                Some(self.closure_value(*func, env.as_deref(), *escapes)?)
            }
            ExprKind::FnToClosure(f, escapes) => Some(self.fn_closure(f, *escapes)?),
            ExprKind::StructLit(..)
            | ExprKind::ArrayLit(_)
            | ExprKind::ArrayRepeat(..)
            | ExprKind::EnumLit(..) => {
                let slot = self.temp_slot(&e.ty)?;
                self.store_expr(e, slot)?;
                Some(self.builder.build_load(slot, "agg")?)
            }
            ExprKind::Block(stmts, tail) => self.block(stmts, tail.as_deref())?,
            ExprKind::If(c, a, b) => self.if_expr(e, c, a, b.as_deref())?,
            ExprKind::Loop(kind, body) => match self.version_loop(e) {
                Some(moved) => self.versioned(moved, |g| g.loop_expr(kind, body), &e.ty)?,
                None => self.loop_expr(kind, body)?,
            },
            ExprKind::Break => self.jump(true)?,
            ExprKind::Continue => self.jump(false)?,
            ExprKind::Return(v) => self.ret(v.as_deref())?,
            ExprKind::Assign(place, value) => {
                let p = self.place(place)?;
                if matches!(
                    value.kind,
                    ExprKind::StructLit(..) | ExprKind::ArrayLit(_) | ExprKind::EnumLit(..)
                ) {
                    // `p = P { x: p.y, y: p.x }` reads the place it overwrites: build the new
                    // value aside, then copy it in.
                    let tmp = self.temp_slot(&value.ty)?;
                    self.store_expr(value, tmp)?;
                    self.copy(p, tmp, &value.ty)?;
                } else {
                    self.store_expr(value, p)?;
                }
                None
            }
            ExprKind::CompoundAssign(op, place, value) => {
                let p = self.place(place)?;
                let old = self.builder.build_load(p, "old")?;
                let v = self.value(value)?;
                let new = self.binary(*op, old, v, &place.ty)?;
                self.builder.build_store(p, new)?;
                None
            }
            ExprKind::Match(s, arms) => self.match_expr(e, s, arms)?,
            ExprKind::TaskNew { func, args } => Some(self.task_new(*func, args)?),
            ExprKind::Spawn(call) => Some(self.spawn(call)?),
            ExprKind::Await(task) => self.await_task(task, &e.ty)?,
            ExprKind::Unreachable => {
                self.builder.build_unreachable()?;
                self.start_dead_block()?;
                None
            }
        };
        if e.ty == Ty::Never && !self.terminated() {
            // A call to a function returning `!` (e.g. `exit`) does not come back.
            self.builder.build_unreachable()?;
            self.start_dead_block()?;
        }
        Ok(if Self::has_value(&e.ty) { v } else { None })
    }

    /// Emits `e`, which must produce a value.
    pub(super) fn value(&mut self, e: &Expr) -> Res<BasicValueEnum<'ctx>> {
        match self.expr(e)? {
            Some(v) => Ok(v),
            // Only reachable for `!`-typed operands, whose code is dead: any value will do.
            None => Ok(self.llvm(&e.ty).const_zero()),
        }
    }

    /// The address of a place expression; other expressions are first stored in a temporary.
    pub(super) fn place(&mut self, e: &Expr) -> Res<PointerValue<'ctx>> {
        match &e.kind {
            ExprKind::Local(id) => self.local_slot(*id),
            ExprKind::Global(id) => match self.global_slots[*id] {
                Some(slot) => {
                    // The runtime stored the address before publishing this code, with the
                    // release store the table's acquire load pairs with.
                    let address = self.builder.build_load(slot.as_pointer_value(), "global")?;
                    Ok(address.into_pointer_value())
                }
                None => {
                    let ty = self.program.globals[*id].ty.clone();
                    Ok(self.global_ptr(self.globals[*id], &ty))
                }
            },
            ExprKind::Deref(p) => Ok(self.value(p)?.into_pointer_value()),
            ExprKind::Field(base, index) => {
                let b = self.place(base)?;
                match base.ty {
                    Ty::Struct(sid) => self.field_ptr(b, sid, *index),
                    _ => Ok(self.builder.build_struct_gep(b, *index, "field")?),
                }
            }
            ExprKind::Index(base, index) => {
                let b = self.place(base)?;
                let i = self.value(index)?.into_int_value();
                let elem = match &base.ty {
                    Ty::Array(elem, _) => (**elem).clone(),
                    _ => e.ty.clone(),
                };
                self.element_ptr(b, &elem, i, Elem::Indexed)
            }
            ExprKind::PtrIndex(base, index) => {
                let p = self.value(base)?.into_pointer_value();
                let i = self.value(index)?.into_int_value();
                self.element_ptr(p, &e.ty, i, Elem::Pointer)
            }
            _ => {
                let slot = self.temp_slot(&e.ty)?;
                self.store_expr(e, slot)?;
                Ok(slot)
            }
        }
    }

    /// Writes the value of `e` to `dest`, building aggregate literals in place.
    pub(super) fn store_expr(&mut self, e: &Expr, dest: PointerValue<'ctx>) -> Res<()> {
        match &e.kind {
            ExprKind::StructLit(_, fields) | ExprKind::ArrayLit(fields) => {
                for (i, f) in fields.iter().enumerate() {
                    let p = match &e.ty {
                        Ty::Struct(sid) => self.field_ptr(dest, *sid, i as u32)?,
                        Ty::Array(elem, _) => {
                            let index = self.ctx.i64_type().const_int(i as u64, false);
                            self.element_ptr(dest, elem, index, Elem::Within)?
                        }
                        _ => return Err(internal("aggregate literal of a scalar type")),
                    };
                    self.store_expr(f, p)?;
                }
                Ok(())
            }
            ExprKind::ArrayRepeat(v, n) => self.store_repeat(v, *n, dest, &e.ty),
            ExprKind::EnumLit(eid, variant, fields) => {
                let tag_ptr = self.builder.build_struct_gep(dest, 0, "tag")?;
                let tag = self.ctx.i32_type().const_int(u64::from(*variant), false);
                self.builder.build_store(tag_ptr, tag)?;
                let tys: Vec<Ty> = self.program.enums[*eid].variants[*variant as usize]
                    .fields
                    .iter()
                    .map(|f| f.ty.clone())
                    .collect();
                if tys.is_empty() {
                    return Ok(());
                }
                let payload = self.payload_ptr(dest, &tys)?;
                for (i, f) in fields.iter().enumerate() {
                    let p = self.builder.build_struct_gep(payload, i as u32, "field")?;
                    self.store_expr(f, p)?;
                }
                Ok(())
            }
            _ if Self::is_aggregate(&e.ty) && e.is_place() => {
                let src = self.place(e)?;
                self.copy(dest, src, &e.ty)
            }
            _ => {
                if let Some(v) = self.expr(e)? {
                    if Self::is_aggregate(&e.ty) && !self.terminated() {
                        return self.store_aggregate(dest, v);
                    }
                    self.builder.build_store(dest, v)?;
                }
                Ok(())
            }
        }
    }

    /// Stores the aggregate value `v` (a call's result, say) to `dest`. LLVM's fast instruction
    /// selector (the one unoptimised builds use) cannot store a whole struct or enum value,
    /// and hands the part of the block up to such a store to the slow selector, which costs as
    /// much as selecting a few hundred instructions. It can take a struct or array of scalars
    /// apart, though (`extractvalue` only names the registers holding each part), so such a
    /// value of a few scalars is stored scalar by scalar. Any other is stored whole, in a block
    /// of its own so that the slow selector gets the store alone.
    fn store_aggregate(&mut self, dest: PointerValue<'ctx>, v: BasicValueEnum<'ctx>) -> Res<()> {
        /// The most scalars stored one by one; beyond that the code would outgrow what the
        /// slow selector costs.
        const MAX_SCALARS: usize = 16;
        if scalar_count(v.get_type(), MAX_SCALARS + 1) <= MAX_SCALARS && flat(v.get_type()) {
            return self.store_scalars(dest, v);
        }
        let store = self.new_block("store")?;
        self.builder.build_unconditional_branch(store)?;
        self.builder.position_at_end(store);
        self.builder.build_store(dest, v)?;
        Ok(())
    }

    /// Stores `v` to `dest` one scalar at a time (padding is left as it is, as a whole store
    /// leaves it undefined).
    fn store_scalars(&mut self, dest: PointerValue<'ctx>, v: BasicValueEnum<'ctx>) -> Res<()> {
        let count = match v {
            BasicValueEnum::StructValue(s) => s.get_type().count_fields(),
            BasicValueEnum::ArrayValue(a) => a.get_type().len(),
            scalar => {
                self.builder.build_store(dest, scalar)?;
                return Ok(());
            }
        };
        let i32t = self.ctx.i32_type();
        for i in 0..count {
            let part_ty = match v.get_type() {
                inkwell::types::BasicTypeEnum::StructType(s) => s.get_field_type_at_index(i),
                inkwell::types::BasicTypeEnum::ArrayType(a) => Some(a.get_element_type()),
                _ => None,
            };
            // Nothing to store for an empty part (an enum's payload without words), and the
            // selector cannot even name one.
            if part_ty.is_none_or(|t| scalar_count(t, 1) == 0) {
                continue;
            }
            let part = match v {
                BasicValueEnum::StructValue(s) => self.builder.build_extract_value(s, i, "part")?,
                BasicValueEnum::ArrayValue(a) => self.builder.build_extract_value(a, i, "part")?,
                _ => return Err(internal("a scalar taken apart")),
            };
            let at = [i32t.const_zero(), i32t.const_int(u64::from(i), false)];
            // SAFETY: `i` is below the number of fields or elements of the aggregate `dest`
            // points to.
            let ptr = unsafe { self.builder.build_in_bounds_gep(dest, &at, "part") }?;
            self.store_scalars(ptr, part)?;
        }
        Ok(())
    }

    /// `[v; n]`: a `memset` when `v` is zero, else a loop storing `v` into each element.
    fn store_repeat(&mut self, v: &Expr, n: u64, dest: PointerValue<'ctx>, ty: &Ty) -> Res<()> {
        let is_zero = match &v.kind {
            ExprKind::Int(0) | ExprKind::Bool(false) => true,
            ExprKind::Float(f) => *f == 0.0 && f.is_sign_positive(),
            _ => false,
        };
        if is_zero {
            let size = self.size_value(ty)?;
            self.builder
                .build_memset(dest, 1, self.ctx.i8_type().const_zero(), size)?;
            return Ok(());
        }
        if n == 0 {
            return Ok(());
        }
        let elem_ty = match ty {
            Ty::Array(e, _) => (**e).clone(),
            _ => return Err(internal("repeat literal of a non-array type")),
        };
        // Evaluate the element once, store it in the first slot, and copy it to the rest.
        let i64t = self.ctx.i64_type();
        let first = self.element_ptr(dest, &elem_ty, i64t.const_zero(), Elem::Within)?;
        self.store_expr(v, first)?;
        let counter = self.temp_slot(&Ty::I64)?;
        self.builder
            .build_store(counter, i64t.const_int(1, false))?;
        let head = self.new_block("fill")?;
        let body = self.new_block("fill_body")?;
        let done = self.new_block("filled")?;
        self.builder.build_unconditional_branch(head)?;
        self.builder.position_at_end(head);
        let i = self.builder.build_load(counter, "i")?.into_int_value();
        let more = self.builder.build_int_compare(
            IntPredicate::ULT,
            i,
            i64t.const_int(n, false),
            "more",
        )?;
        self.builder.build_conditional_branch(more, body, done)?;
        self.builder.position_at_end(body);
        let slot = self.element_ptr(dest, &elem_ty, i, Elem::Within)?;
        self.copy(slot, first, &elem_ty)?;
        let next = self
            .builder
            .build_int_add(i, i64t.const_int(1, false), "next")?;
        self.builder.build_store(counter, next)?;
        self.builder.build_unconditional_branch(head)?;
        self.builder.position_at_end(done);
        Ok(())
    }

    /// Copies a value of type `ty` from `src` to `dest`.
    pub(super) fn copy(
        &mut self,
        dest: PointerValue<'ctx>,
        src: PointerValue<'ctx>,
        ty: &Ty,
    ) -> Res<()> {
        if !Self::has_value(ty) {
            return Ok(());
        }
        if Self::is_aggregate(ty) {
            let size = self.size_value(ty)?;
            let align = self.target.get_abi_alignment(&self.llvm(ty));
            self.builder.build_memcpy(dest, align, src, align, size)?;
        } else {
            let v = self.builder.build_load(src, "v")?;
            self.builder.build_store(dest, v)?;
        }
        Ok(())
    }

    fn unary(&mut self, op: UnOp, a: &Expr) -> Res<BasicValueEnum<'ctx>> {
        let v = self.value(a)?;
        Ok(match (op, v) {
            (UnOp::Neg, BasicValueEnum::IntValue(i)) => {
                self.builder.build_int_neg(i, "neg")?.into()
            }
            (UnOp::Neg, BasicValueEnum::FloatValue(f)) => {
                self.builder.build_float_neg(f, "neg")?.into()
            }
            (UnOp::Not | UnOp::BitNot, BasicValueEnum::IntValue(i)) => {
                self.builder.build_not(i, "not")?.into()
            }
            _ => return Err(internal("bad unary operand")),
        })
    }

    /// A binary operation on two values of type `ty` (the operands' type).
    pub(super) fn binary(
        &mut self,
        op: BinOp,
        l: BasicValueEnum<'ctx>,
        r: BasicValueEnum<'ctx>,
        ty: &Ty,
    ) -> Res<BasicValueEnum<'ctx>> {
        let signed = matches!(ty, Ty::Int(i) if i.signed());
        // Division, remainder and shifts are defined for every operand (`arith.rs`).
        if let (BasicValueEnum::IntValue(x), BasicValueEnum::IntValue(y)) = (l, r) {
            match op {
                BinOp::Div => return self.int_division(DivOp::Div, x, y, signed),
                BinOp::Rem => return self.int_division(DivOp::Rem, x, y, signed),
                BinOp::Shl => return self.int_shift(true, x, y, signed),
                BinOp::Shr => return self.int_shift(false, x, y, signed),
                _ => {}
            }
        }
        let b = &self.builder;
        if let (BasicValueEnum::FloatValue(x), BasicValueEnum::FloatValue(y)) = (l, r) {
            let cmp = |p| -> Res<BasicValueEnum<'ctx>> {
                Ok(b.build_float_compare(p, x, y, "cmp")?.into())
            };
            return match op {
                BinOp::Add => Ok(b.build_float_add(x, y, "add")?.into()),
                BinOp::Sub => Ok(b.build_float_sub(x, y, "sub")?.into()),
                BinOp::Mul => Ok(b.build_float_mul(x, y, "mul")?.into()),
                BinOp::Div => Ok(b.build_float_div(x, y, "div")?.into()),
                BinOp::Rem => Ok(b.build_float_rem(x, y, "rem")?.into()),
                BinOp::Eq => cmp(FloatPredicate::OEQ),
                BinOp::Ne => cmp(FloatPredicate::UNE),
                BinOp::Lt => cmp(FloatPredicate::OLT),
                BinOp::Le => cmp(FloatPredicate::OLE),
                BinOp::Gt => cmp(FloatPredicate::OGT),
                BinOp::Ge => cmp(FloatPredicate::OGE),
                _ => Err(internal("bitwise operator on floats")),
            };
        }
        let (x, y): (IntValue, IntValue) = match (l, r) {
            (BasicValueEnum::IntValue(x), BasicValueEnum::IntValue(y)) => (x, y),
            (BasicValueEnum::PointerValue(x), BasicValueEnum::PointerValue(y)) => {
                // Pointers compare as addresses.
                let i64t = self.ctx.i64_type();
                (
                    b.build_ptr_to_int(x, i64t, "addr")?,
                    b.build_ptr_to_int(y, i64t, "addr")?,
                )
            }
            _ => return Err(internal("mismatched binary operands")),
        };
        let pick = |s, u| if signed { s } else { u };
        let cmp =
            |p| -> Res<BasicValueEnum<'ctx>> { Ok(b.build_int_compare(p, x, y, "cmp")?.into()) };
        match op {
            BinOp::Add => Ok(b.build_int_add(x, y, "add")?.into()),
            BinOp::Sub => Ok(b.build_int_sub(x, y, "sub")?.into()),
            BinOp::Mul => Ok(b.build_int_mul(x, y, "mul")?.into()),
            BinOp::Div | BinOp::Rem | BinOp::Shl | BinOp::Shr => {
                Err(internal("division or shift of pointers"))
            }
            BinOp::BitAnd => Ok(b.build_and(x, y, "and")?.into()),
            BinOp::BitOr => Ok(b.build_or(x, y, "or")?.into()),
            BinOp::BitXor => Ok(b.build_xor(x, y, "xor")?.into()),
            BinOp::Eq => cmp(IntPredicate::EQ),
            BinOp::Ne => cmp(IntPredicate::NE),
            BinOp::Lt => cmp(pick(IntPredicate::SLT, IntPredicate::ULT)),
            BinOp::Le => cmp(pick(IntPredicate::SLE, IntPredicate::ULE)),
            BinOp::Gt => cmp(pick(IntPredicate::SGT, IntPredicate::UGT)),
            BinOp::Ge => cmp(pick(IntPredicate::SGE, IntPredicate::UGE)),
        }
    }

    fn short_circuit(&mut self, is_and: bool, a: &Expr, b: &Expr) -> Res<BasicValueEnum<'ctx>> {
        let l = self.value(a)?.into_int_value();
        let from_lhs = self
            .builder
            .get_insert_block()
            .ok_or_else(|| internal("no insert block"))?;
        let rhs_bb = self.new_block(if is_and { "and_rhs" } else { "or_rhs" })?;
        let merge = self.new_block("logic")?;
        if is_and {
            self.builder.build_conditional_branch(l, rhs_bb, merge)?;
        } else {
            self.builder.build_conditional_branch(l, merge, rhs_bb)?;
        }
        self.builder.position_at_end(rhs_bb);
        let r = self.value(b)?.into_int_value();
        let from_rhs = self
            .builder
            .get_insert_block()
            .ok_or_else(|| internal("no insert block"))?;
        self.builder.build_unconditional_branch(merge)?;
        self.builder.position_at_end(merge);
        let phi = self.builder.build_phi(self.ctx.bool_type(), "logic")?;
        let short = self.ctx.bool_type().const_int(u64::from(!is_and), false);
        phi.add_incoming(&[(&short, from_lhs), (&r, from_rhs)]);
        Ok(phi.as_basic_value())
    }

    /// Converts `v` from type `from` to type `to` (the cases `as` and the implicit
    /// conversions allow).
    pub(super) fn cast(
        &mut self,
        v: BasicValueEnum<'ctx>,
        from: &Ty,
        to: &Ty,
    ) -> Res<BasicValueEnum<'ctx>> {
        if from == to {
            return Ok(v);
        }
        let b = &self.builder;
        let target = self.llvm(to);
        let from_signed = matches!(from, Ty::Int(i) if i.signed());
        Ok(match (v, target) {
            (BasicValueEnum::IntValue(i), inkwell::types::BasicTypeEnum::IntType(t)) => {
                if *to == Ty::Bool {
                    let zero = i.get_type().const_zero();
                    b.build_int_compare(IntPredicate::NE, i, zero, "bool")?
                        .into()
                } else {
                    let signed = from_signed && *from != Ty::Bool;
                    b.build_int_cast_sign_flag(i, t, signed, "conv")?.into()
                }
            }
            (BasicValueEnum::IntValue(i), inkwell::types::BasicTypeEnum::FloatType(t)) => {
                if from_signed {
                    b.build_signed_int_to_float(i, t, "conv")?.into()
                } else {
                    b.build_unsigned_int_to_float(i, t, "conv")?.into()
                }
            }
            (BasicValueEnum::FloatValue(f), inkwell::types::BasicTypeEnum::IntType(t)) => {
                if matches!(to, Ty::Int(i) if i.signed()) {
                    b.build_float_to_signed_int(f, t, "conv")?.into()
                } else {
                    b.build_float_to_unsigned_int(f, t, "conv")?.into()
                }
            }
            (BasicValueEnum::FloatValue(f), inkwell::types::BasicTypeEnum::FloatType(t)) => {
                if matches!(to, Ty::Float(FloatTy::F64)) {
                    b.build_float_ext(f, t, "conv")?.into()
                } else {
                    b.build_float_trunc(f, t, "conv")?.into()
                }
            }
            (BasicValueEnum::PointerValue(p), inkwell::types::BasicTypeEnum::PointerType(t)) => {
                b.build_pointer_cast(p, t, "conv")?.into()
            }
            (BasicValueEnum::PointerValue(p), inkwell::types::BasicTypeEnum::IntType(t)) => {
                b.build_ptr_to_int(p, t, "conv")?.into()
            }
            (BasicValueEnum::IntValue(i), inkwell::types::BasicTypeEnum::PointerType(t)) => {
                b.build_int_to_ptr(i, t, "conv")?.into()
            }
            _ => {
                return Err(CodegenError::Internal(format!(
                    "cast from {} to {}",
                    self.program.ty_name(from),
                    self.program.ty_name(to)
                )))
            }
        })
    }

    fn call(
        &mut self,
        callee: &Callee,
        args: &[Expr],
        ret: &Ty,
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        if let Callee::Direct(f) = callee {
            self.safe_point_before_call(*f)?;
        }
        let mut values: Vec<BasicMetadataValueEnum> = Vec::new();
        let (target, params): (CallableValue, Vec<Ty>) = match callee {
            Callee::Closure(f) => {
                let (code, env) = self.closure_callee(f)?;
                values.push(env);
                let params = match &f.ty {
                    Ty::Closure(sig) => sig.params.clone(),
                    _ => Vec::new(),
                };
                (code, params)
            }
            Callee::Direct(f) => (
                self.functions[*f].into(),
                self.program.functions[*f].ty.params.clone(),
            ),
            Callee::Indirect(f) => {
                let params = match &f.ty {
                    Ty::Fn(fty) => fty.params.clone(),
                    _ => Vec::new(),
                };
                let p = self.value(f)?.into_pointer_value();
                let callable = CallableValue::try_from(p)
                    .map_err(|()| internal("call of a non-function pointer"))?;
                (callable, params)
            }
        };
        for (i, a) in args.iter().enumerate() {
            let v = self.value(a)?;
            // An argument of type `!` (say `f(R 1)`) leaves only dead code behind; a zero of
            // the parameter's type keeps the call well-formed.
            let v = match (&a.ty, params.get(i)) {
                (Ty::Never, Some(p)) => self.llvm(p).const_zero(),
                (Ty::Never, None) => self.ctx.i64_type().const_zero().into(),
                _ => v,
            };
            values.push(v.into());
        }
        let call = self.builder.build_call(target, &values, "call")?;
        if !Self::has_value(ret) {
            return Ok(None);
        }
        Ok(call.try_as_basic_value().basic())
    }
}

/// The number of scalars in a value of type `ty`, counted up to `limit`.
fn scalar_count(ty: inkwell::types::BasicTypeEnum, limit: usize) -> usize {
    use inkwell::types::BasicTypeEnum as T;
    match ty {
        T::StructType(s) => {
            let mut n = 0;
            for f in s.get_field_types() {
                n += scalar_count(f, limit - n);
                if n >= limit {
                    return limit;
                }
            }
            n
        }
        T::ArrayType(a) => {
            let each = scalar_count(a.get_element_type(), limit);
            (a.len() as usize).saturating_mul(each).min(limit)
        }
        _ => 1,
    }
}

/// Whether each part of a value of type `ty` is a scalar or empty: the selector can take
/// apart only one level (the C API has no `extractvalue` with a path).
fn flat(ty: inkwell::types::BasicTypeEnum) -> bool {
    use inkwell::types::BasicTypeEnum as T;
    let scalar_or_empty =
        |t: T| !matches!(t, T::StructType(_) | T::ArrayType(_)) || scalar_count(t, 1) == 0;
    match ty {
        T::StructType(s) => s.get_field_types().into_iter().all(scalar_or_empty),
        T::ArrayType(a) => scalar_or_empty(a.get_element_type()),
        _ => true,
    }
}
