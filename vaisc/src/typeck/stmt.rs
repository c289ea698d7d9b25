//! Checking and lowering of blocks, `let` statements, loops and assignments, and the implicit
//! conversions the language performs.
//!
//! Implicit conversions (integer width changes at calls, returns and assignments, `*u8` to any
//! pointer, array decay to a pointer, discarding a value where `()` is expected) are inserted
//! by [`Checker::coerce`] as explicit TIR nodes.

use super::expr::{blame, diverge, error_expr, is_flexible_literal, mk, settle};
use super::{Checker, FnCtx};
use crate::ast::{self, BinOp as AstBin};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Expr, ExprKind, FloatTy, IntTy, LoopKind, Stmt, Ty};

impl Checker {
    pub(super) fn block(&mut self, ctx: &mut FnCtx, b: &ast::Block, expected: Option<&Ty>) -> Expr {
        ctx.push_scope();
        let mut stmts = Vec::new();
        let mut tail = None;
        for (i, stmt) in b.stmts.iter().enumerate() {
            let last = i + 1 == b.stmts.len();
            match stmt {
                ast::Stmt::Let {
                    name,
                    mutable,
                    ty,
                    init,
                } => stmts.push(self.let_stmt(ctx, name, *mutable, ty.as_deref(), init)),
                ast::Stmt::LetTuple {
                    names,
                    mutable,
                    init,
                } => self.tuple_let(ctx, names, *mutable, init, &mut stmts),
                ast::Stmt::Expr(e) if last => tail = Some(self.expr(ctx, e, expected)),
                ast::Stmt::Expr(e) => {
                    let v = self.expr(ctx, e, Some(&Ty::Unit));
                    stmts.push(Stmt::Expr(self.coerce(ctx, v, &Ty::Unit)));
                }
            }
        }
        ctx.pop_scope();
        let diverges = stmts.iter().any(|s| match s {
            Stmt::Expr(e) => e.ty == Ty::Never,
            Stmt::Let(_, Some(e)) => e.ty == Ty::Never,
            Stmt::Let(_, None) => false,
        });
        let ty = match &tail {
            Some(t) => t.ty.clone(),
            None if diverges => Ty::Never,
            None => Ty::Unit,
        };
        mk(ExprKind::Block(stmts, tail.map(Box::new)), ty, b.span)
    }

    fn let_stmt(
        &mut self,
        ctx: &mut FnCtx,
        name: &ast::Ident,
        mutable: bool,
        ty: Option<&ast::TypeExpr>,
        init: &ast::Expr,
    ) -> Stmt {
        let self_ty = ctx.self_ty.clone();
        let declared = ty.map(|t| self.resolve_ty(t, self_ty.as_ref()));
        let value = self.expr(ctx, init, declared.as_ref());
        let (value, ty) = match declared {
            Some(t) => (self.coerce(ctx, value, &t), t),
            None => {
                // A local initialised by a diverging expression keeps type `!`: every use of
                // it is dead code, which must not be reported as mistyped.
                let t = match &value.ty {
                    Ty::Unit => {
                        self.report(diag::mismatched_types(init.span, "a value", "()"));
                        Ty::Error
                    }
                    t => t.clone(),
                };
                (value, t)
            }
        };
        let id = ctx.declare(&name.name, ty, name.span, mutable);
        Stmt::Let(id, Some(value))
    }

    pub(super) fn loop_expr(
        &mut self,
        ctx: &mut FnCtx,
        head: &ast::LoopHead,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        if let ast::LoopHead::Each { var, iter } = head {
            return self.each_loop(ctx, var, iter, body, span);
        }
        ctx.push_scope();
        let kind = match head {
            ast::LoopHead::Each { .. } => unreachable!("handled above"),
            ast::LoopHead::Forever => LoopKind::Forever,
            ast::LoopHead::While(c) => LoopKind::While(Box::new(self.condition(ctx, c))),
            ast::LoopHead::Range {
                var,
                start,
                end,
                inclusive,
            } => {
                let (s, e) = if is_flexible_literal(start) && !is_flexible_literal(end) {
                    let e = self.expr(ctx, end, None);
                    let ety = e.ty.clone();
                    (self.expr(ctx, start, Some(&ety)), e)
                } else {
                    let s = self.expr(ctx, start, None);
                    let sty = s.ty.clone();
                    (s, self.expr(ctx, end, Some(&sty)))
                };
                let s = if s.ty == Ty::Never {
                    settle(s, Ty::I64)
                } else {
                    s
                };
                let ty = s.ty.clone();
                if !ty.is_int() && ty != Ty::Error {
                    let t = self.ty_name(&ty);
                    self.report(diag::mismatched_types(s.span, "an integer", &t));
                }
                let e = self.coerce(ctx, e, &ty);
                // The end is compared with the counter: a diverging one still needs its type.
                let e = if e.ty == Ty::Never && ty.is_int() {
                    settle(e, ty.clone())
                } else {
                    e
                };
                let v = ctx.declare(&var.name, ty, var.span, false);
                LoopKind::Range {
                    var: v,
                    start: Box::new(s),
                    end: Box::new(e),
                    inclusive: *inclusive,
                }
            }
        };
        ctx.loops.push(false);
        let body = self.block(ctx, body, Some(&Ty::Unit));
        let body = self.coerce(ctx, body, &Ty::Unit);
        let broken = ctx.loops.pop().unwrap_or(true);
        ctx.pop_scope();
        let ty = if matches!(kind, LoopKind::Forever) && !broken {
            Ty::Never
        } else {
            Ty::Unit
        };
        mk(ExprKind::Loop(kind, Box::new(body)), ty, span)
    }

    pub(super) fn assign(
        &mut self,
        ctx: &mut FnCtx,
        op: Option<AstBin>,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        let place = self.expr(ctx, lhs, None);
        match place.ty {
            Ty::Error => {
                self.expr(ctx, rhs, None);
                return error_expr(span);
            }
            Ty::Never => {
                let value = self.expr(ctx, rhs, None);
                return diverge(vec![place, value], span);
            }
            _ => {}
        }
        if !place.is_place() {
            self.report(diag::not_a_place(place.span, "assign to"));
            return error_expr(span);
        }
        if let Some(name) = self.captured_root(ctx, &place) {
            self.report(diag::assign_to_captured(lhs.span, &name));
            self.expr(ctx, rhs, None);
            return error_expr(span);
        }
        self.warn_immutable(ctx, &place, lhs.span);
        let ty = place.ty.clone();
        let value = self.expr(ctx, rhs, Some(&ty));
        match value.ty {
            Ty::Error => return error_expr(span),
            Ty::Never => {
                // The place is computed first (without reading it), then the value leaves.
                let pspan = place.span;
                let addr = mk(
                    ExprKind::AddrOf(Box::new(place)),
                    Ty::Ptr(Box::new(ty)),
                    pspan,
                );
                return diverge(vec![addr, value], span);
            }
            _ => {}
        }
        let kind = match op {
            None => {
                let value = self.coerce(ctx, value, &ty);
                ExprKind::Assign(Box::new(place), Box::new(value))
            }
            Some(op) => {
                let value = if matches!(op, AstBin::Shl | AstBin::Shr) {
                    value
                } else {
                    self.coerce(ctx, value, &ty)
                };
                let pspan = place.span;
                // Check the operation as if written `place op value`, then keep its parts.
                let probe = mk(ExprKind::Unit, ty.clone(), pspan);
                let checked = self.binary_typed(op, probe, value, span);
                match checked.kind {
                    ExprKind::Binary(bop, _, v) => {
                        ExprKind::CompoundAssign(bop, Box::new(place), v)
                    }
                    _ => {
                        if checked.ty != Ty::Error {
                            let t = self.ty_name(&ty);
                            self.report(diag::invalid_operand(span, op.symbol(), &t));
                        }
                        return error_expr(span);
                    }
                }
            }
        };
        mk(kind, Ty::Unit, span)
    }

    /// Warns when assigning to a variable (or a part of it) that was not declared `mut`.
    fn warn_immutable(&mut self, ctx: &FnCtx, place: &Expr, span: Span) {
        let mut root = place;
        loop {
            match &root.kind {
                ExprKind::Field(base, _) | ExprKind::Index(base, _) => root = base,
                ExprKind::Local(id) => {
                    let info = ctx.local_info(*id);
                    if !info.mutable {
                        let d = diag::assign_to_immutable(span, ctx.local_name(*id), info.span);
                        self.report(d);
                    }
                    return;
                }
                _ => return,
            }
        }
    }

    /// Converts `e` to type `target` where the language allows it implicitly, else reports a
    /// mismatch.
    pub(super) fn coerce(&mut self, ctx: &mut FnCtx, e: Expr, target: &Ty) -> Expr {
        if &e.ty == target
            || e.ty.fits_anywhere()
            || target.fits_anywhere()
            || e.ty.has_error()
            || target.has_error()
        {
            return e;
        }
        let span = e.span;
        let cast = |e: Expr| mk(ExprKind::Cast(Box::new(e)), target.clone(), span);
        let u8p = Ty::Ptr(Box::new(Ty::Int(IntTy::U8)));
        let i8p = Ty::Ptr(Box::new(Ty::Int(IntTy::I8)));
        match (&e.ty, target) {
            (_, Ty::Unit) => mk(ExprKind::Block(vec![Stmt::Expr(e)], None), Ty::Unit, span),
            (Ty::Int(_), Ty::Int(_)) => cast(e),
            (Ty::Fn(f), Ty::Closure(c)) if f == c => {
                self.makes_closures = true;
                mk(
                    ExprKind::FnToClosure(Box::new(e), true),
                    target.clone(),
                    span,
                )
            }
            (Ty::Float(FloatTy::F32), Ty::Float(FloatTy::F64)) => cast(e),
            (Ty::Ptr(_), Ty::Ptr(_)) if e.ty == u8p || *target == u8p => cast(e),
            (Ty::Str, Ty::Ptr(_)) if *target == u8p || *target == i8p => cast(e),
            (Ty::Ptr(_), Ty::Str) if e.ty == u8p || e.ty == i8p => cast(e),
            (Ty::Array(elem, _), Ty::Ptr(t)) if elem == t => {
                let elem = (**elem).clone();
                let base = if e.is_place() {
                    e
                } else {
                    let ety = e.ty.clone();
                    let tmp = ctx.hidden(ety.clone(), span);
                    let local = mk(ExprKind::Local(tmp), ety, span);
                    let first = self.decay(local, elem.clone());
                    let ty = first.ty.clone();
                    return mk(
                        ExprKind::Block(vec![Stmt::Let(tmp, Some(e))], Some(Box::new(first))),
                        ty,
                        span,
                    );
                };
                self.decay(base, elem)
            }
            _ => {
                let (a, b) = (self.ty_name(target), self.ty_name(&e.ty));
                self.report(diag::mismatched_types(blame(&e), &a, &b));
                error_expr(span)
            }
        }
    }

    /// `&array[0]`: the pointer an array decays to.
    fn decay(&self, array: Expr, elem: Ty) -> Expr {
        let span = array.span;
        let zero = mk(ExprKind::Int(0), Ty::I64, span);
        let first = mk(
            ExprKind::Index(Box::new(array), Box::new(zero)),
            elem.clone(),
            span,
        );
        mk(
            ExprKind::AddrOf(Box::new(first)),
            Ty::Ptr(Box::new(elem)),
            span,
        )
    }
}
