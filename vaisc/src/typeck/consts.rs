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
            (_, Ty::Int(it)) => Some(Const::Int(self.const_int_in(e, *it)?)),
            (_, Ty::Float(ft)) => Some(Const::Float(self.const_float_in(e, *ft)?)),
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

impl Checker {
    /// An integer constant evaluated in `it`, as the same expression runs: each literal takes
    /// type `it` (a bit pattern such as `0xFF` is -1 as an `i8`) and every operation wraps in
    /// `it`. A literal that does not fit `it` is reported at the literal. `None` when the
    /// expression is not constant (division by zero, a shift by `it`'s width or more).
    fn const_int_in(&mut self, e: &Expr, it: IntTy) -> Option<i128> {
        let bits = it.bits();
        match &e.kind {
            ExprKind::Int(v) => {
                let v = *v as i128;
                if !int_fits(v, it) {
                    self.report(diag::literal_out_of_range(e.span, it.name()));
                }
                Some(wrap(v, it))
            }
            ExprKind::Unary(UnOp::Neg, inner) => Some(wrap(-self.const_int_in(inner, it)?, it)),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.const_int_in(a, it)?, self.const_int_in(b, it)?);
                let v = match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    // Both are within 64 bits; wrapping at 128 bits keeps the low 64 right.
                    BinOp::Mul => a.wrapping_mul(b),
                    BinOp::Div if b != 0 => a / b,
                    BinOp::Rem if b != 0 => a % b,
                    BinOp::Shl if (0..bits as i128).contains(&b) => a << b,
                    // `a` is negative only for a signed type: `>>` is arithmetic there.
                    BinOp::Shr if (0..bits as i128).contains(&b) => a >> b,
                    BinOp::BitAnd => a & b,
                    BinOp::BitOr => a | b,
                    BinOp::BitXor => a ^ b,
                    _ => return None,
                };
                Some(wrap(v, it))
            }
            _ => self.const_int(e).map(|v| wrap(v, it)),
        }
    }

    /// A float constant evaluated in `ft`: an `f32` expression rounds to `f32` at each literal
    /// and operation, as it does at run time.
    fn const_float_in(&mut self, e: &Expr, ft: FloatTy) -> Option<f64> {
        let round = |v: f64| {
            if ft == FloatTy::F32 {
                v as f32 as f64
            } else {
                v
            }
        };
        match &e.kind {
            ExprKind::Unary(UnOp::Neg, inner) => Some(-self.const_float_in(inner, ft)?),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.const_float_in(a, ft)?, self.const_float_in(b, ft)?);
                match op {
                    BinOp::Add => Some(round(a + b)),
                    BinOp::Sub => Some(round(a - b)),
                    BinOp::Mul => Some(round(a * b)),
                    BinOp::Div => Some(round(a / b)),
                    _ => None,
                }
            }
            _ => const_float(e).map(round),
        }
    }
}

/// `v` as a value of `it`: its low `it.bits()` bits, sign-extended for a signed type.
fn wrap(v: i128, it: IntTy) -> i128 {
    let bits = it.bits();
    let low = v & ((1i128 << bits) - 1);
    if it.signed() && low >= 1i128 << (bits - 1) {
        low - (1i128 << bits)
    } else {
        low
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
