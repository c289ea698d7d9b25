//! The typed intermediate representation: what the type checker hands to code generation.
//!
//! Every expression carries its final type, every implicit conversion the language performs
//! (integer widening at calls, auto-dereference of `p.x`, auto-reference of method receivers,
//! C variadic promotions) is spelled out as an explicit node, and every name is resolved to an
//! index. Code generation is therefore a plain walk that never has to infer or look anything up.

use crate::source::Span;

/// Index into [`Program::structs`].
pub type StructId = usize;
/// Index into [`Program::enums`].
pub type EnumId = usize;
/// Index into [`Program::globals`].
pub type GlobalId = usize;
/// Index into [`Program::functions`].
pub type FuncId = usize;
/// Index into [`FuncBody::locals`]; parameters are locals `0..params.len()`.
pub type LocalId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

impl IntTy {
    pub fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 => 64,
        }
    }

    pub fn signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }

    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatTy {
    F32,
    F64,
}

/// The most elements an array type may have: LLVM 14 counts array elements in 32 bits.
pub const MAX_ARRAY_LEN: u64 = u32::MAX as u64;

/// A fully resolved Vais type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `()`: no value. Functions returning it are `void` in LLVM.
    Unit,
    Bool,
    Int(IntTy),
    Float(FloatTy),
    /// Pointer to NUL-terminated bytes (C `const char*`).
    Str,
    Ptr(Box<Ty>),
    Array(Box<Ty>, u64),
    Struct(StructId),
    Enum(EnumId),
    Fn(Box<FnTy>),
    /// `|A| -> R`: a closure, a code pointer and an environment pointer (`closure.rs` in
    /// codegen). `variadic` is always false.
    Closure(Box<FnTy>),
    /// `Task<T>`: a task of an async function yielding `T` (a pointer to its record, see
    /// `codegen/task.rs`).
    Task(Box<Ty>),
    /// The type of `R`, `B`, `C` and of blocks that end in them: control never continues.
    /// Code of this type is kept and runs in order; only what comes after it is dead.
    Never,
    /// The type of an expression whose error has already been reported. It is compatible with
    /// every type so that one mistake gives one diagnostic. Code generation never sees it: a
    /// program with errors is not lowered.
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FnTy {
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub variadic: bool,
}

impl Ty {
    pub const I64: Ty = Ty::Int(IntTy::I64);
    pub const I32: Ty = Ty::Int(IntTy::I32);
    pub const F64: Ty = Ty::Float(FloatTy::F64);

    pub fn is_int(&self) -> bool {
        matches!(self, Ty::Int(_))
    }

    pub fn is_float(&self) -> bool {
        matches!(self, Ty::Float(_))
    }

    pub fn is_pointer_like(&self) -> bool {
        matches!(self, Ty::Ptr(_) | Ty::Str | Ty::Fn(_))
    }

    /// Whether a value of this type is accepted where any type is expected: `!` because control
    /// never gets there, the error type because its error is already reported.
    pub fn fits_anywhere(&self) -> bool {
        matches!(self, Ty::Never | Ty::Error)
    }

    /// Whether the error type appears anywhere in this type (`*Unknown`, `[Unknown; 3]`):
    /// a mismatch involving such a type is a consequence of an error already reported.
    pub fn has_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::Ptr(inner) | Ty::Array(inner, _) | Ty::Task(inner) => inner.has_error(),
            Ty::Fn(f) | Ty::Closure(f) => f.ret.has_error() || f.params.iter().any(Ty::has_error),
            _ => false,
        }
    }
}

/// The program: every struct, enum, global and function, each addressed by its index.
#[derive(Debug, Default)]
pub struct Program {
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
    pub globals: Vec<GlobalDef>,
    pub functions: Vec<FuncDef>,
    /// The user's `main`, if the program has one.
    pub main: Option<FuncId>,
    /// Every closure literal, in the order they were checked.
    pub closures: Vec<ClosureDef>,
}

/// A closure literal lifted to a function of its own.
#[derive(Debug)]
pub struct ClosureDef {
    /// The lifted body. Its first parameter is the environment pointer (`*u8`), unless the
    /// closure became a plain function pointer (`plain`).
    pub func: FuncId,
    /// The struct of its captured values, one field per captured variable; private to the
    /// closure's code, so hot reload never compares its layout.
    pub env: Option<StructId>,
    /// Written where `fn(..)` was expected and capturing nothing: a plain C function.
    pub plain: bool,
}

impl Program {
    /// Whether struct `id` is the environment of a closure.
    pub fn is_closure_env(&self, id: StructId) -> bool {
        self.closures.iter().any(|c| c.env == Some(id))
    }
}

impl Program {
    /// How a type is written in Vais, for messages and hot-reload signatures.
    pub fn ty_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Unit => "()".to_string(),
            Ty::Bool => "bool".to_string(),
            Ty::Int(i) => i.name().to_string(),
            Ty::Float(FloatTy::F32) => "f32".to_string(),
            Ty::Float(FloatTy::F64) => "f64".to_string(),
            Ty::Str => "str".to_string(),
            Ty::Ptr(inner) => format!("*{}", self.ty_name(inner)),
            Ty::Array(inner, n) => format!("[{}; {n}]", self.ty_name(inner)),
            Ty::Struct(id) => self.structs[*id].name.clone(),
            Ty::Enum(id) => self.enums[*id].name.clone(),
            Ty::Fn(f) => format!("fn{}", self.signature(f)),
            Ty::Closure(f) => {
                let params: Vec<String> = f.params.iter().map(|p| self.ty_name(p)).collect();
                let mut s = format!("|{}|", params.join(", "));
                if f.ret != Ty::Unit {
                    s.push_str(&format!(" -> {}", self.ty_name(&f.ret)));
                }
                s
            }
            Ty::Task(inner) => format!("Task<{}>", self.ty_name(inner)),
            Ty::Never => "!".to_string(),
            Ty::Error => "{error}".to_string(),
        }
    }

    /// A function type as Vais writes it after the name: `(*State, f64) -> i64`.
    pub fn signature(&self, f: &FnTy) -> String {
        let mut params: Vec<String> = f.params.iter().map(|p| self.ty_name(p)).collect();
        if f.variadic {
            params.push("...".to_string());
        }
        let mut s = format!("({})", params.join(", "));
        if f.ret != Ty::Unit {
            s.push_str(&format!(" -> {}", self.ty_name(&f.ret)));
        }
        s
    }
}

#[derive(Debug)]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub span: Span,
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    /// The field's default (`speed: f64 = 2.5`), evaluated: what a struct literal that omits
    /// the field stores, and what a migrated live value gets for a field it did not have.
    /// `None` for fields without one, and for enum variant and tuple fields.
    pub default: Option<Const>,
}

/// A tagged union. Layout: `{ i32 tag, payload }` where the payload area is large and aligned
/// enough for every variant's fields laid out as a C struct.
#[derive(Debug)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<VariantDef>,
    pub span: Span,
}

#[derive(Debug)]
pub struct VariantDef {
    pub name: String,
    /// Tuple variants name their fields "0", "1", ...
    pub fields: Vec<FieldDef>,
}

#[derive(Debug)]
pub struct GlobalDef {
    pub name: String,
    pub ty: Ty,
    pub init: Const,
    pub span: Span,
}

/// A compile-time constant, used for global initialisers.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
    /// All-zero value of the global's type.
    Zero,
    /// Fields in declaration order.
    Struct(Vec<Const>),
    Array(Vec<Const>),
    /// A function used as a value.
    Func(FuncId),
}

#[derive(Debug)]
pub struct FuncDef {
    /// The symbol name: the Vais name for free functions, `Type.method` for methods.
    pub name: String,
    pub ty: FnTy,
    pub attrs: FuncAttrs,
    pub span: Span,
    /// `None` for extern C functions, and for a function whose body is its host's
    /// (`host_body`).
    pub body: Option<FuncBody>,
    /// A `--patch-only` build that did not check this function's body again: what the host's
    /// check found in it, which is what checking it again would find (`hot::check_record`).
    /// The patch calls the host's code for it.
    pub host_body: Option<Box<HostBody>>,
}

impl FuncDef {
    /// Whether the function is defined in Vais (checked here or in the host), not an extern C
    /// declaration.
    pub fn is_defined(&self) -> bool {
        self.body.is_some() || self.host_body.is_some()
    }

    /// The locals of its body, checked here or in the host (`None` for a declaration).
    pub fn locals(&self) -> Option<&[LocalDef]> {
        match (&self.body, &self.host_body) {
            (Some(b), _) => Some(&b.locals),
            (None, Some(h)) => Some(&h.locals),
            (None, None) => None,
        }
    }
}

/// What hot builds read of a function body that a `--patch-only` build took from its host's
/// check instead of checking it again (`hot::check_record` keeps it): its locals, and what the
/// walks of `hot` find in its expressions. Ids and spans are the program's: the rule that
/// lets a body be taken keeps every declaration, and every item's place, the host's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostBody {
    pub locals: Vec<LocalDef>,
    /// The functions it calls, takes the address of, or makes a closure or task of, in the
    /// order a walk of its expressions finds them.
    pub calls: Vec<FuncId>,
    /// The globals it names, in that order.
    pub globals: Vec<GlobalId>,
    /// Where it calls `main` or takes its address.
    pub main_uses: Vec<Span>,
    /// Whether it calls through a function value or a closure.
    pub indirect: bool,
    /// Its refusals of layout changes (`hot::facts`): the structs (`true`) and enums refused,
    /// and why.
    pub refusals: Vec<(Vec<(bool, usize)>, String)>,
    /// `(struct, field)` pairs it reads or writes, and writes in struct literals, and the
    /// `(enum, variant)` pairs it builds or matches (none for a hot function).
    pub used_fields: Vec<(usize, usize)>,
    pub built_fields: Vec<(usize, usize)>,
    pub used_variants: Vec<(usize, usize)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FuncAttrs {
    /// `#[hot]`: the body may be replaced at run time in a hot build.
    pub hot: bool,
    /// `#[inline]`: a hint to always inline.
    pub inline: bool,
    /// `A F`: calls make a task ([`ExprKind::TaskNew`]); the body is the task's work.
    pub is_async: bool,
}

#[derive(Debug)]
pub struct FuncBody {
    /// All locals of the function, parameters first; each gets one stack slot.
    pub locals: Vec<LocalDef>,
    pub body: Expr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalDef {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

impl Expr {
    /// Whether the expression denotes a memory location: a variable, `*p`, `p[i]`, or a field
    /// or element of a place.
    pub fn is_place(&self) -> bool {
        match &self.kind {
            ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::Deref(_)
            | ExprKind::PtrIndex(..) => true,
            ExprKind::Field(base, _) | ExprKind::Index(base, _) => base.is_place(),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// Arithmetic negation of an integer or float.
    Neg,
    /// Logical not of a `bool`.
    Not,
    /// Bitwise complement of an integer.
    BitNot,
}

/// Binary operators other than the short-circuit ones. Both operands have the same type; the
/// result is that type, or `bool` for comparisons. Signedness comes from the operand type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
pub enum Callee {
    Direct(FuncId),
    /// A value of type `Ty::Fn`.
    Indirect(Box<Expr>),
    /// A value of type `Ty::Closure`: its code is called with its environment first.
    Closure(Box<Expr>),
}

#[derive(Debug)]
pub enum LoopKind {
    /// `L { }`
    Forever,
    /// `L cond { }`
    While(Box<Expr>),
    /// `L i: start..end { }`: `var` is assigned each value; `end` is evaluated once.
    Range {
        var: LocalId,
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
    },
}

#[derive(Debug)]
pub enum ExprKind {
    /// An integer constant of the expression's integer type (or a pointer type for null).
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
    Unit,
    /// Place: a local variable.
    Local(LocalId),
    /// Place: a global variable.
    Global(GlobalId),
    /// The address of a function, of type `Ty::Fn`.
    FuncRef(FuncId),
    /// Place: `*p` where the operand has type `Ptr` (or `Str`, giving `u8`).
    Deref(Box<Expr>),
    /// Place when the base is a place: field `index` of a struct-typed base.
    Field(Box<Expr>, u32),
    /// Place when the base is a place: element of an array-typed base. Index is `i64`.
    Index(Box<Expr>, Box<Expr>),
    /// Place: element of a pointer-typed (or `Str`) base, `*(p + i)`. Index is `i64`.
    PtrIndex(Box<Expr>, Box<Expr>),
    /// Address of a place.
    AddrOf(Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Short-circuit `&&`.
    And(Box<Expr>, Box<Expr>),
    /// Short-circuit `||`.
    Or(Box<Expr>, Box<Expr>),
    /// Conversion to the expression's type: int<->int (sign- or zero-extend by the source's
    /// signedness, or truncate), int<->float, float<->float, pointer<->i64/u64, pointer<->pointer,
    /// bool->int (zero-extend).
    Cast(Box<Expr>),
    Call {
        callee: Callee,
        args: Vec<Expr>,
    },
    /// Fields in declaration order.
    StructLit(StructId, Vec<Expr>),
    ArrayLit(Vec<Expr>),
    ArrayRepeat(Box<Expr>, u64),
    /// An enum value: variant index and payload fields in order.
    EnumLit(EnumId, u32, Vec<Expr>),
    Block(Vec<Stmt>, Option<Box<Expr>>),
    /// The else branch is present whenever the type is not `Unit`/`Never`.
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    Loop(LoopKind, Box<Expr>),
    Break,
    Continue,
    Return(Option<Box<Expr>>),
    Assign(Box<Expr>, Box<Expr>),
    /// `place op= value`, evaluating the place once.
    CompoundAssign(BinOp, Box<Expr>, Box<Expr>),
    /// Arms are tried in order; the checker guarantees one matches (a trailing wildcard arm is
    /// present when patterns alone are not exhaustive, with an unreachable body).
    Match(Box<Expr>, Vec<Arm>),
    /// A closure value: the code of lifted function `func` (see [`ClosureDef`]) and the
    /// environment `env`, a struct literal of the captured values (`None` when nothing is
    /// captured: the environment pointer is null). `escapes` is decided by the escape analysis
    /// (`typeck/escape.rs`): an escaping environment is copied to `malloc`'d memory, any other
    /// lives in the creating function's stack frame.
    Closure {
        func: FuncId,
        env: Option<Box<Expr>>,
        escapes: bool,
    },
    /// A function pointer (type `Ty::Fn`) as a closure of the same signature: its environment
    /// is the function's address, its code a thunk that calls it. `escapes` as for `Closure`.
    FnToClosure(Box<Expr>, bool),
    /// `sizeof(T)`: the size in bytes of a type, as code generation lays it out (an `i64`).
    SizeOf(Ty),
    /// The source location of the expression as `file:line` text (a `str`), for the messages
    /// of `assert`.
    SourceLocation,
    /// A task of async function `func` with its arguments, not started: the value of a call
    /// to an async function (type `Task<R>`).
    TaskNew {
        func: FuncId,
        args: Vec<Expr>,
    },
    /// Starts the task its operand (a `TaskNew`) makes on a thread of its own.
    Spawn(Box<Expr>),
    /// Runs the task if it has not started, waits for it, and yields its value.
    Await(Box<Expr>),
    /// Control never gets here (after an exhaustive match, or the value a diverging operand
    /// stands for); lowers to `unreachable`. With type `Error` it stands for an erroneous
    /// expression, in programs that are never lowered.
    Unreachable,
}

#[derive(Debug)]
pub enum Stmt {
    /// Declares a local, optionally initialising it.
    Let(LocalId, Option<Expr>),
    Expr(Expr),
}

#[derive(Debug)]
pub struct Arm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
}

#[derive(Debug)]
pub enum Pattern {
    Wildcard,
    /// Binds the whole scrutinee to a local.
    Bind(LocalId),
    /// Integer (or `bool` as 0/1) equality.
    Int(i128),
    /// Inclusive integer range.
    Range(i128, i128),
    Or(Vec<Pattern>),
    /// An enum variant; each payload field is bound to a local or ignored.
    Variant {
        variant: u32,
        bindings: Vec<Option<LocalId>>,
    },
}
