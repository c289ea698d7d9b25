//! Tuples: `(1, 2.5)`, the types `(i64, f64)`, `t.0`, and `(a, b) := e`.
//!
//! A tuple type is an anonymous struct with C layout whose fields are named `0`, `1`, ...: one
//! struct per distinct list of element types, created the first time the type is met and
//! named as the type is written (`(i64, f64)`), which no declared struct can be called. So
//! field access, assignment, parameters, return values, arrays of tuples, layout and hot
//! reload's layout checks all treat a tuple exactly as a struct.

use super::expr::{error_expr, mk};
use super::{Checker, FnCtx};
use crate::ast;
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{self, Expr, ExprKind, Stmt, StructId, Ty};

impl Checker {
    /// The struct standing for the tuple type with these elements.
    pub(super) fn tuple_ty(&mut self, elems: Vec<Ty>, span: Span) -> Ty {
        if elems.iter().any(Ty::has_error) {
            return Ty::Error;
        }
        if let Some(&id) = self.tuples.get(&elems) {
            return Ty::Struct(id);
        }
        let names: Vec<String> = elems.iter().map(|t| self.ty_name(t)).collect();
        let id = self.program.structs.len();
        self.program.structs.push(tir::StructDef {
            name: format!("({})", names.join(", ")),
            fields: elems
                .iter()
                .enumerate()
                .map(|(i, t)| tir::FieldDef {
                    name: i.to_string(),
                    ty: t.clone(),
                    default: None,
                })
                .collect(),
            span,
        });
        self.tuples.insert(elems, id);
        Ty::Struct(id)
    }

    /// The element types when `ty` is a tuple type.
    pub(super) fn tuple_elems(&self, ty: &Ty) -> Option<Vec<Ty>> {
        let Ty::Struct(id) = ty else {
            return None;
        };
        let def = &self.program.structs[*id as StructId];
        def.name
            .starts_with('(')
            .then(|| def.fields.iter().map(|f| f.ty.clone()).collect())
    }

    pub(super) fn tuple_lit(
        &mut self,
        ctx: &mut FnCtx,
        elems: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let hints = expected
            .and_then(|t| self.tuple_elems(t))
            .filter(|h| h.len() == elems.len());
        let mut values = Vec::new();
        for (i, e) in elems.iter().enumerate() {
            let hint = hints.as_ref().map(|h| h[i].clone());
            let v = self.expr(ctx, e, hint.as_ref());
            let v = match &hint {
                Some(h) => self.coerce(ctx, v, h),
                None => v,
            };
            values.push(v);
        }
        if values
            .iter()
            .any(|v| v.ty.fits_anywhere() || v.ty == Ty::Unit)
        {
            // A diverging or erroneous element: keep the evaluation order, no tuple value.
            if values.iter().any(|v| v.ty.has_error()) {
                return error_expr(span);
            }
            if let Some(v) = values.iter().find(|v| v.ty == Ty::Unit) {
                self.report(diag::mismatched_types(v.span, "a value", "()"));
                return error_expr(span);
            }
            return super::expr::diverge(values, span);
        }
        let ty = self.tuple_ty(values.iter().map(|v| v.ty.clone()).collect(), span);
        let Ty::Struct(id) = ty else {
            return error_expr(span);
        };
        mk(ExprKind::StructLit(id, values), ty, span)
    }

    /// `(a, b) := init`: the value is stored once, then each name gets its element.
    pub(super) fn tuple_let(
        &mut self,
        ctx: &mut FnCtx,
        names: &[ast::Ident],
        mutable: bool,
        init: &ast::Expr,
        out: &mut Vec<Stmt>,
    ) {
        let value = self.expr(ctx, init, None);
        let span = init.span;
        let elems = match self.tuple_elems(&value.ty) {
            Some(e) if e.len() == names.len() => Some(e),
            _ if value.ty.fits_anywhere() => None,
            _ => {
                let t = self.ty_name(&value.ty);
                self.report(diag::tuple_arity_mismatch(span, &t, names.len()));
                None
            }
        };
        let vty = value.ty.clone();
        let tmp = ctx.hidden(vty.clone(), span);
        out.push(Stmt::Let(tmp, Some(value)));
        for (i, name) in names.iter().enumerate() {
            let ty = elems.as_ref().map_or(Ty::Error, |e| e[i].clone());
            if name.name == "_" {
                continue;
            }
            let init = elems.as_ref().map(|_| {
                mk(
                    ExprKind::Field(
                        Box::new(mk(ExprKind::Local(tmp), vty.clone(), span)),
                        i as u32,
                    ),
                    ty.clone(),
                    name.span,
                )
            });
            let id = ctx.declare(&name.name, ty, name.span, mutable);
            out.push(Stmt::Let(id, init));
        }
    }
}
