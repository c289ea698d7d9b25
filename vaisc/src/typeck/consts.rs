//! Compile-time evaluation: `C` constants, global initialisers and array lengths.
//!
//! Globals are initialised statically (they live in the executable's data section), so their
//! initialisers must be constants: literals, constants, arithmetic on them, casts, struct and
//! array literals, enum unit variants and function names. A constant (`C NAME: T = expr`) is
//! evaluated once, on first use, and its value is used in place wherever it is named; a
//! constant defined in terms of itself is reported once, naming the whole cycle.

use super::{Checker, Value};
use crate::ast::{BinOp, Expr, ExprKind, GlobalDecl, UnOp};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Const, FloatTy, IntTy, Ty};

/// A `C` item.
pub(super) struct ConstItem {
    name: String,
    span: Span,
    ty: Ty,
    init: Expr,
    state: ConstState,
}

enum ConstState {
    Unevaluated,
    /// Being evaluated: meeting it again means a cycle.
    Evaluating,
    Done(Const),
}

impl Checker {
    /// Enters a constant's name and type; its value is computed on first use.
    pub(super) fn declare_const(&mut self, decl: &GlobalDecl) {
        let ty = self.resolve_ty(&decl.ty, None);
        let ty = match ty {
            Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Str | Ty::Error => ty,
            other => {
                let t = self.ty_name(&other);
                self.report(diag::constant_type(decl.ty.span, &t));
                Ty::Error
            }
        };
        let id = self.consts.len();
        self.consts.push(ConstItem {
            name: decl.name.name.to_string(),
            span: decl.name.span,
            ty,
            init: decl.init.clone(),
            state: ConstState::Unevaluated,
        });
        self.define_value(&decl.name, Value::Const(id));
    }

    /// Evaluates every constant, so that each error in one is reported even if it is unused.
    pub(super) fn evaluate_consts(&mut self) {
        for id in 0..self.consts.len() {
            self.const_item(id);
        }
    }

    /// The type and value of constant `id`, evaluating it if needed. After an error the value
    /// is a zero of the constant's type, so that its uses report nothing more.
    pub(super) fn const_item(&mut self, id: usize) -> (Ty, Const) {
        let ty = self.consts[id].ty.clone();
        match &self.consts[id].state {
            ConstState::Done(c) => return (ty, c.clone()),
            ConstState::Evaluating => {
                let start = self.const_stack.iter().position(|&c| c == id).unwrap_or(0);
                let mut path: Vec<String> = self.const_stack[start..]
                    .iter()
                    .map(|&c| format!("`{}`", self.consts[c].name))
                    .collect();
                path.push(format!("`{}`", self.consts[id].name));
                let (name, span) = (self.consts[id].name.clone(), self.consts[id].span);
                self.report(diag::constant_cycle(span, &name, &path.join(" -> ")));
                return (ty.clone(), zero_of(&ty));
            }
            ConstState::Unevaluated => {}
        }
        self.consts[id].state = ConstState::Evaluating;
        self.const_stack.push(id);
        let init = self.consts[id].init.clone();
        let value = if ty == Ty::Error {
            Const::Zero
        } else {
            self.const_value(&init, &ty, "constant initialiser")
        };
        self.const_stack.pop();
        let value = match value {
            Const::Zero => zero_of(&ty),
            v => v,
        };
        self.consts[id].state = ConstState::Done(value.clone());
        (ty, value)
    }

    /// The constant `e` names, if it is a name of a `C` item.
    fn named_const(&mut self, e: &Expr) -> Option<(Ty, Const)> {
        let ExprKind::Name(n) = &e.kind else {
            return None;
        };
        match self.values.get(n.as_str()) {
            Some(Value::Const(id)) => {
                let id = *id;
                Some(self.const_item(id))
            }
            _ => None,
        }
    }

    /// The value of a constant expression of a scalar type, whatever that type is: what the
    /// operand of `as` needs.
    fn scalar_const(&mut self, e: &Expr) -> Option<Const> {
        if let Some((_, value)) = self.named_const(e) {
            return Some(value);
        }
        if let ExprKind::Bool(b) = e.kind {
            return Some(Const::Bool(b));
        }
        if let Some(v) = self.const_int(e) {
            return Some(Const::Int(v));
        }
        self.const_float_in(e, FloatTy::F64).map(Const::Float)
    }

    /// An integer constant expression, as used for array lengths. Reports nothing itself
    /// (except the errors of constants it evaluates).
    pub(super) fn const_int(&mut self, e: &Expr) -> Option<i128> {
        match &e.kind {
            ExprKind::Int(v) => Some(*v as i128),
            ExprKind::Name(_) => match self.named_const(e)? {
                (_, Const::Int(v)) => Some(v),
                _ => None,
            },
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

    /// An integer constant expression evaluated in type `it`, wrapping at every operation as
    /// the same expression does at run time (its literals take the type from the context, so
    /// the whole expression is computed in `it`). `None` if it is not constant, or if it would
    /// trap at run time (a division by zero, `MIN / -1`). Literals that do not fit are
    /// reported, as in code.
    fn const_int_in(&mut self, e: &Expr, it: IntTy) -> Option<i128> {
        let v = match &e.kind {
            ExprKind::Int(_) | ExprKind::Unary(UnOp::Neg, _) if literal(e).is_some() => {
                let v = literal(e)?;
                if !int_fits(v, it) {
                    self.report(diag::literal_out_of_range(e.span, it.name()));
                }
                v
            }
            ExprKind::Name(_) => match self.named_const(e)? {
                (_, Const::Int(v)) => v,
                _ => return None,
            },
            ExprKind::Unary(UnOp::Neg, inner) => self.const_int_in(inner, it)?.wrapping_neg(),
            ExprKind::Unary(UnOp::BitNot | UnOp::Not, inner) => !self.const_int_in(inner, it)?,
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.const_int_in(a, it)?, self.const_int_in(b, it)?);
                int_op(*op, wrap(a, it), wrap(b, it), it)?
            }
            _ => return None,
        };
        Some(wrap(v, it))
    }

    /// A float constant expression evaluated in type `ft`: an `f32` expression rounds to `f32`
    /// at every operation, as the same expression does at run time.
    fn const_float_in(&mut self, e: &Expr, ft: FloatTy) -> Option<f64> {
        let round = |v: f64| {
            if ft == FloatTy::F32 {
                v as f32 as f64
            } else {
                v
            }
        };
        let v = match &e.kind {
            ExprKind::Float(v) => *v,
            ExprKind::Int(v) => *v as f64,
            ExprKind::Name(_) => match self.named_const(e)? {
                (_, Const::Float(v)) => v,
                _ => return None,
            },
            ExprKind::Unary(UnOp::Neg, inner) => -self.const_float_in(inner, ft)?,
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.const_float_in(a, ft)?, self.const_float_in(b, ft)?);
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(round(v))
    }

    /// Evaluates an initialiser of type `ty` (`what` names it in the error), reporting what
    /// is not constant.
    pub(super) fn const_value(&mut self, e: &Expr, ty: &Ty, what: &str) -> Const {
        // A type in error was reported where it was written; its value is no second mistake.
        if ty.has_error() {
            return Const::Zero;
        }
        match self.try_const(e, ty) {
            Some(c) => c,
            None => {
                // A literal of another type is a mismatch, not a missing constant.
                match super::defaults::literal_ty(self, e) {
                    Some(found) if !self.const_fits(&found, ty) => {
                        let (want, found) = (self.ty_name(ty), self.ty_name(&found));
                        self.report(diag::mismatched_types(e.span, &want, &found));
                    }
                    _ => self.report(diag::not_constant(e.span, what)),
                }
                Const::Zero
            }
        }
    }

    fn try_const(&mut self, e: &Expr, ty: &Ty) -> Option<Const> {
        if let Some((cty, value)) = self.named_const(e) {
            return Some(self.typed_const(e.span, cty, value, ty));
        }
        match (&e.kind, ty) {
            (ExprKind::Cast(inner, target), _) => {
                // To the cast's type first (`300 as u8` is 44, `200 as i8 as u16` is 65480),
                // then to the initialised one, as at run time.
                let target = self.resolve_ty(target, None);
                let value = match self.scalar_const(inner) {
                    Some(value) => convert(value, &target)?,
                    None => self.try_const(inner, &target)?,
                };
                convert(value, ty)
            }
            (_, Ty::Int(it)) => self.const_int_in(e, *it).map(Const::Int),
            (_, Ty::Float(ft)) => self.const_float_in(e, *ft).map(Const::Float),
            (ExprKind::Bool(b), Ty::Bool) => Some(Const::Bool(*b)),
            (ExprKind::Str(s), Ty::Str) => Some(Const::Str(s.clone())),
            (ExprKind::Int(0), Ty::Ptr(_) | Ty::Str | Ty::Fn(_)) => Some(Const::Zero),
            (ExprKind::Name(n), Ty::Fn(_)) => match self.values.get(n.as_str()) {
                Some(Value::Func(f)) => Some(Const::Func(*f)),
                _ => None,
            },
            // A closure global may start as a named function of its signature (its thunk).
            (ExprKind::Name(n), Ty::Closure(sig)) => match self.values.get(n.as_str()) {
                Some(Value::Func(f)) if self.program.functions[*f].ty == **sig => {
                    Some(Const::Func(*f))
                }
                _ => None,
            },
            (ExprKind::StructLit(path, fields), Ty::Struct(id)) if path.len() == 1 => {
                if let Some(other) = super::defaults::literal_ty(self, e) {
                    if other != *ty {
                        return None;
                    }
                }
                let defs: Vec<(String, Ty)> = self.program.structs[*id]
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), f.ty.clone()))
                    .collect();
                // A field left out takes its default, or zero without one (a global's rule,
                // docs/language.md).
                let mut out = Vec::new();
                for (index, (name, fty)) in defs.into_iter().enumerate() {
                    let given = fields.iter().find(|(n, _)| n.name == name);
                    match given {
                        Some((_, fe)) => out.push(self.try_const(fe, &fty)?),
                        None => out.push(self.field_default(*id, index).unwrap_or(Const::Zero)),
                    }
                }
                Some(Const::Struct(out))
            }
            (ExprKind::Tuple(elems), Ty::Struct(_)) => {
                let tys = self.tuple_elems(ty).filter(|t| t.len() == elems.len())?;
                let mut out = Vec::new();
                for (el, t) in elems.iter().zip(&tys) {
                    out.push(self.try_const(el, t)?);
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
                // Each element is a value of its own in the compiler and in the object file,
                // so a long non-zero repeat is refused instead of filling memory; zeros cost
                // nothing.
                match self.try_const(v, elem)? {
                    v if is_zero(&v) => Some(Const::Zero),
                    _ if *n > MAX_REPEAT => {
                        let d = diag::repeat_initialiser_too_long(e.span, *n, MAX_REPEAT);
                        self.report(d);
                        Some(Const::Zero)
                    }
                    v => Some(Const::Array(vec![v; *n as usize])),
                }
            }
            _ => None,
        }
    }

    /// Whether a literal of type `found` may initialise a `ty` (integer literals also make
    /// floats, and any integer width; null makes pointers).
    fn const_fits(&self, found: &Ty, ty: &Ty) -> bool {
        match (found, ty) {
            (Ty::Int(_), Ty::Int(_) | Ty::Float(_) | Ty::Ptr(_) | Ty::Str | Ty::Fn(_)) => true,
            (Ty::Float(_), Ty::Float(_)) => true,
            (a, b) => a == b || b.has_error(),
        }
    }

    /// A constant's value where a `ty` is expected: integers convert between widths and `f32`
    /// widens to `f64`, as they do implicitly everywhere; anything else is a mismatch.
    fn typed_const(&mut self, span: Span, cty: Ty, value: Const, ty: &Ty) -> Const {
        match (&cty, ty) {
            (Ty::Error, _) | (_, Ty::Error) => zero_of(ty),
            (Ty::Int(_), Ty::Int(it)) => {
                if let Const::Int(v) = value {
                    if !int_fits(v, *it) {
                        self.report(diag::literal_out_of_range(span, it.name()));
                    }
                }
                value
            }
            (Ty::Float(FloatTy::F32), Ty::Float(_)) => value,
            (a, b) if a == b => value,
            _ => {
                let (want, found) = (self.ty_name(ty), self.ty_name(&cty));
                self.report(diag::mismatched_types(span, &want, &found));
                zero_of(ty)
            }
        }
    }
}

/// The most elements a non-zero repeat initialiser of a global may have.
const MAX_REPEAT: u64 = 1 << 20;

/// Whether a constant is all zero bits, like [`Const::Zero`].
fn is_zero(c: &Const) -> bool {
    match c {
        Const::Zero => true,
        Const::Int(v) => *v == 0,
        Const::Float(v) => v.to_bits() == 0,
        Const::Bool(b) => !b,
        Const::Struct(xs) | Const::Array(xs) => xs.iter().all(is_zero),
        Const::Str(_) | Const::Func(_) => false,
    }
}

/// The value of an integer literal, possibly negated (`-128` is one literal, as in code).
fn literal(e: &Expr) -> Option<i128> {
    match &e.kind {
        ExprKind::Int(v) => Some(*v as i128),
        ExprKind::Unary(UnOp::Neg, inner) => match inner.kind {
            ExprKind::Int(v) => Some(-(v as i128)),
            _ => None,
        },
        _ => None,
    }
}

/// `a op b` on values of type `it` (already wrapped to it), with the run-time meaning: signed
/// or unsigned division truncating toward zero, shift amounts taken modulo the width,
/// arithmetic right shifts for signed types. The result still needs wrapping. `None` for what
/// traps at run time or is not an integer operation.
fn int_op(op: BinOp, a: i128, b: i128, it: IntTy) -> Option<i128> {
    let bits = i128::from(it.bits());
    let min = if it.signed() {
        -(1i128 << (bits - 1))
    } else {
        0
    };
    Some(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        // Both fit 64 bits, so the product may not fit an i128; its low 64 bits are right.
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::Div | BinOp::Rem if b == 0 || (a == min && b == -1) => return None,
        BinOp::Div => a / b,
        BinOp::Rem => a % b,
        BinOp::Shl => a << (b & (bits - 1)),
        BinOp::Shr => a >> (b & (bits - 1)),
        BinOp::BitAnd => a & b,
        BinOp::BitOr => a | b,
        BinOp::BitXor => a ^ b,
        _ => return None,
    })
}

/// `value as ty` for the scalar values constants have.
fn convert(value: Const, ty: &Ty) -> Option<Const> {
    Some(match (value, ty) {
        (Const::Int(v), Ty::Int(it)) => Const::Int(wrap(v, *it)),
        (Const::Int(v), Ty::Float(_)) => Const::Float(v as f64),
        (Const::Float(v), Ty::Int(it)) => Const::Int(wrap(v as i128, *it)),
        (Const::Float(v), Ty::Float(FloatTy::F32)) => Const::Float(v as f32 as f64),
        (Const::Float(v), Ty::Float(FloatTy::F64)) => Const::Float(v),
        (Const::Bool(b), Ty::Int(_)) => Const::Int(i128::from(b)),
        (v @ Const::Bool(_), Ty::Bool) | (v @ Const::Str(_), Ty::Str) => v,
        _ => return None,
    })
}

/// `v` truncated to the width of `ty` and read back with its signedness, as `as` does.
fn wrap(v: i128, ty: IntTy) -> i128 {
    let bits = ty.bits();
    let mask = (1i128 << bits) - 1;
    let low = v & mask;
    if ty.signed() && low >> (bits - 1) == 1 {
        low - (1i128 << bits)
    } else {
        low
    }
}

/// The value a constant gets when its own is in error.
fn zero_of(ty: &Ty) -> Const {
    match ty {
        Ty::Int(_) => Const::Int(0),
        Ty::Float(_) => Const::Float(0.0),
        Ty::Bool => Const::Bool(false),
        Ty::Str => Const::Str(String::new()),
        _ => Const::Zero,
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
