//! Expressions of the differential test's generator, each written in Vais and in C with the
//! same value. Every C operation on integers is cast back to its type, so C's promotion of
//! narrow integers to `int` cannot show. A bare integer literal takes its type from the context
//! in Vais (`x + 5`), so a literal is written bare only where the context fixes its type (the
//! other operand, a parameter, a typed place); elsewhere it is written `(5 as T)`.

use super::places::Elems;
use super::{Gen, Kind, Ty, ARRAY_LEN, FLOATS, INTS};

/// One expression in both languages. `bare` marks an integer or `f32` literal written without
/// a cast, whose Vais type comes from its context.
pub struct Ex {
    pub v: String,
    pub c: String,
    pub bare: bool,
}

fn ex(v: String, c: String) -> Ex {
    Ex { v, c, bare: false }
}

/// The C spelling of an integer constant of type `ty`.
fn c_int(ty: Ty, value: i128) -> String {
    let text = if value == i64::MIN as i128 {
        "(-9223372036854775807LL - 1)".to_string()
    } else if value > i64::MAX as i128 {
        format!("{value}ULL")
    } else {
        format!("{value}LL")
    };
    format!("(({})({text}))", ty.c())
}

impl Gen {
    /// An expression of type `ty` at most `depth` operators deep; a bare literal only if
    /// `bare_ok`.
    pub(super) fn expr(&mut self, ty: Ty, depth: u32, bare_ok: bool) -> Ex {
        if ty == Ty::Bool {
            return self.bool_expr(depth);
        }
        if depth == 0 || self.rng.chance(1, 5) {
            return self.leaf(ty, bare_ok);
        }
        let d = depth - 1;
        let roll = self.rng.below(100);
        let e = match roll {
            0..=11 => self.call(ty, d),
            12..=17 => {
                let c = self.bool_expr(d);
                let a = self.expr(ty, d, false);
                let b = self.expr(ty, d, false);
                if self.rng.chance(1, 2) {
                    Some(ex(
                        format!("({} ? {} : {})", c.v, a.v, b.v),
                        format!("(({}) ? ({}) : ({}))", c.c, a.c, b.c),
                    ))
                } else {
                    Some(ex(
                        format!("(I {} {{ {} }} E {{ {} }})", c.v, a.v, b.v),
                        format!("(({}) ? ({}) : ({}))", c.c, a.c, b.c),
                    ))
                }
            }
            18..=23 => Some(self.match_int(ty, d)),
            24..=27 => self.match_enum(ty, d),
            28..=35 => Some(self.cast_to(ty, d)),
            _ => None,
        };
        if let Some(e) = e {
            return e;
        }
        if ty.is_int() {
            self.int_op(ty, d)
        } else {
            self.float_op(ty, d)
        }
    }

    /// `(a OP b)` where the operands have type `ty` and at most one is a bare literal.
    fn operands(&mut self, ty: Ty, d: u32) -> (Ex, Ex) {
        let b = self.expr(ty, d, true);
        let a = self.expr(ty, d, !b.bare);
        (a, b)
    }

    fn int_op(&mut self, ty: Ty, d: u32) -> Ex {
        let t = ty.c();
        match self.rng.below(100) {
            0..=39 => {
                let op = self
                    .rng
                    .pick(&["+", "-", "*", "&", "|", "^", "+", "-", "*"]);
                let (a, b) = self.operands(ty, d);
                ex(
                    format!("({} {op} {})", a.v, b.v),
                    format!("(({t})(({}) {op} ({})))", a.c, b.c),
                )
            }
            40..=54 => {
                let a = self.expr(ty, d, false);
                let s = self.shift_amount(ty);
                if self.rng.chance(1, 2) {
                    ex(
                        format!("({} << {})", a.v, s.v),
                        format!("(({t})(({})({}) << {}))", ty.c_unsigned(), a.c, s.c),
                    )
                } else {
                    ex(
                        format!("({} >> {})", a.v, s.v),
                        format!("(({t})(({}) >> {}))", a.c, s.c),
                    )
                }
            }
            55..=64 => {
                let op = self.rng.pick(&["/", "%"]);
                let a = self.expr(ty, d, false);
                let lit = self.divisor_literal(ty);
                ex(
                    format!("({} {op} {lit})", a.v),
                    format!("(({t})(({}) {op} ({t})({lit})))", a.c),
                )
            }
            65..=79 => {
                let f = self.rng.pick(&["div", "rem"]);
                let a = self.expr(ty, d, true);
                let b = self.expr(ty, d, true);
                ex(
                    format!("{f}_{}({}, {})", ty.vais(), a.v, b.v),
                    format!("{f}_{t}({}, {})", a.c, b.c),
                )
            }
            _ => {
                let a = self.expr(ty, d, false);
                let op = if ty.signed() {
                    self.rng.pick(&["-", "~", "!"])
                } else {
                    self.rng.pick(&["~", "!"])
                };
                let cop = if op == "-" { "-" } else { "~" };
                ex(format!("({op}{})", a.v), format!("(({t})({cop}({})))", a.c))
            }
        }
    }

    fn float_op(&mut self, ty: Ty, d: u32) -> Ex {
        let t = ty.c();
        match self.rng.below(100) {
            0..=49 => {
                let op = self.rng.pick(&["+", "-", "*"]);
                let (a, b) = self.operands(ty, d);
                ex(
                    format!("({} {op} {})", a.v, b.v),
                    format!("(({t})(({}) {op} ({})))", a.c, b.c),
                )
            }
            50..=64 => {
                let f = if ty == Ty::F32 { "fdiv32" } else { "fdiv64" };
                let a = self.expr(ty, d, true);
                let b = self.expr(ty, d, true);
                ex(
                    format!("{f}({}, {})", a.v, b.v),
                    format!("{f}({}, {})", a.c, b.c),
                )
            }
            65..=79 if ty == Ty::F64 => {
                let f = self.rng.pick(&["sqrt", "floor", "fabs", "ceil"]);
                let a = self.expr(ty, d, true);
                if f == "sqrt" {
                    ex(
                        format!("sqrt(fabs({}))", a.v),
                        format!("sqrt(fabs({}))", a.c),
                    )
                } else {
                    ex(format!("{f}({})", a.v), format!("{f}({})", a.c))
                }
            }
            _ => {
                let a = self.expr(ty, d, false);
                ex(format!("(-{})", a.v), format!("(({t})(-({})))", a.c))
            }
        }
    }

    /// `e as ty` from another type; float to integer goes through the range-checked `f2i_T`.
    fn cast_to(&mut self, ty: Ty, d: u32) -> Ex {
        // `bool` converts to integers only.
        let from = match self.rng.below(10) {
            0..=5 => self.rng.pick(&INTS),
            6..=8 => self.rng.pick(&FLOATS),
            _ if ty.is_int() => Ty::Bool,
            _ => self.rng.pick(&INTS),
        };
        let e = self.expr(from, d, false);
        if ty.is_int() && from.is_float() {
            return ex(
                format!("f2i_{}({})", ty.vais(), e.v),
                format!("f2i_{}({})", ty.c(), e.c),
            );
        }
        ex(
            format!("({} as {})", e.v, ty.vais()),
            format!("(({})({}))", ty.c(), e.c),
        )
    }

    /// A call of an earlier function or method returning `ty`, if one can be made here.
    fn call(&mut self, ty: Ty, d: u32) -> Option<Ex> {
        let candidates: Vec<usize> = (0..self.funcs.len())
            .filter(|&i| self.funcs[i].ret == Kind::Scalar(ty))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let f = candidates[self.rng.below(candidates.len())];
        // Sometimes through a function pointer to it.
        let pointers: Vec<String> = self
            .vars()
            .filter(|v| v.kind == Kind::FnPtr(f))
            .map(|v| v.name.clone())
            .collect();
        let mut call = self.call_of(f, d)?;
        if !pointers.is_empty() && self.rng.chance(1, 2) {
            let p = pointers[self.rng.below(pointers.len())].clone();
            let name = self.funcs[f].name.clone();
            call.v = call.v.replacen(&name, &p, 1);
            call.c = call.c.replacen(&name, &p, 1);
        }
        Some(call)
    }

    /// A call of `funcs[f]` with generated arguments; `None` when a struct argument or the
    /// method's receiver has no value in scope.
    pub(super) fn call_of(&mut self, f: usize, d: u32) -> Option<Ex> {
        let params = self.funcs[f].params.clone();
        let receiver = match self.funcs[f].method_of {
            Some(s) => {
                let mut found = self.struct_places(s);
                if found.is_empty() {
                    return None;
                }
                let k = self.rng.below(found.len());
                Some(found.swap_remove(k))
            }
            None => None,
        };
        let mut va = Vec::new();
        let mut ca = Vec::new();
        if let Some((_, ptr)) = &receiver {
            ca.push(ptr.clone());
        }
        for p in params {
            let arg = match p {
                Kind::Scalar(pt) => {
                    // Integer arguments of another width are converted implicitly, and so is
                    // an `f32` given for an `f64`.
                    let src = if pt.is_int() && self.rng.chance(1, 4) {
                        self.rng.pick(&INTS)
                    } else if pt == Ty::F64 && self.rng.chance(1, 6) {
                        Ty::F32
                    } else {
                        pt
                    };
                    self.expr(src, d, src == pt)
                }
                Kind::Struct(s) => self.struct_value(s)?,
                Kind::Enum(e) => {
                    let vars: Vec<String> = self
                        .vars()
                        .filter(|v| v.kind == Kind::Enum(e))
                        .map(|v| v.name.clone())
                        .collect();
                    if !vars.is_empty() && self.rng.chance(1, 2) {
                        let n = vars[self.rng.below(vars.len())].clone();
                        ex(n.clone(), n)
                    } else {
                        self.enum_value(e, d)
                    }
                }
                _ => unreachable!("parameters are scalars, structs or enums"),
            };
            va.push(arg.v);
            ca.push(arg.c);
        }
        let name = self.funcs[f].name.clone();
        let v = match (&receiver, self.funcs[f].method_of) {
            (Some((recv, _)), Some(_)) => {
                let method = name.rsplit('_').next().unwrap_or_default();
                format!("{}.{method}({})", recv.v, va.join(", "))
            }
            _ => format!("{name}({})", va.join(", ")),
        };
        Some(ex(v, format!("{name}({})", ca.join(", "))))
    }

    /// A struct value of `St{s}` that is already in scope, read whole.
    fn struct_value(&mut self, s: usize) -> Option<Ex> {
        let mut found = self.struct_places(s);
        if found.is_empty() {
            return None;
        }
        let k = self.rng.below(found.len());
        let (value, _) = found.swap_remove(k);
        Some(value)
    }

    fn match_int(&mut self, ty: Ty, d: u32) -> Ex {
        let st = self.rng.pick(&INTS);
        let scrut = self.expr(st, d, false);
        let m = self.fresh("m");
        let mut v_arms = Vec::new();
        let mut conds = Vec::new();
        for _ in 0..1 + self.rng.below(4) {
            let (vp, cp) = match self.rng.below(3) {
                0 => {
                    let a = self.pattern_value(st);
                    (a.to_string(), format!("{m} == {}", c_int(st, a)))
                }
                1 => {
                    let a = self.pattern_value(st);
                    let b = self.pattern_value(st);
                    (
                        format!("{a} | {b}"),
                        format!("({m} == {} || {m} == {})", c_int(st, a), c_int(st, b)),
                    )
                }
                _ => {
                    let a = self.pattern_value(st);
                    let b = self.pattern_value(st);
                    let (lo, hi) = (a.min(b), a.max(b));
                    if lo < hi && self.rng.chance(1, 2) {
                        (
                            format!("{lo}..{hi}"),
                            format!("({m} >= {} && {m} < {})", c_int(st, lo), c_int(st, hi)),
                        )
                    } else {
                        (
                            format!("{lo}..={hi}"),
                            format!("({m} >= {} && {m} <= {})", c_int(st, lo), c_int(st, hi)),
                        )
                    }
                }
            };
            let e = self.expr(ty, d, false);
            v_arms.push(format!("{vp} => {}", e.v));
            conds.push((cp, e.c));
        }
        // A guarded arm and the last arm bind the value under the name C uses for the
        // scrutinee's temporary.
        if self.rng.chance(1, 3) {
            self.scopes.push(vec![super::Var {
                name: m.clone(),
                kind: Kind::Scalar(st),
                writable: false,
                global: false,
            }]);
            let guard = self.bool_expr(d);
            let e = self.expr(ty, d, false);
            self.scopes.pop();
            v_arms.push(format!("{m} I {} => {}", guard.v, e.v));
            conds.push((guard.c, e.c));
        }
        let (vlast, clast) = if self.rng.chance(1, 2) {
            self.scopes.push(vec![super::Var {
                name: m.clone(),
                kind: Kind::Scalar(st),
                writable: false,
                global: false,
            }]);
            let e = self.expr(ty, d, false);
            self.scopes.pop();
            (format!("{m} => {}", e.v), e.c)
        } else {
            let e = self.expr(ty, d, false);
            (format!("_ => {}", e.v), e.c)
        };
        v_arms.push(vlast);
        let mut c = format!("({clast})");
        for (cond, e) in conds.into_iter().rev() {
            c = format!("(({cond}) ? ({e}) : {c})");
        }
        ex(
            format!("(M {} {{ {} }})", scrut.v, v_arms.join(", ")),
            format!("({{ {} {m} = {}; {c}; }})", st.c(), scrut.c),
        )
    }

    /// A value for a match pattern on `ty`: mostly small ones, so that arms are taken, and
    /// sometimes the type's extremes.
    fn pattern_value(&mut self, ty: Ty) -> i128 {
        if self.rng.chance(1, 5) {
            return self
                .rng
                .pick(&[ty.min(), ty.max(), ty.min() + 1, ty.max() - 1]);
        }
        let v = self.rng.below(12) as i128 - if ty.signed() { 4 } else { 0 };
        v.clamp(ty.min(), ty.max())
    }

    /// A value of enum `En{e}`: a variant with generated payloads (C: a compound literal).
    pub(super) fn enum_value(&mut self, e: usize, d: u32) -> Ex {
        let k = self.rng.below(self.enums[e].len());
        let payload = self.enums[e][k].clone();
        let mut va = Vec::new();
        let mut ca = vec![format!(".tag = {k}")];
        for (j, t) in payload.iter().enumerate() {
            let x = self.expr(*t, d, true);
            va.push(x.v);
            ca.push(format!(".v{k}_{j} = {}", x.c));
        }
        let v = if payload.is_empty() {
            format!("En{e}.V{k}")
        } else {
            format!("En{e}.V{k}({})", va.join(", "))
        };
        ex(v, format!("((En{e}){{ {} }})", ca.join(", ")))
    }

    /// A match on an enum variable: arms of one or two variants (an arm of one variant binds
    /// some of its payload), in a random order, maybe with a `_` at the end.
    fn match_enum(&mut self, ty: Ty, d: u32) -> Option<Ex> {
        let enums: Vec<(String, usize)> = self
            .vars()
            .filter_map(|v| match v.kind {
                Kind::Enum(e) => Some((v.name.clone(), e)),
                _ => None,
            })
            .collect();
        if enums.is_empty() {
            return None;
        }
        let (name, e) = enums[self.rng.below(enums.len())].clone();
        let n = self.enums[e].len();
        let mut order: Vec<usize> = (0..n).collect();
        for k in (1..n).rev() {
            let j = self.rng.below(k + 1);
            order.swap(k, j);
        }
        let covered = if self.rng.chance(1, 2) {
            n
        } else {
            1 + self.rng.below(n)
        };
        let mut arms: Vec<Vec<usize>> = Vec::new();
        let mut k = 0;
        while k < covered {
            let take = if k + 1 < covered && self.rng.chance(1, 3) {
                2
            } else {
                1
            };
            arms.push(order[k..k + take].to_vec());
            k += take;
        }
        let wildcard = covered < n || self.rng.chance(1, 4);
        let mut v_arms = Vec::new();
        let mut c_arms = Vec::new();
        for arm in &arms {
            let conds: Vec<String> = arm.iter().map(|k| format!("{name}.tag == {k}")).collect();
            let value_c = if let [k] = arm[..] {
                // One variant: bind its payload (or some of it) to fresh names.
                let payload = self.enums[e][k].clone();
                let mut names = Vec::new();
                let mut binds = String::new();
                let mut scope = Vec::new();
                for (j, t) in payload.iter().enumerate() {
                    if self.rng.chance(1, 4) {
                        names.push("_".to_string());
                        continue;
                    }
                    let b = self.fresh("b");
                    binds.push_str(&format!("{} {b} = {name}.v{k}_{j}; ", t.c()));
                    names.push(b.clone());
                    scope.push(super::Var {
                        name: b,
                        kind: Kind::Scalar(*t),
                        writable: false,
                        global: false,
                    });
                }
                self.scopes.push(scope);
                let value = self.expr(ty, d, false);
                self.scopes.pop();
                let pat = if payload.is_empty() && self.rng.chance(1, 2) {
                    format!("En{e}.V{k}")
                } else if payload.is_empty() {
                    format!("V{k}")
                } else {
                    format!("En{e}.V{k}({})", names.join(", "))
                };
                v_arms.push(format!("{pat} => {}", value.v));
                format!("({{ {binds}{}; }})", value.c)
            } else {
                // Alternatives cannot bind: payload variants are matched with `_`s.
                let pats: Vec<String> = arm
                    .iter()
                    .map(|&k| {
                        let arity = self.enums[e][k].len();
                        if arity == 0 {
                            format!("En{e}.V{k}")
                        } else {
                            format!("En{e}.V{k}({})", vec!["_"; arity].join(", "))
                        }
                    })
                    .collect();
                let value = self.expr(ty, d, false);
                v_arms.push(format!("{} => {}", pats.join(" | "), value.v));
                value.c
            };
            c_arms.push((conds.join(" || "), value_c));
        }
        let last = if wildcard {
            let value = self.expr(ty, d, false);
            v_arms.push(format!("_ => {}", value.v));
            value.c
        } else {
            c_arms.pop().expect("at least one arm").1
        };
        let mut c = format!("({last})");
        for (cond, value) in c_arms.into_iter().rev() {
            c = format!("(({cond}) ? ({value}) : {c})");
        }
        Some(ex(format!("(M {name} {{ {} }})", v_arms.join(", ")), c))
    }

    /// A condition.
    pub(super) fn bool_expr(&mut self, depth: u32) -> Ex {
        if depth == 0 || self.rng.chance(1, 6) {
            let reads = self.reads(Ty::Bool);
            if !reads.is_empty() && self.rng.chance(3, 4) {
                let mut reads = reads;
                let k = self.rng.below(reads.len());
                return reads.swap_remove(k);
            }
            if self.rng.chance(1, 5) {
                return self.bool_literal();
            }
        }
        // A constant condition folds away; most conditions compare values.
        let d = depth.saturating_sub(1);
        match self.rng.below(if depth == 0 { 6 } else { 10 }) {
            0..=5 => {
                let ty = if self.rng.chance(3, 4) {
                    self.rng.pick(&INTS)
                } else {
                    self.rng.pick(&FLOATS)
                };
                let op = self.rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
                let (a, b) = self.operands(ty, d);
                ex(
                    format!("({} {op} {})", a.v, b.v),
                    format!("(({}) {op} ({}))", a.c, b.c),
                )
            }
            6..=8 => {
                let op = self.rng.pick(&["&&", "||"]);
                let a = self.bool_expr(d);
                let b = self.bool_expr(d);
                ex(
                    format!("({} {op} {})", a.v, b.v),
                    format!("(({}) {op} ({}))", a.c, b.c),
                )
            }
            _ => {
                let a = self.bool_expr(d);
                ex(format!("(!{})", a.v), format!("(!({}))", a.c))
            }
        }
    }

    /// A variable, field, element or pointer target of type `ty`, or a literal.
    fn leaf(&mut self, ty: Ty, bare_ok: bool) -> Ex {
        let mut reads = self.reads(ty);
        if !reads.is_empty() && self.rng.chance(3, 4) {
            let k = self.rng.below(reads.len());
            return reads.swap_remove(k);
        }
        self.literal(ty, bare_ok)
    }

    /// Everything of type `ty` that can be read here.
    fn reads(&mut self, ty: Ty) -> Vec<Ex> {
        self.scalars(Elems::One, false)
            .into_iter()
            .filter(|p| p.ty == ty)
            .map(|p| ex(p.v, p.c))
            .collect()
    }

    /// An array index masked into `0..ARRAY_LEN`, from a scalar of any integer type.
    pub(super) fn index(&mut self) -> Ex {
        let ty = self.rng.pick(&INTS);
        let scalars: Vec<String> = self
            .vars()
            .filter(|v| v.kind == Kind::Scalar(ty))
            .map(|v| v.name.clone())
            .collect();
        let mask = ARRAY_LEN - 1;
        if scalars.is_empty() || self.rng.chance(1, 5) {
            let k = self.rng.below(ARRAY_LEN);
            return ex(k.to_string(), k.to_string());
        }
        let n = scalars[self.rng.below(scalars.len())].clone();
        ex(
            format!("({n} as i64) & {mask}"),
            format!("((int64_t)({n})) & {mask}"),
        )
    }

    /// A shift amount below the width of `ty`, from an expression of any integer type (Vais
    /// converts the amount to the type of the shifted value).
    pub(super) fn shift_amount(&mut self, ty: Ty) -> Ex {
        let mask = ty.bits() - 1;
        if self.rng.chance(1, 4) {
            let k = self.rng.below(ty.bits() as usize);
            return ex(k.to_string(), k.to_string());
        }
        let from = self.rng.pick(&INTS);
        let e = self.expr(from, 1, false);
        ex(
            format!("({} & {mask})", e.v),
            format!("(({}) & {mask})", e.c),
        )
    }

    /// A constant divisor: never 0, and never -1 (so `MIN / -1` cannot happen).
    pub(super) fn divisor_literal(&mut self, ty: Ty) -> String {
        let choices: &[i128] = if ty.signed() {
            &[2, 3, 5, 7, 10, 16, 100, 127, -2, -3, -7, -16]
        } else {
            &[1, 2, 3, 5, 7, 10, 16, 100, 255]
        };
        let v = self.rng.pick(choices).clamp(ty.min(), ty.max());
        v.to_string()
    }

    /// A constant expression of type `ty` for a global's initialiser: literals (typed by the
    /// global), arithmetic, bitwise operations, shifts by constant amounts, division by
    /// constant divisors and negation, each wrapping in `ty` like the same code at run time.
    pub(super) fn const_expr(&mut self, ty: Ty, depth: u32) -> Ex {
        if depth == 0 || self.rng.chance(1, 4) {
            return self.literal(ty, true);
        }
        let d = depth - 1;
        let t = ty.c();
        if ty.is_float() {
            let op = self.rng.pick(&["+", "-", "*"]);
            let (a, b) = (self.const_expr(ty, d), self.const_expr(ty, d));
            return ex(
                format!("({} {op} {})", a.v, b.v),
                format!("(({t})(({}) {op} ({})))", a.c, b.c),
            );
        }
        match self.rng.below(10) {
            0..=4 => {
                let op = self.rng.pick(&["+", "-", "*", "&", "|", "^"]);
                let (a, b) = (self.const_expr(ty, d), self.const_expr(ty, d));
                ex(
                    format!("({} {op} {})", a.v, b.v),
                    format!("(({t})(({}) {op} ({})))", a.c, b.c),
                )
            }
            5 | 6 => {
                let a = self.const_expr(ty, d);
                let k = self.rng.below(ty.bits() as usize);
                if self.rng.chance(1, 2) {
                    ex(
                        format!("({} << {k})", a.v),
                        format!("(({t})(({})({}) << {k}))", ty.c_unsigned(), a.c),
                    )
                } else {
                    ex(
                        format!("({} >> {k})", a.v),
                        format!("(({t})(({}) >> {k}))", a.c),
                    )
                }
            }
            7 | 8 => {
                let op = self.rng.pick(&["/", "%"]);
                let a = self.const_expr(ty, d);
                let lit = self.divisor_literal(ty);
                ex(
                    format!("({} {op} {lit})", a.v),
                    format!("(({t})(({}) {op} ({t})({lit})))", a.c),
                )
            }
            _ if ty.signed() => {
                let a = self.const_expr(ty, d);
                if a.bare {
                    // `-0xFFFF` is the literal -65535 (out of range for an `i16`), not the
                    // negation of the bit pattern: subtract from 0 instead.
                    return ex(
                        format!("(0 - {})", a.v),
                        format!("(({t})((0) - ({})))", a.c),
                    );
                }
                ex(format!("(-({}))", a.v), format!("(({t})(-({})))", a.c))
            }
            _ => self.literal(ty, true),
        }
    }

    /// A literal for a global's initialiser (the context is the global's type).
    pub(super) fn const_literal(&mut self, ty: Ty) -> Ex {
        if ty == Ty::Bool {
            return self.bool_literal();
        }
        self.literal(ty, true)
    }

    fn bool_literal(&mut self) -> Ex {
        let b = if self.rng.chance(1, 2) {
            "true"
        } else {
            "false"
        };
        ex(b.to_string(), b.to_string())
    }

    /// A literal of type `ty`; bare (typed by its context) only if `bare_ok`.
    fn literal(&mut self, ty: Ty, bare_ok: bool) -> Ex {
        if ty == Ty::Bool {
            return self.bool_literal();
        }
        if ty.is_float() {
            let k = self.rng.below(3201) as i64 - 1600;
            let text = format!("{:.4}", k as f64 / 16.0);
            return if ty == Ty::F64 {
                ex(text.clone(), text)
            } else if bare_ok {
                Ex {
                    c: format!("((float){text})"),
                    v: text,
                    bare: true,
                }
            } else {
                ex(format!("({text} as f32)"), format!("((float){text})"))
            };
        }
        let value: i128 = match self.rng.below(10) {
            0..=3 => self.rng.below(11) as i128,
            4 if ty.signed() => -(1 + self.rng.below(10) as i128),
            5 | 6 => self
                .rng
                .pick(&[ty.min(), ty.max(), ty.min() + 1, ty.max() - 1, 1, -1]),
            _ => {
                let raw = self.rng.next() as i128 & ((1i128 << ty.bits()) - 1);
                if ty.signed() && raw > ty.max() {
                    raw - (1i128 << ty.bits())
                } else {
                    raw
                }
            }
        };
        let value = value.clamp(ty.min(), ty.max());
        let c = c_int(ty, value);
        let pattern = if value < 0 {
            value + (1i128 << ty.bits())
        } else {
            value
        };
        if bare_ok {
            // Negative values are sometimes written as their bit pattern (`0xFF` for an `i8`
            // -1), which the language accepts; `i64::MIN` always is, as its magnitude does
            // not fit an `i64`.
            let v = if value == i64::MIN as i128 || (value < 0 && self.rng.chance(1, 4)) {
                format!("0x{pattern:X}")
            } else if value >= 0 && self.rng.chance(1, 5) {
                format!("0x{value:x}")
            } else {
                value.to_string()
            };
            return Ex { v, c, bare: true };
        }
        if value < i64::MIN as i128 + 1 || value > i64::MAX as i128 {
            // Out of reach of an `i64` literal: a call gives it its type.
            return ex(format!("id_{}(0x{pattern:X})", ty.vais()), c);
        }
        ex(format!("(({value}) as {})", ty.vais()), c)
    }
}
