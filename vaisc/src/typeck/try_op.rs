//! The `?` operator: `e?` on an `Option` or `Result` yields the `Some`/`Ok` value and returns
//! `None`/`Err(e)` early from the enclosing function, which must return the same kind (and,
//! for `Result`, the same error type). It lowers to a match, so code generation has nothing new.

use super::expr::{error_expr, mk};
use super::{Checker, FnCtx};
use crate::ast;
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Arm, Expr, ExprKind, Pattern, Ty};

impl Checker {
    pub(super) fn try_expr(&mut self, ctx: &mut FnCtx, inner: &ast::Expr, span: Span) -> Expr {
        let v = self.expr(ctx, inner, None);
        if v.ty.has_error() || ctx.ret.has_error() {
            return error_expr(span);
        }
        if v.ty == Ty::Never {
            return v;
        }
        let operand = self.generics.instance_of.get(&v.ty).cloned();
        let (kind, args) = match operand {
            Some((k, a)) if k == "Option" || k == "Result" => (k, a),
            _ => {
                let t = self.ty_name(&v.ty);
                self.report(diag::try_operand(inner.span, &t));
                return error_expr(span);
            }
        };
        let ret = ctx.ret.clone();
        let ret_kind = self.generics.instance_of.get(&ret).cloned();
        let compatible = match &ret_kind {
            Some((k, _)) if k == "Option" && kind == "Option" => true,
            Some((k, a)) if k == "Result" && kind == "Result" => a.get(1) == args.get(1),
            _ => false,
        };
        if !compatible {
            let (t, r) = (self.ty_name(&v.ty), self.ty_name(&ret));
            let d = if matches!(&ret_kind, Some((k, _)) if k == "Option" || k == "Result") {
                diag::try_mismatch(span, &t, &r)
            } else {
                diag::try_outside(span, &r)
            };
            self.report(d);
            return error_expr(span);
        }
        let (Ty::Enum(from), Ty::Enum(to)) = (&v.ty, &ret) else {
            return error_expr(span);
        };
        let (from, to) = (*from, *to);
        let (good, bad) = if kind == "Option" {
            ("Some", "None")
        } else {
            ("Ok", "Err")
        };
        let index = |c: &Checker, e: usize, name: &str| {
            c.program.enums[e]
                .variants
                .iter()
                .position(|x| x.name == name)
                .unwrap_or_default() as u32
        };
        let value_ty = args[0].clone();
        let value = ctx.hidden(value_ty.clone(), span);
        let mut arms = vec![Arm {
            pattern: Pattern::Variant {
                variant: index(self, from, good),
                bindings: vec![Some(value)],
            },
            guard: None,
            body: mk(ExprKind::Local(value), value_ty.clone(), span),
        }];
        let early = if kind == "Option" {
            let none = mk(
                ExprKind::EnumLit(to, index(self, to, bad), Vec::new()),
                ret.clone(),
                span,
            );
            (vec![], none)
        } else {
            let err_ty = args[1].clone();
            let err = ctx.hidden(err_ty.clone(), span);
            let payload = vec![mk(ExprKind::Local(err), err_ty, span)];
            let lit = mk(
                ExprKind::EnumLit(to, index(self, to, bad), payload),
                ret.clone(),
                span,
            );
            (vec![Some(err)], lit)
        };
        arms.push(Arm {
            pattern: Pattern::Variant {
                variant: index(self, from, bad),
                bindings: early.0,
            },
            guard: None,
            body: mk(ExprKind::Return(Some(Box::new(early.1))), Ty::Never, span),
        });
        mk(ExprKind::Match(Box::new(v), arms), value_ty, span)
    }
}
