//! Control flow inside function bodies: blocks, `I`, the three `L` forms, `B`, `C`, `R` and `M`
//! with its patterns.
//!
//! After an expression of type `!` the current block is terminated; code that follows it goes
//! into a fresh block with no predecessors (`Gen::start_dead_block` in `func.rs`), and any block
//! left without a terminator at the end of the function gets `unreachable`.

use super::func::{Gen, Res};
use super::CodegenError;
use crate::tir::{Arm, Expr, LoopKind, Pattern, Stmt, Ty};
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValue, BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;

impl<'ctx> Gen<'_, 'ctx> {
    pub(super) fn block(
        &mut self,
        stmts: &[Stmt],
        tail: Option<&Expr>,
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        for s in stmts {
            match s {
                Stmt::Let(local, Some(init)) => match self.state()?.locals[*local] {
                    Some(slot) => self.store_expr(init, slot)?,
                    None => {
                        if let Some(v) = self.expr(init)? {
                            self.state()?.values[*local] = Some(v);
                        }
                    }
                },
                Stmt::Let(_, None) => {}
                Stmt::Expr(e) => {
                    self.expr(e)?;
                }
            }
        }
        match tail {
            Some(t) => self.expr(t),
            None => Ok(None),
        }
    }

    /// Joins the values flowing out of branches: a phi of those that did not diverge.
    pub(super) fn join(
        &mut self,
        ty: &Ty,
        incoming: &[(Option<BasicValueEnum<'ctx>>, BasicBlock<'ctx>)],
        merge: BasicBlock<'ctx>,
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        self.builder.position_at_end(merge);
        let live: Vec<(BasicValueEnum<'ctx>, BasicBlock<'ctx>)> = incoming
            .iter()
            .filter_map(|(v, b)| v.map(|v| (v, *b)))
            .collect();
        if !Self::has_value(ty) || live.is_empty() {
            return Ok(None);
        }
        let phi = self.builder.build_phi(self.llvm(ty), "join")?;
        for (v, b) in &live {
            phi.add_incoming(&[(v as &dyn BasicValue, *b)]);
        }
        Ok(Some(phi.as_basic_value()))
    }

    /// Emits a branch expression and reports its value and the block it ends in, or `None`
    /// for the value if it diverged.
    fn arm_value(
        &mut self,
        e: &Expr,
        merge: BasicBlock<'ctx>,
    ) -> Res<(Option<BasicValueEnum<'ctx>>, BasicBlock<'ctx>)> {
        let v = self.expr(e)?;
        let end = self
            .builder
            .get_insert_block()
            .ok_or_else(|| CodegenError::Internal("no insert block".into()))?;
        // A branch of type `!` continues in a dead block, which must not reach the merge.
        if self.terminated() || e.ty == Ty::Never {
            return Ok((None, end));
        }
        self.builder.build_unconditional_branch(merge)?;
        Ok((v, end))
    }

    pub(super) fn if_expr(
        &mut self,
        e: &Expr,
        cond: &Expr,
        then: &Expr,
        other: Option<&Expr>,
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        let c = self.value(cond)?.into_int_value();
        let then_bb = self.new_block("then")?;
        let else_bb = self.new_block("else")?;
        let merge = self.new_block("endif")?;
        self.builder.build_conditional_branch(c, then_bb, else_bb)?;
        self.builder.position_at_end(then_bb);
        let a = self.arm_value(then, merge)?;
        self.builder.position_at_end(else_bb);
        let b = match other {
            Some(o) => self.arm_value(o, merge)?,
            None => {
                self.builder.build_unconditional_branch(merge)?;
                (None, else_bb)
            }
        };
        let diverges = a.0.is_none() && b.0.is_none() && e.ty == Ty::Never;
        let v = self.join(&e.ty, &[a, b], merge)?;
        if diverges {
            self.builder.build_unreachable()?;
            self.start_dead_block()?;
        }
        Ok(v)
    }

    pub(super) fn loop_expr(
        &mut self,
        kind: &LoopKind,
        body: &Expr,
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        let head = self.new_block("loop")?;
        let body_bb = self.new_block("body")?;
        let exit = self.new_block("endloop")?;
        match kind {
            LoopKind::Forever => {
                self.builder.build_unconditional_branch(body_bb)?;
                self.builder.position_at_end(head);
                self.builder.build_unconditional_branch(body_bb)?;
                self.loop_body(body, head, exit, body_bb, head)?;
            }
            LoopKind::While(cond) => {
                self.builder.build_unconditional_branch(head)?;
                self.builder.position_at_end(head);
                let c = self.value(cond)?.into_int_value();
                self.builder.build_conditional_branch(c, body_bb, exit)?;
                self.loop_body(body, head, exit, body_bb, head)?;
            }
            LoopKind::Range {
                var,
                start,
                end,
                inclusive,
            } => {
                let slot = self.local_slot(*var)?;
                let s = self.value(start)?;
                self.builder.build_store(slot, s)?;
                let end_v = self.value(end)?.into_int_value();
                let signed = matches!(&start.ty, Ty::Int(i) if i.signed());
                let pred = match (signed, inclusive) {
                    (true, false) => IntPredicate::SLT,
                    (true, true) => IntPredicate::SLE,
                    (false, false) => IntPredicate::ULT,
                    (false, true) => IntPredicate::ULE,
                };
                let step = self.new_block("step")?;
                self.builder.build_unconditional_branch(head)?;
                self.builder.position_at_end(head);
                let ity = end_v.get_type();
                let cur = self.builder.build_load(slot, "i")?.into_int_value();
                let c = self.builder.build_int_compare(pred, cur, end_v, "more")?;
                self.builder.build_conditional_branch(c, body_bb, exit)?;
                self.loop_body(body, step, exit, body_bb, step)?;
                self.builder.position_at_end(step);
                let cur = self.builder.build_load(slot, "i")?.into_int_value();
                // An inclusive range ending at the type's maximum stops instead of wrapping.
                if *inclusive {
                    let at_end =
                        self.builder
                            .build_int_compare(IntPredicate::EQ, cur, end_v, "last")?;
                    let inc = self.new_block("inc")?;
                    self.builder.build_conditional_branch(at_end, exit, inc)?;
                    self.builder.position_at_end(inc);
                }
                let next = self
                    .builder
                    .build_int_add(cur, ity.const_int(1, false), "next")?;
                self.builder.build_store(slot, next)?;
                self.builder.build_unconditional_branch(head)?;
            }
        }
        self.builder.position_at_end(exit);
        Ok(None)
    }

    fn loop_body(
        &mut self,
        body: &Expr,
        continue_to: BasicBlock<'ctx>,
        exit: BasicBlock<'ctx>,
        body_bb: BasicBlock<'ctx>,
        back_to: BasicBlock<'ctx>,
    ) -> Res<()> {
        self.builder.position_at_end(body_bb);
        self.state()?.loops.push((continue_to, exit));
        self.expr(body)?;
        self.state()?.loops.pop();
        self.branch(back_to)
    }

    pub(super) fn jump(&mut self, is_break: bool) -> Res<Option<BasicValueEnum<'ctx>>> {
        let (cont, exit) = *self
            .state()?
            .loops
            .last()
            .ok_or_else(|| CodegenError::Internal("break outside a loop".into()))?;
        self.builder
            .build_unconditional_branch(if is_break { exit } else { cont })?;
        self.start_dead_block()?;
        Ok(None)
    }

    pub(super) fn ret(&mut self, value: Option<&Expr>) -> Res<Option<BasicValueEnum<'ctx>>> {
        let v = match value {
            Some(e) => self.expr(e)?,
            None => None,
        };
        // `R (R 1)`: the inner return already left; this one is dead code.
        let diverged = value.is_some_and(|e| e.ty == Ty::Never);
        if !self.terminated() && !diverged {
            match v {
                Some(v) => self.builder.build_return(Some(&v))?,
                None => self.builder.build_return(None)?,
            };
        }
        self.start_dead_block()?;
        Ok(None)
    }

    pub(super) fn match_expr(
        &mut self,
        e: &Expr,
        scrutinee: &Expr,
        arms: &[Arm],
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        // The scrutinee lives in memory so that variant payloads can be read from it.
        let slot = if scrutinee.is_place() {
            self.place(scrutinee)?
        } else {
            let slot = self.temp_slot(&scrutinee.ty)?;
            self.store_expr(scrutinee, slot)?;
            slot
        };
        let merge = self.new_block("endmatch")?;
        let mut incoming = Vec::new();
        for arm in arms {
            let next = self.new_block("next_arm")?;
            let hit = self.pattern_test(&arm.pattern, slot, &scrutinee.ty)?;
            let bind = self.new_block("arm")?;
            self.builder.build_conditional_branch(hit, bind, next)?;
            self.builder.position_at_end(bind);
            self.bind_pattern(&arm.pattern, slot, &scrutinee.ty)?;
            if let Some(g) = &arm.guard {
                let ok = self.value(g)?.into_int_value();
                let body = self.new_block("guarded")?;
                self.builder.build_conditional_branch(ok, body, next)?;
                self.builder.position_at_end(body);
            }
            incoming.push(self.arm_value(&arm.body, merge)?);
            self.builder.position_at_end(next);
        }
        self.builder.build_unreachable()?;
        let diverges = incoming.iter().all(|(v, _)| v.is_none()) && e.ty == Ty::Never;
        let v = self.join(&e.ty, &incoming, merge)?;
        if diverges {
            self.builder.build_unreachable()?;
            self.start_dead_block()?;
        }
        Ok(v)
    }

    /// An `i1` that is true when `pattern` matches the value at `slot`.
    fn pattern_test(
        &mut self,
        pattern: &Pattern,
        slot: PointerValue<'ctx>,
        ty: &Ty,
    ) -> Res<IntValue<'ctx>> {
        let yes = self.ctx.bool_type().const_int(1, false);
        Ok(match pattern {
            Pattern::Wildcard | Pattern::Bind(_) => yes,
            Pattern::Int(v) => {
                let cur = self.builder.build_load(slot, "scrut")?.into_int_value();
                let k = cur.get_type().const_int(*v as u64, false);
                self.builder
                    .build_int_compare(IntPredicate::EQ, cur, k, "is")?
            }
            Pattern::Range(lo, hi) => {
                let cur = self.builder.build_load(slot, "scrut")?.into_int_value();
                let it = cur.get_type();
                let signed = matches!(ty, Ty::Int(i) if i.signed());
                let (ge, le) = if signed {
                    (IntPredicate::SGE, IntPredicate::SLE)
                } else {
                    (IntPredicate::UGE, IntPredicate::ULE)
                };
                let a = self.builder.build_int_compare(
                    ge,
                    cur,
                    it.const_int(*lo as u64, false),
                    "ge",
                )?;
                let b = self.builder.build_int_compare(
                    le,
                    cur,
                    it.const_int(*hi as u64, false),
                    "le",
                )?;
                self.builder.build_and(a, b, "in")?
            }
            Pattern::Or(alts) => {
                let mut acc = self.ctx.bool_type().const_zero();
                for alt in alts {
                    let t = self.pattern_test(alt, slot, ty)?;
                    acc = self.builder.build_or(acc, t, "any")?;
                }
                acc
            }
            Pattern::Variant { variant, .. } => {
                let tag_ptr = self.builder.build_struct_gep(slot, 0, "tag")?;
                let tag = self.builder.build_load(tag_ptr, "tag")?.into_int_value();
                let k = self.ctx.i32_type().const_int(u64::from(*variant), false);
                self.builder
                    .build_int_compare(IntPredicate::EQ, tag, k, "is")?
            }
        })
    }

    /// Copies what a matched pattern binds into its locals.
    fn bind_pattern(&mut self, pattern: &Pattern, slot: PointerValue<'ctx>, ty: &Ty) -> Res<()> {
        match pattern {
            Pattern::Bind(local) => {
                let dest = self.local_slot(*local)?;
                self.copy(dest, slot, ty)
            }
            Pattern::Variant { variant, bindings } => {
                let Ty::Enum(eid) = ty else {
                    return Err(CodegenError::Internal(
                        "variant pattern on a non-enum".into(),
                    ));
                };
                let fields: Vec<Ty> = self.program.enums[*eid].variants[*variant as usize]
                    .fields
                    .iter()
                    .map(|f| f.ty.clone())
                    .collect();
                let payload = self.payload_ptr(slot, &fields)?;
                for (i, b) in bindings.iter().enumerate() {
                    if let Some(local) = b {
                        let src = self.builder.build_struct_gep(payload, i as u32, "field")?;
                        let dest = self.local_slot(*local)?;
                        self.copy(dest, src, &fields[i])?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A pointer to the payload of the enum at `slot`, typed as the variant's field struct.
    pub(super) fn payload_ptr(
        &mut self,
        slot: PointerValue<'ctx>,
        fields: &[Ty],
    ) -> Res<PointerValue<'ctx>> {
        let raw = self.builder.build_struct_gep(slot, 1, "payload")?;
        let vty = self.variant_type(fields);
        Ok(self.builder.build_pointer_cast(
            raw,
            vty.ptr_type(inkwell::AddressSpace::default()),
            "variant",
        )?)
    }
}
