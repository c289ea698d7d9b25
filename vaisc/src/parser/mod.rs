//! The parser: tokens to an [`ast::Module`], never giving up at the first error.
//!
//! Each parse function returns `Err(Reported)` after pushing a diagnostic; the item and
//! statement loops catch it, skip to a sensible restart point and carry on, so one run reports
//! every independent syntax error and later stages still see every item that parsed.
//! This file owns the token cursor, recovery, items and types; `expr.rs` owns statements and
//! expressions, `pattern.rs` match patterns, `closure.rs` closure literals and closure types,
//! `halves.rs` the parse of a long file on two threads, `reparse.rs` the parse of an edited
//! file that takes the unchanged bodies' trees from its last parse.

mod closure;
mod expr;
mod generic;
mod halves;
mod pattern;
mod reparse;

use crate::ast::*;
use crate::diagnostics::{self as diag, Diagnostic};
use crate::lexer::{lex_skipping, Token, TokenKind};
use crate::source::{FileId, Span};

pub use reparse::{reparse, Reparsed};

/// How deeply expressions, types and patterns may nest (each parenthesis, block, `I`, unary
/// operator, call argument or pointer type is one level). The parser and the later passes
/// recurse once per level, so a limit keeps them from overflowing the stack; like Clang's
/// default bracket depth, it is far beyond what written code needs.
pub const MAX_NESTING: usize = 256;

/// Whether two punctuation tokens are the same. They are one to three bytes long, so a byte
/// loop the compiler unrolls is much cheaper than the library comparison's call; the parser
/// asks this for almost every token.
#[inline]
fn same_punct(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// Marker that a diagnostic has already been pushed for this failure.
#[derive(Debug)]
pub struct Reported;

pub type PResult<T> = Result<T, Reported>;

/// Lexes and parses one file.
pub fn parse(file: FileId, text: &str) -> (Module, Vec<Diagnostic>) {
    let parsed = parse_file(file, text);
    (parsed.module, parsed.diags)
}

/// What parsing one file gives the module loader.
#[derive(Debug)]
pub struct Parsed {
    pub module: Module,
    pub diags: Vec<Diagnostic>,
    /// The file names one of the formatting built-ins (`print`, `println`, `format`) as a
    /// word, outside strings and comments: the program then needs `std/fmt`.
    pub names_fmt: bool,
}

/// Lexes and parses one file, noting on the way whether it names a formatting built-in (so
/// that the loader does not lex it again to find out).
pub fn parse_file(file: FileId, text: &str) -> Parsed {
    parse_file_skipping(file, text, &[])
}

/// [`parse_file`], passing over the function bodies `skips` (their offsets in the file, `{`
/// to `}`, in order; see `lexer::lex_skipping`): each becomes an `ExprKind::Unparsed` body.
pub fn parse_file_skipping(file: FileId, text: &str, skips: &[(usize, usize)]) -> Parsed {
    let lexed = lex_skipping(file, text, skips);
    let names_fmt = lexed.0.iter().any(|t| {
        matches!(&t.kind, TokenKind::Ident(n) if n == "print" || n == "println" || n == "format")
    });
    let (module, diags) = halves::parse_tokens(file, text, lexed, halves::SPLIT_TOKENS);
    Parsed {
        module,
        diags,
        names_fmt,
    }
}

pub struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    diags: Vec<Diagnostic>,
    /// Set while parsing the head of `I`, `L` or `M`, where `{` starts the body instead of a
    /// struct literal.
    no_struct: bool,
    /// Current nesting depth, see [`MAX_NESTING`].
    depth: usize,
    /// Set once the nesting limit is hit: the rest of the file cannot be read sensibly, so
    /// parsing stops and reports nothing more.
    too_deep: bool,
    /// Set after an unterminated string literal, which swallowed the rest of its line (the
    /// `)` or `}` the line would have closed): syntax errors are not reported again until the
    /// statement or item ends, because they would be consequences of that one.
    muted: bool,
    /// Set inside a trait (`W`), where a method may end without a body.
    in_trait: bool,
}

impl Parser {
    // ---- Token cursor -------------------------------------------------------------------

    fn tok(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn kind(&self) -> &TokenKind {
        &self.tok().kind
    }

    fn nth(&self, n: usize) -> &TokenKind {
        &self.tokens[(self.pos + n).min(self.tokens.len() - 1)].kind
    }

    fn span(&self) -> Span {
        self.tok().span
    }

    /// The span of the token just consumed.
    fn prev_span(&self) -> Span {
        self.tokens[self.pos.saturating_sub(1)].span
    }

    /// Consumes the token at the cursor and returns it (by reference: most callers only want
    /// its span, and a copy would copy an identifier's name).
    fn bump(&mut self) -> &Token {
        let at = self.pos.min(self.tokens.len() - 1);
        self.muted |= self.tokens[at].unterminated;
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        &self.tokens[at]
    }

    /// At the end of the file, or of what will be read of it: after the nesting limit every
    /// loop of the parser stops.
    fn at_eof(&self) -> bool {
        self.too_deep || matches!(self.kind(), TokenKind::Eof)
    }

    #[inline]
    fn is_punct(&self, p: &str) -> bool {
        matches!(self.kind(), TokenKind::Punct(q) if same_punct(q, p))
    }

    fn is_kw(&self, k: char) -> bool {
        matches!(self.kind(), TokenKind::Keyword(c) if *c == k)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_mut(&mut self) -> bool {
        if matches!(self.kind(), TokenKind::Mut) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, k: char) -> bool {
        if self.is_kw(k) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, p: &str) -> PResult<Span> {
        if self.is_punct(p) {
            Ok(self.bump().span)
        } else {
            Err(self.error_expected(&format!("`{p}`")))
        }
    }

    /// The closing `close` of a bracket opened at `open`. When it is missing, the diagnostic
    /// also points at the opening one, which is usually where the mistake is.
    fn expect_close(&mut self, close: &str, open: Span) -> PResult<Span> {
        if self.is_punct(close) {
            return Ok(self.bump().span);
        }
        let found = describe(self.kind());
        let d = diag::expected(self.span(), &format!("`{close}`"), &found)
            .with_note(open, "unclosed delimiter opened here");
        Err(self.report(d))
    }

    fn error_expected(&mut self, what: &str) -> Reported {
        let found = describe(self.kind());
        let d = diag::expected(self.span(), what, &found);
        self.report(d)
    }

    /// Runs `f` one nesting level deeper, refusing to go past [`MAX_NESTING`].
    fn nested<T>(&mut self, f: impl FnOnce(&mut Parser) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_NESTING {
            let d = diag::nesting_too_deep(self.span(), MAX_NESTING);
            let reported = self.report(d);
            self.too_deep = true;
            return Err(reported);
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn report(&mut self, d: Diagnostic) -> Reported {
        // After the nesting limit, every later complaint would be a consequence of it.
        if self.too_deep || self.muted {
            return Reported;
        }
        // Several failed attempts at the same token say the same thing; keep the first.
        if self.diags.last().map(|l| l.span) != Some(d.span) {
            self.diags.push(d);
        }
        Reported
    }

    /// An identifier, or a single-letter keyword where a name is being declared (`S P { .. }`).
    fn ident(&mut self, what: &str) -> PResult<Ident> {
        // The name moves into the tree: nothing reads a token's name after consuming it (the
        // parser never backs up over an identifier), so it is taken rather than copied.
        let at = self.pos.min(self.tokens.len() - 1);
        let name = match &mut self.tokens[at].kind {
            TokenKind::Ident(n) => std::mem::take(n),
            TokenKind::Keyword(c) => Name::new(c.encode_utf8(&mut [0; 4])),
            _ => return Err(self.error_expected(what)),
        };
        let span = self.bump().span;
        Ok(Ident { name, span })
    }

    /// Skips tokens, balancing brackets, until `stop` says the cursor is at a restart point at
    /// the starting nesting depth. Always consumes at least one token unless at a stop point.
    fn skip_until(&mut self, stop: impl Fn(&Parser) -> bool) {
        let mut depth = 0usize;
        while !self.at_eof() {
            if depth == 0 && stop(self) {
                return;
            }
            match self.kind() {
                TokenKind::Punct("{" | "(" | "[") => depth += 1,
                TokenKind::Punct("}" | ")" | "]") => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.bump();
        }
    }

    // ---- Items --------------------------------------------------------------------------

    fn module(&mut self) -> Module {
        let mut items = Vec::new();
        while !self.at_eof() {
            let start = self.pos;
            self.muted = false;
            match self.item() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => {}
                Err(Reported) => {
                    if self.pos == start {
                        self.bump();
                    }
                    self.skip_until(|p| p.at_item_start());
                    if self.is_punct("}") {
                        self.bump();
                    }
                }
            }
        }
        Module { items }
    }

    fn at_item_start(&self) -> bool {
        let t = self.tok();
        t.line_start
            && matches!(
                t.kind,
                TokenKind::HashBracket
                    | TokenKind::Keyword(
                        'F' | 'S' | 'E' | 'X' | 'G' | 'C' | 'T' | 'U' | 'N' | 'P' | 'A' | 'W'
                    )
            )
    }

    fn attrs(&mut self) -> PResult<Vec<Attr>> {
        let mut attrs = Vec::new();
        while matches!(self.kind(), TokenKind::HashBracket) {
            let lo = self.bump().span;
            let name = self.ident("an attribute name")?;
            let mut arg = None;
            if let TokenKind::Str(s) = self.kind() {
                arg = Some(s.clone());
                self.bump();
            } else if self.eat_punct("(") {
                if let TokenKind::Str(s) = self.kind() {
                    arg = Some(s.clone());
                    self.bump();
                }
                self.expect_punct(")")?;
            }
            let hi = self.expect_punct("]")?;
            attrs.push(Attr {
                name: name.name.into(),
                arg,
                span: lo.to(hi),
            });
        }
        Ok(attrs)
    }

    /// One item, or `None` for a stray `;`.
    fn item(&mut self) -> PResult<Option<Item>> {
        let lo = self.span();
        let attrs = self.attrs()?;
        while self.eat_kw('P') {}
        let kind = match self.kind().clone() {
            TokenKind::Punct(";") if attrs.is_empty() => {
                self.bump();
                return Ok(None);
            }
            TokenKind::Keyword('F') => {
                let extern_attr = attrs.iter().any(|a| a.name == "extern");
                let f = self.fn_decl(attrs.clone(), extern_attr)?;
                if extern_attr {
                    ItemKind::Extern(vec![f])
                } else {
                    ItemKind::Fn(f)
                }
            }
            TokenKind::Keyword('S') => ItemKind::Struct(self.struct_decl()?),
            TokenKind::Keyword('E') => ItemKind::Enum(self.enum_decl()?),
            TokenKind::Keyword('X') => {
                self.bump();
                if self.is_kw('F') {
                    ItemKind::Extern(vec![self.fn_decl(attrs.clone(), true)?])
                } else {
                    ItemKind::Impl(self.impl_body()?)
                }
            }
            TokenKind::Keyword('N') => ItemKind::Extern(self.extern_block()?),
            TokenKind::Keyword('G') => ItemKind::Global(self.global_decl()?),
            // At item level `C` declares a constant; inside a block it is `continue`.
            TokenKind::Keyword('C') => ItemKind::Const(self.global_decl()?),
            TokenKind::Keyword('T') => ItemKind::Alias(self.alias_decl()?),
            TokenKind::Keyword('U') => {
                self.bump();
                let mut path = vec![self.ident("a module path")?];
                while self.eat_punct("/") || self.eat_punct(".") {
                    path.push(self.ident("a module name")?);
                }
                let span = path[0].span.to(self.prev_span());
                self.eat_punct(";");
                ItemKind::Use(path, span)
            }
            TokenKind::Keyword('W') => ItemKind::Trait(self.trait_decl()?),
            TokenKind::Keyword('A') => {
                self.bump();
                if !self.is_kw('F') {
                    let d = diag::async_needs_fn(self.span());
                    return Err(self.report(d));
                }
                let mut f = self.fn_decl(attrs.clone(), false)?;
                f.is_async = true;
                ItemKind::Fn(f)
            }
            TokenKind::Keyword(c @ ('D' | 'O')) => {
                let d = diag::tier2_feature(self.span(), tier2_name(c));
                return Err(self.report(d));
            }
            _ => {
                return Err(
                    self.error_expected("an item (`F`, `S`, `E`, `X`, `G`, `C`, `T`, `U`, `N`)")
                )
            }
        };
        Ok(Some(Item {
            attrs,
            kind,
            span: lo.to(self.prev_span()),
        }))
    }

    fn fn_decl(&mut self, attrs: Vec<Attr>, is_extern: bool) -> PResult<FnDecl> {
        self.bump(); // `F`
        let name = self.ident("a function name")?;
        let generics = self.generic_params()?;
        self.expect_punct("(")?;
        let mut params = Vec::new();
        let mut self_param = None;
        let mut variadic = false;
        while !self.is_punct(")") {
            if self.is_punct("...") {
                self.bump();
                variadic = true;
            } else if let Some(kind) = self.self_param() {
                self_param = Some(kind);
            } else {
                self.eat_mut();
                let pname = self.ident("a parameter name")?;
                self.expect_punct(":")?;
                let ty = self.ty()?;
                params.push(Param { name: pname, ty });
            }
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct(")")?;
        let ret = if self.eat_punct("->") {
            Some(self.ty()?)
        } else {
            None
        };
        let body = if is_extern || self.in_trait && !self.is_punct("=") && !self.is_punct("{") {
            self.eat_punct(";");
            None
        } else if self.eat_punct("=") {
            Some(self.expr()?)
        } else if matches!(self.kind(), TokenKind::Unlexed) {
            let span = self.bump().span;
            Some(Expr {
                span,
                kind: ExprKind::Unparsed,
            })
        } else if self.is_punct("{") {
            let block = self.block()?;
            Some(Expr {
                span: block.span,
                kind: ExprKind::Block(block),
            })
        } else {
            return Err(self.error_expected("`{` or `=` to start the function body"));
        };
        Ok(FnDecl {
            name,
            generics,
            self_param,
            params,
            variadic,
            ret,
            body,
            attrs,
            is_async: false,
        })
    }

    /// `&self`, `&mut self` or `self` (optionally `self: Self` forms are not Tier 1).
    fn self_param(&mut self) -> Option<(SelfKind, Span)> {
        let lo = self.span();
        match (self.kind(), self.nth(1), self.nth(2)) {
            (TokenKind::Punct("&"), TokenKind::SelfLower, _) => {
                self.bump();
                self.bump();
                Some((SelfKind::Ref, lo.to(self.prev_span())))
            }
            (TokenKind::Punct("&"), TokenKind::Mut, TokenKind::SelfLower) => {
                self.bump();
                self.bump();
                self.bump();
                Some((SelfKind::Ref, lo.to(self.prev_span())))
            }
            (TokenKind::SelfLower, _, _) => {
                self.bump();
                Some((SelfKind::Value, lo))
            }
            _ => None,
        }
    }

    /// The fields of an enum's struct variant: no defaults, since no literal of a variant may
    /// omit fields.
    fn fields(&mut self) -> PResult<Vec<Param>> {
        let fields = self.field_list(false)?;
        Ok(fields
            .into_iter()
            .map(|f| Param {
                name: f.name,
                ty: f.ty,
            })
            .collect())
    }

    /// `{ name: Type, .. }`; with `defaults`, a field may be followed by `= const_expr`.
    fn field_list(&mut self, defaults: bool) -> PResult<Vec<FieldDecl>> {
        let open = self.expect_punct("{")?;
        let mut fields = Vec::new();
        while !self.is_punct("}") {
            let name = self.ident("a field name")?;
            self.expect_punct(":")?;
            let ty = self.ty()?;
            let default = if defaults && self.eat_punct("=") {
                Some(self.expr()?)
            } else {
                None
            };
            fields.push(FieldDecl { name, ty, default });
            if !self.eat_punct(",") && !self.eat_punct(";") && !self.is_punct("}") {
                if self.tok().line_start {
                    continue;
                }
                return Err(self.error_expected("`,` or `}`"));
            }
        }
        self.expect_close("}", open)?;
        Ok(fields)
    }

    fn struct_decl(&mut self) -> PResult<StructDecl> {
        self.bump();
        let name = self.ident("a struct name")?;
        let generics = self.generic_params()?;
        let fields = self.field_list(true)?;
        Ok(StructDecl {
            name,
            generics,
            fields,
        })
    }

    fn enum_decl(&mut self) -> PResult<EnumDecl> {
        self.bump();
        let name = self.ident("an enum name")?;
        let generics = self.generic_params()?;
        let open = self.expect_punct("{")?;
        let mut variants = Vec::new();
        while !self.is_punct("}") {
            let vname = self.ident("a variant name")?;
            let kind = if self.eat_punct("(") {
                let mut tys = Vec::new();
                while !self.is_punct(")") {
                    tys.push(self.ty()?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                self.expect_punct(")")?;
                VariantKind::Tuple(tys)
            } else if self.is_punct("{") {
                VariantKind::Struct(self.fields()?)
            } else {
                VariantKind::Unit
            };
            variants.push(VariantDecl { name: vname, kind });
            if !self.eat_punct(",") && !self.is_punct("}") && !self.tok().line_start {
                return Err(self.error_expected("`,` or `}`"));
            }
        }
        self.expect_close("}", open)?;
        Ok(EnumDecl {
            name,
            generics,
            variants,
        })
    }

    fn impl_body(&mut self) -> PResult<ImplDecl> {
        let target = self.ident("a type name after `X`")?;
        let generics = self.generic_params()?.into_iter().map(|g| g.name).collect();
        let trait_name = if self.eat_punct(":") {
            Some(self.ident("a trait name")?)
        } else {
            None
        };
        let open = self.expect_punct("{")?;
        let mut methods = Vec::new();
        while !self.is_punct("}") && !self.at_eof() {
            if self.eat_punct(";") {
                continue;
            }
            let start = self.pos;
            let attrs = match self.attrs() {
                Ok(a) => a,
                Err(Reported) => {
                    self.skip_until(|p| p.is_kw('F'));
                    continue;
                }
            };
            while self.eat_kw('P') {}
            if self.is_kw('A') {
                // Reported once; the method is then read as an ordinary one.
                let d = diag::async_method(self.span());
                self.report(d);
                self.bump();
                continue;
            }
            if !self.is_kw('F') {
                self.error_expected("a method (`F`)");
                if self.pos == start {
                    self.bump();
                }
                self.skip_until(|p| p.is_kw('F') || p.is_punct("}"));
                continue;
            }
            match self.fn_decl(attrs, false) {
                Ok(f) => methods.push(f),
                Err(Reported) => self.skip_until(|p| p.is_kw('F') && p.tok().line_start),
            }
        }
        self.expect_close("}", open)?;
        Ok(ImplDecl {
            target,
            generics,
            trait_name,
            methods,
        })
    }

    fn extern_block(&mut self) -> PResult<Vec<FnDecl>> {
        self.bump(); // `N`
        if let TokenKind::Str(_) = self.kind() {
            self.bump();
        }
        let open = self.expect_punct("{")?;
        let mut fns = Vec::new();
        while !self.is_punct("}") && !self.at_eof() {
            let attrs = self.attrs()?;
            while self.eat_kw('P') {}
            if !self.is_kw('F') {
                return Err(self.error_expected("an extern function declaration (`F`)"));
            }
            fns.push(self.fn_decl(attrs, true)?);
        }
        self.expect_close("}", open)?;
        Ok(fns)
    }

    /// `G name: T = init` or `C NAME: T = init`.
    fn global_decl(&mut self) -> PResult<GlobalDecl> {
        let what = if self.is_kw('C') {
            "a constant name"
        } else {
            "a global name"
        };
        self.bump();
        self.eat_mut();
        let name = self.ident(what)?;
        self.expect_punct(":")?;
        let ty = self.ty()?;
        self.expect_punct("=")?;
        let init = self.expr()?;
        self.eat_punct(";");
        Ok(GlobalDecl { name, ty, init })
    }

    fn alias_decl(&mut self) -> PResult<AliasDecl> {
        self.bump();
        let name = self.ident("a type alias name")?;
        self.expect_punct("=")?;
        let ty = self.ty()?;
        self.eat_punct(";");
        Ok(AliasDecl { name, ty })
    }

    // ---- Types --------------------------------------------------------------------------

    fn ty(&mut self) -> PResult<TypeExpr> {
        self.nested(Parser::ty_inner)
    }

    fn ty_inner(&mut self) -> PResult<TypeExpr> {
        let lo = self.span();
        let kind = match self.kind().clone() {
            TokenKind::Punct("*") => {
                self.bump();
                TypeKind::Ptr(Box::new(self.ty()?))
            }
            TokenKind::Punct("&") => {
                self.bump();
                self.eat_mut();
                TypeKind::Ptr(Box::new(self.ty()?))
            }
            TokenKind::Punct("&&") => {
                // `&&T` is a pointer to a pointer, lexed as one token.
                self.bump();
                let inner = self.ty()?;
                let span = lo.to(inner.span);
                TypeKind::Ptr(Box::new(TypeExpr {
                    kind: TypeKind::Ptr(Box::new(inner)),
                    span,
                }))
            }
            TokenKind::Punct("[") => {
                self.bump();
                let elem = self.ty()?;
                self.expect_punct(";")?;
                let len = self.expr()?;
                self.expect_punct("]")?;
                TypeKind::Array(Box::new(elem), Box::new(len))
            }
            TokenKind::Punct("(") => {
                self.bump();
                let mut elems = Vec::new();
                let mut comma = false;
                while !self.is_punct(")") {
                    elems.push(self.ty()?);
                    comma = self.eat_punct(",");
                    if !comma {
                        break;
                    }
                }
                self.expect_punct(")")?;
                // `(T)` is `T`; `(T,)` is a tuple of one, as in expressions.
                match elems.len() {
                    0 => TypeKind::Unit,
                    1 if !comma => elems.remove(0).kind,
                    _ => TypeKind::Tuple(elems),
                }
            }
            TokenKind::Punct("|" | "||") => self.closure_type()?,
            TokenKind::Ident(name) if name == "fn" => {
                self.bump();
                self.expect_punct("(")?;
                let mut params = Vec::new();
                while !self.is_punct(")") {
                    params.push(self.ty()?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                self.expect_punct(")")?;
                let ret = if self.eat_punct("->") {
                    Some(Box::new(self.ty()?))
                } else {
                    None
                };
                TypeKind::Fn(params, ret)
            }
            TokenKind::Ident(name)
                if name == "Task" && matches!(self.nth(1), TokenKind::Punct("<")) =>
            {
                self.bump();
                self.bump();
                let inner = self.nested(Parser::ty)?;
                if self.is_punct(">>") {
                    // `Task<Task<T>>`: the first `>` closes this type, the second the outer one.
                    let t = &mut self.tokens[self.pos];
                    t.kind = TokenKind::Punct(">");
                    t.span.lo += 1;
                } else {
                    self.expect_punct(">")?;
                }
                TypeKind::Task(Box::new(inner))
            }
            TokenKind::Ident(name) => {
                self.bump();
                if self.is_punct("<") {
                    TypeKind::Applied(name, self.type_args()?)
                } else {
                    TypeKind::Named(name)
                }
            }
            TokenKind::Keyword(c) => {
                self.bump();
                TypeKind::Named(Name::new(c.encode_utf8(&mut [0; 4])))
            }
            TokenKind::SelfUpper => {
                self.bump();
                TypeKind::SelfType
            }
            _ => return Err(self.error_expected("a type")),
        };
        Ok(TypeExpr {
            kind,
            span: lo.to(self.prev_span()),
        })
    }
}

fn tier2_name(c: char) -> &'static str {
    match c {
        'D' => "defer (`D`)",
        _ => "unions (`O`)",
    }
}

/// How a token is named in "expected X, found Y" messages.
fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Ident(n) => format!("`{n}`"),
        TokenKind::Keyword(c) => format!("keyword `{c}`"),
        TokenKind::Int(v) => format!("`{v}`"),
        TokenKind::Float(v) => format!("`{v}`"),
        TokenKind::Str(_) => "a string".to_string(),
        TokenKind::Char(_) => "a character literal".to_string(),
        TokenKind::HashBracket => "`#[`".to_string(),
        TokenKind::Mut => "`mut`".to_string(),
        TokenKind::SelfLower => "`self`".to_string(),
        TokenKind::SelfUpper => "`Self`".to_string(),
        TokenKind::As => "`as`".to_string(),
        TokenKind::True => "`true`".to_string(),
        TokenKind::False => "`false`".to_string(),
        TokenKind::Punct(p) => format!("`{p}`"),
        TokenKind::Unlexed => "a function body not read".to_string(),
        TokenKind::Eof => "end of file".to_string(),
    }
}

#[cfg(test)]
mod closure_tests;
#[cfg(test)]
mod tests;
