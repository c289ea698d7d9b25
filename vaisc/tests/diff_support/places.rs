//! Where values live in a generated program: every scalar reachable from the variables and
//! globals in scope (through struct fields at any depth, array elements and pointers), which of
//! them may be assigned, the struct values a call or method can take, and struct literals.

use super::{expr::Ex, Field, Gen, Kind, Ty, ARRAY_LEN};

/// A scalar place: its Vais and C spellings and its type.
pub struct Place {
    pub v: String,
    pub c: String,
    pub ty: Ty,
}

/// How array elements are spelled when enumerating places.
#[derive(Clone, Copy, PartialEq)]
pub enum Elems {
    /// Every element by constant index (checkpoints print them all).
    All,
    /// One element by a masked, generated index.
    One,
}

impl Gen {
    /// The scalars inside a value of struct `s` spelled `v` / `c` (`c` is a C lvalue).
    fn struct_scalars(&mut self, s: usize, v: &str, c: &str, elems: Elems, out: &mut Vec<Place>) {
        let fields = self.structs[s].fields.clone();
        for (k, f) in fields.into_iter().enumerate() {
            let (fv, fc) = (format!("{v}.f{k}"), format!("{c}.f{k}"));
            self.value_scalars(f, &fv, &fc, elems, out);
        }
    }

    fn value_scalars(&mut self, f: Field, v: &str, c: &str, elems: Elems, out: &mut Vec<Place>) {
        match f {
            Field::Scalar(ty) => out.push(Place {
                v: v.to_string(),
                c: c.to_string(),
                ty,
            }),
            Field::Struct(s) => self.struct_scalars(s, v, c, elems, out),
            Field::Array(ty) => match elems {
                Elems::All => {
                    for k in 0..ARRAY_LEN {
                        out.push(Place {
                            v: format!("{v}[{k}]"),
                            c: format!("{c}[{k}]"),
                            ty,
                        });
                    }
                }
                Elems::One => {
                    let idx = self.index();
                    out.push(Place {
                        v: format!("{v}[{}]", idx.v),
                        c: format!("{c}[{}]", idx.c),
                        ty,
                    });
                }
            },
        }
    }

    /// Every scalar in scope. With `writable`, only those this code may assign: not loop
    /// counters, not through a method's `self`, and globals only in `main` (a function that
    /// wrote a global would make C's unspecified evaluation order visible).
    pub(super) fn scalars(&mut self, elems: Elems, writable: bool) -> Vec<Place> {
        let vars: Vec<super::Var> = self.vars().cloned().collect();
        let mut out = Vec::new();
        for var in vars {
            if writable && (!var.writable || (var.global && !self.in_main)) {
                continue;
            }
            let n = var.name.as_str();
            match var.kind {
                Kind::Scalar(t) => self.value_scalars(Field::Scalar(t), n, n, elems, &mut out),
                Kind::Struct(s) => self.struct_scalars(s, n, n, elems, &mut out),
                Kind::Array(t) => self.value_scalars(Field::Array(t), n, n, elems, &mut out),
                Kind::Ptr(t) if elems == Elems::One => {
                    // An assignment's target is written `*q`, a read `(*q)`.
                    let d = if writable {
                        format!("*{n}")
                    } else {
                        format!("(*{n})")
                    };
                    self.value_scalars(Field::Scalar(t), &d, &d, elems, &mut out)
                }
                Kind::StructPtr(s) if elems == Elems::One => {
                    self.struct_scalars(s, n, &format!("(*{n})"), elems, &mut out)
                }
                _ => {}
            }
        }
        out
    }

    /// Struct values of `St{s}` in scope, as `(place, pointer to it)` spellings: for passing
    /// by value, and as a method's receiver (`v.m()` in Vais, `St_m(&v)` in C).
    pub(super) fn struct_places(&mut self, s: usize) -> Vec<(Ex, String)> {
        self.struct_places_of(s, false)
    }

    /// Like `struct_places`; with `writable`, only the places this code may assign.
    pub(super) fn struct_places_of(&mut self, s: usize, writable: bool) -> Vec<(Ex, String)> {
        let vars: Vec<super::Var> = self.vars().cloned().collect();
        let mut out = Vec::new();
        for var in vars {
            if writable && (!var.writable || (var.global && !self.in_main)) {
                continue;
            }
            let n = var.name.clone();
            let (v, c, ptr, ks) = match var.kind {
                Kind::Struct(k) => (n.clone(), n.clone(), format!("&{n}"), k),
                Kind::StructPtr(k) => (format!("(*{n})"), format!("(*{n})"), n.clone(), k),
                _ => continue,
            };
            self.nested_structs(ks, s, &v, &c, &ptr, &mut out);
        }
        out
    }

    fn nested_structs(
        &self,
        at: usize,
        want: usize,
        v: &str,
        c: &str,
        ptr: &str,
        out: &mut Vec<(Ex, String)>,
    ) {
        if at == want {
            out.push((
                Ex {
                    v: v.to_string(),
                    c: c.to_string(),
                    bare: false,
                },
                ptr.to_string(),
            ));
        }
        for (k, f) in self.structs[at].fields.iter().enumerate() {
            if let Field::Struct(inner) = *f {
                let (fv, fc) = (format!("{v}.f{k}"), format!("{c}.f{k}"));
                self.nested_structs(inner, want, &fv, &fc, &format!("&{fc}"), out);
            }
        }
    }

    /// A struct literal of `St{s}` with its fields in a random order (the literal must fill
    /// them by name). For a global's constant initialiser (`constant`), some fields are left
    /// out, which makes them zero; C zeroes them the same way.
    pub(super) fn struct_literal(&mut self, s: usize, depth: u32, constant: bool) -> Ex {
        let fields = self.structs[s].fields.clone();
        let mut order: Vec<usize> = (0..fields.len()).collect();
        for k in (1..order.len()).rev() {
            let j = self.rng.below(k + 1);
            order.swap(k, j);
        }
        let mut vf = Vec::new();
        let mut cf = Vec::new();
        for k in order {
            if constant && self.rng.chance(1, 4) {
                continue;
            }
            let e = self.field_value(fields[k], depth, constant);
            vf.push(format!("f{k}: {}", e.v));
            cf.push(format!(".f{k} = {}", e.c));
        }
        Ex {
            v: format!("St{s} {{ {} }}", vf.join(", ")),
            c: format!("{{ {} }}", cf.join(", ")),
            bare: false,
        }
    }

    /// A value for a field (or array element) of type `f`; C spells aggregates as braced
    /// initialisers.
    pub(super) fn field_value(&mut self, f: Field, depth: u32, constant: bool) -> Ex {
        match f {
            Field::Scalar(t) if constant => self.const_literal(t),
            Field::Scalar(t) => self.expr(t, depth, true),
            Field::Struct(s) => {
                if !constant && self.rng.chance(1, 3) {
                    let mut found = self.struct_places(s);
                    if !found.is_empty() {
                        let k = self.rng.below(found.len());
                        return found.swap_remove(k).0;
                    }
                }
                self.struct_literal(s, depth, constant)
            }
            Field::Array(t) => {
                let elems: Vec<Ex> = (0..ARRAY_LEN)
                    .map(|_| self.field_value(Field::Scalar(t), depth, constant))
                    .collect();
                let v: Vec<&str> = elems.iter().map(|e| e.v.as_str()).collect();
                let c: Vec<&str> = elems.iter().map(|e| e.c.as_str()).collect();
                Ex {
                    v: format!("[{}]", v.join(", ")),
                    c: format!("{{ {} }}", c.join(", ")),
                    bare: false,
                }
            }
        }
    }
}
