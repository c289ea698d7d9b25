//! Field defaults: `S State { frame: i64, speed: f64 = 2.5 }`.
//!
//! A default is a constant expression of the field's type, evaluated by the constant evaluator
//! (`consts.rs`) once every type's fields are known, and stored in the typed IR's field
//! (`tir::FieldDef::default`), where struct literals that omit the field and the hot-reload
//! migration of live values read it. A default may itself be a struct literal that omits
//! defaulted fields of another struct, so defaults are evaluated on first use; since no struct
//! contains itself by value (`collect.rs` checks), that recursion ends.

use super::Checker;
use crate::ast::{self, ItemKind};
use crate::resolve::LoadedModule;
use crate::source::Span;
use crate::tir::{Const, Expr, ExprKind, FloatTy, IntTy, StructId, Ty};
use std::collections::BTreeMap;

/// The defaults written in the source and not evaluated yet, by struct and field index.
pub(super) type PendingDefaults = BTreeMap<(StructId, usize), ast::Expr>;

impl Checker {
    /// Evaluates the default of every struct field that has one, in declaration order, so that
    /// each error in one is reported even if no literal relies on it.
    pub(super) fn evaluate_field_defaults(&mut self, modules: &[LoadedModule]) {
        let structs = modules
            .iter()
            .flat_map(|m| &m.module.items)
            .filter_map(|item| match &item.kind {
                ItemKind::Struct(s) => Some(s),
                _ => None,
            });
        // Structs are numbered in the order their items appear (`collect_type_names`).
        for (sid, decl) in structs.enumerate() {
            for (k, field) in decl.fields.iter().enumerate() {
                let Some(default) = &field.default else {
                    continue;
                };
                // A duplicate field was reported and left out; only its first declaration is
                // the field.
                let first = decl
                    .fields
                    .iter()
                    .position(|f| f.name.name == field.name.name);
                let index = self.program.structs[sid]
                    .fields
                    .iter()
                    .position(|f| f.name == field.name.name);
                if let (Some(index), true) = (index, first == Some(k)) {
                    self.pending_defaults.insert((sid, index), default.clone());
                }
            }
        }
        let keys: Vec<(StructId, usize)> = self.pending_defaults.keys().copied().collect();
        for (sid, index) in keys {
            self.field_default(sid, index);
        }
    }

    /// The default of field `index` of struct `sid`, evaluating it if needed. A default that
    /// is in error has the zero of the field's type, so that literals relying on it report
    /// nothing more.
    pub(super) fn field_default(&mut self, sid: StructId, index: usize) -> Option<Const> {
        // Taken out before evaluating: meeting the field again while evaluating it would need a
        // struct containing itself, which is reported elsewhere; it then has no default.
        if let Some(expr) = self.pending_defaults.remove(&(sid, index)) {
            let ty = self.program.structs[sid].fields[index].ty.clone();
            let value = self.const_value(&expr, &ty, "field default");
            self.program.structs[sid].fields[index].default = Some(value);
        }
        self.program.structs[sid].fields[index].default.clone()
    }
}

/// A constant as a typed-IR expression of type `ty`, for a field a struct literal omits: the
/// same nodes a literal written out in full would give, so code generation (and a hot patch's
/// handling of string literals) treats it like any other literal.
pub(super) fn const_expr(
    program: &crate::tir::Program,
    value: &Const,
    ty: &Ty,
    span: Span,
) -> Expr {
    let kind = match (value, ty) {
        (Const::Int(v), Ty::Float(_)) => ExprKind::Float(*v as f64),
        (Const::Int(v), _) => ExprKind::Int(*v),
        (Const::Float(v), _) => ExprKind::Float(*v),
        (Const::Bool(b), _) => ExprKind::Bool(*b),
        (Const::Str(s), _) => ExprKind::Str(s.clone()),
        (Const::Func(f), _) => ExprKind::FuncRef(*f),
        (Const::Struct(fields), Ty::Struct(id)) => {
            let exprs = fields
                .iter()
                .zip(&program.structs[*id].fields)
                .map(|(c, f)| const_expr(program, c, &f.ty, span))
                .collect();
            ExprKind::StructLit(*id, exprs)
        }
        (Const::Array(elems), Ty::Array(elem, _)) => ExprKind::ArrayLit(
            elems
                .iter()
                .map(|c| const_expr(program, c, elem, span))
                .collect(),
        ),
        (Const::Zero, _) => return zero_expr(program, ty, span),
        // The evaluator gives struct constants only to struct types and array constants only
        // to array types; anything else would be a value of a type in error.
        _ => ExprKind::Unreachable,
    };
    super::expr::mk(kind, ty.clone(), span)
}

/// The all-zero value of `ty` as an expression (what `Const::Zero` stands for).
fn zero_expr(program: &crate::tir::Program, ty: &Ty, span: Span) -> Expr {
    let kind = match ty {
        Ty::Bool => ExprKind::Bool(false),
        Ty::Float(_) => ExprKind::Float(0.0),
        Ty::Struct(id) => ExprKind::StructLit(
            *id,
            program.structs[*id]
                .fields
                .iter()
                .map(|f| zero_expr(program, &f.ty, span))
                .collect(),
        ),
        Ty::Array(elem, n) => ExprKind::ArrayRepeat(Box::new(zero_expr(program, elem, span)), *n),
        // Tag 0 with a zero payload: the first variant, as in zeroed memory.
        Ty::Enum(id) => ExprKind::EnumLit(
            *id,
            0,
            program.enums[*id]
                .variants
                .first()
                .map(|v| {
                    v.fields
                        .iter()
                        .map(|f| zero_expr(program, &f.ty, span))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        Ty::Unit => ExprKind::Unit,
        // Integers, and null for pointers, strings and functions.
        _ => ExprKind::Int(0),
    };
    super::expr::mk(kind, ty.clone(), span)
}

/// The type a literal plainly has whatever it initialises, for reporting a constant of the
/// wrong type as a mismatch rather than as not constant: `true` for an `f64` field.
pub(super) fn literal_ty(checker: &Checker, e: &ast::Expr) -> Option<Ty> {
    Some(match &e.kind {
        ast::ExprKind::Bool(_) => Ty::Bool,
        ast::ExprKind::Str(_) => Ty::Str,
        ast::ExprKind::Float(_) => Ty::Float(FloatTy::F64),
        ast::ExprKind::Int(_) => Ty::Int(IntTy::I64),
        ast::ExprKind::StructLit(path, _) if path.len() == 1 => {
            match checker.types.get(path[0].name.as_str())? {
                super::TypeName::Resolved(t @ Ty::Struct(_)) => t.clone(),
                _ => return None,
            }
        }
        _ => return None,
    })
}
