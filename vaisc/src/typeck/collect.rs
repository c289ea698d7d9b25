//! The declaration pass: enters every item into the program-wide namespaces, resolves types
//! written in declarations, builds the struct, enum, global and function tables, and knows the
//! built-in C functions.

use super::{Checker, TypeName, Value};
use crate::ast::{self, ItemKind, TypeKind};
use crate::diagnostics as diag;
use crate::resolve::LoadedModule;
use crate::source::Span;
use crate::tir::{self, FieldDef, FloatTy, FnTy, FuncAttrs, FuncDef, FuncId, IntTy, Ty};
use std::rc::Rc;

pub(super) struct PendingAlias {
    name: String,
    ty: ast::TypeExpr,
    /// Set while resolving, to catch `T A = B; T B = A`.
    resolving: bool,
}

/// Where a function's declaration lives in the modules, so its body can be found again.
#[derive(Clone)]
pub(super) enum DeclPath {
    /// A generic function's or trait default method's declaration, kept by the checker.
    Shared(Rc<ast::FnDecl>),
    Fn {
        module: usize,
        item: usize,
    },
    Method {
        module: usize,
        item: usize,
        method: usize,
    },
}

pub(super) struct PendingBody {
    pub func: FuncId,
    pub path: DeclPath,
    pub self_ty: Option<Ty>,
    /// The type parameters' bindings while the body is checked (an instance of a generic).
    pub env: Vec<(String, Ty)>,
    /// For an instance: the call or type that instantiated it, and the instance's name.
    pub site: Option<(Span, String)>,
}

pub(super) fn fn_decl_at<'a>(modules: &'a [LoadedModule], path: &'a DeclPath) -> &'a ast::FnDecl {
    let (module, item) = match *path {
        DeclPath::Shared(ref decl) => return decl,
        DeclPath::Fn { module, item } | DeclPath::Method { module, item, .. } => (module, item),
    };
    match (&modules[module].module.items[item].kind, path) {
        (ItemKind::Fn(f), DeclPath::Fn { .. }) => f,
        (ItemKind::Impl(imp), DeclPath::Method { method, .. }) => &imp.methods[*method],
        _ => unreachable!("DeclPath always points at the function it was made for"),
    }
}

/// The built-in C functions callable without a declaration: name, parameters, return type,
/// variadic.
fn builtin(name: &str) -> Option<FnTy> {
    let u8p = || Ty::Ptr(Box::new(Ty::Int(IntTy::U8)));
    let f64_1 = || (vec![Ty::F64], Ty::F64);
    let (params, ret, variadic) = match name {
        "printf" => (vec![Ty::Str], Ty::I32, true),
        "puts" => (vec![Ty::Str], Ty::I32, false),
        "putchar" => (vec![Ty::I32], Ty::I32, false),
        "malloc" => (vec![Ty::I64], u8p(), false),
        "free" => (vec![u8p()], Ty::Unit, false),
        "exit" => (vec![Ty::I32], Ty::Unit, false),
        "usleep" => (vec![Ty::I64], Ty::I32, false),
        "strlen" => (vec![Ty::Str], Ty::I64, false),
        "memcpy" => (vec![u8p(), u8p(), Ty::I64], u8p(), false),
        // Used by `std/vec`.
        "realloc" => (vec![u8p(), Ty::I64], u8p(), false),
        "memset" => (vec![u8p(), Ty::I32, Ty::I64], u8p(), false),
        "sqrt" | "sin" | "cos" | "tan" | "floor" | "ceil" | "fabs" => {
            let (p, r) = f64_1();
            (p, r, false)
        }
        "pow" => (vec![Ty::F64, Ty::F64], Ty::F64, false),
        "atoi" => (vec![Ty::Str], Ty::I32, false),
        "atol" => (vec![Ty::Str], Ty::I64, false),
        "labs" => (vec![Ty::I64], Ty::I64, false),
        "abs" => (vec![Ty::I32], Ty::I32, false),
        // Used by the lowering of `format` and `assert` (`typeck/fmt.rs`).
        "snprintf" => (vec![u8p(), Ty::I64, Ty::Str], Ty::I32, true),
        "dprintf" => (vec![Ty::I32, Ty::Str], Ty::I32, true),
        // Used by `std/fmt`; built in so that a program may declare them itself.
        "strtod" => (vec![Ty::Str, u8p()], Ty::F64, false),
        "strtof" => (vec![Ty::Str, u8p()], Ty::Float(FloatTy::F32), false),
        _ => return None,
    };
    Some(FnTy {
        params,
        ret,
        variadic,
    })
}

pub(super) fn primitive(name: &str) -> Option<Ty> {
    Some(match name {
        "i8" => Ty::Int(IntTy::I8),
        "i16" => Ty::Int(IntTy::I16),
        "i32" => Ty::Int(IntTy::I32),
        "i64" => Ty::Int(IntTy::I64),
        "u8" => Ty::Int(IntTy::U8),
        "u16" => Ty::Int(IntTy::U16),
        "u32" => Ty::Int(IntTy::U32),
        "u64" => Ty::Int(IntTy::U64),
        "f32" => Ty::Float(FloatTy::F32),
        "f64" => Ty::Float(FloatTy::F64),
        "bool" => Ty::Bool,
        "str" => Ty::Str,
        _ => return None,
    })
}

impl Checker {
    pub(super) fn collect(&mut self, modules: &[LoadedModule]) {
        self.collect_type_names(modules);
        // Constants come before type bodies because they can size arrays in fields.
        self.collect_consts(modules);
        self.collect_type_bodies(modules);
        let counts = (self.program.structs.len(), self.program.enums.len());
        self.check_recursive_types(0..counts.0, 0..counts.1);
        self.evaluate_field_defaults(modules);
        self.collect_functions(modules);
        self.collect_globals(modules);
        self.find_main(modules);
    }

    pub(super) fn define_type(&mut self, name: &ast::Ident, value: TypeName) {
        if primitive(&name.name).is_some() {
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
        self.types.insert(name.name.to_string(), value);
    }

    fn collect_consts(&mut self, modules: &[LoadedModule]) {
        for m in modules {
            for item in &m.module.items {
                if let ItemKind::Const(c) = &item.kind {
                    self.declare_const(c);
                }
            }
        }
        self.evaluate_consts();
    }

    pub(super) fn define_value(&mut self, name: &ast::Ident, value: Value) {
        if let Some(&prev) = self.value_spans.get(name.name.as_str()) {
            self.report(diag::duplicate_definition(name.span, &name.name, prev));
            return;
        }
        self.value_spans.insert(name.name.to_string(), name.span);
        self.values.insert(name.name.to_string(), value);
    }

    fn collect_type_names(&mut self, modules: &[LoadedModule]) {
        for m in modules {
            for item in &m.module.items {
                match &item.kind {
                    ItemKind::Struct(s) if !s.generics.is_empty() => {
                        self.declare_generic_struct(s);
                    }
                    ItemKind::Enum(e) if !e.generics.is_empty() => {
                        self.declare_generic_enum(e);
                    }
                    ItemKind::Trait(t) => self.declare_trait(t),
                    ItemKind::Struct(s) => {
                        let id = self.program.structs.len();
                        self.generics.plain_structs.push(id);
                        self.program.structs.push(tir::StructDef {
                            name: s.name.name.to_string(),
                            fields: Vec::new(),
                            span: s.name.span,
                        });
                        self.define_type(&s.name, TypeName::Resolved(Ty::Struct(id)));
                    }
                    ItemKind::Enum(e) => {
                        let id = self.program.enums.len();
                        self.generics.plain_enums.push(id);
                        self.program.enums.push(tir::EnumDef {
                            name: e.name.name.to_string(),
                            variants: Vec::new(),
                            span: e.name.span,
                        });
                        self.define_type(&e.name, TypeName::Resolved(Ty::Enum(id)));
                    }
                    ItemKind::Alias(a) => {
                        let idx = self.aliases.len();
                        self.aliases.push(PendingAlias {
                            name: a.name.name.to_string(),
                            ty: a.ty.clone(),
                            resolving: false,
                        });
                        self.define_type(&a.name, TypeName::Alias(idx));
                    }
                    _ => {}
                }
            }
        }
    }

    fn collect_type_bodies(&mut self, modules: &[LoadedModule]) {
        // Instances of generic types are created as field types are resolved, so the ids of
        // the plain declarations come from the list made when they were entered.
        let (mut si, mut ei) = (0, 0);
        for m in modules {
            for item in &m.module.items {
                match &item.kind {
                    ItemKind::Struct(s) if s.generics.is_empty() => {
                        let sid = self.generics.plain_structs[si];
                        let named = s.fields.iter().map(|f| (&f.name, &f.ty));
                        let fields = self.field_defs(named, None);
                        self.program.structs[sid].fields = fields;
                        si += 1;
                    }
                    ItemKind::Enum(e) if e.generics.is_empty() => {
                        let eid = self.generics.plain_enums[ei];
                        let variants = self.enum_variants(e, eid, true);
                        self.program.enums[eid].variants = variants;
                        ei += 1;
                    }
                    ItemKind::Struct(s) => self.validate_generic_type(&s.name.name),
                    ItemKind::Trait(t) => self.validate_trait(t),
                    ItemKind::Enum(e) => self.validate_generic_type(&e.name.name),
                    _ => {}
                }
            }
        }
    }

    /// The variants of enum `eid` as declared by `e`. Bare variant names are entered into the
    /// program-wide table when `register` is set (not for instances of generic enums, whose
    /// bare names resolve through the generic enum).
    pub(super) fn enum_variants(
        &mut self,
        e: &ast::EnumDecl,
        eid: tir::EnumId,
        register: bool,
    ) -> Vec<tir::VariantDef> {
        let self_ty = Ty::Enum(eid);
        let mut variants = Vec::new();
        for v in &e.variants {
            if variants
                .iter()
                .any(|x: &tir::VariantDef| x.name == v.name.name)
            {
                self.report(diag::duplicate_definition(
                    v.name.span,
                    &v.name.name,
                    e.name.span,
                ));
                continue;
            }
            let fields = match &v.kind {
                ast::VariantKind::Unit => Vec::new(),
                ast::VariantKind::Tuple(tys) => tys
                    .iter()
                    .enumerate()
                    .map(|(i, t)| FieldDef {
                        name: i.to_string(),
                        ty: self.resolve_ty(t, Some(&self_ty)),
                        default: None,
                    })
                    .collect(),
                ast::VariantKind::Struct(ps) => {
                    let named = ps.iter().map(|p| (&p.name, &p.ty));
                    self.field_defs(named, Some(&self_ty))
                }
            };
            if register {
                let entry = self
                    .variants
                    .entry(v.name.name.to_string())
                    .or_insert(Some((eid, variants.len() as u32)));
                if *entry != Some((eid, variants.len() as u32)) {
                    *entry = None;
                }
            }
            variants.push(tir::VariantDef {
                name: v.name.name.to_string(),
                fields,
            });
        }
        variants
    }

    /// The fields named in `params`, in order, without their defaults (evaluated once every
    /// type's fields are known, in `defaults.rs`).
    pub(super) fn field_defs<'p>(
        &mut self,
        params: impl Iterator<Item = (&'p ast::Ident, &'p ast::TypeExpr)>,
        self_ty: Option<&Ty>,
    ) -> Vec<FieldDef> {
        let mut fields: Vec<FieldDef> = Vec::new();
        for (name, ty) in params {
            if fields.iter().any(|f| f.name == name.name) {
                self.report(diag::duplicate_field(name.span, &name.name));
                continue;
            }
            let ty = self.resolve_ty(ty, self_ty);
            fields.push(FieldDef {
                name: name.name.to_string(),
                ty,
                default: None,
            });
        }
        fields
    }

    /// A struct or enum that contains itself by value would have infinite size.
    pub(super) fn check_recursive_types(
        &mut self,
        structs: std::ops::Range<usize>,
        enums: std::ops::Range<usize>,
    ) {
        fn contains(p: &tir::Program, ty: &Ty, target: &Ty, seen: &mut Vec<Ty>) -> bool {
            let inner: Vec<&Ty> = match ty {
                Ty::Struct(id) => p.structs[*id].fields.iter().map(|f| &f.ty).collect(),
                Ty::Enum(id) => p.enums[*id]
                    .variants
                    .iter()
                    .flat_map(|v| v.fields.iter().map(|f| &f.ty))
                    .collect(),
                Ty::Array(elem, _) => vec![elem.as_ref()],
                _ => return false,
            };
            for t in inner {
                if t == target {
                    return true;
                }
                if !seen.contains(t) {
                    seen.push(t.clone());
                    if contains(p, t, target, seen) {
                        return true;
                    }
                }
            }
            false
        }
        let all: Vec<(Ty, Span, String)> = structs
            .map(|i| {
                let s = &self.program.structs[i];
                (Ty::Struct(i), s.span, s.name.clone())
            })
            .chain(enums.map(|i| {
                let e = &self.program.enums[i];
                (Ty::Enum(i), e.span, e.name.clone())
            }))
            .collect();
        for (ty, span, name) in all {
            if contains(&self.program, &ty, &ty, &mut Vec::new()) {
                self.report(diag::recursive_type(span, &name));
                // Break the cycle so that later stages cannot recurse forever.
                match ty {
                    Ty::Struct(id) => self.program.structs[id].fields.clear(),
                    Ty::Enum(id) => self.program.enums[id].variants.clear(),
                    _ => {}
                }
            }
        }
    }

    /// Resolves a type written in the source. Unknown types are reported and become the error
    /// type, which is compatible with everything, so one mistake gives one error.
    pub(super) fn resolve_ty(&mut self, t: &ast::TypeExpr, self_ty: Option<&Ty>) -> Ty {
        match &t.kind {
            TypeKind::Unit => Ty::Unit,
            TypeKind::Error => Ty::Error,
            TypeKind::SelfType => match self_ty {
                Some(ty) => ty.clone(),
                None => {
                    self.report(diag::unknown_type(t.span, "Self"));
                    Ty::Error
                }
            },
            TypeKind::Ptr(inner) => Ty::Ptr(Box::new(self.resolve_ty(inner, self_ty))),
            TypeKind::Task(inner) => Ty::Task(Box::new(self.resolve_ty(inner, self_ty))),
            TypeKind::Array(elem, len) => {
                let elem = self.resolve_ty(elem, self_ty);
                match self.const_int(len) {
                    Some(n) if n > i128::from(tir::MAX_ARRAY_LEN) => {
                        let d = diag::array_too_long(len.span, n as u64, tir::MAX_ARRAY_LEN);
                        self.report(d);
                        Ty::Error
                    }
                    Some(n) if n >= 0 => Ty::Array(Box::new(elem), n as u64),
                    _ => {
                        self.report(diag::bad_array_length(len.span));
                        Ty::Error
                    }
                }
            }
            TypeKind::Fn(params, ret) => {
                let params = params.iter().map(|p| self.resolve_ty(p, self_ty)).collect();
                let ret = ret
                    .as_ref()
                    .map_or(Ty::Unit, |r| self.resolve_ty(r, self_ty));
                Ty::Fn(Box::new(FnTy {
                    params,
                    ret,
                    variadic: false,
                }))
            }
            TypeKind::Closure(params, ret) => {
                let params = params.iter().map(|p| self.resolve_ty(p, self_ty)).collect();
                let ret = ret
                    .as_ref()
                    .map_or(Ty::Unit, |r| self.resolve_ty(r, self_ty));
                Ty::Closure(Box::new(FnTy {
                    params,
                    ret,
                    variadic: false,
                }))
            }
            TypeKind::Tuple(elems) => {
                let elems = elems.iter().map(|e| self.resolve_ty(e, self_ty)).collect();
                self.tuple_ty(elems, t.span)
            }
            TypeKind::Applied(name, args) => self.applied_ty(name, args, t.span, self_ty),
            TypeKind::Named(name) => {
                if let Some(bound) = self.generics.env.get(name.as_str()) {
                    return bound.clone();
                }
                if let Some(p) = primitive(name) {
                    return p;
                }
                match self.types.get(name.as_str()).cloned() {
                    Some(TypeName::Resolved(ty)) => ty,
                    Some(TypeName::Alias(idx)) => self.resolve_alias(idx, t.span),
                    None if self.generics.types.contains_key(name.as_str()) => {
                        self.report(diag::missing_type_args(t.span, name));
                        Ty::Error
                    }
                    None => {
                        self.report(diag::unknown_type(t.span, name));
                        Ty::Error
                    }
                }
            }
        }
    }

    fn resolve_alias(&mut self, idx: usize, span: Span) -> Ty {
        if self.aliases[idx].resolving {
            let name = self.aliases[idx].name.clone();
            self.report(diag::recursive_type(span, &name));
            return Ty::Error;
        }
        self.aliases[idx].resolving = true;
        let texpr = self.aliases[idx].ty.clone();
        let ty = self.resolve_ty(&texpr, None);
        self.aliases[idx].resolving = false;
        let name = self.aliases[idx].name.clone();
        self.types.insert(name, TypeName::Resolved(ty.clone()));
        ty
    }

    pub(super) fn fn_attrs(&mut self, decl: &ast::FnDecl, is_extern: bool) -> FuncAttrs {
        let mut attrs = FuncAttrs {
            is_async: self.async_attr(decl),
            ..FuncAttrs::default()
        };
        for a in &decl.attrs {
            match a.name.as_str() {
                "hot" if is_extern => {
                    self.report(diag::hot_not_allowed(a.span, "extern functions"))
                }
                "hot" if decl.name.name == "main" => {
                    self.report(diag::hot_not_allowed(a.span, "`main`"))
                }
                "hot" => attrs.hot = true,
                "inline" => attrs.inline = true,
                // Handled where the function is entered (`Checker::track_caller`).
                "track_caller" => {}
                "extern" => {}
                other => self.report(diag::unknown_attribute(a.span, other)),
            }
        }
        attrs
    }

    pub(super) fn signature(&mut self, decl: &ast::FnDecl, self_ty: Option<&Ty>) -> FnTy {
        let mut params = Vec::new();
        if let Some((kind, span)) = decl.self_param {
            match self_ty {
                Some(t) if kind == ast::SelfKind::Ref => params.push(Ty::Ptr(Box::new(t.clone()))),
                Some(t) => params.push(t.clone()),
                None => {
                    self.report(diag::self_outside_method(span));
                    params.push(Ty::Error);
                }
            }
        }
        for p in &decl.params {
            params.push(self.resolve_ty(&p.ty, self_ty));
        }
        let ret = decl
            .ret
            .as_ref()
            .map_or(Ty::Unit, |r| self.resolve_ty(r, self_ty));
        FnTy {
            params,
            ret,
            variadic: decl.variadic,
        }
    }

    pub(super) fn add_function(
        &mut self,
        name: String,
        ty: FnTy,
        attrs: FuncAttrs,
        span: Span,
    ) -> FuncId {
        self.program.functions.push(FuncDef {
            name,
            ty,
            attrs,
            span,
            body: None,
            host_body: None,
        });
        self.program.functions.len() - 1
    }

    fn collect_functions(&mut self, modules: &[LoadedModule]) {
        for (mi, m) in modules.iter().enumerate() {
            for (ii, item) in m.module.items.iter().enumerate() {
                match &item.kind {
                    ItemKind::Fn(f) if !f.generics.is_empty() => self.declare_generic_fn(f),
                    ItemKind::Fn(f) => {
                        let attrs = self.fn_attrs(f, false);
                        let ty = self.signature(f, None);
                        let id = self.add_function(f.name.name.to_string(), ty, attrs, f.name.span);
                        self.track_caller(f, id);
                        self.define_value(&f.name, Value::Func(id));
                        self.pending_bodies.push(PendingBody {
                            func: id,
                            path: DeclPath::Fn {
                                module: mi,
                                item: ii,
                            },
                            self_ty: None,
                            env: Vec::new(),
                            site: None,
                        });
                    }
                    ItemKind::Extern(fns) => {
                        for f in fns {
                            self.collect_extern(f);
                        }
                    }
                    ItemKind::Impl(imp) => self.collect_impl(imp, mi, ii),
                    _ => {}
                }
            }
        }
    }

    fn collect_extern(&mut self, f: &ast::FnDecl) {
        let attrs = self.fn_attrs(f, true);
        let ty = self.signature(f, None);
        self.refuse_closures_in_c(f, &ty);
        if let Some(b) = builtin(&f.name.name) {
            if b.params.len() != ty.params.len() || b.variadic != ty.variadic {
                self.report(diag::builtin_mismatch(f.name.span, &f.name.name));
            }
        }
        // The same C function may be declared in several modules; keep the first.
        if let Some(Value::Func(prev)) = self.values.get(f.name.name.as_str()) {
            if self.program.functions[*prev].body.is_none()
                && !self.pending_bodies.iter().any(|p| p.func == *prev)
            {
                return;
            }
        }
        let id = self.add_function(f.name.name.to_string(), ty, attrs, f.name.span);
        self.define_value(&f.name, Value::Func(id));
    }

    fn collect_impl(&mut self, imp: &ast::ImplDecl, mi: usize, ii: usize) {
        let target = imp.target.name.as_str();
        if self.generics.types.contains_key(target) {
            self.declare_generic_impl(imp);
            return;
        }
        let self_ty = match self.types.get(target).cloned() {
            Some(TypeName::Resolved(ty @ (Ty::Struct(_) | Ty::Enum(_)))) => ty,
            _ => {
                self.report(diag::unknown_type(imp.target.span, target));
                return;
            }
        };
        for (k, m) in imp.methods.iter().enumerate() {
            if !m.generics.is_empty() {
                self.declare_generic_method(target, m, imp.target.span);
                continue;
            }
            let attrs = self.fn_attrs(m, false);
            let ty = self.signature(m, Some(&self_ty));
            let key = (target.to_string(), m.name.name.to_string());
            if let Some(&prev) = self.methods.get(&key) {
                let prev_span = self.program.functions[prev].span;
                self.report(diag::duplicate_definition(
                    m.name.span,
                    &m.name.name,
                    prev_span,
                ));
                continue;
            }
            let id = self.add_function(format!("{target}.{}", m.name.name), ty, attrs, m.name.span);
            self.track_caller(m, id);
            self.methods.insert(key, id);
            self.self_by_ref
                .insert(id, m.self_param.map(|(k, _)| k) == Some(ast::SelfKind::Ref));
            self.pending_bodies.push(PendingBody {
                func: id,
                path: DeclPath::Method {
                    module: mi,
                    item: ii,
                    method: k,
                },
                self_ty: Some(self_ty.clone()),
                env: Vec::new(),
                site: None,
            });
        }
        if let Some(t) = &imp.trait_name {
            self.implement_trait(t, &self_ty, imp);
        }
    }

    /// The built-in C function `name`, declared on first use.
    pub(super) fn builtin_function(&mut self, name: &str) -> Option<FuncId> {
        let ty = builtin(name)?;
        let id = match self.replay.reserved.remove(name) {
            Some(id) => id,
            None => {
                let span = Span::default();
                self.add_function(name.to_string(), ty, FuncAttrs::default(), span)
            }
        };
        self.replay.declared.push(id);
        self.values.insert(name.to_string(), Value::Func(id));
        Some(id)
    }

    fn collect_globals(&mut self, modules: &[LoadedModule]) {
        for m in modules {
            for item in &m.module.items {
                if let ItemKind::Global(g) = &item.kind {
                    let ty = self.resolve_ty(&g.ty, None);
                    let id = self.program.globals.len();
                    self.program.globals.push(tir::GlobalDef {
                        name: g.name.name.to_string(),
                        ty,
                        init: tir::Const::Zero,
                        span: g.name.span,
                    });
                    self.define_value(&g.name, Value::Global(id));
                }
            }
        }
        let mut gid = 0;
        for m in modules {
            for item in &m.module.items {
                if let ItemKind::Global(g) = &item.kind {
                    let ty = self.program.globals[gid].ty.clone();
                    let init = self.const_value(&g.init, &ty, "global initialiser");
                    self.program.globals[gid].init = init;
                    gid += 1;
                }
            }
        }
    }

    fn find_main(&mut self, modules: &[LoadedModule]) {
        let Some(Value::Func(id)) = self.values.get("main").copied() else {
            let span = modules
                .first()
                .map(|m| Span::new(m.file, 0, 0))
                .unwrap_or_default();
            self.report(diag::no_main(span));
            return;
        };
        let f = &self.program.functions[id];
        // An unknown return type is already reported.
        let ok_ret = matches!(f.ty.ret, Ty::Unit | Ty::Int(_) | Ty::Error);
        if !f.ty.params.is_empty() || !ok_ret || f.body.is_none() && !self.is_pending(id) {
            let span = f.span;
            self.report(diag::bad_main_signature(span));
            return;
        }
        self.program.main = Some(id);
    }

    pub(super) fn is_pending(&self, id: FuncId) -> bool {
        self.pending_bodies.iter().any(|p| p.func == id)
    }
}
