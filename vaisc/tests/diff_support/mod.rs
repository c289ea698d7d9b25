//! The random program generator of the differential test: each seed gives one well-typed Tier 1
//! Vais program and its C translation, which must print the same text. The programs avoid C's
//! undefined behaviour the same way in both languages (divisors are guarded, shift amounts are
//! masked below the width, float-to-int casts are range-checked, and expressions have no side
//! effects, so C's unspecified evaluation order cannot matter). This file owns the types, the
//! random numbers, the items (structs, enums, globals, functions) and the statements;
//! `expr.rs` owns the expressions.

mod expr;

use std::fmt::Write as _;

/// A small deterministic PRNG (SplitMix64): the same seed gives the same program everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next() % den < num
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// The scalar types the generator uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    Bool,
}

pub const INTS: [Ty; 8] = [
    Ty::I8,
    Ty::I16,
    Ty::I32,
    Ty::I64,
    Ty::U8,
    Ty::U16,
    Ty::U32,
    Ty::U64,
];
pub const FLOATS: [Ty; 2] = [Ty::F32, Ty::F64];
/// Value types of variables, fields, parameters and results: integers are the most common.
pub const VALUE_TYS: [Ty; 13] = [
    Ty::I8,
    Ty::I16,
    Ty::I32,
    Ty::I64,
    Ty::I64,
    Ty::U8,
    Ty::U16,
    Ty::U32,
    Ty::U64,
    Ty::F32,
    Ty::F64,
    Ty::F64,
    Ty::Bool,
];

impl Ty {
    pub fn vais(self) -> &'static str {
        match self {
            Ty::I8 => "i8",
            Ty::I16 => "i16",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::U8 => "u8",
            Ty::U16 => "u16",
            Ty::U32 => "u32",
            Ty::U64 => "u64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::Bool => "bool",
        }
    }

    pub fn c(self) -> &'static str {
        match self {
            Ty::I8 => "int8_t",
            Ty::I16 => "int16_t",
            Ty::I32 => "int32_t",
            Ty::I64 => "int64_t",
            Ty::U8 => "uint8_t",
            Ty::U16 => "uint16_t",
            Ty::U32 => "uint32_t",
            Ty::U64 => "uint64_t",
            Ty::F32 => "float",
            Ty::F64 => "double",
            Ty::Bool => "bool",
        }
    }

    /// The unsigned C type of the same width, for left shifts without signed overflow.
    pub fn c_unsigned(self) -> &'static str {
        match self {
            Ty::I8 | Ty::U8 => "uint8_t",
            Ty::I16 | Ty::U16 => "uint16_t",
            Ty::I32 | Ty::U32 => "uint32_t",
            _ => "uint64_t",
        }
    }

    pub fn is_int(self) -> bool {
        INTS.contains(&self)
    }

    pub fn is_float(self) -> bool {
        FLOATS.contains(&self)
    }

    pub fn signed(self) -> bool {
        matches!(self, Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64)
    }

    pub fn bits(self) -> u32 {
        match self {
            Ty::I8 | Ty::U8 => 8,
            Ty::I16 | Ty::U16 => 16,
            Ty::I32 | Ty::U32 | Ty::F32 => 32,
            Ty::Bool => 1,
            _ => 64,
        }
    }

    pub fn min(self) -> i128 {
        if self.signed() {
            -(1i128 << (self.bits() - 1))
        } else {
            0
        }
    }

    pub fn max(self) -> i128 {
        if self.signed() {
            (1i128 << (self.bits() - 1)) - 1
        } else {
            (1i128 << self.bits()) - 1
        }
    }
}

/// What a variable holds.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    Scalar(Ty),
    /// A value of struct `structs[i]`.
    Struct(usize),
    /// `[T; 4]`.
    Array(Ty),
    /// A value of enum `enums[i]`.
    Enum(usize),
    /// A pointer to a scalar of this type.
    Ptr(Ty),
    /// A pointer to a value of struct `structs[i]`.
    StructPtr(usize),
}

#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    pub kind: Kind,
    pub writable: bool,
}

pub struct StructDef {
    pub fields: Vec<Ty>,
}

pub struct FuncSig {
    pub name: String,
    pub params: Vec<Kind>,
    pub ret: Ty,
}

/// Elements in every generated array: a power of two, so an index is masked into range.
pub const ARRAY_LEN: usize = 4;

/// One generated program in both languages.
pub struct Program {
    pub vais: String,
    pub c: String,
}

/// The innermost loop around a statement, which decides whether `B` and `C` may appear.
#[derive(Clone, Copy, PartialEq)]
enum LoopCtx {
    None,
    /// `L i: a..b`: `B` and `C` both fine.
    Range,
    /// A loop with a counter incremented at the end of its body: `C` would skip the increment.
    Counted,
}

pub struct Gen {
    rng: Rng,
    structs: Vec<StructDef>,
    enums: Vec<usize>,
    globals: Vec<(String, Ty)>,
    funcs: Vec<FuncSig>,
    scopes: Vec<Vec<Var>>,
    names: usize,
    in_main: bool,
    loop_ctx: LoopCtx,
    ret: Option<Ty>,
    indent: usize,
    v: String,
    c: String,
}

/// Generates the program of one seed.
pub fn generate(seed: u64) -> Program {
    let mut g = Gen {
        rng: Rng::new(seed),
        structs: Vec::new(),
        enums: Vec::new(),
        globals: Vec::new(),
        funcs: Vec::new(),
        scopes: Vec::new(),
        names: 0,
        in_main: false,
        loop_ctx: LoopCtx::None,
        ret: None,
        indent: 0,
        v: String::new(),
        c: String::new(),
    };
    g.program(seed);
    Program { vais: g.v, c: g.c }
}

impl Gen {
    fn fresh(&mut self, prefix: &str) -> String {
        self.names += 1;
        format!("{prefix}{}", self.names)
    }

    /// Writes one line in each language at the current indentation.
    fn line(&mut self, v: &str, c: &str) {
        let pad = "    ".repeat(self.indent);
        let _ = writeln!(self.v, "{pad}{v}");
        let _ = writeln!(self.c, "{pad}{c}");
    }

    fn declare(&mut self, name: String, kind: Kind, writable: bool) {
        self.scopes.last_mut().expect("a scope is open").push(Var {
            name,
            kind,
            writable,
        });
    }

    fn vars(&self) -> impl Iterator<Item = &Var> {
        self.scopes.iter().flatten()
    }

    fn program(&mut self, seed: u64) {
        self.v
            .push_str(&format!("# differential test program, seed {seed}\n"));
        self.c
            .push_str(&format!("/* differential test program, seed {seed} */\n"));
        self.c.push_str(C_PRELUDE);
        self.v.push_str(VAIS_PRELUDE);
        for _ in 0..1 + self.rng.below(3) {
            let fields: Vec<Ty> = (0..2 + self.rng.below(4))
                .map(|_| self.rng.pick(&VALUE_TYS))
                .collect();
            let i = self.structs.len();
            let vf: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(k, t)| format!("f{k}: {}", t.vais()))
                .collect();
            let cf: String = fields
                .iter()
                .enumerate()
                .map(|(k, t)| format!(" {} f{k};", t.c()))
                .collect();
            self.line(
                &format!("S St{i} {{ {} }}", vf.join(", ")),
                &format!("typedef struct {{{cf} }} St{i};"),
            );
            self.structs.push(StructDef { fields });
        }
        for i in 0..1 + self.rng.below(2) {
            let n = 2 + self.rng.below(3);
            let variants: Vec<String> = (0..n).map(|k| format!("V{k}")).collect();
            self.line(
                &format!("E En{i} {{ {} }}", variants.join(", ")),
                &format!("/* enum En{i}: {n} variants, held as int */"),
            );
            self.enums.push(n);
        }
        for i in 0..self.rng.below(5) {
            let ty = self.rng.pick(&VALUE_TYS);
            let lit = self.const_literal(ty);
            self.line(
                &format!("G g{i}: {} = {}", ty.vais(), lit.v),
                &format!("{} g{i} = {};", ty.c(), lit.c),
            );
            self.globals.push((format!("g{i}"), ty));
        }
        for i in 0..1 + self.rng.below(5) {
            self.function(i);
        }
        self.main();
    }

    fn function(&mut self, i: usize) {
        let nparams = self.rng.below(5);
        let mut params = Vec::new();
        for _ in 0..nparams {
            if self.rng.chance(1, 6) {
                params.push(Kind::Struct(self.rng.below(self.structs.len())));
            } else {
                params.push(Kind::Scalar(self.rng.pick(&VALUE_TYS)));
            }
        }
        let ret = self.rng.pick(&VALUE_TYS);
        let name = format!("fn{i}");
        self.scopes.push(Vec::new());
        let mut vp = Vec::new();
        let mut cp = Vec::new();
        for (k, p) in params.iter().enumerate() {
            let pname = format!("p{k}");
            let (vt, ct) = match *p {
                Kind::Scalar(t) => (t.vais().to_string(), t.c().to_string()),
                Kind::Struct(s) => (format!("St{s}"), format!("St{s}")),
                _ => unreachable!("parameters are scalars or structs"),
            };
            vp.push(format!("{pname}: {vt}"));
            cp.push(format!("{ct} {pname}"));
            self.declare(pname, *p, true);
        }
        let cparams = if cp.is_empty() {
            "void".to_string()
        } else {
            cp.join(", ")
        };
        self.line(
            &format!("F {name}({}) -> {} {{", vp.join(", "), ret.vais()),
            &format!("static {} {name}({cparams}) {{", ret.c()),
        );
        self.indent += 1;
        self.in_main = false;
        self.ret = Some(ret);
        for _ in 0..1 + self.rng.below(5) {
            self.stmt(2);
        }
        let e = self.expr(ret, 3, true);
        self.line(&e.v, &format!("return {};", e.c));
        self.indent -= 1;
        self.line("}", "}");
        self.scopes.pop();
        self.ret = None;
        self.funcs.push(FuncSig { name, params, ret });
    }

    fn main(&mut self) {
        self.line("F main() -> i64 {", "int main(void) {");
        self.indent += 1;
        self.in_main = true;
        self.scopes.push(Vec::new());
        // One variable of every integer type and of f64 first, so every expression has leaves.
        for ty in INTS.iter().chain(&[Ty::F64, Ty::Bool]) {
            self.decl_scalar(*ty);
        }
        for _ in 0..8 + self.rng.below(16) {
            self.stmt(2);
            if self.rng.chance(1, 3) {
                self.checkpoint();
            }
        }
        self.checkpoint();
        self.line(
            "printf(\"ck %ld\\n\", ck as i64)",
            "printf(\"ck %lld\\n\", (long long)ck);",
        );
        self.line("0", "return 0;");
        self.scopes.pop();
        self.indent -= 1;
        self.line("}", "}");
    }

    /// Prints every value in scope and every global.
    fn checkpoint(&mut self) {
        let mut values: Vec<(String, String, Ty)> = Vec::new();
        for var in self.vars() {
            match var.kind {
                Kind::Scalar(t) => values.push((var.name.clone(), var.name.clone(), t)),
                Kind::Struct(s) => {
                    for (k, t) in self.structs[s].fields.iter().enumerate() {
                        values.push((
                            format!("{}.f{k}", var.name),
                            format!("{}.f{k}", var.name),
                            *t,
                        ));
                    }
                }
                Kind::Array(t) => {
                    for k in 0..ARRAY_LEN {
                        values.push((
                            format!("{}[{k}]", var.name),
                            format!("{}[{k}]", var.name),
                            t,
                        ));
                    }
                }
                Kind::Enum(_) | Kind::Ptr(_) | Kind::StructPtr(_) => {}
            }
        }
        for (name, t) in &self.globals {
            values.push((name.clone(), name.clone(), *t));
        }
        for (v, c, t) in values {
            if t.is_float() {
                self.line(&format!("pf({v} as f64)"), &format!("pf((double)({c}));"));
            } else {
                self.line(
                    &format!("printf(\"%ld\\n\", {v} as i64)"),
                    &format!("printf(\"%lld\\n\", (long long)({c}));"),
                );
            }
        }
    }

    fn decl_scalar(&mut self, ty: Ty) {
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
    fn stmt(&mut self, depth: u32) {
        let roll = self.rng.below(100);
        match roll {
            0..=14 => {
                let ty = self.rng.pick(&VALUE_TYS);
                self.decl_scalar(ty);
            }
            15..=19 => self.decl_struct(),
            20..=23 => self.decl_array(),
            24..=26 => self.decl_enum(),
            27..=31 => self.decl_pointer(),
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
                let e = self.expr(ret, 2, true);
                self.line(
                    &format!("I {} {{ R {} }}", cond.v, e.v),
                    &format!("if ({}) {{ return {}; }}", cond.c, e.c),
                );
            }
            90..=99 if self.in_main && self.loop_ctx != LoopCtx::None => self.mix(),
            _ => self.assign(),
        }
    }

    fn block(&mut self, depth: u32) {
        self.indent += 1;
        self.scopes.push(Vec::new());
        for _ in 0..1 + self.rng.below(3) {
            self.stmt(depth);
        }
        self.scopes.pop();
        self.indent -= 1;
    }

    fn if_stmt(&mut self, depth: u32) {
        let cond = self.bool_expr(3);
        self.line(&format!("I {} {{", cond.v), &format!("if ({}) {{", cond.c));
        self.block(depth);
        if self.rng.chance(1, 2) {
            self.line("} E {", "} else {");
            self.block(depth);
        }
        self.line("}", "}");
    }

    fn range_loop(&mut self, depth: u32) {
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
        }]);
        self.block(depth);
        self.scopes.pop();
        self.loop_ctx = saved;
        self.line("}", "}");
    }

    /// `L cond { .. }` or `L { .. B }` with a counter the body cannot touch.
    fn counted_loop(&mut self, depth: u32) {
        let name = self.fresh("w");
        let n = 1 + self.rng.below(4);
        self.line(&format!("{name} := mut 0"), &format!("int64_t {name} = 0;"));
        self.scopes.last_mut().expect("a scope is open").push(Var {
            name: name.clone(),
            kind: Kind::Scalar(Ty::I64),
            writable: false,
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
    fn mix(&mut self) {
        let ty = self.rng.pick(&INTS);
        let e = self.expr(ty, 3, false);
        self.line(
            &format!("mix({} as i64)", e.v),
            &format!("mix((int64_t)({}));", e.c),
        );
    }

    fn decl_struct(&mut self) {
        let s = self.rng.below(self.structs.len());
        let name = self.fresh("s");
        let fields = self.structs[s].fields.clone();
        let mut order: Vec<usize> = (0..fields.len()).collect();
        // Fields are written in a random order: the literal must still fill them by name.
        for k in (1..order.len()).rev() {
            let j = self.rng.below(k + 1);
            order.swap(k, j);
        }
        let mut vf = Vec::new();
        let mut cf = Vec::new();
        for k in order {
            let e = self.expr(fields[k], 2, true);
            vf.push(format!("f{k}: {}", e.v));
            cf.push(format!(".f{k} = {}", e.c));
        }
        self.line(
            &format!("{name} := mut St{s} {{ {} }}", vf.join(", ")),
            &format!("St{s} {name} = {{ {} }};", cf.join(", ")),
        );
        self.declare(name, Kind::Struct(s), true);
    }

    fn decl_array(&mut self) {
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

    fn decl_enum(&mut self) {
        let e = self.rng.below(self.enums.len());
        let name = self.fresh("e");
        let k = self.rng.below(self.enums[e]);
        self.line(
            &format!("{name} := mut En{e}.V{k}"),
            &format!("int {name} = {k};"),
        );
        self.declare(name, Kind::Enum(e), true);
    }

    fn decl_pointer(&mut self) {
        let mut targets: Vec<(String, String, Kind)> = Vec::new();
        for var in self.vars() {
            match var.kind {
                Kind::Scalar(t) if var.writable => targets.push((
                    format!("&{}", var.name),
                    format!("&{}", var.name),
                    Kind::Ptr(t),
                )),
                Kind::Struct(s) => {
                    targets.push((
                        format!("&{}", var.name),
                        format!("&{}", var.name),
                        Kind::StructPtr(s),
                    ));
                    for (k, t) in self.structs[s].fields.iter().enumerate() {
                        targets.push((
                            format!("&{}.f{k}", var.name),
                            format!("&{}.f{k}", var.name),
                            Kind::Ptr(*t),
                        ));
                    }
                }
                Kind::Array(t) => {
                    let k = (var.name.len() * 7) % ARRAY_LEN;
                    targets.push((
                        format!("&{}[{k}]", var.name),
                        format!("&{}[{k}]", var.name),
                        Kind::Ptr(t),
                    ));
                }
                _ => {}
            }
        }
        if self.in_main {
            for (name, t) in &self.globals {
                targets.push((format!("&{name}"), format!("&{name}"), Kind::Ptr(*t)));
            }
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
        self.declare(name, kind, false);
    }

    /// Every place of a scalar type that may be assigned here: `(vais, c, type)`.
    fn places(&mut self) -> Vec<(String, String, Ty)> {
        let mut out = Vec::new();
        let vars: Vec<Var> = self.vars().cloned().collect();
        for var in vars {
            match var.kind {
                Kind::Scalar(t) if var.writable => out.push((var.name.clone(), var.name, t)),
                Kind::Struct(s) => {
                    for (k, t) in self.structs[s].fields.iter().enumerate() {
                        out.push((
                            format!("{}.f{k}", var.name),
                            format!("{}.f{k}", var.name),
                            *t,
                        ));
                    }
                }
                Kind::StructPtr(s) => {
                    for (k, t) in self.structs[s].fields.iter().enumerate() {
                        out.push((
                            format!("{}.f{k}", var.name),
                            format!("{}->f{k}", var.name),
                            *t,
                        ));
                    }
                }
                Kind::Ptr(t) => out.push((format!("*{}", var.name), format!("*{}", var.name), t)),
                Kind::Array(t) => {
                    let idx = self.index();
                    out.push((
                        format!("{}[{}]", var.name, idx.v),
                        format!("{}[{}]", var.name, idx.c),
                        t,
                    ));
                }
                _ => {}
            }
        }
        if self.in_main {
            for (name, t) in &self.globals {
                out.push((name.clone(), name.clone(), *t));
            }
        }
        out
    }

    fn assign(&mut self) {
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
            let (a, b) = (self.rng.below(self.enums[e]), self.rng.below(self.enums[e]));
            self.line(
                &format!("{name} = {} ? En{e}.V{a} : En{e}.V{b}", cond.v),
                &format!("{name} = ({}) ? {a} : {b};", cond.c),
            );
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

    fn compound_assign(&mut self, pv: &str, pc: &str, ty: Ty) {
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

/// Helpers every Vais program starts with; `C_PRELUDE` is the same in C.
const VAIS_PRELUDE: &str = "G ck: u64 = 0
F mix(v: i64) { ck = (ck ^ (v as u64)) * 1099511628211 }
F pf(x: f64) { I x != x { puts(\"nan\") } E { printf(\"%.17g\\n\", x) } }
F fdiv64(a: f64, b: f64) -> f64 = b == 0.0 ? a : a / b
F fdiv32(a: f32, b: f32) -> f32 = b == 0.0 ? a : a / b
F id_i64(x: i64) -> i64 = x
F id_u64(x: u64) -> u64 = x
F div_i8(a: i8, b: i8) -> i8 { I b == 0 { R a } I a == 0x80 && b == -1 { R a } a / b }
F rem_i8(a: i8, b: i8) -> i8 { I b == 0 { R a } I a == 0x80 && b == -1 { R 0 } a % b }
F div_i16(a: i16, b: i16) -> i16 { I b == 0 { R a } I a == 0x8000 && b == -1 { R a } a / b }
F rem_i16(a: i16, b: i16) -> i16 { I b == 0 { R a } I a == 0x8000 && b == -1 { R 0 } a % b }
F div_i32(a: i32, b: i32) -> i32 { I b == 0 { R a } I a == 0x80000000 && b == -1 { R a } a / b }
F rem_i32(a: i32, b: i32) -> i32 { I b == 0 { R a } I a == 0x80000000 && b == -1 { R 0 } a % b }
F div_i64(a: i64, b: i64) -> i64 { I b == 0 { R a } I a == 0x8000000000000000 && b == -1 { R a } a / b }
F rem_i64(a: i64, b: i64) -> i64 { I b == 0 { R a } I a == 0x8000000000000000 && b == -1 { R 0 } a % b }
F div_u8(a: u8, b: u8) -> u8 = b == 0 ? a : a / b
F rem_u8(a: u8, b: u8) -> u8 = b == 0 ? a : a % b
F div_u16(a: u16, b: u16) -> u16 = b == 0 ? a : a / b
F rem_u16(a: u16, b: u16) -> u16 = b == 0 ? a : a % b
F div_u32(a: u32, b: u32) -> u32 = b == 0 ? a : a / b
F rem_u32(a: u32, b: u32) -> u32 = b == 0 ? a : a % b
F div_u64(a: u64, b: u64) -> u64 = b == 0 ? a : a / b
F rem_u64(a: u64, b: u64) -> u64 = b == 0 ? a : a % b
F f2i_i8(x: f64) -> i8 = x > -129.0 && x < 128.0 ? x as i8 : 0
F f2i_i16(x: f64) -> i16 = x > -32769.0 && x < 32768.0 ? x as i16 : 0
F f2i_i32(x: f64) -> i32 = x > -2147483649.0 && x < 2147483648.0 ? x as i32 : 0
F f2i_i64(x: f64) -> i64 = x > -9223372036854775808.0 && x < 9223372036854775808.0 ? x as i64 : 0
F f2i_u8(x: f64) -> u8 = x > -1.0 && x < 256.0 ? x as u8 : 0
F f2i_u16(x: f64) -> u16 = x > -1.0 && x < 65536.0 ? x as u16 : 0
F f2i_u32(x: f64) -> u32 = x > -1.0 && x < 4294967296.0 ? x as u32 : 0
F f2i_u64(x: f64) -> u64 = x > -1.0 && x < 18446744073709551616.0 ? x as u64 : 0
";

const C_PRELUDE: &str = "#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <math.h>
static uint64_t ck = 0;
static void mix(int64_t v) { ck = (ck ^ (uint64_t)v) * 1099511628211ULL; }
static void pf(double x) { if (x != x) puts(\"nan\"); else printf(\"%.17g\\n\", x); }
static double fdiv64(double a, double b) { return b == 0.0 ? a : a / b; }
static float fdiv32(float a, float b) { return b == 0.0f ? a : a / b; }
#define SDIV(T, MIN) \\
    static T div_##T(T a, T b) { if (b == 0) return a; if (a == MIN && b == -1) return a; return (T)(a / b); } \\
    static T rem_##T(T a, T b) { if (b == 0) return a; if (a == MIN && b == -1) return 0; return (T)(a % b); }
#define UDIV(T) \\
    static T div_##T(T a, T b) { return b == 0 ? a : (T)(a / b); } \\
    static T rem_##T(T a, T b) { return b == 0 ? a : (T)(a % b); }
SDIV(int8_t, INT8_MIN) SDIV(int16_t, INT16_MIN) SDIV(int32_t, INT32_MIN) SDIV(int64_t, INT64_MIN)
UDIV(uint8_t) UDIV(uint16_t) UDIV(uint32_t) UDIV(uint64_t)
#define F2I(T, LO, HI) static T f2i_##T(double x) { return x > LO && x < HI ? (T)x : 0; }
F2I(int8_t, -129.0, 128.0) F2I(int16_t, -32769.0, 32768.0)
F2I(int32_t, -2147483649.0, 2147483648.0) F2I(int64_t, -9223372036854775808.0, 9223372036854775808.0)
F2I(uint8_t, -1.0, 256.0) F2I(uint16_t, -1.0, 65536.0)
F2I(uint32_t, -1.0, 4294967296.0) F2I(uint64_t, -1.0, 18446744073709551616.0)
";
