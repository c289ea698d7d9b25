//! Generics: generic functions, structs, enums and impls, monomorphised.
//!
//! A generic item is not checked where it is declared. Each distinct list of type arguments
//! makes an instance: a struct or enum of its own in the program (named `Pair<i64>`), or a
//! function (named `max<i64>`, `Pair<i64>.sum`) whose body is checked with the type parameters
//! bound to the arguments, exactly as if it had been written by hand for those types. Type
//! arguments are never written in expressions; they are inferred here from the expected type
//! and the arguments (`infer`). Errors in an instance's body carry a note naming the
//! instantiating call (`check_bodies` in `mod.rs`).

use super::collect::{DeclPath, PendingBody};
use super::expr::{error_expr, mk};
use super::{Checker, FnCtx, Value};
use crate::ast::{self, TypeKind};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{self, Callee, EnumId, Expr, ExprKind, FuncId, StructId, Ty};
use std::collections::HashMap;
use std::rc::Rc;

/// Everything the checker knows about generic items and their instances.
#[derive(Default)]
pub(super) struct Generics {
    /// The bindings of the type parameters in scope (while an instance is checked).
    pub env: HashMap<String, Ty>,
    pub fns: Vec<GenericFn>,
    pub types: HashMap<String, GenericType>,
    /// `(generic type, arguments)` to its instance.
    pub type_instances: HashMap<(String, Vec<Ty>), Ty>,
    /// An instance type to its generic type and arguments.
    pub instance_of: HashMap<Ty, (String, Vec<Ty>)>,
    /// `(generic function, arguments)` to its instance.
    pub fn_instances: HashMap<(usize, Vec<Ty>), FuncId>,
    /// `(type name, method name)` to a generic method: every method of a generic type, and
    /// methods with type parameters of their own.
    pub methods: HashMap<(String, String), usize>,
    /// Bare variant names of generic enums to `(enum, variant)`; `None` when ambiguous.
    pub variants: HashMap<String, Option<(String, u32)>>,
    /// The ids of the plain (not generic) struct and enum declarations, in source order.
    pub plain_structs: Vec<StructId>,
    pub plain_enums: Vec<EnumId>,
    /// A generic type whose fields nest ever deeper instances of it, reported at the end.
    pub too_deep: Option<crate::diagnostics::Diagnostic>,
    /// Functions taking their caller's location as a hidden last parameter.
    pub track_caller: std::collections::HashSet<FuncId>,
    /// Traits by name, and which types implement them (`traits.rs`).
    pub traits: super::traits::Traits,
}

/// A generic function or method.
pub(super) struct GenericFn {
    pub decl: Rc<ast::FnDecl>,
    /// The type parameters: for a method of a generic type, the impl's first.
    pub params: Vec<ast::GenericParam>,
    /// For a method: the receiver type, a pattern over `params`.
    pub self_pattern: Option<ast::TypeExpr>,
    /// How many of `params` belong to the impl rather than to the function itself.
    pub impl_params: usize,
    pub inline: bool,
    /// `A F`: a call makes a task.
    pub is_async: bool,
}

#[derive(Clone)]
pub(super) enum GenericDecl {
    Struct(Rc<ast::StructDecl>),
    Enum(Rc<ast::EnumDecl>),
}

pub(super) struct GenericType {
    pub decl: GenericDecl,
    pub params: Vec<ast::GenericParam>,
}

/// The deepest nesting of types ([`Checker::ty_depth`]) a generic function is instantiated with.
const MAX_DEPTH: usize = 40;

/// The bindings found so far for a generic item's parameters.
pub(super) type Bindings = HashMap<String, Ty>;

/// A method found for a receiver type.
pub(super) enum MethodRef {
    Func(FuncId),
    /// A method with type parameters of its own, and the bindings of its impl's.
    Generic(usize, Bindings),
}

pub(super) fn named(ident: &ast::Ident) -> ast::TypeExpr {
    ast::TypeExpr {
        kind: TypeKind::Named(ident.name.clone()),
        span: ident.span,
    }
}

impl Checker {
    fn declare_generic_name(
        &mut self,
        name: &ast::Ident,
        decl: GenericDecl,
        p: &[ast::GenericParam],
    ) {
        if super::collect::primitive(&name.name).is_some() {
            let d = diag::duplicate_definition(name.span, &name.name, name.span)
                .with_help("this is the name of a built-in type");
            self.report(d);
            return;
        }
        if let Some(&prev) = self.type_spans.get(name.name.as_str()) {
            self.report(diag::duplicate_definition(name.span, &name.name, prev));
            return;
        }
        self.type_spans.insert(name.name.to_string(), name.span);
        let params = p.to_vec();
        self.generics
            .types
            .insert(name.name.to_string(), GenericType { decl, params });
    }

    pub(super) fn declare_generic_struct(&mut self, s: &ast::StructDecl) {
        let decl = GenericDecl::Struct(Rc::new(s.clone()));
        self.declare_generic_name(&s.name, decl, &s.generics);
    }

    pub(super) fn declare_generic_enum(&mut self, e: &ast::EnumDecl) {
        let decl = GenericDecl::Enum(Rc::new(e.clone()));
        self.declare_generic_name(&e.name, decl, &e.generics);
        for (i, v) in e.variants.iter().enumerate() {
            let found = Some((e.name.name.to_string(), i as u32));
            let entry = self
                .generics
                .variants
                .entry(v.name.name.to_string())
                .or_insert_with(|| found.clone());
            if *entry != found {
                *entry = None;
            }
        }
    }

    /// Enters a generic function or method; `#[hot]` is refused on it (reference, section 8).
    fn add_generic_fn(
        &mut self,
        f: &ast::FnDecl,
        params: Vec<ast::GenericParam>,
        self_pattern: Option<ast::TypeExpr>,
        impl_params: usize,
    ) -> usize {
        for a in f.attrs.iter().filter(|a| a.name == "hot") {
            self.report(diag::hot_not_allowed(a.span, "generic functions"));
        }
        let attrs = self.fn_attrs(f, false);
        self.check_bounds(&f.generics);
        let gid = self.generics.fns.len();
        self.generics.fns.push(GenericFn {
            decl: Rc::new(f.clone()),
            params,
            self_pattern,
            impl_params,
            inline: attrs.inline,
            is_async: attrs.is_async,
        });
        self.validate_generic_signature(gid);
        gid
    }

    /// Resolves a generic signature once with every parameter unknown, so that a mistake in
    /// it (an unknown type, say) is reported once, at the declaration, rather than at each use.
    fn validate_generic_signature(&mut self, gid: usize) {
        let g = &self.generics.fns[gid];
        let decl = g.decl.clone();
        let env: Bindings = g
            .params
            .iter()
            .map(|p| (p.name.name.to_string(), Ty::Error))
            .collect();
        let pattern = g.self_pattern.clone();
        let saved = std::mem::replace(&mut self.generics.env, env);
        let self_ty = pattern.map(|p| self.resolve_ty(&p, None));
        self.signature(&decl, self_ty.as_ref());
        self.generics.env = saved;
    }

    pub(super) fn declare_generic_fn(&mut self, f: &ast::FnDecl) {
        let gid = self.add_generic_fn(f, f.generics.clone(), None, 0);
        self.define_value(&f.name, Value::Generic(gid));
    }

    /// A method with type parameters of its own in an impl of a plain type.
    pub(super) fn declare_generic_method(&mut self, target: &str, m: &ast::FnDecl, span: Span) {
        let pattern = ast::TypeExpr {
            kind: TypeKind::Named(ast::Name::new(target)),
            span,
        };
        let gid = self.add_generic_fn(m, m.generics.clone(), Some(pattern), 0);
        self.enter_generic_method(target, m, gid);
    }

    fn enter_generic_method(&mut self, target: &str, m: &ast::FnDecl, gid: usize) {
        let key = (target.to_string(), m.name.name.to_string());
        if let Some(&prev) = self.generics.methods.get(&key) {
            let prev_span = self.generics.fns[prev].decl.name.span;
            self.report(diag::duplicate_definition(
                m.name.span,
                &m.name.name,
                prev_span,
            ));
            return;
        }
        self.generics.methods.insert(key, gid);
    }

    /// The names an impl of generic type `target` gives its parameters, and the receiver
    /// pattern `Target<A, B>` over them; `None` after reporting a wrong count.
    pub(super) fn impl_params(
        &mut self,
        target: &ast::Ident,
        names: &[ast::Ident],
    ) -> Option<(Vec<ast::GenericParam>, ast::TypeExpr)> {
        let declared = &self.generics.types[target.name.as_str()].params;
        let params: Vec<ast::GenericParam> = if names.is_empty() {
            declared.clone()
        } else if names.len() == declared.len() {
            names
                .iter()
                .zip(declared)
                .map(|(n, d)| ast::GenericParam {
                    name: n.clone(),
                    bounds: d.bounds.clone(),
                })
                .collect()
        } else {
            let d =
                diag::wrong_type_arg_count(target.span, &target.name, declared.len(), names.len());
            self.report(d);
            return None;
        };
        let pattern = ast::TypeExpr {
            kind: TypeKind::Applied(
                target.name.clone(),
                params.iter().map(|p| named(&p.name)).collect(),
            ),
            span: target.span,
        };
        Some((params, pattern))
    }

    /// `X Pair<T> { .. }`: every method is generic over the impl's parameters.
    pub(super) fn declare_generic_impl(&mut self, imp: &ast::ImplDecl) {
        let Some((params, pattern)) = self.impl_params(&imp.target, &imp.generics) else {
            return;
        };
        for m in &imp.methods {
            let mut all = params.clone();
            all.extend(m.generics.iter().cloned());
            let gid = self.add_generic_fn(m, all, Some(pattern.clone()), params.len());
            self.enter_generic_method(&imp.target.name, m, gid);
        }
        if let Some(t) = &imp.trait_name {
            self.implement_trait_generic(t, imp, &params, &pattern);
        }
    }

    /// A generic method from a trait's default, for the generic type `target`.
    pub(super) fn declare_default_method(
        &mut self,
        target: &str,
        m: &ast::FnDecl,
        params: &[ast::GenericParam],
        pattern: &ast::TypeExpr,
    ) {
        let gid = self.add_generic_fn(m, params.to_vec(), Some(pattern.clone()), params.len());
        self.enter_generic_method(target, m, gid);
    }

    /// `Name<args>` written as a type.
    pub(super) fn applied_ty(
        &mut self,
        name: &str,
        args: &[ast::TypeExpr],
        span: Span,
        self_ty: Option<&Ty>,
    ) -> Ty {
        let args: Vec<Ty> = args.iter().map(|a| self.resolve_ty(a, self_ty)).collect();
        let Some(g) = self.generics.types.get(name) else {
            if self.types.contains_key(name) || super::collect::primitive(name).is_some() {
                self.report(diag::wrong_type_arg_count(span, name, 0, args.len()));
            } else {
                self.report(diag::unknown_type(span, name));
            }
            return Ty::Error;
        };
        if g.params.len() != args.len() {
            let n = g.params.len();
            self.report(diag::wrong_type_arg_count(span, name, n, args.len()));
            return Ty::Error;
        }
        self.instantiate_type(name, args)
    }

    /// The instance of generic type `name` for `args`, made on first use.
    pub(super) fn instantiate_type(&mut self, name: &str, args: Vec<Ty>) -> Ty {
        if args.iter().any(Ty::has_error) {
            return Ty::Error;
        }
        let key = (name.to_string(), args);
        if let Some(ty) = self.generics.type_instances.get(&key) {
            return ty.clone();
        }
        let g = &self.generics.types[name];
        if key.1.iter().map(|t| self.ty_depth(t)).max().unwrap_or(0) > MAX_DEPTH {
            // Reported apart from the diagnostics of field types, which are dropped.
            if self.generics.too_deep.is_none() {
                let span = match &g.decl {
                    GenericDecl::Struct(s) => s.name.span,
                    GenericDecl::Enum(e) => e.name.span,
                };
                self.generics.too_deep = Some(diag::instantiation_too_deep(span, name, MAX_DEPTH));
            }
            return Ty::Error;
        }
        let decl = g.decl.clone();
        let env: Bindings = g
            .params
            .iter()
            .map(|p| p.name.name.to_string())
            .zip(key.1.iter().cloned())
            .collect();
        let shown: Vec<String> = key.1.iter().map(|t| self.ty_name(t)).collect();
        let display = format!("{name}<{}>", shown.join(", "));
        // The instance is entered before its fields are resolved, so that a field may point
        // at the type itself (`next: *Node<T>`).
        let ty = match &decl {
            GenericDecl::Struct(s) => {
                self.program.structs.push(tir::StructDef {
                    name: display,
                    fields: Vec::new(),
                    span: s.name.span,
                });
                Ty::Struct(self.program.structs.len() - 1)
            }
            GenericDecl::Enum(e) => {
                self.program.enums.push(tir::EnumDef {
                    name: display,
                    variants: Vec::new(),
                    span: e.name.span,
                });
                Ty::Enum(self.program.enums.len() - 1)
            }
        };
        self.generics.type_instances.insert(key.clone(), ty.clone());
        self.generics.instance_of.insert(ty.clone(), key);
        let saved = std::mem::replace(&mut self.generics.env, env);
        match (&decl, &ty) {
            (GenericDecl::Struct(s), Ty::Struct(id)) => {
                let fields = self.quietly(|c| {
                    c.field_defs(s.fields.iter().map(|f| (&f.name, &f.ty)), Some(&ty))
                });
                self.program.structs[*id].fields = fields;
                self.check_recursive_types(*id..*id + 1, 0..0);
            }
            (GenericDecl::Enum(e), Ty::Enum(id)) => {
                let variants = self.quietly(|c| c.enum_variants(e, *id, false));
                self.program.enums[*id].variants = variants;
                self.check_recursive_types(0..0, *id..*id + 1);
            }
            _ => unreachable!("the instance was made from this declaration just above"),
        }
        self.generics.env = saved;
        ty
    }

    /// Runs `f`, dropping the diagnostics it reports. Used to resolve a generic declaration's
    /// types again for an instance: their mistakes were reported once, at the declaration
    /// (`validate_generic_type`, `validate_generic_signature`).
    pub(super) fn quietly<T>(&mut self, f: impl FnOnce(&mut Checker) -> T) -> T {
        let before = self.diags.len();
        let out = f(self);
        self.diags.truncate(before);
        out
    }

    /// Resolves a generic struct's or enum's field types once with every parameter unknown,
    /// reporting unknown types and duplicate names at the declaration.
    pub(super) fn validate_generic_type(&mut self, name: &str) {
        let Some(g) = self.generics.types.get(name) else {
            return;
        };
        let decl = g.decl.clone();
        let env: Bindings = g
            .params
            .iter()
            .map(|p| (p.name.name.to_string(), Ty::Error))
            .collect();
        self.check_bounds(&g.params.clone());
        let saved = std::mem::replace(&mut self.generics.env, env);
        match &decl {
            GenericDecl::Struct(s) => {
                self.field_defs(s.fields.iter().map(|f| (&f.name, &f.ty)), Some(&Ty::Error));
            }
            GenericDecl::Enum(e) => {
                let mut seen: Vec<&str> = Vec::new();
                for v in &e.variants {
                    if seen.contains(&v.name.name.as_str()) {
                        let d = diag::duplicate_definition(v.name.span, &v.name.name, e.name.span);
                        self.report(d);
                    }
                    seen.push(&v.name.name);
                    match &v.kind {
                        ast::VariantKind::Unit => {}
                        ast::VariantKind::Tuple(tys) => {
                            for t in tys {
                                self.resolve_ty(t, Some(&Ty::Error));
                            }
                        }
                        ast::VariantKind::Struct(ps) => {
                            self.field_defs(ps.iter().map(|p| (&p.name, &p.ty)), Some(&Ty::Error));
                        }
                    }
                }
            }
        }
        self.generics.env = saved;
    }

    /// Resolves `pattern` (a type in a generic declaration) with its parameters bound to `b`.
    pub(super) fn resolve_in(
        &mut self,
        pattern: &ast::TypeExpr,
        b: &Bindings,
        self_pat: Option<&ast::TypeExpr>,
    ) -> Ty {
        let saved = std::mem::replace(&mut self.generics.env, b.clone());
        let before = self.diags.len();
        let self_ty = self_pat.map(|p| self.resolve_ty(p, None));
        let ty = self.resolve_ty(pattern, self_ty.as_ref());
        self.diags.truncate(before);
        self.generics.env = saved;
        ty
    }

    /// How deeply type constructors nest in `ty` (`*Pair<*i64>` is 4), to stop a generic
    /// function that calls itself with an ever larger type (`f(&x)` in `f<T>`) from making
    /// instances forever.
    fn ty_depth(&self, ty: &Ty) -> usize {
        match ty {
            Ty::Ptr(inner) | Ty::Array(inner, _) => 1 + self.ty_depth(inner),
            Ty::Fn(f) => {
                1 + f
                    .params
                    .iter()
                    .chain(std::iter::once(&f.ret))
                    .map(|t| self.ty_depth(t))
                    .max()
                    .unwrap_or(0)
            }
            _ => match self.generics.instance_of.get(ty) {
                Some((_, args)) => 1 + args.iter().map(|t| self.ty_depth(t)).max().unwrap_or(0),
                None => 0,
            },
        }
    }

    /// For a closure parameter `|T| -> U` whose parameter types are bound but whose return
    /// type is not, the expected type of a closure argument: its parameters as bound, its
    /// return type the error type, which the closure takes as unknown (its body's type is the
    /// return type, and `infer` then binds `U` from it). So `map(&v, |x| x * 2)` needs no types.
    fn closure_hint(
        &mut self,
        pattern: &ast::TypeExpr,
        b: &Bindings,
        self_pat: Option<&ast::TypeExpr>,
    ) -> Option<Ty> {
        if !matches!(pattern.kind, TypeKind::Closure(..) | TypeKind::Fn(..)) {
            return None;
        }
        let hint = self.resolve_in(pattern, b, self_pat);
        match &hint {
            Ty::Closure(f) | Ty::Fn(f) if !f.params.iter().any(Ty::has_error) => Some(hint),
            _ => None,
        }
    }

    /// A `#[track_caller]` function takes its caller's `file:line` as a hidden last parameter,
    /// which every call passes; `unwrap` and `Vec` indexing report failures at the caller.
    pub(super) fn track_caller(&mut self, decl: &ast::FnDecl, id: FuncId) {
        if decl.attrs.iter().any(|a| a.name == "track_caller") {
            self.program.functions[id].ty.params.push(Ty::Str);
            self.generics.track_caller.insert(id);
        }
    }

    /// The location a `#[track_caller]` callee reports: the call's own, or inside another
    /// `#[track_caller]` function the location it was given, so that a failure is reported
    /// at the user's code however many such functions are in between.
    pub(super) fn caller_location(&self, ctx: &FnCtx, span: Span) -> Expr {
        match ctx.lookup(super::CALLER) {
            Some(id) => mk(ExprKind::Local(id), Ty::Str, span),
            None => mk(ExprKind::SourceLocation, Ty::Str, span),
        }
    }

    /// Whether every parameter named in `pattern` has a binding.
    pub(super) fn is_bound(
        &self,
        pattern: &ast::TypeExpr,
        params: &[ast::GenericParam],
        b: &Bindings,
        self_pat: Option<&ast::TypeExpr>,
    ) -> bool {
        match &pattern.kind {
            TypeKind::Named(n) => {
                !params.iter().any(|p| p.name.name == *n) || b.contains_key(n.as_str())
            }
            TypeKind::SelfType => self_pat.is_none_or(|p| self.is_bound(p, params, b, None)),
            TypeKind::Ptr(inner) | TypeKind::Array(inner, _) | TypeKind::Task(inner) => {
                self.is_bound(inner, params, b, self_pat)
            }
            TypeKind::Applied(_, args) | TypeKind::Tuple(args) => {
                args.iter().all(|a| self.is_bound(a, params, b, self_pat))
            }
            TypeKind::Fn(ps, r) | TypeKind::Closure(ps, r) => {
                ps.iter().all(|a| self.is_bound(a, params, b, self_pat))
                    && r.as_ref()
                        .is_none_or(|r| self.is_bound(r, params, b, self_pat))
            }
            TypeKind::Unit | TypeKind::Error => true,
        }
    }

    /// Finds bindings for the parameters in `pattern` by matching it against `actual`. A
    /// parameter keeps its first binding; disagreements show up later as mismatched types.
    pub(super) fn infer(
        &self,
        pattern: &ast::TypeExpr,
        actual: &Ty,
        params: &[ast::GenericParam],
        self_pat: Option<&ast::TypeExpr>,
        out: &mut Bindings,
    ) {
        if actual.fits_anywhere() || actual.has_error() {
            return;
        }
        match (&pattern.kind, actual) {
            (TypeKind::Named(n), _) if params.iter().any(|p| p.name.name == *n) => {
                out.entry(n.to_string()).or_insert_with(|| actual.clone());
            }
            (TypeKind::SelfType, _) => {
                if let Some(p) = self_pat {
                    self.infer(p, actual, params, None, out);
                }
            }
            (TypeKind::Ptr(p), Ty::Ptr(a))
            | (TypeKind::Array(p, _), Ty::Array(a, _))
            | (TypeKind::Task(p), Ty::Task(a)) => self.infer(p, a, params, self_pat, out),
            (TypeKind::Applied(name, pargs), _) => {
                if let Some((gname, targs)) = self.generics.instance_of.get(actual) {
                    if gname == name && pargs.len() == targs.len() {
                        for (p, a) in pargs.iter().zip(targs) {
                            self.infer(p, a, params, self_pat, out);
                        }
                    }
                }
            }
            (TypeKind::Fn(ps, r), Ty::Fn(f)) | (TypeKind::Closure(ps, r), Ty::Closure(f)) => {
                for (p, a) in ps.iter().zip(&f.params) {
                    self.infer(p, a, params, self_pat, out);
                }
                if let Some(r) = r {
                    self.infer(r, &f.ret, params, self_pat, out);
                }
            }
            (TypeKind::Tuple(ps), Ty::Struct(id)) => {
                let elems = self.tuples.iter().find(|(_, v)| **v == *id).map(|(k, _)| k);
                if let Some(elems) = elems {
                    for (p, a) in ps.iter().zip(elems) {
                        self.infer(p, a, params, self_pat, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// The instance of generic function `gid` for `args`, made on first use; `site` is the
    /// call that needs it.
    pub(super) fn instantiate_fn(&mut self, gid: usize, args: Vec<Ty>, site: Span) -> FuncId {
        let key = (gid, args);
        if let Some(&f) = self.generics.fn_instances.get(&key) {
            return f;
        }
        let g = &self.generics.fns[gid];
        let decl = g.decl.clone();
        let params = g.params.clone();
        let pattern = g.self_pattern.clone();
        let (impl_params, inline, is_async) = (g.impl_params, g.inline, g.is_async);
        let env: Bindings = params
            .iter()
            .map(|p| p.name.name.to_string())
            .zip(key.1.iter().cloned())
            .collect();
        let saved = std::mem::replace(&mut self.generics.env, env.clone());
        let before = self.diags.len();
        let self_ty = pattern.as_ref().map(|p| self.resolve_ty(p, None));
        let fty = self.signature(&decl, self_ty.as_ref());
        self.diags.truncate(before);
        self.generics.env = saved;
        let own: Vec<String> = key.1[impl_params..]
            .iter()
            .map(|t| self.ty_name(t))
            .collect();
        let mut name = match &self_ty {
            Some(t) => format!("{}.{}", self.ty_name(t), decl.name.name),
            None => decl.name.name.to_string(),
        };
        if !own.is_empty() {
            name = format!("{name}<{}>", own.join(", "));
        }
        let attrs = tir::FuncAttrs {
            inline,
            is_async,
            ..Default::default()
        };
        let id = self.add_function(name.clone(), fty, attrs, decl.name.span);
        self.track_caller(&decl, id);
        self.generics.fn_instances.insert(key, id);
        if let Some(t) = &self_ty {
            let by_ref = decl.self_param.map(|(k, _)| k) == Some(ast::SelfKind::Ref);
            self.self_by_ref.insert(id, by_ref);
            if own.is_empty() {
                self.methods
                    .insert((self.ty_name(t), decl.name.name.to_string()), id);
            }
        }
        self.pending_bodies.push(PendingBody {
            func: id,
            path: DeclPath::Shared(decl),
            self_ty,
            env: env
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>()
                .into_iter()
                .collect(),
            site: Some((site, name)),
        });
        id
    }

    /// The method `name` of a value of type `ty`, instantiating it if it is generic.
    pub(super) fn lookup_method(&mut self, ty: &Ty, name: &str, site: Span) -> Option<MethodRef> {
        let tname = self.ty_name(ty);
        if let Some(&f) = self.methods.get(&(tname.clone(), name.to_string())) {
            return Some(MethodRef::Func(f));
        }
        if let Some((gname, targs)) = self.generics.instance_of.get(ty).cloned() {
            let gid = *self.generics.methods.get(&(gname, name.to_string()))?;
            let g = &self.generics.fns[gid];
            let pre: Bindings = g
                .params
                .iter()
                .map(|p| p.name.name.to_string())
                .zip(targs.iter().cloned())
                .collect();
            if g.params.len() == g.impl_params {
                return Some(MethodRef::Func(self.instantiate_fn(gid, targs, site)));
            }
            return Some(MethodRef::Generic(gid, pre));
        }
        let gid = *self.generics.methods.get(&(tname, name.to_string()))?;
        Some(MethodRef::Generic(gid, Bindings::new()))
    }

    /// A call of generic function `gid`: infers its type arguments from the expected type and
    /// the arguments, instantiates it and calls the instance. `pre` holds bindings known
    /// already (a receiver's type arguments); `receiver` the lowered receiver, if any.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn generic_call(
        &mut self,
        ctx: &mut FnCtx,
        gid: usize,
        mut b: Bindings,
        receiver: Vec<Expr>,
        args: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let g = &self.generics.fns[gid];
        let decl = g.decl.clone();
        let params = g.params.clone();
        let pattern = g.self_pattern.clone();
        let sp = pattern.as_ref();
        // A statement's value is expected to be `()`, which says nothing about a value's type.
        let expected = expected.filter(|t| **t != Ty::Unit);
        if let (Some(exp), Some(ret)) = (expected, &decl.ret) {
            self.infer(ret, exp, &params, sp, &mut b);
        }
        if let (Some(r), Some(p)) = (receiver.first(), sp) {
            let rty = match (&r.ty, decl.self_param) {
                (Ty::Ptr(inner), Some((ast::SelfKind::Ref, _))) => (**inner).clone(),
                (t, _) => t.clone(),
            };
            self.infer(p, &rty, &params, None, &mut b);
        }
        let mut lowered = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let v = match decl.params.get(i) {
                Some(p) if self.is_bound(&p.ty, &params, &b, sp) => {
                    let t = self.resolve_in(&p.ty, &b, sp);
                    self.expr(ctx, a, Some(&t))
                }
                Some(p) => {
                    let hint = self.closure_hint(&p.ty, &b, sp);
                    let v = self.expr(ctx, a, hint.as_ref());
                    self.infer(&p.ty, &v.ty, &params, sp, &mut b);
                    v
                }
                None => self.expr(ctx, a, None),
            };
            lowered.push(v);
        }
        if lowered.iter().chain(&receiver).any(|v| v.ty.has_error()) {
            return error_expr(span);
        }
        let mut targs = Vec::new();
        for p in &params {
            match b.get(p.name.name.as_str()) {
                Some(t) => targs.push(t.clone()),
                None => {
                    self.report(diag::cannot_infer(span, &p.name.name, &decl.name.name));
                    return error_expr(span);
                }
            }
        }
        if targs.iter().map(|t| self.ty_depth(t)).max().unwrap_or(0) > MAX_DEPTH {
            self.report(diag::instantiation_too_deep(
                span,
                &decl.name.name,
                MAX_DEPTH,
            ));
            return error_expr(span);
        }
        let mut bounds_hold = true;
        for (p, ty) in params.iter().zip(&targs) {
            for bound in &p.bounds {
                bounds_hold &= self.require_trait(ty, bound, span);
            }
        }
        if !bounds_hold {
            return error_expr(span);
        }
        let func = self.instantiate_fn(gid, targs, span);
        let fty = self.program.functions[func].ty.clone();
        let hidden = usize::from(self.generics.track_caller.contains(&func));
        let given = receiver.len() + lowered.len() + hidden;
        if given != fty.params.len() {
            let name = self.program.functions[func].name.clone();
            let n = fty.params.len() - receiver.len() - hidden;
            self.report(diag::wrong_arg_count(span, &name, n, lowered.len()));
            return error_expr(span);
        }
        let mut out = receiver;
        for v in lowered {
            let t = fty.params[out.len()].clone();
            out.push(self.coerce(ctx, v, &t));
        }
        if hidden == 1 {
            out.push(self.caller_location(ctx, span));
        }
        if self.program.functions[func].attrs.is_async {
            return super::async_::task_new(func, out, &fty.ret, span);
        }
        mk(
            ExprKind::Call {
                callee: Callee::Direct(func),
                args: out,
            },
            fty.ret.clone(),
            span,
        )
    }

    /// The name a type is known by in paths and patterns: a generic type's own name for its
    /// instances (`Option` for `Option<i64>`).
    pub(super) fn base_name(&self, ty: &Ty) -> String {
        match self.generics.instance_of.get(ty) {
            Some((name, _)) => name.clone(),
            None => self.ty_name(ty),
        }
    }
}
