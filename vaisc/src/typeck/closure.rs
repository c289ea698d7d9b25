//! Closure literals: checking their bodies, lifting each to a function of its own, and the
//! variables they capture.
//!
//! A closure `|x| x + k` written in function `f` becomes the function `f.closure.N` whose
//! first parameter is the environment pointer (`*u8`) and whose other parameters are the
//! closure's. The body is checked in a context of its own; a name it does not declare but the
//! enclosing code can see is *captured*: it becomes a field of the closure's environment
//! struct, read through the environment pointer, and the closure value stores a copy of the
//! variable's value at the moment the closure is created (captures are by value).
//!
//! Where the expected type is a plain function pointer `fn(A) -> R`, a closure that captures
//! nothing is lifted without an environment parameter and is simply that function's address,
//! callable from C (`qsort`). Parameter types left out are taken from the expected type; the
//! return type is written, expected, or that of the body.

use super::expr::{error_expr, mk};
use super::scope::{CaptureFrame, Captured};
use super::{Checker, FnCtx};
use crate::ast;
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{
    self, ClosureDef, Expr, ExprKind, FieldDef, FnTy, FuncAttrs, FuncDef, IntTy, StructDef, Ty,
};

/// The `*u8` environment parameter every closure's code takes first.
fn env_param_ty() -> Ty {
    Ty::Ptr(Box::new(Ty::Int(IntTy::U8)))
}

impl Checker {
    pub(super) fn closure_lit(
        &mut self,
        ctx: &mut FnCtx,
        c: &ast::ClosureExpr,
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let (plain, hint) = match expected {
            Some(Ty::Closure(f)) => (false, Some((**f).clone())),
            Some(Ty::Fn(f)) if !f.variadic => (true, Some((**f).clone())),
            _ => (false, None),
        };
        let hint = match hint {
            Some(h) if h.params.len() != c.params.len() => {
                if c.params.iter().any(|(_, t)| t.is_none()) {
                    let want = self.ty_name(expected.unwrap_or(&Ty::Error));
                    self.report(diag::closure_arity_mismatch(span, &want, c.params.len()));
                    return error_expr(span);
                }
                None
            }
            h => h,
        };
        let self_ty = ctx.self_ty.clone();
        let written: Vec<Option<Ty>> = c
            .params
            .iter()
            .map(|(_, t)| t.as_ref().map(|t| self.resolve_ty(t, self_ty.as_ref())))
            .collect();
        // A parameter written with another type than the expected one makes the literal's
        // own type the mistake, reported once by the caller's conversion: the expected
        // return type then gives no hint either.
        let hint = hint.filter(|h| {
            written
                .iter()
                .zip(&h.params)
                .all(|(t, want)| t.as_ref().is_none_or(|t| t == want || t.has_error()))
        });
        let mut params = Vec::new();
        let mut known = true;
        for (i, ((name, _), ty)) in c.params.iter().zip(written).enumerate() {
            let ty = match (ty, &hint) {
                (Some(t), _) => t,
                (None, Some(h)) => h.params[i].clone(),
                // Expected to be of a type already in error: nothing to report again.
                (None, None) if expected.is_some_and(Ty::has_error) => {
                    known = false;
                    Ty::Error
                }
                (None, None) => {
                    self.report(diag::closure_param_type_unknown(name.span, &name.name));
                    known = false;
                    Ty::Error
                }
            };
            params.push(ty);
        }
        let declared_ret = match &c.ret {
            Some(t) => Some(self.resolve_ty(t, self_ty.as_ref())),
            // An error return type in the hint means "unknown" (`Checker::closure_hint`).
            None => hint
                .as_ref()
                .map(|h| h.ret.clone())
                .filter(|r| !r.has_error()),
        };

        ctx.closures += 1;
        let parent = self.program.functions[ctx.func].name.clone();
        let name = format!("{parent}.closure.{}", ctx.closures);
        let env_struct = (!plain).then(|| {
            self.program.structs.push(StructDef {
                name: format!("{name}.env"),
                fields: Vec::new(),
                span,
            });
            self.program.structs.len() - 1
        });
        let mut code_params = Vec::new();
        if !plain {
            code_params.push(env_param_ty());
        }
        code_params.extend(params.iter().cloned());
        let func = self.program.functions.len();
        self.program.functions.push(FuncDef {
            name,
            ty: FnTy {
                params: code_params.clone(),
                ret: declared_ret.clone().unwrap_or(Ty::Error),
                variadic: false,
            },
            attrs: FuncAttrs::default(),
            span,
            body: None,
            host_body: None,
        });

        let mut inner = FnCtx::new(
            func,
            declared_ret.clone().unwrap_or(Ty::Error),
            ctx.self_ty.clone(),
        );
        let env = env_struct.map(|s| (inner.hidden(env_param_ty(), span), s));
        inner.capture = Some(CaptureFrame {
            visible: ctx.visible(),
            captured: Vec::new(),
            env,
        });
        for ((pname, _), ty) in c.params.iter().zip(&params) {
            inner.declare(&pname.name, ty.clone(), pname.span, true);
        }
        let body = self.expr(&mut inner, &c.body, declared_ret.as_ref());
        let (body, ret) = match &declared_ret {
            Some(r) => (self.coerce(&mut inner, body, r), r.clone()),
            None => {
                if let Some(at) = inner.first_return {
                    self.report(diag::closure_return_type_unknown(at));
                }
                let t = body.ty.clone();
                (body, t)
            }
        };
        let captured = inner.capture.take().map(|f| f.captured).unwrap_or_default();
        let locals = inner.into_locals();
        let def = &mut self.program.functions[func];
        def.ty.ret = ret.clone();
        def.body = Some(tir::FuncBody { locals, body });
        self.program.closures.push(ClosureDef {
            func,
            env: env_struct,
            plain,
        });
        let sig = FnTy {
            params,
            ret,
            variadic: false,
        };
        if !known {
            return error_expr(span);
        }
        if plain {
            if let Some(first) = captured.first() {
                let want = self.ty_name(expected.unwrap_or(&Ty::Error));
                self.report(diag::closure_captures_as_fn(first.span, &first.name, &want));
                return error_expr(span);
            }
            return mk(ExprKind::FuncRef(func), Ty::Fn(Box::new(sig)), span);
        }
        let env = self.closure_env(ctx, env_struct, &captured, span);
        self.makes_closures = true;
        let kind = ExprKind::Closure {
            func,
            env,
            escapes: true,
        };
        mk(kind, Ty::Closure(Box::new(sig)), span)
    }

    /// The environment value: each captured variable as the enclosing code sees it (a local
    /// of its own, or, in a nested closure, one it captures in turn).
    fn closure_env(
        &mut self,
        ctx: &mut FnCtx,
        env_struct: Option<tir::StructId>,
        captured: &[Captured],
        span: Span,
    ) -> Option<Box<Expr>> {
        let id = env_struct?;
        if captured.is_empty() {
            return None;
        }
        self.program.structs[id].fields = captured
            .iter()
            .map(|c| FieldDef {
                name: c.name.clone(),
                ty: c.ty.clone(),
                default: None,
            })
            .collect();
        let values: Vec<Expr> = captured
            .iter()
            .map(|c| {
                let kind = if c.name == "self" {
                    ast::ExprKind::SelfValue
                } else {
                    ast::ExprKind::Name(ast::Name::new(&c.name))
                };
                let mut v = self.expr(ctx, &ast::Expr { kind, span }, None);
                v.span = span;
                v
            })
            .collect();
        Some(Box::new(mk(
            ExprKind::StructLit(id, values),
            Ty::Struct(id),
            span,
        )))
    }

    /// A use of captured variable `name` inside a closure body: the field of the environment
    /// that holds its copy. The caller has checked that the name is visible.
    pub(super) fn capture(&mut self, ctx: &mut FnCtx, name: &str, span: Span) -> Expr {
        let Some(frame) = ctx.capture.as_mut() else {
            return error_expr(span);
        };
        let Some(ty) = frame.visible.get(name).cloned() else {
            return error_expr(span);
        };
        let index = match frame.captured.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                frame.captured.push(Captured {
                    name: name.to_string(),
                    ty: ty.clone(),
                    span,
                });
                frame.captured.len() - 1
            }
        };
        if ty.has_error() {
            return error_expr(span);
        }
        let Some((env_local, env_struct)) = frame.env else {
            // A plain function pointer cannot capture; the literal reports it once checked.
            return mk(ExprKind::Unreachable, ty, span);
        };
        let raw = mk(ExprKind::Local(env_local), env_param_ty(), span);
        let env_ptr = Ty::Ptr(Box::new(Ty::Struct(env_struct)));
        let typed = mk(ExprKind::Cast(Box::new(raw)), env_ptr, span);
        let env = mk(
            ExprKind::Deref(Box::new(typed)),
            Ty::Struct(env_struct),
            span,
        );
        mk(ExprKind::Field(Box::new(env), index as u32), ty, span)
    }

    /// If `place` is (part of) a captured variable, its name.
    pub(super) fn captured_root(&self, ctx: &FnCtx, place: &Expr) -> Option<String> {
        let frame = ctx.capture.as_ref()?;
        let (env_local, _) = frame.env?;
        let mut e = place;
        loop {
            match &e.kind {
                ExprKind::Field(base, index) => {
                    if let ExprKind::Deref(p) = &base.kind {
                        if let ExprKind::Cast(raw) = &p.kind {
                            if matches!(raw.kind, ExprKind::Local(l) if l == env_local) {
                                return frame.captured.get(*index as usize).map(|c| c.name.clone());
                            }
                        }
                    }
                    e = base;
                }
                ExprKind::Index(base, _) => e = base,
                _ => return None,
            }
        }
    }
}

impl Checker {
    /// An extern C function cannot take or return a closure: C has no way to call the pair of
    /// code and environment. A plain `fn(..)` is the C function pointer.
    pub(super) fn refuse_closures_in_c(&mut self, decl: &ast::FnDecl, ty: &FnTy) {
        let offset = usize::from(decl.self_param.is_some());
        for (i, p) in decl.params.iter().enumerate() {
            if let Some(t @ Ty::Closure(_)) = ty.params.get(i + offset) {
                let name = self.ty_name(t);
                self.report(diag::closure_in_extern(p.ty.span, &name));
            }
        }
        if let (Ty::Closure(_), Some(r)) = (&ty.ret, &decl.ret) {
            let name = self.ty_name(&ty.ret);
            self.report(diag::closure_in_extern(r.span, &name));
        }
    }
}
