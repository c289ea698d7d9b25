//! Traits: declarations (`W`), implementations (`X Type: Trait`) with their default methods,
//! and the bounds of generic parameters (`T: Shape + Eq`). Dispatch is static: a generic body
//! is checked per instance, so a trait method call is an ordinary method call on the concrete
//! type. `Display` and `Eq` are declared in the prelude (`std/prelude.vais`); the built-in
//! types count as implementing them where `{}` and `==` already work.

use super::expr::{error_expr, mk};
use super::generic::{GenericDecl, MethodRef};
use super::{Checker, FnCtx};
use crate::ast;
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Arm, BinOp, Callee, Expr, ExprKind, Pattern, Ty, UnOp};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

#[derive(Default)]
pub(super) struct Traits {
    pub decls: HashMap<String, Rc<ast::TraitDecl>>,
    /// `(type, trait)` for every implementation; generic types by their own name.
    pub impls: HashSet<(String, String)>,
}

impl Checker {
    pub(super) fn declare_trait(&mut self, t: &ast::TraitDecl) {
        if let Some(&prev) = self.type_spans.get(t.name.name.as_str()) {
            self.report(diag::duplicate_definition(t.name.span, &t.name.name, prev));
            return;
        }
        self.type_spans.insert(t.name.name.to_string(), t.name.span);
        let mut seen: Vec<&str> = Vec::new();
        for m in &t.methods {
            if seen.contains(&m.name.name.as_str()) {
                let d = diag::duplicate_definition(m.name.span, &m.name.name, t.name.span);
                self.report(d);
            }
            seen.push(&m.name.name);
        }
        self.generics
            .traits
            .decls
            .insert(t.name.name.to_string(), Rc::new(t.clone()));
    }

    /// The trait an impl names, checking that the impl defines only the trait's methods and
    /// every method without a default. Returns the methods it must take from the defaults.
    fn trait_defaults(&mut self, t: &ast::Ident, imp: &ast::ImplDecl) -> Vec<ast::FnDecl> {
        let Some(decl) = self.generics.traits.decls.get(t.name.as_str()).cloned() else {
            self.report(diag::unknown_trait(t.span, &t.name));
            return Vec::new();
        };
        for m in &imp.methods {
            if !decl.methods.iter().any(|tm| tm.name.name == m.name.name) {
                self.report(diag::not_trait_member(m.name.span, &m.name.name, &t.name));
            }
        }
        let mut defaults = Vec::new();
        for tm in &decl.methods {
            if imp.methods.iter().any(|m| m.name.name == tm.name.name) {
                continue;
            }
            if tm.body.is_some() {
                defaults.push(tm.clone());
            } else {
                self.report(diag::missing_trait_method(
                    imp.target.span,
                    &tm.name.name,
                    &t.name,
                    &imp.target.name,
                ));
            }
        }
        defaults
    }

    /// `X Circle: Shape { .. }` for a plain type: the default methods become methods of
    /// `self_ty`, checked with `Self` standing for it.
    pub(super) fn implement_trait(&mut self, t: &ast::Ident, self_ty: &Ty, imp: &ast::ImplDecl) {
        let defaults = self.trait_defaults(t, imp);
        let tname = self.ty_name(self_ty);
        self.check_trait_signatures(t, self_ty, imp);
        for m in defaults {
            let ty = self.quietly(|c| c.signature(&m, Some(self_ty)));
            let name = format!("{tname}.{}", m.name.name);
            let id = self.add_function(name, ty, Default::default(), m.name.span);
            self.methods
                .insert((tname.clone(), m.name.name.to_string()), id);
            let by_ref = m.self_param.map(|(k, _)| k) == Some(ast::SelfKind::Ref);
            self.self_by_ref.insert(id, by_ref);
            self.pending_bodies.push(super::collect::PendingBody {
                func: id,
                path: super::collect::DeclPath::Shared(Rc::new(m)),
                self_ty: Some(self_ty.clone()),
                env: Vec::new(),
                site: None,
            });
        }
        self.generics
            .traits
            .impls
            .insert((tname, t.name.to_string()));
    }

    /// Each method of an impl of a trait (for a plain type) must have the type the trait
    /// declares, with `Self` standing for the implementing type.
    fn check_trait_signatures(&mut self, t: &ast::Ident, self_ty: &Ty, imp: &ast::ImplDecl) {
        let Some(decl) = self.generics.traits.decls.get(t.name.as_str()).cloned() else {
            return;
        };
        let tname = self.ty_name(self_ty);
        for m in &imp.methods {
            let Some(tm) = decl.methods.iter().find(|tm| tm.name.name == m.name.name) else {
                continue;
            };
            let Some(&f) = self.methods.get(&(tname.clone(), m.name.name.to_string())) else {
                continue;
            };
            let want = self.quietly(|c| c.signature(tm, Some(self_ty)));
            let mut have = self.program.functions[f].ty.clone();
            if self.generics.track_caller.contains(&f) {
                have.params.pop();
            }
            let by_ref = |d: &ast::FnDecl| d.self_param.map(|(k, _)| k);
            let broken = want.params.iter().chain([&want.ret]).any(Ty::has_error)
                || have.params.iter().chain([&have.ret]).any(Ty::has_error);
            if !broken && (want != have || by_ref(tm) != by_ref(m)) {
                let (w, h) = (self.program.signature(&want), self.program.signature(&have));
                let d = diag::trait_method_mismatch(m.name.span, &m.name.name, &t.name, &w, &h)
                    .with_note(tm.name.span, "declared here");
                self.report(d);
            }
        }
    }

    /// `X Pair<T>: Display { .. }`: the default methods become generic methods of `Pair`.
    pub(super) fn implement_trait_generic(
        &mut self,
        t: &ast::Ident,
        imp: &ast::ImplDecl,
        params: &[ast::GenericParam],
        pattern: &ast::TypeExpr,
    ) {
        let defaults = self.trait_defaults(t, imp);
        for m in &defaults {
            self.declare_default_method(&imp.target.name, m, params, pattern);
        }
        let target = imp.target.name.to_string();
        self.generics
            .traits
            .impls
            .insert((target, t.name.to_string()));
    }

    /// Resolves a trait's method signatures once, so that their mistakes are reported at the
    /// trait rather than at each implementation.
    pub(super) fn validate_trait(&mut self, t: &ast::TraitDecl) {
        for m in &t.methods {
            self.signature(m, Some(&Ty::Error));
        }
    }

    /// Whether `ty` implements trait `name`.
    pub(super) fn implements(&self, ty: &Ty, name: &str) -> bool {
        let builtin = match name {
            "Display" => matches!(ty, Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Str),
            "Eq" => {
                matches!(
                    ty,
                    Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Str | Ty::Ptr(_)
                ) || self.is_plain_enum(ty)
            }
            _ => false,
        };
        builtin
            || self
                .generics
                .traits
                .impls
                .contains(&(self.base_name(ty), name.to_string()))
    }

    /// An enum none of whose variants carries data: its values compare with `==` by tag.
    pub(super) fn is_plain_enum(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Enum(id) => self.program.enums[*id]
                .variants
                .iter()
                .all(|v| v.fields.is_empty()),
            _ => false,
        }
    }

    /// Whether a type argument has a bound's trait; reports the instantiation when not.
    pub(super) fn require_trait(&mut self, ty: &Ty, bound: &ast::Ident, site: Span) -> bool {
        if !self.generics.traits.decls.contains_key(bound.name.as_str())
            || self.implements(ty, &bound.name)
        {
            return true;
        }
        let t = self.ty_name(ty);
        let d = diag::trait_not_implemented(site, &t, &bound.name)
            .with_note(bound.span, "required by this bound");
        self.report(d);
        false
    }

    /// Reports bounds naming unknown traits, once, at the declaration.
    pub(super) fn check_bounds(&mut self, params: &[ast::GenericParam]) {
        for p in params {
            for b in &p.bounds {
                if !self.generics.traits.decls.contains_key(b.name.as_str()) {
                    self.report(diag::unknown_trait(b.span, &b.name));
                }
            }
        }
    }

    /// Whether generic type `name` is an enum.
    pub(super) fn is_generic_enum(&self, name: &str) -> bool {
        matches!(
            self.generics.types.get(name).map(|g| &g.decl),
            Some(GenericDecl::Enum(_))
        )
    }
}

impl Checker {
    /// A value shown by `{}`: a struct or enum implementing `Display` is shown as the text its
    /// `fmt` returns; any other value is returned unchanged.
    pub(super) fn display_value(&mut self, ctx: &mut FnCtx, v: Expr) -> Expr {
        if !matches!(v.ty, Ty::Struct(_) | Ty::Enum(_)) || !self.implements(&v.ty, "Display") {
            return v;
        }
        let span = v.span;
        let ty = v.ty.clone();
        let Some(MethodRef::Func(f)) = self.lookup_method(&ty, "fmt", span) else {
            return v;
        };
        let recv = if self.self_by_ref.get(&f).copied().unwrap_or(true) {
            self.receiver_address(ctx, v, span)
        } else {
            v
        };
        let ret = self.program.functions[f].ty.ret.clone();
        mk(
            ExprKind::Call {
                callee: Callee::Direct(f),
                args: vec![recv],
            },
            ret,
            span,
        )
    }

    /// Whether `l op r` compares two values of one struct or enum type ([`Self::struct_eq`]).
    pub(super) fn is_struct_eq(op: ast::BinOp, l: &Expr, r: &Expr) -> bool {
        matches!(op, ast::BinOp::Eq | ast::BinOp::Ne)
            && l.ty == r.ty
            && matches!(l.ty, Ty::Struct(_) | Ty::Enum(_))
    }

    /// `==` / `!=` on two values of one struct or enum type: a call of its `Eq`
    /// implementation, or a comparison of tags for an enum whose variants carry no data.
    pub(super) fn struct_eq(
        &mut self,
        ctx: &mut FnCtx,
        op: ast::BinOp,
        l: Expr,
        r: Expr,
        span: Span,
    ) -> Expr {
        let ty = l.ty.clone();
        let same = if let Some(MethodRef::Func(f)) = self.lookup_method(&ty, "eq", span) {
            let a = self.receiver_address(ctx, l, span);
            let b = self.receiver_address(ctx, r, span);
            mk(
                ExprKind::Call {
                    callee: Callee::Direct(f),
                    args: vec![a, b],
                },
                Ty::Bool,
                span,
            )
        } else if self.is_plain_enum(&ty) {
            let (a, b) = (self.enum_tag(l), self.enum_tag(r));
            mk(
                ExprKind::Binary(BinOp::Eq, Box::new(a), Box::new(b)),
                Ty::Bool,
                span,
            )
        } else {
            let t = self.ty_name(&ty);
            self.report(diag::no_eq(span, op.symbol(), &t));
            return error_expr(span);
        };
        if op == ast::BinOp::Ne {
            mk(ExprKind::Unary(UnOp::Not, Box::new(same)), Ty::Bool, span)
        } else {
            same
        }
    }

    /// The variant index of an enum value, as an `i32`, by a match with one arm per variant.
    fn enum_tag(&self, e: Expr) -> Expr {
        let span = e.span;
        let Ty::Enum(id) = e.ty else {
            return e;
        };
        let arms = self.program.enums[id]
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| Arm {
                pattern: Pattern::Variant {
                    variant: i as u32,
                    bindings: vec![None; v.fields.len()],
                },
                guard: None,
                body: mk(ExprKind::Int(i as i128), Ty::I32, span),
            })
            .collect();
        mk(ExprKind::Match(Box::new(e), arms), Ty::I32, span)
    }
}
