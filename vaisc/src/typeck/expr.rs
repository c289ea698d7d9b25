//! Checking and lowering of expressions: literals, names, fields, indexing, operators, casts
//! and conditionals. Blocks, statements, loops, assignments and implicit conversions are in
//! `stmt.rs`.
//!
//! Checking is bidirectional: each expression is checked against the type its context expects,
//! if any, which is how integer and float literals get their types. An operand that diverges
//! makes its operation a block that evaluates the operands in order and has type `!`
//! ([`diverge`]); an erroneous one makes it an expression of the error type ([`error_expr`]).

use super::consts::int_fits;
use super::{Checker, FnCtx, Value};
use crate::ast::{self, BinOp as AstBin, ExprKind as E, UnOp as AstUn};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{BinOp, Expr, ExprKind, IntTy, Stmt, Ty, UnOp};

pub(super) fn mk(kind: ExprKind, ty: Ty, span: Span) -> Expr {
    Expr { kind, ty, span }
}

/// The expression that stands for something already reported: type `Error` is compatible with
/// every context, so no follow-on errors are reported about it.
pub(super) fn error_expr(span: Span) -> Expr {
    mk(ExprKind::Unreachable, Ty::Error, span)
}

/// An operation one of whose operands diverges: the operands are still evaluated in order (the
/// diverging one leaves), and the operation itself is never reached, so the whole has type `!`.
pub(super) fn diverge(parts: Vec<Expr>, span: Span) -> Expr {
    let stmts = parts.into_iter().map(Stmt::Expr).collect();
    mk(ExprKind::Block(stmts, None), Ty::Never, span)
}

/// A diverging expression used where a value of type `ty` is needed (a condition, say): its
/// code runs, and the value it would have given is unreachable.
pub(super) fn settle(e: Expr, ty: Ty) -> Expr {
    let span = e.span;
    let never = mk(ExprKind::Unreachable, ty.clone(), span);
    mk(
        ExprKind::Block(vec![Stmt::Expr(e)], Some(Box::new(never))),
        ty,
        span,
    )
}

/// A constant's value, used in place of its name.
fn const_expr(value: crate::tir::Const, ty: Ty, span: Span) -> Expr {
    use crate::tir::Const;
    let kind = match value {
        Const::Int(v) => ExprKind::Int(v),
        Const::Float(v) => ExprKind::Float(v),
        Const::Bool(b) => ExprKind::Bool(b),
        Const::Str(s) => ExprKind::Str(s),
        // Only a constant whose type is in error has another value.
        _ => return error_expr(span),
    };
    mk(kind, ty, span)
}

/// Where a type mismatch of `e` is best shown: the value a block ends with, not the block.
pub(super) fn blame(e: &Expr) -> Span {
    match &e.kind {
        ExprKind::Block(_, Some(tail)) => blame(tail),
        _ => e.span,
    }
}

/// A literal whose type comes from its context; checking the other operand first lets
/// `2 * x` take the type of `x`.
///
/// Long operator chains lean left (`1 + 2 + x` is `(1 + 2) + x`), so the walk goes down the left
/// spine in a loop and looks at each right operand first: a chain with a non-literal term near
/// its end is recognised at once, however long it is.
pub(super) fn is_flexible_literal(mut e: &ast::Expr) -> bool {
    loop {
        match &e.kind {
            E::Int(_) | E::Float(_) => return true,
            E::Unary(AstUn::Neg, inner) => e = inner,
            E::Binary(op, a, b)
                if !is_comparison(*op) && !matches!(op, AstBin::And | AstBin::Or) =>
            {
                if !is_flexible_literal(b) {
                    return false;
                }
                e = a;
            }
            _ => return false,
        }
    }
}

fn is_comparison(op: AstBin) -> bool {
    matches!(
        op,
        AstBin::Eq | AstBin::Ne | AstBin::Lt | AstBin::Le | AstBin::Gt | AstBin::Ge
    )
}

fn bin_op(op: AstBin) -> BinOp {
    match op {
        AstBin::Add => BinOp::Add,
        AstBin::Sub => BinOp::Sub,
        AstBin::Mul => BinOp::Mul,
        AstBin::Div => BinOp::Div,
        AstBin::Rem => BinOp::Rem,
        AstBin::BitAnd => BinOp::BitAnd,
        AstBin::BitOr => BinOp::BitOr,
        AstBin::BitXor => BinOp::BitXor,
        AstBin::Shl => BinOp::Shl,
        AstBin::Shr => BinOp::Shr,
        AstBin::Eq => BinOp::Eq,
        AstBin::Ne => BinOp::Ne,
        AstBin::Lt => BinOp::Lt,
        AstBin::Le => BinOp::Le,
        AstBin::Gt => BinOp::Gt,
        AstBin::Ge => BinOp::Ge,
        // Short-circuit operators are lowered separately and never reach here.
        AstBin::And | AstBin::Or => BinOp::BitAnd,
    }
}

/// The first branch of `I` (its block) or of `?:` (an expression). The block is checked as it
/// is: wrapping it in an expression would copy the whole tree under it, at every level of
/// nested `I`s.
#[derive(Clone, Copy)]
enum Branch<'a> {
    Block(&'a ast::Block),
    Expr(&'a ast::Expr),
}

impl Checker {
    pub(super) fn expr(&mut self, ctx: &mut FnCtx, e: &ast::Expr, expected: Option<&Ty>) -> Expr {
        let span = e.span;
        match &e.kind {
            E::Int(v) => self.int_literal(*v as i128, expected, span),
            E::Float(v) => {
                let ty = match expected {
                    Some(t @ Ty::Float(_)) => t.clone(),
                    _ => Ty::F64,
                };
                mk(ExprKind::Float(*v), ty, span)
            }
            E::Str(s) => mk(ExprKind::Str(s.clone()), Ty::Str, span),
            E::Char(b) => mk(ExprKind::Int(i128::from(*b)), Ty::Int(IntTy::U8), span),
            E::SizeOf(t) => {
                let self_ty = ctx.self_ty.clone();
                let ty = self.resolve_ty(t, self_ty.as_ref());
                if ty.has_error() {
                    return error_expr(span);
                }
                mk(ExprKind::SizeOf(ty), Ty::I64, span)
            }
            E::Slice(..) => {
                self.report(diag::slice_outside_loop(span));
                error_expr(span)
            }
            E::Tuple(elems) => self.tuple_lit(ctx, elems, expected, span),
            E::Bool(b) => mk(ExprKind::Bool(*b), Ty::Bool, span),
            E::Unit => mk(ExprKind::Unit, Ty::Unit, span),
            E::Error => error_expr(span),
            E::Unparsed => {
                self.report(diag::unparsed_body(span));
                error_expr(span)
            }
            E::Name(n) => self.name(ctx, n, expected, span),
            E::SelfValue => match ctx.lookup("self") {
                Some(id) => mk(ExprKind::Local(id), ctx.local_ty(id).clone(), span),
                None if ctx.sees("self") => self.capture(ctx, "self", span),
                None => {
                    self.report(diag::self_outside_method(span));
                    error_expr(span)
                }
            },
            E::Field(base, name) => self.field(ctx, base, name, expected, span),
            E::Try(inner) => self.try_expr(ctx, inner, span),
            E::Call(callee, args) => self.call(ctx, callee, args, expected, span),
            E::SelfCall(args) => {
                if ctx.capture.is_some() {
                    self.report(diag::self_call_in_closure(span));
                    for a in args {
                        self.expr(ctx, a, None);
                    }
                    return error_expr(span);
                }
                let func = ctx.func;
                self.direct_call(ctx, func, Vec::new(), args, span)
            }
            E::MethodCall(base, name, args) => {
                self.method_call(ctx, base, name, args, expected, span)
            }
            E::Index(base, index) => self.index(ctx, base, index, span),
            E::Unary(op, operand) => self.unary(ctx, *op, operand, expected, span),
            E::Binary(op, a, b) => self.binary(ctx, *op, a, b, expected, span),
            E::Cast(inner, ty) => self.cast(ctx, inner, ty, span),
            E::Ternary(c, a, b) => {
                let cond = self.condition(ctx, c);
                self.branches(ctx, cond, Branch::Expr(a), Some(b), expected, span)
            }
            E::StructLit(path, fields) => self.struct_lit(ctx, path, fields, expected, span),
            E::ArrayLit(elems) => self.array_lit(ctx, elems, expected, span),
            E::ArrayRepeat(v, count) => self.array_repeat(ctx, v, count, expected, span),
            E::Block(b) => self.block(ctx, b, expected),
            E::If(c, then, other) => {
                let cond = self.condition(ctx, c);
                self.branches(
                    ctx,
                    cond,
                    Branch::Block(then),
                    other.as_deref(),
                    expected,
                    span,
                )
            }
            E::Loop(head, body) => self.loop_expr(ctx, head, body, span),
            E::Match(scrutinee, arms) => self.match_expr(ctx, scrutinee, arms, expected, span),
            E::Break | E::Continue => {
                let is_break = matches!(e.kind, E::Break);
                match ctx.loops.last_mut() {
                    Some(broken) => *broken |= is_break,
                    None if is_break => self.report(diag::outside_loop(span, 'B', "break")),
                    None => self.report(diag::outside_loop(span, 'C', "continue")),
                }
                let kind = if is_break {
                    ExprKind::Break
                } else {
                    ExprKind::Continue
                };
                mk(kind, Ty::Never, span)
            }
            E::Closure(c) => self.closure_lit(ctx, c, expected, span),
            E::Return(value) => {
                ctx.first_return.get_or_insert(span);
                let ret = ctx.ret.clone();
                let value = match value {
                    Some(v) if ret == Ty::Unit => {
                        // `R value` in a function returning nothing is a mistake, not a value
                        // to discard.
                        let v = self.expr(ctx, v, None);
                        if v.ty != Ty::Unit && !v.ty.fits_anywhere() {
                            let found = self.ty_name(&v.ty);
                            self.report(diag::mismatched_types(v.span, "()", &found));
                        }
                        Some(Box::new(v))
                    }
                    Some(v) => {
                        let v = self.expr(ctx, v, Some(&ret));
                        Some(Box::new(self.coerce(ctx, v, &ret)))
                    }
                    None => {
                        if ret != Ty::Unit && !ret.fits_anywhere() {
                            let r = self.ty_name(&ret);
                            self.report(diag::mismatched_types(span, &r, "()"));
                        }
                        None
                    }
                };
                mk(ExprKind::Return(value), Ty::Never, span)
            }
            E::Assign(op, lhs, rhs) => self.assign(ctx, *op, lhs, rhs, span),
            E::Await(task) => self.await_expr(ctx, task, span),
            E::Spawn(call) => self.spawn_expr(ctx, call, span),
        }
    }

    fn int_literal(&mut self, v: i128, expected: Option<&Ty>, span: Span) -> Expr {
        match expected {
            Some(Ty::Int(it)) => {
                if !int_fits(v, *it) {
                    self.report(diag::literal_out_of_range(span, it.name()));
                }
                mk(ExprKind::Int(v), Ty::Int(*it), span)
            }
            Some(t @ Ty::Float(_)) => mk(ExprKind::Float(v as f64), t.clone(), span),
            Some(t @ (Ty::Ptr(_) | Ty::Str | Ty::Fn(_))) if v == 0 => {
                mk(ExprKind::Int(0), t.clone(), span)
            }
            _ => {
                if !int_fits(v, IntTy::I64) {
                    self.report(diag::literal_out_of_range(span, "i64"));
                }
                mk(ExprKind::Int(v), Ty::I64, span)
            }
        }
    }

    fn name(&mut self, ctx: &mut FnCtx, n: &str, expected: Option<&Ty>, span: Span) -> Expr {
        if let Some(id) = ctx.lookup(n) {
            return mk(ExprKind::Local(id), ctx.local_ty(id).clone(), span);
        }
        if ctx.sees(n) {
            return self.capture(ctx, n, span);
        }
        match self.values.get(n).copied() {
            Some(Value::Global(g)) => {
                let ty = self.program.globals[g].ty.clone();
                return mk(ExprKind::Global(g), ty, span);
            }
            Some(Value::Func(f)) => return self.fn_value(f, span),
            Some(Value::Generic(_)) => {
                self.report(diag::generic_fn_value(span, n));
                return error_expr(span);
            }
            Some(Value::Const(id)) => {
                let (ty, value) = self.const_item(id);
                return const_expr(value, ty, span);
            }
            None => {}
        }
        if let Some(f) = self.builtin_function(n) {
            return self.func_ref(f, span);
        }
        if let Some(found) = self.variants.get(n).copied() {
            return match found {
                Some((eid, vid)) => self.enum_value(ctx, eid, vid, &[], span),
                None => {
                    self.report(diag::ambiguous_variant(span, n));
                    error_expr(span)
                }
            };
        }
        if let Some(found) = self.generic_bare_variant(n, span) {
            return match found {
                Some((g, vid)) => self.generic_variant(ctx, &g, vid, &[], expected, span),
                None => error_expr(span),
            };
        }
        let generic = self.generics.types.contains_key(n);
        if generic || self.types.contains_key(n) || super::collect::primitive(n).is_some() {
            self.report(diag::value_is_type(span, n));
        } else {
            self.report(diag::unknown_variable(span, n));
        }
        error_expr(span)
    }

    pub(super) fn func_ref(&self, f: crate::tir::FuncId, span: Span) -> Expr {
        let ty = Ty::Fn(Box::new(self.program.functions[f].ty.clone()));
        mk(ExprKind::FuncRef(f), ty, span)
    }

    /// Follows pointers until a non-pointer type, making each dereference explicit.
    pub(super) fn auto_deref(&self, mut e: Expr) -> Expr {
        while let Ty::Ptr(inner) = &e.ty {
            let ty = (**inner).clone();
            let span = e.span;
            e = mk(ExprKind::Deref(Box::new(e)), ty, span);
        }
        e
    }

    fn field(
        &mut self,
        ctx: &mut FnCtx,
        base: &ast::Expr,
        name: &ast::Ident,
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        if let Some(g) = self.generic_type_named(ctx, base) {
            if !self.is_generic_enum(&g) {
                self.report(diag::unknown_field(name.span, &name.name, &g));
                return error_expr(span);
            }
            return self.generic_path_call(ctx, &g, name, &[], expected, span);
        }
        if let Some(ty) = self.type_path(ctx, base) {
            return match ty {
                Ty::Enum(eid) => match self.variant_index(eid, &name.name, name.span) {
                    Some(vid) => self.enum_value(ctx, eid, vid, &[], span),
                    None => error_expr(span),
                },
                other => {
                    let t = self.ty_name(&other);
                    self.report(diag::unknown_field(name.span, &name.name, &t));
                    error_expr(span)
                }
            };
        }
        let base = self.expr(ctx, base, None);
        let base = self.auto_deref(base);
        match &base.ty {
            Ty::Struct(id) => {
                let def = &self.program.structs[*id];
                match def.fields.iter().position(|f| f.name == name.name) {
                    Some(i) => {
                        let ty = def.fields[i].ty.clone();
                        mk(ExprKind::Field(Box::new(base), i as u32), ty, span)
                    }
                    None => {
                        let t = def.name.clone();
                        self.report(diag::unknown_field(name.span, &name.name, &t));
                        error_expr(span)
                    }
                }
            }
            Ty::Never => diverge(vec![base], span),
            Ty::Error => error_expr(span),
            other => {
                let t = self.ty_name(other);
                self.report(diag::not_a_struct(name.span, &t));
                error_expr(span)
            }
        }
    }

    /// If `e` names a type (and no variable shadows it), that type.
    pub(super) fn type_path(&mut self, ctx: &FnCtx, e: &ast::Expr) -> Option<Ty> {
        let name = match &e.kind {
            E::Name(n) => n.as_str(),
            _ => return None,
        };
        if ctx.sees(name) || self.values.contains_key(name) {
            return None;
        }
        if name == "Self" {
            return ctx.self_ty.clone();
        }
        if !self.types.contains_key(name) {
            return None;
        }
        let texpr = ast::TypeExpr {
            kind: ast::TypeKind::Named(ast::Name::new(name)),
            span: e.span,
        };
        Some(self.resolve_ty(&texpr, None))
    }

    fn index(&mut self, ctx: &mut FnCtx, base: &ast::Expr, index: &ast::Expr, span: Span) -> Expr {
        let base = self.expr(ctx, base, None);
        let index = self.expr(ctx, index, Some(&Ty::I64));
        let index = self.index_to_i64(index);
        let (kind, ty) = match base.ty.clone() {
            Ty::Array(elem, _) => (ExprKind::Index(Box::new(base), Box::new(index)), *elem),
            Ty::Ptr(elem) => (ExprKind::PtrIndex(Box::new(base), Box::new(index)), *elem),
            Ty::Str => (
                ExprKind::PtrIndex(Box::new(base), Box::new(index)),
                Ty::Int(IntTy::U8),
            ),
            ref t if self.base_name(t) == "Vec" => return self.vec_index(ctx, base, index, span),
            _ if index.ty == Ty::Error => return error_expr(span),
            Ty::Never => return diverge(vec![base, index], span),
            _ if index.ty == Ty::Never => return diverge(vec![base, index], span),
            Ty::Error => return error_expr(span),
            other => {
                let t = self.ty_name(&other);
                self.report(diag::cannot_index(span, &t));
                return error_expr(span);
            }
        };
        mk(kind, ty, span)
    }

    /// Converts any integer to `i64`, as indices and pointer offsets need.
    fn index_to_i64(&mut self, e: Expr) -> Expr {
        match &e.ty {
            Ty::Int(IntTy::I64) | Ty::Never | Ty::Error => e,
            Ty::Int(_) => {
                let span = e.span;
                mk(ExprKind::Cast(Box::new(e)), Ty::I64, span)
            }
            other => {
                let t = self.ty_name(other);
                self.report(diag::mismatched_types(e.span, "an integer", &t));
                e
            }
        }
    }

    fn unary(
        &mut self,
        ctx: &mut FnCtx,
        op: AstUn,
        operand: &ast::Expr,
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        if let (AstUn::Neg, E::Int(v)) = (op, &operand.kind) {
            return self.int_literal(-(*v as i128), expected, span);
        }
        if let (AstUn::Neg, E::Float(v)) = (op, &operand.kind) {
            let ty = match expected {
                Some(t @ Ty::Float(_)) => t.clone(),
                _ => Ty::F64,
            };
            return mk(ExprKind::Float(-v), ty, span);
        }
        let sym = match op {
            AstUn::Neg => "-",
            AstUn::Not => "!",
            AstUn::BitNot => "~",
            AstUn::Deref => "*",
            AstUn::AddrOf => "&",
        };
        match op {
            AstUn::AddrOf => {
                let inner_expected = match expected {
                    Some(Ty::Ptr(inner)) => Some((**inner).clone()),
                    _ => None,
                };
                let v = self.expr(ctx, operand, inner_expected.as_ref());
                self.address_of(ctx, v, span)
            }
            AstUn::Deref => {
                let v = self.expr(ctx, operand, None);
                let ty = match &v.ty {
                    Ty::Ptr(inner) => (**inner).clone(),
                    Ty::Str => Ty::Int(IntTy::U8),
                    Ty::Never => return diverge(vec![v], span),
                    Ty::Error => return error_expr(span),
                    other => {
                        let t = self.ty_name(other);
                        self.report(diag::cannot_deref(span, &t));
                        return error_expr(span);
                    }
                };
                mk(ExprKind::Deref(Box::new(v)), ty, span)
            }
            AstUn::Neg | AstUn::Not | AstUn::BitNot => {
                let numeric = expected.filter(|t| t.is_int() || t.is_float());
                let v = self.expr(ctx, operand, numeric);
                let tir_op = match (&v.ty, op) {
                    (Ty::Int(_) | Ty::Float(_), AstUn::Neg) => UnOp::Neg,
                    (Ty::Bool, AstUn::Not) => UnOp::Not,
                    (Ty::Int(_), AstUn::Not | AstUn::BitNot) => UnOp::BitNot,
                    (Ty::Never, _) => return diverge(vec![v], span),
                    (Ty::Error, _) => return error_expr(span),
                    (other, _) => {
                        let t = self.ty_name(other);
                        self.report(diag::invalid_operand(span, sym, &t));
                        return error_expr(span);
                    }
                };
                let ty = v.ty.clone();
                mk(ExprKind::Unary(tir_op, Box::new(v)), ty, span)
            }
        }
    }

    /// `&v`: the address of a place, or of a temporary holding a non-place value such as a
    /// struct literal.
    pub(super) fn address_of(&mut self, ctx: &mut FnCtx, v: Expr, span: Span) -> Expr {
        match v.ty {
            Ty::Never => return diverge(vec![v], span),
            Ty::Error => return error_expr(span),
            _ => {}
        }
        let ty = Ty::Ptr(Box::new(v.ty.clone()));
        if v.is_place() {
            return mk(ExprKind::AddrOf(Box::new(v)), ty, span);
        }
        if matches!(v.ty, Ty::Unit)
            || !matches!(
                v.kind,
                ExprKind::StructLit(..)
                    | ExprKind::ArrayLit(..)
                    | ExprKind::ArrayRepeat(..)
                    | ExprKind::EnumLit(..)
                    | ExprKind::Call { .. }
            )
        {
            let mut d = diag::not_a_place(v.span, "take the address of");
            if matches!(v.kind, ExprKind::Cast(_)) {
                d = d.with_help("`as` binds tighter than `&`: write `(&x) as T`");
            }
            self.report(d);
            return error_expr(span);
        }
        self.spill_address(ctx, v, span)
    }

    /// Stores a value in a fresh hidden local and yields the local's address.
    pub(super) fn spill_address(&mut self, ctx: &mut FnCtx, v: Expr, span: Span) -> Expr {
        let vty = v.ty.clone();
        let tmp = ctx.hidden(vty.clone(), span);
        let local = mk(ExprKind::Local(tmp), vty.clone(), span);
        let addr = mk(
            ExprKind::AddrOf(Box::new(local)),
            Ty::Ptr(Box::new(vty)),
            span,
        );
        let ty = addr.ty.clone();
        mk(
            ExprKind::Block(vec![Stmt::Let(tmp, Some(v))], Some(Box::new(addr))),
            ty,
            span,
        )
    }

    /// A `bool` condition of `I`, `L` or `?:`.
    pub(super) fn condition(&mut self, ctx: &mut FnCtx, c: &ast::Expr) -> Expr {
        let cond = self.expr(ctx, c, Some(&Ty::Bool));
        if cond.ty == Ty::Never {
            return settle(cond, Ty::Bool);
        }
        self.coerce(ctx, cond, &Ty::Bool)
    }

    fn binary(
        &mut self,
        ctx: &mut FnCtx,
        op: AstBin,
        a: &ast::Expr,
        b: &ast::Expr,
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        if matches!(op, AstBin::And | AstBin::Or) {
            let l = self.condition(ctx, a);
            let r = self.condition(ctx, b);
            let kind = if op == AstBin::And {
                ExprKind::And(Box::new(l), Box::new(r))
            } else {
                ExprKind::Or(Box::new(l), Box::new(r))
            };
            return mk(kind, Ty::Bool, span);
        }
        let hint = if is_comparison(op) {
            None
        } else {
            expected.filter(|t| t.is_int() || t.is_float())
        };
        let (l, r) = if is_flexible_literal(a) && !is_flexible_literal(b) {
            let r = self.expr(ctx, b, hint);
            let rty = r.ty.clone();
            let l = self.expr(ctx, a, Some(&rty));
            (l, r)
        } else {
            let l = self.expr(ctx, a, hint);
            let lty = match (&l.ty, op) {
                // A pointer offset or shift amount has its own type.
                (Ty::Ptr(_) | Ty::Str, AstBin::Add | AstBin::Sub) => Ty::I64,
                (Ty::Ptr(_) | Ty::Str, _) if is_comparison(op) => l.ty.clone(),
                (Ty::Int(_), AstBin::Shl | AstBin::Shr) if is_flexible_literal(b) => l.ty.clone(),
                _ => l.ty.clone(),
            };
            let r = self.expr(ctx, b, Some(&lty));
            (l, r)
        };
        if Checker::is_struct_eq(op, &l, &r) {
            return self.struct_eq(ctx, op, l, r, span);
        }
        self.binary_typed(op, l, r, span)
    }

    /// Builds a binary operation on checked operands, enforcing the operand rules.
    pub(super) fn binary_typed(&mut self, op: AstBin, l: Expr, r: Expr, span: Span) -> Expr {
        if l.ty.has_error() || r.ty.has_error() {
            return error_expr(span);
        }
        if l.ty == Ty::Never || r.ty == Ty::Never {
            return diverge(vec![l, r], span);
        }
        let sym = op.symbol();
        // Pointer arithmetic: `p + i` is `&p[i]`, `p - i` is `&p[-i]`.
        if let (Ty::Ptr(elem), Ty::Int(_), AstBin::Add | AstBin::Sub) = (&l.ty, &r.ty, op) {
            let elem = (**elem).clone();
            let mut offset = self.index_to_i64(r);
            if op == AstBin::Sub {
                let ospan = offset.span;
                offset = mk(ExprKind::Unary(UnOp::Neg, Box::new(offset)), Ty::I64, ospan);
            }
            let pty = l.ty.clone();
            let place = mk(
                ExprKind::PtrIndex(Box::new(l), Box::new(offset)),
                elem,
                span,
            );
            return mk(ExprKind::AddrOf(Box::new(place)), pty, span);
        }
        if matches!(op, AstBin::Shl | AstBin::Shr) {
            let (Ty::Int(_), Ty::Int(_)) = (&l.ty, &r.ty) else {
                let t = self.ty_name(if l.ty.is_int() { &r.ty } else { &l.ty });
                self.report(diag::invalid_operand(span, sym, &t));
                return error_expr(span);
            };
            let ty = l.ty.clone();
            let r = if r.ty == ty {
                r
            } else {
                let rspan = r.span;
                mk(ExprKind::Cast(Box::new(r)), ty.clone(), rspan)
            };
            return mk(
                ExprKind::Binary(bin_op(op), Box::new(l), Box::new(r)),
                ty,
                span,
            );
        }
        if l.ty != r.ty {
            let (a, b) = (self.ty_name(&l.ty), self.ty_name(&r.ty));
            let text = l.ty == Ty::Str || r.ty == Ty::Str;
            let d = if text && op == AstBin::Add {
                diag::text_plus_value(span, &a, &b)
            } else {
                diag::operand_mismatch(span, sym, &a, &b)
            };
            self.report(d);
            return error_expr(span);
        }
        let ty = l.ty.clone();
        let ok = match op {
            AstBin::Add | AstBin::Sub | AstBin::Mul | AstBin::Div | AstBin::Rem => {
                ty.is_int() || ty.is_float()
            }
            AstBin::BitAnd | AstBin::BitOr | AstBin::BitXor => ty.is_int() || ty == Ty::Bool,
            AstBin::Eq | AstBin::Ne => {
                ty.is_int() || ty.is_float() || ty == Ty::Bool || ty.is_pointer_like()
            }
            _ => ty.is_int() || ty.is_float() || ty.is_pointer_like(),
        };
        if !ok {
            let t = self.ty_name(&ty);
            self.report(diag::invalid_operand(span, sym, &t));
            return error_expr(span);
        }
        let result = if is_comparison(op) { Ty::Bool } else { ty };
        mk(
            ExprKind::Binary(bin_op(op), Box::new(l), Box::new(r)),
            result,
            span,
        )
    }

    fn cast(&mut self, ctx: &mut FnCtx, inner: &ast::Expr, ty: &ast::TypeExpr, span: Span) -> Expr {
        let self_ty = ctx.self_ty.clone();
        let target = self.resolve_ty(ty, self_ty.as_ref());
        let hint = if target.is_int() || target.is_float() {
            None
        } else {
            Some(&target)
        };
        let v = self.expr(ctx, inner, hint);
        if v.ty.has_error() || target.has_error() {
            return error_expr(span);
        }
        if v.ty == target || v.ty == Ty::Never {
            let mut v = v;
            v.span = span;
            return v;
        }
        let numeric = |t: &Ty| t.is_int() || t.is_float();
        let pointer = |t: &Ty| t.is_pointer_like();
        let ok = (numeric(&v.ty) && numeric(&target))
            || (v.ty == Ty::Bool && target.is_int())
            || (pointer(&v.ty) && pointer(&target))
            || (pointer(&v.ty) && target.is_int())
            || (v.ty.is_int() && pointer(&target));
        if !ok {
            let (a, b) = (self.ty_name(&v.ty), self.ty_name(&target));
            self.report(diag::invalid_cast(span, &a, &b));
            return error_expr(span);
        }
        mk(ExprKind::Cast(Box::new(v)), target, span)
    }

    /// `I`/`?:` with both branches: the result type is the branches' common type.
    fn branch(&mut self, ctx: &mut FnCtx, branch: Branch, expected: Option<&Ty>) -> Expr {
        match branch {
            Branch::Block(b) => self.block(ctx, b, expected),
            Branch::Expr(e) => self.expr(ctx, e, expected),
        }
    }

    fn branches(
        &mut self,
        ctx: &mut FnCtx,
        cond: Expr,
        then: Branch,
        other: Option<&ast::Expr>,
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let Some(other) = other else {
            let then = self.branch(ctx, then, Some(&Ty::Unit));
            let then = self.coerce(ctx, then, &Ty::Unit);
            return mk(
                ExprKind::If(Box::new(cond), Box::new(then), None),
                Ty::Unit,
                span,
            );
        };
        let mut then = self.branch(ctx, then, expected);
        let hint = match (&then.ty, expected) {
            (Ty::Never, e) => e.cloned(),
            (t, _) => Some(t.clone()),
        };
        let mut other = self.expr(ctx, other, hint.as_ref());
        let ty = if then.ty == Ty::Never {
            other.ty.clone()
        } else {
            let t = then.ty.clone();
            other = self.coerce(ctx, other, &t);
            t
        };
        if expected == Some(&Ty::Unit) && ty != Ty::Unit && !ty.fits_anywhere() {
            then = self.coerce(ctx, then, &Ty::Unit);
            other = self.coerce(ctx, other, &Ty::Unit);
            return mk(
                ExprKind::If(Box::new(cond), Box::new(then), Some(Box::new(other))),
                Ty::Unit,
                span,
            );
        }
        mk(
            ExprKind::If(Box::new(cond), Box::new(then), Some(Box::new(other))),
            ty,
            span,
        )
    }
}
