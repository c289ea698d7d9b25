//! Statements of the differential test's generator: declarations, assignments (plain,
//! compound and through pointers), `I`, the three kinds of loop with `B` and `C`, early returns,
//! checksum updates and the checkpoints that print every value in scope.

use super::places::Elems;
use super::{expr, Field, Gen, Kind, LoopCtx, Ty, Var, ARRAY_LEN, INTS, VALUE_TYS};

impl Gen {
    /// Prints every value in scope and every global. Integers are passed to `printf` either
    /// directly, with the conversion C's default argument promotions call for (`%d` for the
    /// narrow types, `%u`, `%ld`, `%lu`), or converted to `i64`; an `f32` is converted to
    /// `pf`'s `f64` parameter implicitly.
    pub(super) fn checkpoint(&mut self) {
        for p in self.scalars(Elems::All, false) {
            let direct = self.rng.chance(1, 2);
            if p.ty.is_float() {
                let v = if direct && p.ty == Ty::F32 {
                    format!("pf({})", p.v)
                } else {
                    format!("pf({} as f64)", p.v)
                };
                self.line(&v, &format!("pf((double)({}));", p.c));
                continue;
            }
            let conv = match p.ty {
                Ty::I8 | Ty::I16 | Ty::I32 | Ty::U8 | Ty::U16 => Some(("%d", "%d", "int")),
                Ty::U32 => Some(("%u", "%u", "unsigned")),
                Ty::I64 => Some(("%ld", "%lld", "long long")),
                Ty::U64 => Some(("%lu", "%llu", "unsigned long long")),
                _ => None,
            };
            match conv {
                Some((vf, cf, ct)) if direct => self.line(
                    &format!("printf(\"{vf}\\n\", {})", p.v),
                    &format!("printf(\"{cf}\\n\", ({ct})({}));", p.c),
                ),
                _ => self.line(
                    &format!("printf(\"%ld\\n\", {} as i64)", p.v),
                    &format!("printf(\"%lld\\n\", (long long)({}));", p.c),
                ),
            }
        }
    }

    pub(super) fn decl_scalar(&mut self, ty: Ty) {
        let name = self.fresh("v");
        // Sometimes the initialiser has another integer type: an implicit conversion.
        let src = if ty.is_int() && self.rng.chance(1, 4) {
            self.rng.pick(&INTS)
        } else {
            ty
        };
        let e = self.expr(src, 3, src == ty);
        self.line(
            &format!("{name}: {} = mut {}", ty.vais(), e.v),
            &format!("{} {name} = {};", ty.c(), e.c),
        );
        self.declare(name, Kind::Scalar(ty), true);
    }

    /// One statement; `depth` bounds the nesting of blocks inside it.
    pub(super) fn stmt(&mut self, depth: u32) {
        let roll = self.rng.below(100);
        match roll {
            0..=14 => {
                let ty = self.rng.pick(&VALUE_TYS);
                self.decl_scalar(ty);
            }
            15..=19 => self.decl_struct(),
            20..=23 => self.decl_array(),
            24..=26 => self.decl_enum(),
            27..=29 => self.decl_pointer(),
            30 | 31 => self.decl_fn_pointer(),
            32..=59 => self.assign(),
            60..=67 if depth > 0 => self.if_stmt(depth - 1),
            68..=75 if depth > 0 => self.range_loop(depth - 1),
            76..=79 if depth > 0 => self.counted_loop(depth - 1),
            80..=85 if self.loop_ctx != LoopCtx::None => {
                let cond = self.bool_expr(2);
                let kw = if self.loop_ctx == LoopCtx::Range && self.rng.chance(1, 2) {
                    ("C", "continue;")
                } else {
                    ("B", "break;")
                };
                self.line(
                    &format!("I {} {{ {} }}", cond.v, kw.0),
                    &format!("if ({}) {{ {} }}", cond.c, kw.1),
                );
            }
            86..=89 if self.ret.is_some() => {
                let ret = self.ret.expect("checked");
                let cond = self.bool_expr(2);
                let e = self.value_of(ret, 2);
                self.line(
                    &format!("I {} {{ R {} }}", cond.v, e.v),
                    &format!("if ({}) {{ return {}; }}", cond.c, e.c),
                );
            }
            90..=99 if self.in_main && self.loop_ctx != LoopCtx::None => self.mix(),
            _ => self.assign(),
        }
    }

    pub(super) fn block(&mut self, depth: u32) {
        self.indent += 1;
        self.scopes.push(Vec::new());
        for _ in 0..1 + self.rng.below(3) {
            self.stmt(depth);
        }
        self.scopes.pop();
        self.indent -= 1;
    }

    pub(super) fn if_stmt(&mut self, depth: u32) {
        let cond = self.bool_expr(3);
        self.line(&format!("I {} {{", cond.v), &format!("if ({}) {{", cond.c));
        self.block(depth);
        if self.rng.chance(1, 2) {
            self.line("} E {", "} else {");
            self.block(depth);
        }
        self.line("}", "}");
    }

    pub(super) fn range_loop(&mut self, depth: u32) {
        let name = self.fresh("i");
        let lo = self.rng.below(4) as i64 - 2;
        let hi = lo + self.rng.below(5) as i64;
        let inclusive = self.rng.chance(1, 3);
        let (dots, cmp) = if inclusive {
            ("..=", "<=")
        } else {
            ("..", "<")
        };
        self.line(
            &format!("L {name}: {lo}{dots}{hi} {{"),
            &format!("for (int64_t {name} = {lo}; {name} {cmp} {hi}; {name}++) {{"),
        );
        let saved = self.loop_ctx;
        self.loop_ctx = LoopCtx::Range;
        self.scopes.push(vec![Var {
            name,
            kind: Kind::Scalar(Ty::I64),
            writable: false,
            global: false,
        }]);
        self.block(depth);
        self.scopes.pop();
        self.loop_ctx = saved;
        self.line("}", "}");
    }

    /// `L cond { .. }` or `L { .. B }` with a counter the body cannot touch.
    pub(super) fn counted_loop(&mut self, depth: u32) {
        let name = self.fresh("w");
        let n = 1 + self.rng.below(4);
        self.line(&format!("{name} := mut 0"), &format!("int64_t {name} = 0;"));
        self.scopes.last_mut().expect("a scope is open").push(Var {
            name: name.clone(),
            kind: Kind::Scalar(Ty::I64),
            writable: false,
            global: false,
        });
        let forever = self.rng.chance(1, 2);
        if forever {
            self.line("L {", "for (;;) {");
        } else {
            self.line(
                &format!("L {name} < {n} {{"),
                &format!("while ({name} < {n}) {{"),
            );
        }
        let saved = self.loop_ctx;
        self.loop_ctx = LoopCtx::Counted;
        self.block(depth);
        self.loop_ctx = saved;
        self.indent += 1;
        self.line(&format!("{name} += 1"), &format!("{name} += 1;"));
        if forever {
            self.line(
                &format!("I {name} >= {n} {{ B }}"),
                &format!("if ({name} >= {n}) {{ break; }}"),
            );
        }
        self.indent -= 1;
        self.line("}", "}");
    }

    /// Folds a value into the checksum `ck` (only in `main`, where statements run in order).
    pub(super) fn mix(&mut self) {
        let ty = self.rng.pick(&INTS);
        let e = self.expr(ty, 3, false);
        self.line(
            &format!("mix({} as i64)", e.v),
            &format!("mix((int64_t)({}));", e.c),
        );
    }

    /// A struct variable from a literal, a call of a function returning the struct, or a copy.
    pub(super) fn decl_struct(&mut self) {
        let s = self.rng.below(self.structs.len());
        let name = self.fresh("s");
        let makers: Vec<usize> = (0..self.funcs.len())
            .filter(|&f| self.funcs[f].ret == Kind::Struct(s))
            .collect();
        let call = if !makers.is_empty() && self.rng.chance(1, 2) {
            let f = makers[self.rng.below(makers.len())];
            self.call_of(f, 2)
        } else {
            None
        };
        let e = match call {
            Some(e) => e,
            None => self.field_value(Field::Struct(s), 2, false),
        };
        self.line(
            &format!("{name} := mut {}", e.v),
            &format!("St{s} {name} = {};", e.c),
        );
        self.declare(name, Kind::Struct(s), true);
    }

    pub(super) fn decl_array(&mut self) {
        let ty = self.rng.pick(&VALUE_TYS);
        let name = self.fresh("a");
        if self.rng.chance(1, 4) {
            let e = self.expr(ty, 2, true);
            self.line(
                &format!("{name}: [{}; {ARRAY_LEN}] = mut [{}; {ARRAY_LEN}]", ty.vais(), e.v),
                &format!(
                    "{} {name}[{ARRAY_LEN}]; {{ {} t = {}; for (int k = 0; k < {ARRAY_LEN}; k++) {name}[k] = t; }}",
                    ty.c(),
                    ty.c(),
                    e.c
                ),
            );
        } else {
            let elems: Vec<expr::Ex> = (0..ARRAY_LEN).map(|_| self.expr(ty, 2, true)).collect();
            let v: Vec<&str> = elems.iter().map(|e| e.v.as_str()).collect();
            let c: Vec<&str> = elems.iter().map(|e| e.c.as_str()).collect();
            self.line(
                &format!(
                    "{name}: [{}; {ARRAY_LEN}] = mut [{}]",
                    ty.vais(),
                    v.join(", ")
                ),
                &format!("{} {name}[{ARRAY_LEN}] = {{ {} }};", ty.c(), c.join(", ")),
            );
        }
        self.declare(name, Kind::Array(ty), true);
    }

    pub(super) fn decl_enum(&mut self) {
        let e = self.rng.below(self.enums.len());
        let name = self.fresh("e");
        let value = self.enum_value(e, 2);
        self.line(
            &format!("{name} := mut {}", value.v),
            &format!("En{e} {name} = {};", value.c),
        );
        self.declare(name, Kind::Enum(e), true);
    }

    /// A pointer to a scalar or struct this code may write.
    pub(super) fn decl_pointer(&mut self) {
        let mut targets: Vec<(String, String, Kind)> = self
            .scalars(Elems::One, true)
            .into_iter()
            .filter(|p| !p.v.starts_with('*'))
            .map(|p| (format!("&{}", p.v), format!("&{}", p.c), Kind::Ptr(p.ty)))
            .collect();
        let structs: Vec<Var> = self
            .vars()
            .filter(|v| matches!(v.kind, Kind::Struct(_)) && (!v.global || self.in_main))
            .cloned()
            .collect();
        for var in structs {
            let Kind::Struct(s) = var.kind else { continue };
            targets.push((
                format!("&{}", var.name),
                format!("&{}", var.name),
                Kind::StructPtr(s),
            ));
        }
        if targets.is_empty() {
            return self.assign();
        }
        let (v, c, kind) = targets.swap_remove(self.rng.below(targets.len()));
        let name = self.fresh("q");
        let ct = match kind {
            Kind::Ptr(t) => format!("{} *", t.c()),
            Kind::StructPtr(s) => format!("St{s} *"),
            _ => unreachable!("pointer kinds only"),
        };
        self.line(&format!("{name} := {v}"), &format!("{ct}{name} = {c};"));
        self.declare(name, kind, true);
    }

    /// `fp := fnK`: a pointer to a function (not a method) declared earlier.
    pub(super) fn decl_fn_pointer(&mut self) {
        let plain: Vec<usize> = (0..self.funcs.len())
            .filter(|&f| self.funcs[f].method_of.is_none())
            .collect();
        if plain.is_empty() {
            return self.decl_pointer();
        }
        let f = plain[self.rng.below(plain.len())];
        let sig = &self.funcs[f];
        let params: Vec<String> = sig.params.iter().map(|p| super::kind_c(*p)).collect();
        let params = if params.is_empty() {
            "void".to_string()
        } else {
            params.join(", ")
        };
        let (ret, fname) = (super::kind_c(sig.ret), sig.name.clone());
        let name = self.fresh("fp");
        self.line(
            &format!("{name} := {fname}"),
            &format!("{ret} (*{name})({params}) = {fname};"),
        );
        self.declare(name, Kind::FnPtr(f), false);
    }

    /// Every scalar place that may be assigned here: `(vais, c, type)`.
    pub(super) fn places(&mut self) -> Vec<(String, String, Ty)> {
        self.scalars(Elems::One, true)
            .into_iter()
            .map(|p| (p.v, p.c, p.ty))
            .collect()
    }

    pub(super) fn assign(&mut self) {
        let enums: Vec<(String, usize)> = self
            .vars()
            .filter_map(|v| match v.kind {
                Kind::Enum(e) => Some((v.name.clone(), e)),
                _ => None,
            })
            .collect();
        if !enums.is_empty() && self.rng.chance(1, 8) {
            let (name, e) = enums[self.rng.below(enums.len())].clone();
            let cond = self.bool_expr(2);
            let (a, b) = (self.enum_value(e, 2), self.enum_value(e, 2));
            self.line(
                &format!("{name} = {} ? {} : {}", cond.v, a.v, b.v),
                &format!("{name} = ({}) ? {} : {};", cond.c, a.c, b.c),
            );
            return;
        }
        if self.rng.chance(1, 8) && self.aggregate_assign() {
            return;
        }
        let mut places = self.places();
        if places.is_empty() {
            return;
        }
        let (pv, pc, ty) = places.swap_remove(self.rng.below(places.len()));
        if ty.is_int() && self.rng.chance(1, 3) {
            return self.compound_assign(&pv, &pc, ty);
        }
        // Integer places sometimes get a value of another width: an implicit conversion.
        let src = if ty.is_int() && self.rng.chance(1, 4) {
            self.rng.pick(&INTS)
        } else {
            ty
        };
        let e = self.expr(src, 3, src == ty);
        self.line(&format!("{pv} = {}", e.v), &format!("{pc} = {};", e.c));
    }

    /// Assigns a whole struct or array (a copy: later writes to either side must not show
    /// in the other). Returns false when there is nothing to assign.
    fn aggregate_assign(&mut self) -> bool {
        if self.rng.chance(1, 2) {
            let s = self.rng.below(self.structs.len());
            let mut targets = self.struct_places_of(s, true);
            if targets.is_empty() {
                return false;
            }
            let (target, _) = targets.swap_remove(self.rng.below(targets.len()));
            let mut value = self.field_value(Field::Struct(s), 2, false);
            if value.c.starts_with('{') {
                value.c = format!("(St{s}){}", value.c);
            }
            // Through a pointer the target is written `*q`.
            let tv = match target
                .v
                .strip_prefix("(*")
                .and_then(|t| t.strip_suffix(')'))
            {
                Some(q) if !q.contains(['.', '(']) => format!("*{q}"),
                _ => target.v,
            };
            self.line(
                &format!("{tv} = {}", value.v),
                &format!("{} = {};", target.c, value.c),
            );
            return true;
        }
        let arrays: Vec<(String, Ty)> = self
            .vars()
            .filter(|v| v.writable && (!v.global || self.in_main))
            .filter_map(|v| match v.kind {
                Kind::Array(t) => Some((v.name.clone(), t)),
                _ => None,
            })
            .collect();
        if arrays.is_empty() {
            return false;
        }
        let (name, t) = arrays[self.rng.below(arrays.len())].clone();
        let sources: Vec<String> = self
            .vars()
            .filter(|v| v.kind == Kind::Array(t) && v.name != name)
            .map(|v| v.name.clone())
            .collect();
        if !sources.is_empty() && self.rng.chance(2, 3) {
            let src = sources[self.rng.below(sources.len())].clone();
            self.line(
                &format!("{name} = {src}"),
                &format!("memcpy({name}, {src}, sizeof {name});"),
            );
        } else {
            let value = self.field_value(Field::Array(t), 2, false);
            self.line(
                &format!("{name} = {}", value.v),
                &format!(
                    "{{ {} tmp[{ARRAY_LEN}] = {}; memcpy({name}, tmp, sizeof {name}); }}",
                    t.c(),
                    value.c
                ),
            );
        }
        true
    }

    pub(super) fn compound_assign(&mut self, pv: &str, pc: &str, ty: Ty) {
        let op = self
            .rng
            .pick(&["+", "-", "*", "&", "|", "^", "<<", ">>", "/", "%"]);
        let (v, c) = match op {
            "<<" | ">>" => {
                let amount = self.shift_amount(ty);
                let c = if op == "<<" {
                    format!("({})(({})({pc}) << {})", ty.c(), ty.c_unsigned(), amount.c)
                } else {
                    format!("({})(({pc}) >> {})", ty.c(), amount.c)
                };
                (format!("{pv} {op}= {}", amount.v), c)
            }
            "/" | "%" => {
                let d = self.divisor_literal(ty);
                (
                    format!("{pv} {op}= {d}"),
                    format!("({})(({pc}) {op} ({})({d}))", ty.c(), ty.c()),
                )
            }
            _ => {
                let e = self.expr(ty, 2, true);
                (
                    format!("{pv} {op}= {}", e.v),
                    format!("({})(({pc}) {op} ({}))", ty.c(), e.c),
                )
            }
        };
        self.line(&v, &format!("{pc} = {c};"));
    }
}
