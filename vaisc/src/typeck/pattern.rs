//! `M` expressions: lowering of patterns, binding of pattern variables, the arms' common type,
//! and the exhaustiveness check.
//!
//! A match on an enum must cover every variant (or have a catch-all arm). A match on integers
//! or booleans used as a statement may leave values uncovered, in which case nothing happens for
//! them; used as a value it must be exhaustive, because there would be nothing to produce.

use super::expr::{diverge, error_expr, mk};
use super::{Checker, FnCtx, Value};
use crate::ast::{self, PatternKind as P, VariantPatFields};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Arm, Const, Expr, ExprKind, LocalId, Pattern, Ty};

/// What the unguarded arms seen so far cover.
#[derive(Default)]
struct Coverage {
    all: bool,
    variants: Vec<bool>,
    bools: [bool; 2],
}

impl Coverage {
    fn add(&mut self, p: &Pattern) {
        match p {
            Pattern::Wildcard | Pattern::Bind(_) => self.all = true,
            Pattern::Variant { variant, .. } => {
                if let Some(v) = self.variants.get_mut(*variant as usize) {
                    *v = true;
                }
            }
            Pattern::Int(v) if (0..=1).contains(v) => self.bools[*v as usize] = true,
            Pattern::Range(lo, hi) if *lo <= 0 && *hi >= 1 => self.bools = [true, true],
            Pattern::Or(alts) => alts.iter().for_each(|a| self.add(a)),
            Pattern::Int(_) | Pattern::Range(..) => {}
        }
    }
}

impl Checker {
    pub(super) fn match_expr(
        &mut self,
        ctx: &mut FnCtx,
        scrutinee: &ast::Expr,
        arms: &[ast::Arm],
        expected: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let scr = self.expr(ctx, scrutinee, None);
        let sty = scr.ty.clone();
        let mut coverage = Coverage::default();
        if let Ty::Enum(eid) = sty {
            coverage.variants = vec![false; self.program.enums[eid].variants.len()];
        }
        let mut result: Option<Ty> = expected.filter(|t| **t == Ty::Unit).cloned();
        let mut out = Vec::new();
        for arm in arms {
            ctx.push_scope();
            let pattern = self.pattern(ctx, &arm.pattern, &sty);
            let guard = arm.guard.as_ref().map(|g| self.condition(ctx, g));
            if guard.is_none() {
                coverage.add(&pattern);
            }
            let hint = result.clone().or_else(|| expected.cloned());
            let body = self.expr(ctx, &arm.body, hint.as_ref());
            let body = match &result {
                Some(t) => self.coerce(ctx, body, &t.clone()),
                None => {
                    if body.ty != Ty::Never {
                        result = Some(body.ty.clone());
                    }
                    body
                }
            };
            ctx.pop_scope();
            out.push(Arm {
                pattern,
                guard,
                body,
            });
        }
        let ty = result.unwrap_or(if out.is_empty() { Ty::Unit } else { Ty::Never });
        let exhaustive = coverage.all
            || (!coverage.variants.is_empty() && coverage.variants.iter().all(|v| *v))
            || (sty == Ty::Bool && coverage.bools == [true, true])
            || sty.fits_anywhere();
        if !exhaustive {
            if let Ty::Enum(eid) = sty {
                let def = &self.program.enums[eid];
                let missing: Vec<String> = def
                    .variants
                    .iter()
                    .zip(&coverage.variants)
                    .filter(|(_, c)| !**c)
                    .map(|(v, _)| format!("`{}.{}`", def.name, v.name))
                    .collect();
                let missing = if missing.is_empty() {
                    "every variant".to_string()
                } else {
                    missing.join(", ")
                };
                self.report(diag::not_exhaustive(span, &missing));
                return error_expr(span);
            }
            if ty != Ty::Unit {
                self.report(diag::not_exhaustive(span, "`_`"));
                return error_expr(span);
            }
            out.push(Arm {
                pattern: Pattern::Wildcard,
                guard: None,
                body: mk(ExprKind::Unit, Ty::Unit, span),
            });
        }
        match sty {
            // The arms were checked for their own mistakes, but control never reaches them.
            Ty::Never => diverge(vec![scr], span),
            Ty::Error => error_expr(span),
            _ => mk(ExprKind::Match(Box::new(scr), out), ty, span),
        }
    }

    fn pattern(&mut self, ctx: &mut FnCtx, p: &ast::Pattern, sty: &Ty) -> Pattern {
        let span = p.span;
        let is_int = sty.is_int() || sty.fits_anywhere();
        match &p.kind {
            P::Wildcard | P::Error => Pattern::Wildcard,
            P::Name(n) => {
                if let Ty::Enum(eid) = sty {
                    let def = &self.program.enums[*eid];
                    if let Some(vid) = def.variants.iter().position(|v| v.name == *n) {
                        let count = def.variants[vid].fields.len();
                        return Pattern::Variant {
                            variant: vid as u32,
                            bindings: vec![None; count],
                        };
                    }
                }
                if let Some(&Value::Const(id)) = self.values.get(n.as_str()) {
                    return self.const_pattern(id, sty, span);
                }
                Pattern::Bind(ctx.declare(n, sty.clone(), span, false))
            }
            P::Int(v) if is_int => {
                if let Ty::Int(it) = sty {
                    if !super::consts::int_fits(*v, *it) {
                        self.report(diag::literal_out_of_range(span, it.name()));
                    }
                }
                Pattern::Int(*v)
            }
            P::Range(lo, hi, inclusive) if is_int => {
                let hi = if *inclusive { *hi } else { *hi - 1 };
                Pattern::Range(*lo, hi)
            }
            P::Bool(b) if matches!(sty, Ty::Bool | Ty::Never | Ty::Error) => {
                Pattern::Int(i128::from(*b))
            }
            P::Or(alts) => {
                let lowered: Vec<Pattern> =
                    alts.iter().map(|a| self.pattern(ctx, a, sty)).collect();
                if lowered.iter().any(binds) {
                    self.report(diag::nested_pattern(span));
                }
                Pattern::Or(lowered)
            }
            P::Variant { path, fields } => self.variant_pattern(ctx, path, fields, sty, span),
            _ => {
                let t = self.ty_name(sty);
                self.report(diag::pattern_mismatch(span, &t));
                Pattern::Wildcard
            }
        }
    }

    /// A constant's name as a pattern matches its value, as a literal would.
    fn const_pattern(&mut self, id: usize, sty: &Ty, span: Span) -> Pattern {
        match (self.const_item(id), sty) {
            ((Ty::Int(_), Const::Int(v)), Ty::Int(it)) => {
                if !super::consts::int_fits(v, *it) {
                    self.report(diag::literal_out_of_range(span, it.name()));
                }
                Pattern::Int(v)
            }
            ((Ty::Bool, Const::Bool(b)), Ty::Bool) => Pattern::Int(i128::from(b)),
            ((Ty::Error, _), _) | (_, Ty::Never | Ty::Error) => Pattern::Wildcard,
            _ => {
                let t = self.ty_name(sty);
                self.report(diag::pattern_mismatch(span, &t));
                Pattern::Wildcard
            }
        }
    }

    fn variant_pattern(
        &mut self,
        ctx: &mut FnCtx,
        path: &[ast::Ident],
        fields: &VariantPatFields,
        sty: &Ty,
        span: Span,
    ) -> Pattern {
        let Ty::Enum(eid) = *sty else {
            if !sty.fits_anywhere() {
                let t = self.ty_name(sty);
                self.report(diag::pattern_mismatch(span, &t));
            }
            return Pattern::Wildcard;
        };
        let enum_name = self.program.enums[eid].name.clone();
        let (qualifier, vname) = match path {
            [v] => (None, v),
            [q, v] => (Some(q), v),
            _ => {
                self.report(diag::pattern_mismatch(span, &enum_name));
                return Pattern::Wildcard;
            }
        };
        if let Some(q) = qualifier {
            if q.name != enum_name && q.name != "Self" && q.name != self.base_name(sty) {
                self.report(diag::pattern_mismatch(span, &enum_name));
                return Pattern::Wildcard;
            }
        }
        let Some(vid) = self.variant_index(eid, &vname.name, vname.span) else {
            return Pattern::Wildcard;
        };
        let vdef = &self.program.enums[eid].variants[vid as usize];
        let ftys: Vec<(String, Ty)> = vdef
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone()))
            .collect();
        let mut bindings: Vec<Option<LocalId>> = vec![None; ftys.len()];
        match fields {
            VariantPatFields::Unit => {}
            VariantPatFields::Tuple(pats) => {
                if pats.len() != ftys.len() {
                    self.report(diag::wrong_pattern_fields(
                        span,
                        &vname.name,
                        ftys.len(),
                        pats.len(),
                    ));
                }
                for (i, (p, (_, t))) in pats.iter().zip(&ftys).enumerate() {
                    bindings[i] = self.field_binding(ctx, p, t);
                }
            }
            VariantPatFields::Struct(named) => {
                for (fname, p) in named {
                    match ftys.iter().position(|(n, _)| *n == fname.name) {
                        Some(i) => bindings[i] = self.field_binding(ctx, p, &ftys[i].1),
                        None => {
                            self.report(diag::unknown_field(fname.span, &fname.name, &vname.name))
                        }
                    }
                }
            }
        }
        Pattern::Variant {
            variant: vid,
            bindings,
        }
    }

    fn field_binding(&mut self, ctx: &mut FnCtx, p: &ast::Pattern, ty: &Ty) -> Option<LocalId> {
        match &p.kind {
            P::Wildcard | P::Error => None,
            P::Name(n) => Some(ctx.declare(n, ty.clone(), p.span, false)),
            _ => {
                self.report(diag::nested_pattern(p.span));
                None
            }
        }
    }
}

fn binds(p: &Pattern) -> bool {
    match p {
        Pattern::Bind(_) => true,
        Pattern::Variant { bindings, .. } => bindings.iter().any(Option::is_some),
        Pattern::Or(alts) => alts.iter().any(binds),
        _ => false,
    }
}
