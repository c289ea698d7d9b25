//! The syntax tree the parser produces: a faithful picture of the source, names unresolved.
//!
//! Every node that can be the subject of a diagnostic carries a [`Span`]. Nodes the parser could
//! not make sense of become `Error` variants, so later stages can skip them quietly instead of
//! reporting follow-on errors.

pub use crate::name::Name;
use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Module {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    /// The string argument of `#[extern "C"]`, if any.
    pub arg: Option<String>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Item {
    pub attrs: Vec<Attr>,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum ItemKind {
    Fn(FnDecl),
    Struct(StructDecl),
    Enum(EnumDecl),
    Impl(ImplDecl),
    Global(GlobalDecl),
    /// `C NAME: T = expr`: a compile-time constant (same shape as a global).
    Const(GlobalDecl),
    Alias(AliasDecl),
    /// `U path/to/module`: the path segments as written.
    Use(Vec<Ident>, Span),
    /// Extern functions from `N "C" { .. }`, `X F ..` or `#[extern "C"] F ..`.
    Extern(Vec<FnDecl>),
    /// `W Name { F m(&self) -> T; F d(&self) -> U = default }`.
    Trait(TraitDecl),
}

/// A type parameter `T` or `T: A + B` of a generic item.
#[derive(Debug, Clone)]
pub struct GenericParam {
    pub name: Ident,
    /// The traits the type must implement.
    pub bounds: Vec<Ident>,
}

/// A trait: its methods, those with a body being defaults.
#[derive(Debug, Clone)]
pub struct TraitDecl {
    pub name: Ident,
    pub methods: Vec<FnDecl>,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
}

/// How a method takes its receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfKind {
    /// `&self` or `&mut self`: a pointer to the value.
    Ref,
    /// `self`: the value itself.
    Value,
}

#[derive(Debug, Clone)]
pub struct FnDecl {
    pub name: Ident,
    /// Type parameters (`F max<T>`); empty for a plain function.
    pub generics: Vec<GenericParam>,
    pub self_param: Option<(SelfKind, Span)>,
    pub params: Vec<Param>,
    pub variadic: bool,
    pub ret: Option<TypeExpr>,
    /// `None` for extern declarations.
    pub body: Option<Expr>,
    pub attrs: Vec<Attr>,
    /// `A F`: calling it makes a task (section 10, "Async").
    pub is_async: bool,
}

#[derive(Debug, Clone)]
pub struct StructDecl {
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub fields: Vec<FieldDecl>,
}

/// A struct field: `speed: f64` or, with a default, `speed: f64 = 2.5`.
#[derive(Debug, Clone)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    /// The constant expression a struct literal that omits the field uses.
    pub default: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct EnumDecl {
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub variants: Vec<VariantDecl>,
}

#[derive(Debug, Clone)]
pub struct VariantDecl {
    pub name: Ident,
    pub kind: VariantKind,
}

#[derive(Debug, Clone)]
pub enum VariantKind {
    Unit,
    Tuple(Vec<TypeExpr>),
    Struct(Vec<Param>),
}

#[derive(Debug, Clone)]
pub struct ImplDecl {
    pub target: Ident,
    /// `X Pair<T> { .. }`: the names the impl gives the type's parameters (empty when written
    /// `X Pair { .. }`, which uses the names of the type's declaration).
    pub generics: Vec<Ident>,
    /// `X Circle: Shape { .. }`: the trait implemented.
    pub trait_name: Option<Ident>,
    pub methods: Vec<FnDecl>,
}

/// A `G` global or a `C` constant: name, declared type and initialiser.
#[derive(Debug)]
pub struct GlobalDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub init: Expr,
}

#[derive(Debug)]
pub struct AliasDecl {
    pub name: Ident,
    pub ty: TypeExpr,
}

#[derive(Debug, Clone)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A named type: a primitive, a struct, an enum, an alias or a type parameter.
    Named(Name),
    /// A generic type with its arguments: `Pair<i64>`, `Vec<T>`.
    Applied(Name, Vec<TypeExpr>),
    SelfType,
    Unit,
    Ptr(Box<TypeExpr>),
    Array(Box<TypeExpr>, Box<Expr>),
    Fn(Vec<TypeExpr>, Option<Box<TypeExpr>>),
    /// `|A, B| -> R`: a closure type (code pointer and environment).
    Closure(Vec<TypeExpr>, Option<Box<TypeExpr>>),
    /// `(A, B)`: a tuple type of two or more elements.
    Tuple(Vec<TypeExpr>),
    /// `Task<T>`: what calling an async function returns.
    Task(Box<TypeExpr>),
    Error,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

// A large program has hundreds of thousands of expressions and tens of thousands of statements,
// all alive until the check is done, so their size is most of the front end's memory. Rare, large
// variants are boxed to keep the common node small (issue 12); these guards keep it so.
const _: () = assert!(std::mem::size_of::<Expr>() <= 80);
const _: () = assert!(std::mem::size_of::<Stmt>() <= 144);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    BitNot,
    Deref,
    AddrOf,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A plain function's body the lexer passed over (`lexer::TokenKind::Unlexed`), for a
    /// `--patch-only` check that takes that body's check from the host's record. Checking it
    /// is an internal error: such a check then gives way to a full one.
    Unparsed,
    Int(u128),
    Float(f64),
    Str(String),
    /// A character literal `'a'`: a `u8` value.
    Char(u8),
    Bool(bool),
    /// `sizeof(T)`: the size in bytes of a type.
    SizeOf(Box<TypeExpr>),
    /// `p[a..b]`: a slice of a pointer or array, only meaningful as a for-each's iterable.
    Slice(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    /// `(a, b)`: a tuple of two or more values.
    Tuple(Vec<Expr>),
    /// `()`
    Unit,
    Name(Name),
    SelfValue,
    /// `a.b`: a field, an enum variant (`Shape.Circle`) or an associated function (`P.new`).
    Field(Box<Expr>, Ident),
    Call(Box<Expr>, Vec<Expr>),
    /// `@(args)`: calls the enclosing function.
    SelfCall(Vec<Expr>),
    MethodCall(Box<Expr>, Box<Ident>, Vec<Expr>),
    Index(Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cast(Box<Expr>, Box<TypeExpr>),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `Name { f: e, .. }`, or `Enum.Variant { f: e }` when the path has two parts.
    StructLit(Vec<Ident>, Vec<(Ident, Expr)>),
    ArrayLit(Vec<Expr>),
    ArrayRepeat(Box<Expr>, Box<Expr>),
    Block(Block),
    If(Box<Expr>, Block, Option<Box<Expr>>),
    Loop(Box<LoopHead>, Block),
    Match(Box<Expr>, Vec<Arm>),
    Break,
    Continue,
    Return(Option<Box<Expr>>),
    /// `e?`: the inner value of an `Option`/`Result`, returning `None`/`Err` early.
    Try(Box<Expr>),
    /// `lhs = rhs` or `lhs op= rhs` (op is `Some`).
    Assign(Option<BinOp>, Box<Expr>, Box<Expr>),
    /// `|x: i64| x * 2`, `|a, b| -> f64 { a + b }`, `|| 0`.
    Closure(Box<ClosureExpr>),
    /// `e.await`: runs or waits for a task and yields its value.
    Await(Box<Expr>),
    /// `spawn e`: starts the task of the async call `e` on a thread of its own.
    Spawn(Box<Expr>),
    /// Something the parser could not read; already reported.
    Error,
}

/// A closure literal: parameters (types may be left out), optional return type and body.
#[derive(Debug, Clone)]
pub struct ClosureExpr {
    pub params: Vec<(Ident, Option<TypeExpr>)>,
    pub ret: Option<TypeExpr>,
    pub body: Expr,
}

#[derive(Debug, Clone)]
pub enum LoopHead {
    Forever,
    While(Box<Expr>),
    Range {
        var: Ident,
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
    },
    /// `L x: arr { }`: each element of a fixed array or a slice `p[a..b]`.
    Each {
        var: Ident,
        iter: Box<Expr>,
    },
}

#[derive(Debug, Clone)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Stmt {
    /// `x := e`, `x := mut e`, `x: T = e`, `x: mut T = e`.
    Let {
        name: Ident,
        mutable: bool,
        ty: Option<Box<TypeExpr>>,
        init: Expr,
    },
    /// `(a, b) := e`: destructures a tuple into new variables (`_` skips an element).
    LetTuple {
        names: Vec<Ident>,
        mutable: bool,
        init: Expr,
    },
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub struct Arm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum PatternKind {
    Wildcard,
    /// A lone name: a binding, or a unit variant when an enum variant has that name.
    Name(Name),
    /// An integer literal, possibly negated.
    Int(i128),
    Bool(bool),
    Range(i128, i128, bool),
    Or(Vec<Pattern>),
    /// `Path(a, b)`, `Path { a, b: x }` or `Path` with a two-part path (`Shape.Circle`).
    Variant {
        path: Vec<Ident>,
        fields: VariantPatFields,
    },
    Error,
}

#[derive(Debug, Clone)]
pub enum VariantPatFields {
    Unit,
    Tuple(Vec<Pattern>),
    /// Field name and the pattern bound to it (`{ w, h: height }`).
    Struct(Vec<(Ident, Pattern)>),
}
