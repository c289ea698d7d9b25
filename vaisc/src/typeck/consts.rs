//! Compile-time evaluation of global initialisers and array lengths.
//!
//! Globals are initialised statically (they live in the executable's data section), so their
//! initialisers must be constants: literals, arithmetic on them, casts, struct and array
//! literals, enum unit variants and function names.

use super::{Checker, Value};
use crate::ast::{BinOp, Expr, ExprKind, UnOp};
use crate::diagnostics as diag;
use crate::tir::{Const, FloatTy, IntTy, Ty};

impl Checker {
    /// An integer constant expression, as used for array lengths. Reports nothing.
    pub(super) fn const_int(&self, e: &Expr) -> Option<i128> {
        match &e.kind {
            ExprKind::Int(v) => Some(*v as i128),
            ExprKind::Unary(UnOp::Neg, inner) => self.const_int(inner).map(|v| -v),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.const_int(a)?, self.const_int(b)?);
                match op {
                    BinOp::Add => a.checked_add(b),
                    BinOp::Sub => a.checked_sub(b),
                    BinOp::Mul => a.checked_mul(b),
                    BinOp::Div => a.checked_div(b),
                    BinOp::Rem => a.checked_rem(b),
                    BinOp::Shl => u32::try_from(b).ok().and_then(|b| a.checked_shl(b)),
                    BinOp::Shr => u32::try_from(b).ok().and_then(|b| a.checked_shr(b)),
                    BinOp::BitAnd => Some(a & b),
                    BinOp::BitOr => Some(a | b),
                    BinOp::BitXor => Some(a ^ b),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Evaluates a global initialiser of type `ty`, reporting what is not constant.
    pub(super) fn const_value(&mut self, e: &Expr, ty: &Ty) -> Const {
        match self.try_const(e, ty) {
            Some(c) => c,
            None => {
                self.report(diag::not_constant(e.span));
                Const::Zero
            }
        }
    }

    fn try_const(&mut self, e: &Expr, ty: &Ty) -> Option<Const> {
        match (&e.kind, ty) {
            (_, Ty::Int(it)) => {
                let v = self.const_int(e)?;
                if !int_fits(v, *it) {
                    self.report(diag::literal_out_of_range(e.span, it.name()));
                }
                Some(Const::Int(v))
            }
            (_, Ty::Float(ft)) => {
                let v = const_float(e)?;
                Some(Const::Float(if *ft == FloatTy::F32 {
                    v as f32 as f64
                } else {
                    v
                }))
            }
            (ExprKind::Bool(b), Ty::Bool) => Some(Const::Bool(*b)),
            (ExprKind::Str(s), Ty::Str) => Some(Const::Str(s.clone())),
            (ExprKind::Int(0), Ty::Ptr(_) | Ty::Str | Ty::Fn(_)) => Some(Const::Zero),
            (ExprKind::Name(n), Ty::Fn(_)) => match self.values.get(n) {
                Some(Value::Func(f)) => Some(Const::Func(*f)),
                _ => None,
            },
            (ExprKind::StructLit(path, fields), Ty::Struct(id)) if path.len() == 1 => {
                let defs: Vec<(String, Ty)> = self.program.structs[*id]
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), f.ty.clone()))
                    .collect();
                let mut out = Vec::new();
                for (name, fty) in defs {
                    let given = fields.iter().find(|(n, _)| n.name == name);
                    match given {
                        Some((_, fe)) => out.push(self.try_const(fe, &fty)?),
                        None => out.push(Const::Zero),
                    }
                }
                Some(Const::Struct(out))
            }
            (ExprKind::ArrayLit(elems), Ty::Array(elem, n)) if elems.len() as u64 == *n => {
                let mut out = Vec::new();
                for el in elems {
                    out.push(self.try_const(el, elem)?);
                }
                Some(Const::Array(out))
            }
            (ExprKind::ArrayRepeat(v, count), Ty::Array(elem, n)) => {
                if self.const_int(count)? != *n as i128 {
                    return None;
                }
                let v = self.try_const(v, elem)?;
                Some(Const::Array(vec![v; *n as usize]))
            }
            (ExprKind::Cast(inner, _), _) => self.try_const(inner, ty),
            _ => None,
        }
    }
}

fn const_float(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Float(v) => Some(*v),
        ExprKind::Int(v) => Some(*v as f64),
        ExprKind::Unary(UnOp::Neg, inner) => const_float(inner).map(|v| -v),
        ExprKind::Binary(op, a, b) => {
            let (a, b) = (const_float(a)?, const_float(b)?);
            match op {
                BinOp::Add => Some(a + b),
                BinOp::Sub => Some(a - b),
                BinOp::Mul => Some(a * b),
                BinOp::Div => Some(a / b),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether `v` is representable in `ty`, accepting the unsigned bit pattern of negative values
/// of the same width (so `0xFFFF_FFFF` fits `i32` as `-1`, like a C literal would).
pub(super) fn int_fits(v: i128, ty: IntTy) -> bool {
    let bits = ty.bits();
    let min = -(1i128 << (bits - 1));
    let max = (1i128 << bits) - 1;
    v >= min && v <= max
}
