//! The random program generator of the differential test: each seed gives one well-typed Tier 1
//! Vais program and its C translation, which must print the same text. The programs avoid C's
//! undefined behaviour the same way in both languages (divisors are guarded, shift amounts are
//! masked below the width, float-to-int casts are range-checked, and expressions have no side
//! effects, so C's unspecified evaluation order cannot matter). This file owns the types, the
//! random numbers, the items (structs, enums, globals, functions) and the statements;
//! `expr.rs` owns the expressions.

mod expr;
mod places;
mod prelude;
mod stmt;

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
    /// A function pointer to `funcs[i]` (not a method).
    FnPtr(usize),
}

#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    pub kind: Kind,
    /// May be assigned (for pointers: their target may be).
    pub writable: bool,
    pub global: bool,
}

/// The type of a struct field.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Field {
    Scalar(Ty),
    /// A struct declared earlier, laid out inline.
    Struct(usize),
    /// `[T; 4]`, laid out inline.
    Array(Ty),
}

pub struct StructDef {
    pub fields: Vec<Field>,
}

pub struct FuncSig {
    pub name: String,
    pub params: Vec<Kind>,
    /// A scalar or a struct.
    pub ret: Kind,
    /// `Some(s)` for a method of `St{s}` taking `&self`.
    pub method_of: Option<usize>,
}

/// Elements in every generated array: a power of two, so an index is masked into range.
pub const ARRAY_LEN: usize = 4;

/// One generated program in both languages.
pub struct Program {
    pub vais: String,
    pub c: String,
    /// The index of the first generated line (after the prelude) of each text. From there on,
    /// line `vais_body + i` of the Vais text and line `c_body + i` of the C text come from the
    /// same step of the generator.
    pub vais_body: usize,
    pub c_body: usize,
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
    /// Each enum's variants, each with its payload types (none, one or two).
    enums: Vec<Vec<Vec<Ty>>>,
    globals: Vec<Var>,
    funcs: Vec<FuncSig>,
    scopes: Vec<Vec<Var>>,
    names: usize,
    in_main: bool,
    loop_ctx: LoopCtx,
    ret: Option<Kind>,
    indent: usize,
    v: String,
    c: String,
    /// Lines of each text before the first generated line.
    body_start: (usize, usize),
    /// Globals initialised by constant expressions, with the C expression that `main` assigns.
    const_inits: Vec<(String, String)>,
}

fn field_vais(f: Field) -> String {
    match f {
        Field::Scalar(t) => t.vais().to_string(),
        Field::Struct(s) => format!("St{s}"),
        Field::Array(t) => format!("[{}; {ARRAY_LEN}]", t.vais()),
    }
}

fn kind_vais(k: Kind) -> String {
    match k {
        Kind::Scalar(t) => t.vais().to_string(),
        Kind::Struct(s) => format!("St{s}"),
        Kind::Enum(e) => format!("En{e}"),
        _ => unreachable!("parameters and results are scalars or structs"),
    }
}

fn kind_c(k: Kind) -> String {
    match k {
        Kind::Scalar(t) => t.c().to_string(),
        Kind::Struct(s) => format!("St{s}"),
        Kind::Enum(e) => format!("En{e}"),
        _ => unreachable!("parameters and results are scalars or structs"),
    }
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
        body_start: (0, 0),
        const_inits: Vec::new(),
    };
    g.program(seed);
    Program {
        vais_body: g.body_start.0,
        c_body: g.body_start.1,
        vais: g.v,
        c: g.c,
    }
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
            global: false,
        });
    }

    /// Globals, then the variables of every open scope.
    fn vars(&self) -> impl Iterator<Item = &Var> {
        self.globals.iter().chain(self.scopes.iter().flatten())
    }

    fn program(&mut self, seed: u64) {
        self.v
            .push_str(&format!("# differential test program, seed {seed}\n"));
        self.c
            .push_str(&format!("/* differential test program, seed {seed} */\n"));
        self.c.push_str(prelude::C);
        self.v.push_str(prelude::VAIS);
        self.body_start = (self.v.lines().count(), self.c.lines().count());
        for i in 0..1 + self.rng.below(3) {
            let fields: Vec<Field> = (0..2 + self.rng.below(4))
                .map(|_| match self.rng.below(10) {
                    0 if i > 0 => Field::Struct(self.rng.below(i)),
                    1 => Field::Array(self.rng.pick(&VALUE_TYS)),
                    _ => Field::Scalar(self.rng.pick(&VALUE_TYS)),
                })
                .collect();
            let vf: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(k, f)| format!("f{k}: {}", field_vais(*f)))
                .collect();
            let cf: String = fields
                .iter()
                .enumerate()
                .map(|(k, f)| match *f {
                    Field::Scalar(t) => format!(" {} f{k};", t.c()),
                    Field::Struct(s) => format!(" St{s} f{k};"),
                    Field::Array(t) => format!(" {} f{k}[{ARRAY_LEN}];", t.c()),
                })
                .collect();
            self.line(
                &format!("S St{i} {{ {} }}", vf.join(", ")),
                &format!("typedef struct {{{cf} }} St{i};"),
            );
            self.structs.push(StructDef { fields });
        }
        for i in 0..1 + self.rng.below(2) {
            // Some enums are plain tags, others carry payloads of different sizes.
            let with_payloads = self.rng.chance(1, 2);
            let variants: Vec<Vec<Ty>> = (0..2 + self.rng.below(3))
                .map(|_| {
                    let n = if with_payloads { self.rng.below(3) } else { 0 };
                    (0..n).map(|_| self.rng.pick(&VALUE_TYS)).collect()
                })
                .collect();
            let vv: Vec<String> = variants
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    if p.is_empty() {
                        format!("V{k}")
                    } else {
                        let t: Vec<&str> = p.iter().map(|t| t.vais()).collect();
                        format!("V{k}({})", t.join(", "))
                    }
                })
                .collect();
            let cf: String = variants
                .iter()
                .enumerate()
                .flat_map(|(k, p)| {
                    p.iter()
                        .enumerate()
                        .map(move |(j, t)| format!(" {} v{k}_{j};", t.c()))
                })
                .collect();
            self.line(
                &format!("E En{i} {{ {} }}", vv.join(", ")),
                &format!("typedef struct {{ int tag;{cf} }} En{i};"),
            );
            self.enums.push(variants);
        }
        for i in 0..self.rng.below(6) {
            let name = format!("g{i}");
            let (kind, field) = match self.rng.below(6) {
                0 => {
                    let s = self.rng.below(self.structs.len());
                    (Kind::Struct(s), Field::Struct(s))
                }
                1 => {
                    let t = self.rng.pick(&VALUE_TYS);
                    (Kind::Array(t), Field::Array(t))
                }
                _ => {
                    let t = self.rng.pick(&VALUE_TYS);
                    (Kind::Scalar(t), Field::Scalar(t))
                }
            };
            let mut init = self.field_value(field, 0, true);
            // A scalar global is often initialised by constant arithmetic, evaluated by the
            // compiler; the C program computes the same expression at the start of `main`.
            if let Field::Scalar(t) = field {
                if t != Ty::Bool && self.rng.chance(1, 2) {
                    let e = self.const_expr(t, 3);
                    self.const_inits.push((name.clone(), e.c));
                    init = expr::Ex {
                        v: e.v,
                        c: "0".to_string(),
                        bare: false,
                    };
                }
            }
            let (vt, cdecl) = match field {
                Field::Scalar(t) => (t.vais().to_string(), format!("{} {name}", t.c())),
                Field::Struct(s) => (format!("St{s}"), format!("St{s} {name}")),
                Field::Array(t) => (field_vais(field), format!("{} {name}[{ARRAY_LEN}]", t.c())),
            };
            self.line(
                &format!("G {name}: {vt} = {}", init.v),
                &format!("{cdecl} = {};", init.c),
            );
            self.globals.push(Var {
                name,
                kind,
                writable: true,
                global: true,
            });
        }
        for i in 0..1 + self.rng.below(6) {
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
            } else if self.rng.chance(1, 8) {
                params.push(Kind::Enum(self.rng.below(self.enums.len())));
            } else {
                params.push(Kind::Scalar(self.rng.pick(&VALUE_TYS)));
            }
        }
        let ret = if self.rng.chance(1, 6) {
            Kind::Struct(self.rng.below(self.structs.len()))
        } else {
            Kind::Scalar(self.rng.pick(&VALUE_TYS))
        };
        let method_of = self
            .rng
            .chance(1, 4)
            .then(|| self.rng.below(self.structs.len()));
        let name = match method_of {
            Some(s) => format!("St{s}_m{i}"),
            None => format!("fn{i}"),
        };
        self.scopes.push(Vec::new());
        let mut vp = Vec::new();
        let mut cp = Vec::new();
        if let Some(s) = method_of {
            vp.push("&self".to_string());
            cp.push(format!("St{s} *self"));
            // `self` is read-only here: writing through it would be a side effect of a call.
            self.declare("self".to_string(), Kind::StructPtr(s), false);
        }
        for (k, p) in params.iter().enumerate() {
            let pname = format!("p{k}");
            vp.push(format!("{pname}: {}", kind_vais(*p)));
            cp.push(format!("{} {pname}", kind_c(*p)));
            self.declare(pname, *p, true);
        }
        let cparams = if cp.is_empty() {
            "void".to_string()
        } else {
            cp.join(", ")
        };
        let vname = match method_of {
            Some(s) => {
                self.line(&format!("X St{s} {{"), "");
                format!("m{i}")
            }
            None => name.clone(),
        };
        self.line(
            &format!("F {vname}({}) -> {} {{", vp.join(", "), kind_vais(ret)),
            &format!("static {} {name}({cparams}) {{", kind_c(ret)),
        );
        self.indent += 1;
        self.in_main = false;
        self.ret = Some(ret);
        for _ in 0..1 + self.rng.below(5) {
            self.stmt(2);
        }
        let e = self.value_of(ret, 3);
        self.line(&e.v, &format!("return {};", e.c));
        self.indent -= 1;
        self.line("}", "}");
        if method_of.is_some() {
            self.line("}", "");
        }
        self.scopes.pop();
        self.ret = None;
        self.funcs.push(FuncSig {
            name,
            params,
            ret,
            method_of,
        });
    }

    /// A value of a scalar or struct type, as a function returns it (C spells a struct
    /// literal as a compound literal here).
    fn value_of(&mut self, kind: Kind, depth: u32) -> expr::Ex {
        match kind {
            Kind::Scalar(t) => self.expr(t, depth, true),
            Kind::Struct(s) => {
                let mut e = self.field_value(Field::Struct(s), depth.min(2), false);
                if e.c.starts_with('{') {
                    e.c = format!("(St{s}){}", e.c);
                }
                e
            }
            _ => unreachable!("values are scalars or structs"),
        }
    }

    fn main(&mut self) {
        self.line("F main() -> i64 {", "int main(void) {");
        self.indent += 1;
        self.in_main = true;
        self.scopes.push(Vec::new());
        for (name, c) in std::mem::take(&mut self.const_inits) {
            self.line(
                &format!("# {name} is initialised by its declaration"),
                &format!("{name} = {c};"),
            );
        }
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
}
