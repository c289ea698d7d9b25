//! Calls, methods and aggregate values: function and indirect calls, method calls with
//! auto-reference, associated functions, enum variant construction, struct and array literals.

use super::expr::{diverge, error_expr, mk};
use super::generic::MethodRef;
use super::{Checker, FnCtx, Value};
use crate::ast::{self, ExprKind as E};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Callee, EnumId, Expr, ExprKind, FloatTy, FnTy, FuncId, IntTy, Ty};

impl Checker {
    pub(super) fn call(
        &mut self,
        ctx: &mut FnCtx,
        callee: &ast::Expr,
        args: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        if let E::Name(n) = &callee.kind {
            if !ctx.sees(n) {
                match self.values.get(n.as_str()).copied() {
                    Some(Value::Func(f)) => {
                        return self.direct_call(ctx, f, Vec::new(), args, span)
                    }
                    Some(Value::Generic(g)) => {
                        let b = Default::default();
                        return self.generic_call(ctx, g, b, Vec::new(), args, expected, span);
                    }
                    Some(Value::Global(_) | Value::Const(_)) => {}
                    None => {
                        if let Some(which) = super::fmt::FmtCall::from_name(n) {
                            return self.fmt_call(ctx, which, args, span);
                        }
                        if n == "assert" {
                            return self.assert_call(ctx, args, span);
                        }
                        if let Some(f) = self.builtin_function(n) {
                            return self.direct_call(ctx, f, Vec::new(), args, span);
                        }
                        if let Some(found) = self.variants.get(n.as_str()).copied() {
                            return match found {
                                Some((eid, vid)) => self.enum_value(ctx, eid, vid, args, span),
                                None => {
                                    self.report(diag::ambiguous_variant(callee.span, n));
                                    error_expr(span)
                                }
                            };
                        }
                        if let Some(found) = self.generic_bare_variant(n, callee.span) {
                            return match found {
                                Some((g, vid)) => {
                                    self.generic_variant(ctx, &g, vid, args, expected, span)
                                }
                                None => error_expr(span),
                            };
                        }
                        if n == "caller_location" && args.is_empty() {
                            if let Some(id) = ctx.lookup(super::CALLER) {
                                return mk(ExprKind::Local(id), Ty::Str, span);
                            }
                        }
                        self.report(diag::unknown_function(callee.span, n));
                        // Checked against the error type: nothing about them is known, which
                        // is no second mistake (a closure's parameter types, say).
                        for a in args {
                            self.expr(ctx, a, Some(&Ty::Error));
                        }
                        return error_expr(span);
                    }
                }
            }
        }
        let f = self.expr(ctx, callee, None);
        match f.ty.clone() {
            Ty::Fn(fty) => {
                let sig = Signature::plain(&fty, "function pointer");
                let args = self.call_args(ctx, sig, Vec::new(), args, span);
                mk(
                    ExprKind::Call {
                        callee: Callee::Indirect(Box::new(f)),
                        args,
                    },
                    fty.ret.clone(),
                    span,
                )
            }
            Ty::Closure(fty) => {
                let name = match &callee.kind {
                    E::Name(n) => n.as_str(),
                    _ => "closure",
                };
                let sig = Signature::plain(&fty, name);
                let args = self.call_args(ctx, sig, Vec::new(), args, span);
                let ret = fty.ret.clone();
                let callee = Callee::Closure(Box::new(f));
                mk(ExprKind::Call { callee, args }, ret, span)
            }
            Ty::Never => self.diverging_call(ctx, f, args, span),
            Ty::Error => {
                self.diverging_call(ctx, f, args, span);
                error_expr(span)
            }
            other => {
                let t = self.ty_name(&other);
                self.report(diag::not_callable(callee.span, &t));
                error_expr(span)
            }
        }
    }

    /// A call whose callee or receiver diverges: the arguments are still checked, and the
    /// callee and arguments evaluated in order until the callee leaves.
    fn diverging_call(
        &mut self,
        ctx: &mut FnCtx,
        callee: Expr,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let mut parts = vec![callee];
        for a in args {
            parts.push(self.expr(ctx, a, Some(&Ty::Error)));
        }
        diverge(parts, span)
    }

    /// A call to a known function; `receiver` holds already-lowered leading arguments.
    pub(super) fn direct_call(
        &mut self,
        ctx: &mut FnCtx,
        func: FuncId,
        receiver: Vec<Expr>,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let mut fty = self.program.functions[func].ty.clone();
        let hidden = self.generics.track_caller.contains(&func);
        if hidden {
            fty.params.pop();
        }
        let name = self.program.functions[func].name.clone();
        let is_extern = self.program.functions[func].body.is_none() && !self.is_pending(func);
        let format = super::format::format_index(&name).filter(|_| is_extern && fty.variadic);
        // With a literal format, literal arguments take the type their conversion wants.
        let hints: Vec<Option<Ty>> = match format.and_then(|f| args.get(f)).map(|a| &a.kind) {
            Some(E::Str(text)) => super::format::slots(text)
                .map(|slots| slots.iter().map(|s| s.literal_ty()).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let sig = Signature {
            fty: &fty,
            name: &name,
            variadic_hints: &hints,
        };
        let lowered = self.call_args(ctx, sig, receiver, args, span);
        if let Some(fmt) = format {
            self.check_format(fmt, args, &lowered, span);
        }
        let mut args = lowered;
        if hidden {
            args.push(self.caller_location(ctx, span));
        }
        if self.program.functions[func].attrs.is_async {
            return super::async_::task_new(func, args, &fty.ret, span);
        }
        mk(
            ExprKind::Call {
                callee: Callee::Direct(func),
                args,
            },
            fty.ret.clone(),
            span,
        )
    }

    fn call_args(
        &mut self,
        ctx: &mut FnCtx,
        callee: Signature,
        mut out: Vec<Expr>,
        args: &[ast::Expr],
        span: Span,
    ) -> Vec<Expr> {
        let Signature {
            fty,
            name,
            variadic_hints,
        } = callee;
        let fixed = fty.params.len();
        let given = out.len() + args.len();
        if given < fixed || (given > fixed && !fty.variadic) {
            let (e, f) = (fixed - out.len().min(fixed), args.len());
            self.report(diag::wrong_arg_count(span, name, e, f));
        }
        for a in args {
            let i = out.len();
            let v = match fty.params.get(i) {
                Some(p) => {
                    let v = self.expr(ctx, a, Some(p));
                    self.coerce(ctx, v, p)
                }
                None => {
                    // An argument too many (already reported) has no type to expect at all.
                    let hint = match fty.variadic {
                        true => variadic_hints.get(i - fixed).cloned().flatten(),
                        false => Some(Ty::Error),
                    };
                    let v = self.expr(ctx, a, hint.as_ref());
                    if fty.variadic && matches!(v.ty, Ty::Closure(_)) {
                        let t = self.ty_name(&v.ty);
                        self.report(diag::closure_in_extern(v.span, &t));
                    }
                    promote_variadic(v)
                }
            };
            out.push(v);
        }
        out
    }

    pub(super) fn method_call(
        &mut self,
        ctx: &mut FnCtx,
        base: &ast::Expr,
        name: &ast::Ident,
        args: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        if let Some(g) = self.generic_type_named(ctx, base) {
            return self.generic_path_call(ctx, &g, name, args, expected, span);
        }
        if let Some(ty) = self.type_path(ctx, base) {
            let tname = self.ty_name(&ty);
            match self.lookup_method(&ty, &name.name, span) {
                Some(MethodRef::Func(f)) => {
                    return self.direct_call(ctx, f, Vec::new(), args, span)
                }
                Some(MethodRef::Generic(g, b)) => {
                    return self.generic_call(ctx, g, b, Vec::new(), args, expected, span)
                }
                None => {}
            }
            if let Ty::Enum(eid) = ty {
                if let Some(vid) = self.variant_index(eid, &name.name, name.span) {
                    return self.enum_value(ctx, eid, vid, args, span);
                }
                return error_expr(span);
            }
            self.report(diag::unknown_method(name.span, &name.name, &tname));
            return error_expr(span);
        }
        let recv = self.expr(ctx, base, None);
        let target = self.auto_deref(recv);
        if let (Ty::Array(_, n), "len", true) = (&target.ty, name.name.as_str(), args.is_empty()) {
            let n = *n;
            return self.array_len(target, n, span);
        }
        let tname = match &target.ty {
            Ty::Struct(_) | Ty::Enum(_) => self.ty_name(&target.ty),
            Ty::Never => return self.diverging_call(ctx, target, args, span),
            Ty::Error => {
                self.diverging_call(ctx, target, args, span);
                return error_expr(span);
            }
            other => {
                let t = self.ty_name(other);
                self.report(diag::unknown_method(name.span, &name.name, &t));
                return error_expr(span);
            }
        };
        let (f, generic) = match self.lookup_method(&target.ty, &name.name, span) {
            Some(MethodRef::Func(f)) => (f, None),
            Some(MethodRef::Generic(g, b)) => (usize::MAX, Some((g, b))),
            None => return self.field_call(ctx, target, name, args, span, &tname),
        };
        let by_ref = match &generic {
            Some((g, _)) => self.generics.fns[*g]
                .decl
                .self_param
                .map(|(k, _)| k == ast::SelfKind::Ref),
            None => self.self_by_ref.get(&f).copied(),
        };
        let receiver = match by_ref {
            Some(true) => self.receiver_address(ctx, target, span),
            Some(false) => target,
            None => {
                // An associated function without `self` called on a value.
                self.report(diag::unknown_method(name.span, &name.name, &tname));
                return error_expr(span);
            }
        };
        if let Some((g, b)) = generic {
            return self.generic_call(ctx, g, b, vec![receiver], args, expected, span);
        }
        self.direct_call(ctx, f, vec![receiver], args, span)
    }

    /// `&receiver` for a `&self` method: the receiver's own address when it is a place (so the
    /// method can modify it), else the address of a temporary copy.
    pub(super) fn receiver_address(&mut self, ctx: &mut FnCtx, target: Expr, span: Span) -> Expr {
        // `auto_deref` may have produced `*p`; its address is `p` itself.
        if let ExprKind::Deref(_) = &target.kind {
            let ExprKind::Deref(inner) = target.kind else {
                unreachable!("matched just above");
            };
            return *inner;
        }
        if target.is_place() {
            let ty = Ty::Ptr(Box::new(target.ty.clone()));
            return mk(ExprKind::AddrOf(Box::new(target)), ty, span);
        }
        self.spill_address(ctx, target, span)
    }

    /// `s.f(args)` where `f` is a function-pointer field rather than a method.
    fn field_call(
        &mut self,
        ctx: &mut FnCtx,
        target: Expr,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        tname: &str,
    ) -> Expr {
        if let Ty::Struct(id) = target.ty {
            let def = &self.program.structs[id];
            if let Some(i) = def.fields.iter().position(|f| f.name == name.name) {
                let fty = def.fields[i].ty.clone();
                if let Ty::Fn(sig) | Ty::Closure(sig) = &fty {
                    let sig = sig.clone();
                    let f = mk(
                        ExprKind::Field(Box::new(target), i as u32),
                        fty.clone(),
                        name.span,
                    );
                    let args =
                        self.call_args(ctx, Signature::plain(&sig, &name.name), vec![], args, span);
                    let callee = match fty {
                        Ty::Closure(_) => Callee::Closure(Box::new(f)),
                        _ => Callee::Indirect(Box::new(f)),
                    };
                    let kind = ExprKind::Call { callee, args };
                    return mk(kind, sig.ret.clone(), span);
                }
            }
        }
        self.report(diag::unknown_method(name.span, &name.name, tname));
        error_expr(span)
    }

    pub(super) fn variant_index(&mut self, eid: EnumId, name: &str, span: Span) -> Option<u32> {
        let def = &self.program.enums[eid];
        match def.variants.iter().position(|v| v.name == name) {
            Some(i) => Some(i as u32),
            None => {
                let e = def.name.clone();
                self.report(diag::unknown_variant(span, name, &e));
                None
            }
        }
    }

    /// An enum value built from positional payload arguments.
    pub(super) fn enum_value(
        &mut self,
        ctx: &mut FnCtx,
        eid: EnumId,
        vid: u32,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        self.enum_value_from(ctx, eid, vid, args, Vec::new(), span)
    }

    /// An enum value from positional payload arguments, some of which (`pre`, by position)
    /// may be lowered already.
    pub(super) fn enum_value_from(
        &mut self,
        ctx: &mut FnCtx,
        eid: EnumId,
        vid: u32,
        args: &[ast::Expr],
        mut pre: Vec<Option<Expr>>,
        span: Span,
    ) -> Expr {
        let variant = &self.program.enums[eid].variants[vid as usize];
        let vname = variant.name.clone();
        let tys: Vec<Ty> = variant.fields.iter().map(|f| f.ty.clone()).collect();
        if tys.len() != args.len() {
            self.report(diag::wrong_arg_count(span, &vname, tys.len(), args.len()));
            return error_expr(span);
        }
        pre.resize_with(args.len(), || None);
        let mut fields = Vec::new();
        for ((a, t), done) in args.iter().zip(&tys).zip(pre) {
            let v = match done {
                Some(v) => v,
                None => self.expr(ctx, a, Some(t)),
            };
            fields.push(self.coerce(ctx, v, t));
        }
        mk(ExprKind::EnumLit(eid, vid, fields), Ty::Enum(eid), span)
    }

    pub(super) fn struct_lit(
        &mut self,
        ctx: &mut FnCtx,
        path: &[ast::Ident],
        fields: &[(ast::Ident, ast::Expr)],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        // Resolve what is being built: a struct, or a struct-like enum variant.
        let head = &path[0];
        let mut pre = std::collections::HashMap::new();
        let generic = self.generic_lit(ctx, path, fields, expected, span);
        let generic = match generic {
            Some(Some((target, lowered))) => {
                pre = lowered;
                Some(target)
            }
            Some(None) => return error_expr(span),
            None => None,
        };
        let head_expr = ast::Expr {
            kind: E::Name(head.name.clone()),
            span: head.span,
        };
        let target = match generic {
            Some(t) => t,
            None => match (path.len(), self.type_path(ctx, &head_expr)) {
                (1, Some(Ty::Struct(id))) => Ok(id),
                (2, Some(Ty::Enum(eid))) => {
                    match self.variant_index(eid, &path[1].name, path[1].span) {
                        Some(vid) => Err((eid, vid)),
                        None => return error_expr(span),
                    }
                }
                (1, None) => match self.variants.get(head.name.as_str()).copied() {
                    Some(Some(found)) => Err(found),
                    _ => {
                        self.report(diag::unknown_type(head.span, &head.name));
                        return error_expr(span);
                    }
                },
                _ => {
                    let name: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
                    self.report(diag::struct_literal_of_non_struct(
                        head.span,
                        &name.join("."),
                    ));
                    return error_expr(span);
                }
            },
        };
        let (defs, tname): (Vec<(String, Ty)>, String) = match target {
            Ok(id) => {
                let d = &self.program.structs[id];
                (
                    d.fields
                        .iter()
                        .map(|f| (f.name.clone(), f.ty.clone()))
                        .collect(),
                    d.name.clone(),
                )
            }
            Err((eid, vid)) => {
                let v = &self.program.enums[eid].variants[vid as usize];
                (
                    v.fields
                        .iter()
                        .map(|f| (f.name.clone(), f.ty.clone()))
                        .collect(),
                    v.name.clone(),
                )
            }
        };
        let mut values: Vec<Option<Expr>> = defs.iter().map(|_| None).collect();
        for (fname, fexpr) in fields {
            let Some(i) = defs.iter().position(|(n, _)| *n == fname.name) else {
                self.report(diag::unknown_field(fname.span, &fname.name, &tname));
                self.expr(ctx, fexpr, None);
                continue;
            };
            if values[i].is_some() {
                self.report(diag::duplicate_field(fname.span, &fname.name));
                continue;
            }
            let t = defs[i].1.clone();
            let v = match pre.remove(&i) {
                Some(v) => v,
                None => self.expr(ctx, fexpr, Some(&t)),
            };
            values[i] = Some(self.coerce(ctx, v, &t));
        }
        // A struct field left out takes its default, as a literal of its own.
        if let Ok(id) = target {
            for (i, v) in values.iter_mut().enumerate() {
                if v.is_none() {
                    if let Some(c) = self.program.structs[id].fields[i].default.clone() {
                        let program = &self.program;
                        *v = Some(super::defaults::const_expr(program, &c, &defs[i].1, span));
                    }
                }
            }
        }
        let missing: Vec<String> = defs
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|((n, _), _)| format!("`{n}`"))
            .collect();
        if !missing.is_empty() {
            self.report(diag::missing_fields(span, &tname, &missing.join(", ")));
            // The value still has its type, so that its uses are checked as usual.
            let ty = match target {
                Ok(id) => Ty::Struct(id),
                Err((eid, _)) => Ty::Enum(eid),
            };
            return mk(ExprKind::Unreachable, ty, span);
        }
        let values: Vec<Expr> = values.into_iter().flatten().collect();
        match target {
            Ok(id) => mk(ExprKind::StructLit(id, values), Ty::Struct(id), span),
            Err((eid, vid)) => mk(ExprKind::EnumLit(eid, vid, values), Ty::Enum(eid), span),
        }
    }

    pub(super) fn array_lit(
        &mut self,
        ctx: &mut FnCtx,
        elems: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let mut elem_ty = match expected {
            Some(Ty::Array(t, _) | Ty::Ptr(t)) => Some((**t).clone()),
            _ => None,
        };
        let mut out = Vec::new();
        for el in elems {
            let v = self.expr(ctx, el, elem_ty.as_ref());
            let v = match &elem_ty {
                Some(t) => self.coerce(ctx, v, t),
                None => {
                    elem_ty = Some(v.ty.clone());
                    v
                }
            };
            out.push(v);
        }
        let elem = elem_ty.unwrap_or(Ty::I64);
        if let Some(Ty::Array(_, n)) = expected {
            if *n != out.len() as u64 {
                self.report(diag::array_length_mismatch(span, *n, out.len() as u64));
                return error_expr(span);
            }
        }
        let ty = Ty::Array(Box::new(elem), out.len() as u64);
        mk(ExprKind::ArrayLit(out), ty, span)
    }

    pub(super) fn array_repeat(
        &mut self,
        ctx: &mut FnCtx,
        value: &ast::Expr,
        count: &ast::Expr,
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let elem_ty = match expected {
            Some(Ty::Array(t, _) | Ty::Ptr(t)) => Some((**t).clone()),
            _ => None,
        };
        let v = self.expr(ctx, value, elem_ty.as_ref());
        let v = match &elem_ty {
            Some(t) => self.coerce(ctx, v, t),
            None => v,
        };
        let Some(n) = self.const_int(count).filter(|n| *n >= 0) else {
            self.report(diag::bad_array_length(count.span));
            return error_expr(span);
        };
        if n > i128::from(crate::tir::MAX_ARRAY_LEN) {
            let d = diag::array_too_long(count.span, n as u64, crate::tir::MAX_ARRAY_LEN);
            self.report(d);
            return error_expr(span);
        }
        if let Some(Ty::Array(_, want)) = expected {
            if *want != n as u64 {
                self.report(diag::array_length_mismatch(span, *want, n as u64));
                return error_expr(span);
            }
        }
        let ty = Ty::Array(Box::new(v.ty.clone()), n as u64);
        mk(ExprKind::ArrayRepeat(Box::new(v), n as u64), ty, span)
    }
}

/// What `call_args` checks arguments against: the callee's type, its name for messages, and
/// the types literal arguments in the variadic part should take (from a `printf` format).
#[derive(Clone, Copy)]
struct Signature<'a> {
    fty: &'a FnTy,
    name: &'a str,
    variadic_hints: &'a [Option<Ty>],
}

impl<'a> Signature<'a> {
    fn plain(fty: &'a FnTy, name: &'a str) -> Signature<'a> {
        Signature {
            fty,
            name,
            variadic_hints: &[],
        }
    }
}

/// C's default argument promotions for the variadic part of a call.
fn promote_variadic(v: Expr) -> Expr {
    let span = v.span;
    let target = match &v.ty {
        Ty::Float(FloatTy::F32) => Ty::F64,
        Ty::Int(it) if it.bits() < 32 => Ty::Int(IntTy::I32),
        Ty::Bool => Ty::Int(IntTy::I32),
        _ => return v,
    };
    mk(ExprKind::Cast(Box::new(v)), target, span)
}
