//! Generic items used in expressions: associated functions and variants named through a
//! generic type (`Vec.new()`, `Option.Some(1)`, bare `None`), and struct literals of generic
//! structs (`Pair { a: 1, b: 2 }`), each instantiated for the type arguments inferred from the
//! expected type and the values given.

use super::expr::{error_expr, mk};
use super::generic::{named, Bindings, GenericDecl};
use super::{Checker, FnCtx};
use crate::ast::{self, TypeKind};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Callee, EnumId, Expr, ExprKind, StructId, Ty};
use std::collections::HashMap;

/// What a struct literal builds: a struct, or a struct-like variant of an enum.
pub(super) type LitTarget = Result<StructId, (EnumId, u32)>;

impl Checker {
    /// A struct literal whose path names a generic struct or a variant of a generic enum:
    /// `None` when it does not, `Some(None)` after an error, else the instance it builds and
    /// the fields lowered while inferring its type arguments.
    pub(super) fn generic_lit(
        &mut self,
        ctx: &mut FnCtx,
        path: &[ast::Ident],
        fields: &[(ast::Ident, ast::Expr)],
        expected: Option<&Ty>,
        span: Span,
    ) -> Option<Option<(LitTarget, HashMap<usize, Expr>)>> {
        let head = ast::Expr {
            kind: ast::ExprKind::Name(path[0].name.clone()),
            span: path[0].span,
        };
        let (gname, vid) = match (path, self.generic_type_named(ctx, &head)) {
            ([_], Some(g)) if !self.is_generic_enum(&g) => (g, None),
            ([_, v], Some(g)) if self.is_generic_enum(&g) => {
                let GenericDecl::Enum(e) = &self.generics.types[&g].decl else {
                    return None;
                };
                match e.variants.iter().position(|x| x.name.name == v.name) {
                    Some(i) => (g, Some(i as u32)),
                    None => {
                        self.report(diag::unknown_variant(v.span, &v.name, &g));
                        return Some(None);
                    }
                }
            }
            ([h], None) if !self.variants.contains_key(h.name.as_str()) => {
                match self.generics.variants.get(h.name.as_str()).cloned()? {
                    Some((g, v)) => (g, Some(v)),
                    None => {
                        self.report(diag::ambiguous_variant(h.span, &h.name));
                        return Some(None);
                    }
                }
            }
            _ => return None,
        };
        let found = self.generic_lit_target(ctx, &gname, vid, fields, expected, span);
        Some(found.map(|(ty, pre)| match (ty, vid) {
            (Ty::Enum(eid), Some(v)) => (Err((eid, v)), pre),
            (Ty::Struct(id), _) => (Ok(id), pre),
            _ => unreachable!("a generic struct's instance is a struct, an enum's an enum"),
        }))
    }

    /// `Name.f(args)` or `Name.Variant(args)` where `Name` is a generic type.
    pub(super) fn generic_path_call(
        &mut self,
        ctx: &mut FnCtx,
        gname: &str,
        member: &ast::Ident,
        args: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        if let Some(&gid) = self
            .generics
            .methods
            .get(&(gname.to_string(), member.name.to_string()))
        {
            if self.generics.fns[gid].decl.self_param.is_some() {
                self.report(diag::unknown_method(member.span, &member.name, gname));
                return error_expr(span);
            }
            return self.generic_call(ctx, gid, Bindings::new(), Vec::new(), args, expected, span);
        }
        if let GenericDecl::Enum(e) = &self.generics.types[gname].decl {
            if let Some(vid) = e.variants.iter().position(|v| v.name.name == member.name) {
                return self.generic_variant(ctx, gname, vid as u32, args, expected, span);
            }
            self.report(diag::unknown_variant(member.span, &member.name, gname));
            return error_expr(span);
        }
        self.report(diag::unknown_method(member.span, &member.name, gname));
        error_expr(span)
    }

    /// A value of variant `vid` of generic enum `gname` from positional payload arguments.
    pub(super) fn generic_variant(
        &mut self,
        ctx: &mut FnCtx,
        gname: &str,
        vid: u32,
        args: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let g = &self.generics.types[gname];
        let (GenericDecl::Enum(e), params) = (g.decl.clone(), g.params.clone()) else {
            unreachable!("only enums have variants");
        };
        let pattern = ast::TypeExpr {
            kind: TypeKind::Applied(
                ast::Name::new(gname),
                params.iter().map(|p| named(&p.name)).collect(),
            ),
            span: e.name.span,
        };
        let mut b = Bindings::new();
        if let Some(exp) = expected.filter(|t| **t != Ty::Unit) {
            self.infer(&pattern, exp, &params, None, &mut b);
        }
        let ftys: Vec<ast::TypeExpr> = match &e.variants[vid as usize].kind {
            ast::VariantKind::Tuple(tys) => tys.clone(),
            ast::VariantKind::Unit => Vec::new(),
            ast::VariantKind::Struct(_) => {
                let vname = e.variants[vid as usize].name.name.clone();
                self.report(diag::wrong_arg_count(span, &vname, 0, args.len()));
                return error_expr(span);
            }
        };
        let mut pre = Vec::new();
        for (a, t) in args.iter().zip(&ftys) {
            let v = if self.is_bound(t, &params, &b, Some(&pattern)) {
                let ty = self.resolve_in(t, &b, Some(&pattern));
                self.expr(ctx, a, Some(&ty))
            } else {
                let v = self.expr(ctx, a, None);
                self.infer(t, &v.ty, &params, Some(&pattern), &mut b);
                v
            };
            pre.push(Some(v));
        }
        if pre.iter().flatten().any(|v| v.ty.has_error()) {
            return error_expr(span);
        }
        let mut targs = Vec::new();
        for p in &params {
            match b.get(p.name.name.as_str()) {
                Some(t) => targs.push(t.clone()),
                None => {
                    let vname = &e.variants[vid as usize].name.name;
                    self.report(diag::cannot_infer(span, &p.name.name, vname));
                    return error_expr(span);
                }
            }
        }
        let Ty::Enum(eid) = self.instantiate_type(gname, targs) else {
            return error_expr(span);
        };
        self.enum_value_from(ctx, eid, vid, args, pre, span)
    }

    /// The instance a struct literal of generic struct (or generic enum's struct variant)
    /// builds, from the expected type and the fields given. Fields whose type needed them are
    /// returned lowered, by declaration index, so that they are not checked twice.
    pub(super) fn generic_lit_target(
        &mut self,
        ctx: &mut FnCtx,
        gname: &str,
        variant: Option<u32>,
        fields: &[(ast::Ident, ast::Expr)],
        expected: Option<&Ty>,
        span: Span,
    ) -> Option<(Ty, HashMap<usize, Expr>)> {
        let g = &self.generics.types[gname];
        let (decl, params) = (g.decl.clone(), g.params.clone());
        let decl_fields: Vec<(ast::Ident, ast::TypeExpr)> = match (&decl, variant) {
            (GenericDecl::Struct(s), None) => s
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.ty.clone()))
                .collect(),
            (GenericDecl::Enum(e), Some(v)) => match &e.variants[v as usize].kind {
                ast::VariantKind::Struct(ps) => {
                    ps.iter().map(|p| (p.name.clone(), p.ty.clone())).collect()
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        let pattern = ast::TypeExpr {
            kind: TypeKind::Applied(
                ast::Name::new(gname),
                params.iter().map(|p| named(&p.name)).collect(),
            ),
            span,
        };
        let mut b = Bindings::new();
        if let Some(exp) = expected.filter(|t| **t != Ty::Unit) {
            self.infer(&pattern, exp, &params, None, &mut b);
        }
        let mut pre = HashMap::new();
        for (fname, fexpr) in fields {
            let Some(i) = decl_fields.iter().position(|f| f.0.name == fname.name) else {
                continue;
            };
            let t = &decl_fields[i].1;
            if pre.contains_key(&i) || self.is_bound(t, &params, &b, Some(&pattern)) {
                continue;
            }
            let v = self.expr(ctx, fexpr, None);
            self.infer(t, &v.ty, &params, Some(&pattern), &mut b);
            pre.insert(i, v);
        }
        let mut targs = Vec::new();
        for p in &params {
            match b.get(p.name.name.as_str()) {
                Some(t) => targs.push(t.clone()),
                None if pre.values().any(|v| v.ty.has_error()) => return None,
                None => {
                    self.report(diag::cannot_infer(span, &p.name.name, gname));
                    return None;
                }
            }
        }
        let ty = self.instantiate_type(gname, targs);
        (!ty.has_error()).then_some((ty, pre))
    }

    /// The generic type a name in an expression stands for, when no variable or value hides it.
    pub(super) fn generic_type_named(&self, ctx: &FnCtx, e: &ast::Expr) -> Option<String> {
        match &e.kind {
            ast::ExprKind::Name(n)
                if ctx.lookup(n).is_none()
                    && !self.values.contains_key(n.as_str())
                    && self.generics.types.contains_key(n.as_str()) =>
            {
                Some(n.to_string())
            }
            _ => None,
        }
    }

    /// A bare variant name of a generic enum (`Some`, `None`), when nothing else has it.
    pub(super) fn generic_bare_variant(
        &mut self,
        name: &str,
        span: Span,
    ) -> Option<Option<(String, u32)>> {
        let found = self.generics.variants.get(name).cloned()?;
        if found.is_none() {
            self.report(diag::ambiguous_variant(span, name));
        }
        Some(found)
    }
}

impl Checker {
    /// `v[i]` on a `Vec`: the place `*v.at(i)`, so that it can be read and assigned, with the
    /// bounds check of `at` reporting the caller's location.
    pub(super) fn vec_index(
        &mut self,
        ctx: &mut FnCtx,
        base: Expr,
        index: Expr,
        span: Span,
    ) -> Expr {
        let ty = base.ty.clone();
        let Some(super::generic::MethodRef::Func(at)) = self.lookup_method(&ty, "at", span) else {
            let t = self.ty_name(&ty);
            self.report(diag::cannot_index(span, &t));
            return error_expr(span);
        };
        let recv = self.receiver_address(ctx, base, span);
        let fty = self.program.functions[at].ty.clone();
        let loc = self.caller_location(ctx, span);
        let call = mk(
            ExprKind::Call {
                callee: Callee::Direct(at),
                args: vec![recv, index, loc],
            },
            fty.ret.clone(),
            span,
        );
        let elem = match &fty.ret {
            Ty::Ptr(e) => (**e).clone(),
            _ => Ty::Error,
        };
        mk(ExprKind::Deref(Box::new(call)), elem, span)
    }
}
