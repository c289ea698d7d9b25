//! The for-each loop `L x: arr { }` over a fixed array, a slice `p[a..b]` or a `Vec`, and
//! `arr.len()`.
//!
//! A for-each is lowered to a counting `while` loop, so code generation needs nothing new:
//! the array's address (or the pointer and the slice's end) is computed once before the loop,
//! and each iteration copies the element into the loop variable before the body runs. The
//! counter is advanced before the body, so `C` (continue) moves on to the next element.

use super::expr::{error_expr, mk};
use super::{Checker, FnCtx};
use crate::ast;
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{BinOp, Expr, ExprKind, LocalId, LoopKind, Stmt, Ty};

/// Where the elements come from, once evaluated.
struct Source {
    /// Statements run once before the loop.
    setup: Vec<Stmt>,
    /// The element at the counter, given a counter expression.
    elem: Box<dyn Fn(Expr) -> Expr>,
    elem_ty: Ty,
    /// The counter's first value and the bound it is compared with.
    start: Expr,
    end: Expr,
    inclusive: bool,
}

fn local(id: LocalId, ty: &Ty, span: Span) -> Expr {
    mk(ExprKind::Local(id), ty.clone(), span)
}

impl Checker {
    pub(super) fn each_loop(
        &mut self,
        ctx: &mut FnCtx,
        var: &ast::Ident,
        iter: &ast::Expr,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        let Some(src) = self.each_source(ctx, iter) else {
            // Still check the body, with the variable of the error type.
            ctx.push_scope();
            ctx.declare(&var.name, Ty::Error, var.span, false);
            ctx.loops.push(false);
            self.block(ctx, body, Some(&Ty::Unit));
            ctx.loops.pop();
            ctx.pop_scope();
            return error_expr(span);
        };
        let Source {
            mut setup,
            elem,
            elem_ty,
            start,
            end,
            inclusive,
        } = src;
        let counter = ctx.hidden(Ty::I64, span);
        let bound = ctx.hidden(Ty::I64, span);
        setup.push(Stmt::Let(counter, Some(start)));
        setup.push(Stmt::Let(bound, Some(end)));
        let op = if inclusive { BinOp::Le } else { BinOp::Lt };
        let cond = mk(
            ExprKind::Binary(
                op,
                Box::new(local(counter, &Ty::I64, span)),
                Box::new(local(bound, &Ty::I64, span)),
            ),
            Ty::Bool,
            span,
        );
        ctx.push_scope();
        let v = ctx.declare(&var.name, elem_ty, var.span, false);
        let first = Stmt::Let(v, Some(elem(local(counter, &Ty::I64, span))));
        let step = mk(
            ExprKind::CompoundAssign(
                BinOp::Add,
                Box::new(local(counter, &Ty::I64, span)),
                Box::new(mk(ExprKind::Int(1), Ty::I64, span)),
            ),
            Ty::Unit,
            span,
        );
        ctx.loops.push(false);
        let body = self.block(ctx, body, Some(&Ty::Unit));
        let body = self.coerce(ctx, body, &Ty::Unit);
        ctx.loops.pop();
        ctx.pop_scope();
        let inner = mk(
            ExprKind::Block(vec![first, Stmt::Expr(step), Stmt::Expr(body)], None),
            Ty::Unit,
            span,
        );
        let lp = mk(
            ExprKind::Loop(LoopKind::While(Box::new(cond)), Box::new(inner)),
            Ty::Unit,
            span,
        );
        mk(ExprKind::Block(setup, Some(Box::new(lp))), Ty::Unit, span)
    }

    /// Evaluates what a for-each iterates over; `None` when it is not iterable (reported).
    fn each_source(&mut self, ctx: &mut FnCtx, iter: &ast::Expr) -> Option<Source> {
        if let ast::ExprKind::Slice(base, lo, hi, inclusive) = &iter.kind {
            return self.slice_source(ctx, base, lo, hi, *inclusive, iter.span);
        }
        let arr = self.expr(ctx, iter, None);
        let arr = self.auto_deref(arr);
        if self.base_name(&arr.ty) == "Vec" {
            return self.vec_source(ctx, arr, iter.span);
        }
        let (elem_ty, n) = match &arr.ty {
            Ty::Array(elem, n) => ((**elem).clone(), *n),
            Ty::Error => return None,
            other => {
                let t = self.ty_name(other);
                self.report(diag::not_iterable(iter.span, &t));
                return None;
            }
        };
        let span = iter.span;
        // The array's address is taken once: a place is iterated in place (as its elements
        // are when the loop starts each iteration), any other value is copied to a temporary.
        let arr_ty = arr.ty.clone();
        let ptr_ty = Ty::Ptr(Box::new(arr_ty.clone()));
        let mut setup = Vec::new();
        let addr = if arr.is_place() {
            mk(ExprKind::AddrOf(Box::new(arr)), ptr_ty.clone(), span)
        } else {
            self.spill_address(ctx, arr, span)
        };
        let p = ctx.hidden(ptr_ty.clone(), span);
        setup.push(Stmt::Let(p, Some(addr)));
        let et = elem_ty.clone();
        let elem = Box::new(move |i: Expr| {
            let base = mk(
                ExprKind::Deref(Box::new(local(p, &ptr_ty, span))),
                arr_ty.clone(),
                span,
            );
            mk(
                ExprKind::Index(Box::new(base), Box::new(i)),
                et.clone(),
                span,
            )
        });
        Some(Source {
            setup,
            elem,
            elem_ty,
            start: mk(ExprKind::Int(0), Ty::I64, span),
            end: mk(ExprKind::Int(i128::from(n)), Ty::I64, span),
            inclusive: false,
        })
    }

    /// A `Vec`: its length is read once, before the loop, and each element through its data
    /// pointer as it is when that iteration starts.
    fn vec_source(&mut self, ctx: &mut FnCtx, v: Expr, span: Span) -> Option<Source> {
        let Ty::Struct(id) = v.ty else {
            return None;
        };
        let field = |c: &Checker, name: &str| {
            let def = &c.program.structs[id];
            let i = def.fields.iter().position(|f| f.name == name)?;
            Some((i as u32, def.fields[i].ty.clone()))
        };
        let ((data, data_ty), (len, _)) = (field(self, "data")?, field(self, "len")?);
        let Ty::Ptr(elem_ty) = data_ty.clone() else {
            return None;
        };
        let vec_ty = v.ty.clone();
        let ptr_ty = Ty::Ptr(Box::new(vec_ty.clone()));
        let addr = if v.is_place() {
            mk(ExprKind::AddrOf(Box::new(v)), ptr_ty.clone(), span)
        } else {
            self.spill_address(ctx, v, span)
        };
        let p = ctx.hidden(ptr_ty.clone(), span);
        let the_vec = move || {
            mk(
                ExprKind::Deref(Box::new(local(p, &ptr_ty, span))),
                vec_ty.clone(),
                span,
            )
        };
        let end = mk(ExprKind::Field(Box::new(the_vec()), len), Ty::I64, span);
        let et = (*elem_ty).clone();
        let elem = Box::new(move |i: Expr| {
            let ptr = mk(
                ExprKind::Field(Box::new(the_vec()), data),
                data_ty.clone(),
                span,
            );
            mk(
                ExprKind::PtrIndex(Box::new(ptr), Box::new(i)),
                et.clone(),
                span,
            )
        });
        Some(Source {
            setup: vec![Stmt::Let(p, Some(addr))],
            elem,
            elem_ty: *elem_ty,
            start: mk(ExprKind::Int(0), Ty::I64, span),
            end,
            inclusive: false,
        })
    }

    fn slice_source(
        &mut self,
        ctx: &mut FnCtx,
        base: &ast::Expr,
        lo: &ast::Expr,
        hi: &ast::Expr,
        inclusive: bool,
        span: Span,
    ) -> Option<Source> {
        let b = self.expr(ctx, base, None);
        let lo = self.expr(ctx, lo, Some(&Ty::I64));
        let lo = self.coerce_index(ctx, lo);
        let hi = self.expr(ctx, hi, Some(&Ty::I64));
        let hi = self.coerce_index(ctx, hi);
        let (ptr, elem_ty) = match b.ty.clone() {
            Ty::Ptr(elem) => (b, *elem),
            Ty::Str => (b, Ty::Int(crate::tir::IntTy::U8)),
            Ty::Array(elem, _) if b.is_place() => {
                let pty = Ty::Ptr(elem.clone());
                let first = mk(
                    ExprKind::Index(Box::new(b), Box::new(mk(ExprKind::Int(0), Ty::I64, span))),
                    (*elem).clone(),
                    span,
                );
                (mk(ExprKind::AddrOf(Box::new(first)), pty, span), *elem)
            }
            Ty::Error => return None,
            other => {
                let t = self.ty_name(&other);
                self.report(diag::not_iterable(base.span, &t));
                return None;
            }
        };
        let ptr_ty = ptr.ty.clone();
        let p = ctx.hidden(ptr_ty.clone(), span);
        let et = elem_ty.clone();
        let elem = Box::new(move |i: Expr| {
            mk(
                ExprKind::PtrIndex(Box::new(local(p, &ptr_ty, span)), Box::new(i)),
                et.clone(),
                span,
            )
        });
        Some(Source {
            setup: vec![Stmt::Let(p, Some(ptr))],
            elem,
            elem_ty,
            start: lo,
            end: hi,
            inclusive,
        })
    }

    /// A slice bound converted to `i64` like an index.
    fn coerce_index(&mut self, ctx: &mut FnCtx, e: Expr) -> Expr {
        if e.ty.is_int() {
            self.coerce(ctx, e, &Ty::I64)
        } else {
            if !e.ty.fits_anywhere() {
                let t = self.ty_name(&e.ty);
                self.report(diag::mismatched_types(e.span, "an integer", &t));
            }
            e
        }
    }

    /// `arr.len()` on a fixed array (through pointers too): its length, a constant. The
    /// receiver is still evaluated, for its side effects.
    pub(super) fn array_len(&mut self, recv: Expr, n: u64, span: Span) -> Expr {
        let value = mk(ExprKind::Int(i128::from(n)), Ty::I64, span);
        if recv.is_place() {
            return value;
        }
        mk(
            ExprKind::Block(vec![Stmt::Expr(recv)], Some(Box::new(value))),
            Ty::I64,
            span,
        )
    }
}
