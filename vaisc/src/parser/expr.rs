//! Statements and expressions: precedence climbing over the operator table of the language
//! reference, blocks with statement-level recovery, and the `I`/`L`/`M` forms.
//!
//! Two rules keep newline-insensitive syntax predictable. A struct literal may not appear
//! directly in the head of `I`, `L` or `M` (as in Rust). And a line that starts with `(` or
//! `[`, or with `*`, `-` or `&` written against its operand (`*p`, `-x`), starts a new
//! statement instead of continuing the previous expression, so `x := 1` followed by `*p = 2`
//! is two statements while a line starting with `* y` still continues a product.

use super::{PResult, Parser, Reported};
use crate::ast::*;
use crate::diagnostics as diag;
use crate::lexer::TokenKind;

/// Binary operators by precedence level, tightest last (level 0 is `||`).
const LEVELS: &[&[(&str, BinOp)]] = &[
    &[("||", BinOp::Or)],
    &[("&&", BinOp::And)],
    &[("|", BinOp::BitOr)],
    &[("^", BinOp::BitXor)],
    &[("&", BinOp::BitAnd)],
    &[("==", BinOp::Eq), ("!=", BinOp::Ne)],
    &[
        ("<", BinOp::Lt),
        ("<=", BinOp::Le),
        (">", BinOp::Gt),
        (">=", BinOp::Ge),
    ],
    &[("<<", BinOp::Shl), (">>", BinOp::Shr)],
    &[("+", BinOp::Add), ("-", BinOp::Sub)],
    &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
];

const ASSIGN_OPS: &[(&str, Option<BinOp>)] = &[
    ("=", None),
    ("+=", Some(BinOp::Add)),
    ("-=", Some(BinOp::Sub)),
    ("*=", Some(BinOp::Mul)),
    ("/=", Some(BinOp::Div)),
    ("%=", Some(BinOp::Rem)),
    ("&=", Some(BinOp::BitAnd)),
    ("|=", Some(BinOp::BitOr)),
    ("^=", Some(BinOp::BitXor)),
    ("<<=", Some(BinOp::Shl)),
    (">>=", Some(BinOp::Shr)),
];

impl Parser {
    /// Whether the current token is a punctuation that would continue an expression as a
    /// binary or postfix operator here (see the module comment about line starts).
    fn continues(&self, p: &str) -> bool {
        let t = self.tok();
        let starts_statement = t.line_start
            && match p {
                "*" | "-" | "&" => t.glued,
                "(" | "[" => true,
                _ => false,
            };
        self.is_punct(p) && !starts_statement
    }

    // ---- Blocks and statements ----------------------------------------------------------

    pub(super) fn block(&mut self) -> PResult<Block> {
        let lo = self.expect_punct("{")?;
        let saved = std::mem::replace(&mut self.no_struct, false);
        let mut stmts = Vec::new();
        while !self.is_punct("}") && !self.at_eof() {
            if self.eat_punct(";") {
                continue;
            }
            let start = self.pos;
            self.muted = false;
            match self.stmt() {
                Ok(s) => stmts.push(s),
                Err(Reported) => {
                    if self.pos == start {
                        self.bump();
                    }
                    self.skip_until(|p| p.is_punct(";") || p.tok().line_start);
                }
            }
        }
        self.no_struct = saved;
        let hi = self.expect_close("}", lo)?;
        Ok(Block {
            stmts,
            span: lo.to(hi),
        })
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        if let TokenKind::Ident(_) | TokenKind::Keyword(_) = self.kind() {
            let is_let = matches!(self.nth(1), TokenKind::Punct(":=" | ":"));
            if is_let && !self.is_kw('L') && !self.is_kw('M') && !self.is_kw('I') {
                return self.let_stmt();
            }
        }
        if let TokenKind::Keyword(c @ ('W' | 'A' | 'D' | 'O')) = *self.kind() {
            let d = diag::tier2_feature(self.span(), super::tier2_name(c));
            return Err(self.report(d));
        }
        if self.tuple_let_follows() {
            return self.tuple_let();
        }
        let e = self.expr()?;
        self.eat_punct(";");
        Ok(Stmt::Expr(e))
    }

    /// Whether the tokens ahead are `(a, b, ..) :=`: names or `_` in parentheses, then `:=`.
    fn tuple_let_follows(&self) -> bool {
        if !self.is_punct("(") {
            return false;
        }
        let mut i = 1;
        loop {
            if !matches!(self.nth(i), TokenKind::Ident(_)) {
                return false;
            }
            match self.nth(i + 1) {
                TokenKind::Punct(",") => i += 2,
                TokenKind::Punct(")") => return matches!(self.nth(i + 2), TokenKind::Punct(":=")),
                _ => return false,
            }
        }
    }

    fn tuple_let(&mut self) -> PResult<Stmt> {
        self.expect_punct("(")?;
        let mut names = Vec::new();
        while !self.is_punct(")") {
            names.push(self.ident("a variable name")?);
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct(")")?;
        self.expect_punct(":=")?;
        let mutable = self.eat_mut();
        let init = self.expr()?;
        self.eat_punct(";");
        Ok(Stmt::LetTuple {
            names,
            mutable,
            init,
        })
    }

    fn let_stmt(&mut self) -> PResult<Stmt> {
        let name = self.ident("a variable name")?;
        let (mutable, ty) = if self.eat_punct(":=") {
            (self.eat_mut(), None)
        } else {
            self.expect_punct(":")?;
            let mutable = self.eat_mut();
            let ty = self.ty()?;
            self.expect_punct("=")?;
            (mutable || self.eat_mut(), Some(ty))
        };
        let init = self.expr()?;
        self.eat_punct(";");
        Ok(Stmt::Let {
            name,
            mutable,
            ty: ty.map(Box::new),
            init,
        })
    }

    // ---- Expressions --------------------------------------------------------------------

    /// A full expression, including assignment (which has type `()`).
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.nested(Parser::assign_expr)
    }

    fn assign_expr(&mut self) -> PResult<Expr> {
        let lhs = self.ternary()?;
        let op = ASSIGN_OPS
            .iter()
            .find(|(p, _)| self.is_punct(p))
            .map(|&(_, op)| op);
        let Some(op) = op else {
            return Ok(lhs);
        };
        self.bump();
        let rhs = self.expr()?;
        let span = lhs.span.to(rhs.span);
        Ok(Expr {
            kind: ExprKind::Assign(op, Box::new(lhs), Box::new(rhs)),
            span,
        })
    }

    /// An expression in the head of `I`, `L` or `M`, where struct literals are not allowed.
    fn head_expr(&mut self) -> PResult<Expr> {
        let saved = std::mem::replace(&mut self.no_struct, true);
        let e = self.expr();
        self.no_struct = saved;
        e
    }

    fn ternary(&mut self) -> PResult<Expr> {
        let cond = self.binary(0)?;
        if !self.is_punct("?") {
            return Ok(cond);
        }
        self.bump();
        let then = self.nested(Parser::ternary)?;
        self.expect_punct(":")?;
        let other = self.nested(Parser::ternary)?;
        let span = cond.span.to(other.span);
        Ok(Expr {
            kind: ExprKind::Ternary(Box::new(cond), Box::new(then), Box::new(other)),
            span,
        })
    }

    /// Binary operators of precedence `min` or tighter, by precedence climbing: one loop per
    /// operand instead of one recursive call per precedence level, which keeps the stack used
    /// per nesting level small.
    pub(super) fn binary(&mut self, min: usize) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        loop {
            // Only punctuation can be an operator, and the token is at most one of them: find
            // which, then ask once whether it continues this expression.
            let &TokenKind::Punct(q) = self.kind() else {
                return Ok(lhs);
            };
            let found = LEVELS.iter().enumerate().find_map(|(level, ops)| {
                ops.iter()
                    .find(|(p, _)| super::same_punct(p, q))
                    .map(|&(_, op)| (level, op))
            });
            let found = found.filter(|_| self.continues(q));
            let Some((level, op)) = found.filter(|&(level, _)| level >= min) else {
                return Ok(lhs);
            };
            self.bump();
            let rhs = self.binary(level + 1)?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        let lo = self.span();
        let op = match self.kind() {
            TokenKind::Punct("-") => UnOp::Neg,
            TokenKind::Punct("!") => UnOp::Not,
            TokenKind::Punct("~") => UnOp::BitNot,
            TokenKind::Punct("*") => UnOp::Deref,
            TokenKind::Punct("&") => UnOp::AddrOf,
            TokenKind::Punct("&&") => {
                // `&&x` is the address of the address of x.
                self.bump();
                let inner = self.nested(Parser::unary)?;
                let span = lo.to(inner.span);
                let mid = Expr {
                    kind: ExprKind::Unary(UnOp::AddrOf, Box::new(inner)),
                    span,
                };
                return Ok(Expr {
                    kind: ExprKind::Unary(UnOp::AddrOf, Box::new(mid)),
                    span,
                });
            }
            _ => return self.postfix(),
        };
        self.bump();
        if op == UnOp::AddrOf {
            self.eat_mut();
        }
        let operand = self.nested(Parser::unary)?;
        let span = lo.to(operand.span);
        Ok(Expr {
            kind: ExprKind::Unary(op, Box::new(operand)),
            span,
        })
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.continues("(") {
                self.bump();
                let args = self.args(")")?;
                let span = e.span.to(self.prev_span());
                e = Expr {
                    kind: ExprKind::Call(Box::new(e), args),
                    span,
                };
            } else if self.continues("[") {
                self.bump();
                let index = self.expr()?;
                let range_end = if self.eat_punct("..=") {
                    Some((self.expr()?, true))
                } else if self.eat_punct("..") {
                    Some((self.expr()?, false))
                } else {
                    None
                };
                self.expect_punct("]")?;
                let span = e.span.to(self.prev_span());
                let kind = match range_end {
                    Some((end, inclusive)) => {
                        ExprKind::Slice(Box::new(e), Box::new(index), Box::new(end), inclusive)
                    }
                    None => ExprKind::Index(Box::new(e), Box::new(index)),
                };
                e = Expr { kind, span };
            } else if self.is_punct(".") {
                self.bump();
                let name = match *self.kind() {
                    TokenKind::Int(i) => {
                        let span = self.bump().span;
                        Ident {
                            name: Name::new(&i.to_string()),
                            span,
                        }
                    }
                    _ => self.ident("a field or method name")?,
                };
                if name.name == "await" {
                    let span = e.span.to(name.span);
                    e = Expr {
                        kind: ExprKind::Await(Box::new(e)),
                        span,
                    };
                } else if self.continues("(") {
                    self.bump();
                    let args = self.args(")")?;
                    let span = e.span.to(self.prev_span());
                    e = Expr {
                        kind: ExprKind::MethodCall(Box::new(e), Box::new(name), args),
                        span,
                    };
                } else if self.struct_lit_follows() && path_of(&e).is_some() {
                    let mut path = path_of(&e).unwrap_or_default();
                    path.push(name);
                    e = self.struct_lit(path, e.span)?;
                } else {
                    let span = e.span.to(name.span);
                    e = Expr {
                        kind: ExprKind::Field(Box::new(e), name),
                        span,
                    };
                }
            } else if self.is_punct("?") && self.try_follows() {
                let span = e.span.to(self.bump().span);
                e = Expr {
                    kind: ExprKind::Try(Box::new(e)),
                    span,
                };
            } else if matches!(self.kind(), TokenKind::As) {
                self.bump();
                let ty = self.ty()?;
                let span = e.span.to(ty.span);
                e = Expr {
                    kind: ExprKind::Cast(Box::new(e), Box::new(ty)),
                    span,
                };
            } else {
                return Ok(e);
            }
        }
    }

    /// Whether the `?` here is the postfix `e?` rather than the start of a ternary's branches:
    /// it is when what follows cannot start an expression (a closing bracket, a separator, a
    /// `.` or another `?`) or starts a new line.
    fn try_follows(&self) -> bool {
        let next = &self.tokens[(self.pos + 1).min(self.tokens.len() - 1)];
        next.line_start
            || matches!(
                next.kind,
                TokenKind::Eof | TokenKind::Punct(")" | ";" | "," | "}" | "]" | "." | "?")
            )
    }

    /// Comma-separated expressions up to the closing punctuation, which is consumed.
    fn args(&mut self, close: &str) -> PResult<Vec<Expr>> {
        let saved = std::mem::replace(&mut self.no_struct, false);
        let mut args = Vec::new();
        let result = loop {
            if self.is_punct(close) {
                break Ok(());
            }
            match self.expr() {
                Ok(e) => args.push(e),
                Err(r) => break Err(r),
            }
            if !self.eat_punct(",") {
                break Ok(());
            }
        };
        self.no_struct = saved;
        result?;
        self.expect_punct(close)?;
        Ok(args)
    }

    /// Whether the keyword letter at the cursor is used as a type name: followed by `.` or by
    /// a struct literal body.
    fn letter_names_type(&mut self) -> bool {
        let saved = self.pos;
        self.bump();
        let named = self.is_punct(".") || self.struct_lit_follows();
        self.pos = saved;
        named
    }

    /// `{ name: ...` or `{ }` follows, and struct literals are allowed here.
    fn struct_lit_follows(&self) -> bool {
        if self.no_struct || !self.is_punct("{") {
            return false;
        }
        let named_field = matches!(self.nth(1), TokenKind::Ident(_) | TokenKind::Keyword(_))
            && matches!(self.nth(2), TokenKind::Punct(":"));
        named_field || matches!(self.nth(1), TokenKind::Punct("}"))
    }

    fn struct_lit(&mut self, path: Vec<Ident>, lo: crate::source::Span) -> PResult<Expr> {
        let open = self.expect_punct("{")?;
        let saved = std::mem::replace(&mut self.no_struct, false);
        let mut fields = Vec::new();
        let result = loop {
            if self.is_punct("}") {
                break Ok(());
            }
            let name = match self.ident("a field name") {
                Ok(n) => n,
                Err(r) => break Err(r),
            };
            if let Err(r) = self.expect_punct(":") {
                break Err(r);
            }
            match self.expr() {
                Ok(e) => fields.push((name, e)),
                Err(r) => break Err(r),
            }
            if !self.eat_punct(",") && !self.is_punct("}") && !self.tok().line_start {
                break Err(self.error_expected("`,` or `}`"));
            }
        };
        self.no_struct = saved;
        result?;
        let hi = self.expect_close("}", open)?;
        Ok(Expr {
            kind: ExprKind::StructLit(path, fields),
            span: lo.to(hi),
        })
    }

    /// What follows `(` up to (not including) `)`: one parenthesised expression, or the
    /// elements of a tuple when a `,` follows the first (`(a,)` is a one-element tuple).
    fn paren_contents(&mut self) -> PResult<ExprKind> {
        let first = self.expr()?;
        if !self.is_punct(",") {
            return Ok(first.kind);
        }
        let mut elems = vec![first];
        while self.eat_punct(",") {
            if self.is_punct(")") {
                break;
            }
            elems.push(self.expr()?);
        }
        Ok(ExprKind::Tuple(elems))
    }

    fn primary(&mut self) -> PResult<Expr> {
        let lo = self.span();
        // Asked before the match, which borrows the token.
        let letter_type =
            matches!(self.kind(), TokenKind::Keyword('B' | 'C')) && self.letter_names_type();
        // Matched by reference: copying the token would copy an identifier's name, and most
        // primaries are names.
        let kind = match self.kind() {
            &TokenKind::Int(v) => {
                self.bump();
                ExprKind::Int(v.into())
            }
            &TokenKind::Float(v) => {
                self.bump();
                ExprKind::Float(v)
            }
            TokenKind::Str(s) => {
                let s = s.clone();
                self.bump();
                ExprKind::Str(s)
            }
            &TokenKind::Char(b) => {
                self.bump();
                ExprKind::Char(b)
            }
            // `spawn f(x)`: the operand is a name and its call, so that `spawn f(x).await`
            // awaits the spawned task.
            TokenKind::Ident(name)
                if name == "spawn" && matches!(self.nth(1), TokenKind::Ident(_)) =>
            {
                self.bump();
                let mut call = self.nested(Parser::primary)?;
                if self.continues("(") {
                    self.bump();
                    let args = self.args(")")?;
                    let span = call.span.to(self.prev_span());
                    call = Expr {
                        kind: ExprKind::Call(Box::new(call), args),
                        span,
                    };
                }
                ExprKind::Spawn(Box::new(call))
            }
            // `sizeof(T)` takes a type, so it is syntax rather than a call.
            TokenKind::Ident(name)
                if name == "sizeof" && matches!(self.nth(1), TokenKind::Punct("(")) =>
            {
                self.bump();
                self.bump();
                let ty = self.ty()?;
                self.expect_punct(")")?;
                ExprKind::SizeOf(Box::new(ty))
            }
            TokenKind::True => {
                self.bump();
                ExprKind::Bool(true)
            }
            TokenKind::False => {
                self.bump();
                ExprKind::Bool(false)
            }
            TokenKind::SelfLower => {
                self.bump();
                ExprKind::SelfValue
            }
            TokenKind::Punct("(") => {
                self.bump();
                if self.eat_punct(")") {
                    ExprKind::Unit
                } else {
                    let saved = std::mem::replace(&mut self.no_struct, false);
                    let inner = self.paren_contents();
                    self.no_struct = saved;
                    let kind = inner?;
                    self.expect_punct(")")?;
                    return Ok(Expr {
                        kind,
                        span: lo.to(self.prev_span()),
                    });
                }
            }
            TokenKind::Punct("[") => {
                self.bump();
                let saved = std::mem::replace(&mut self.no_struct, false);
                let kind = self.array_lit();
                self.no_struct = saved;
                kind?
            }
            TokenKind::Punct("{") => ExprKind::Block(self.block()?),
            TokenKind::Punct("|" | "||") => ExprKind::Closure(Box::new(self.closure_expr()?)),
            TokenKind::Punct("@") => {
                self.bump();
                self.expect_punct("(")?;
                ExprKind::SelfCall(self.args(")")?)
            }
            TokenKind::Keyword('I') => return self.if_expr(),
            TokenKind::Keyword('L') => return self.loop_expr(),
            TokenKind::Keyword('M') => return self.match_expr(),
            // `B` and `C` take no operand, so `B { x: 1 }` or `C.new()` can only mean a type
            // declared with that letter as its name.
            TokenKind::Keyword('B' | 'C') if letter_type => {
                let name = self.ident("a type name")?;
                if self.struct_lit_follows() {
                    return self.struct_lit(vec![name], lo);
                }
                ExprKind::Name(name.name)
            }
            TokenKind::Keyword('B') => {
                self.bump();
                ExprKind::Break
            }
            TokenKind::Keyword('C') => {
                self.bump();
                ExprKind::Continue
            }
            TokenKind::Keyword('R') => {
                self.bump();
                let ends = matches!(
                    self.kind(),
                    TokenKind::Punct("}" | ";" | "," | ")") | TokenKind::Eof
                );
                let value = if ends {
                    None
                } else {
                    Some(Box::new(self.expr()?))
                };
                ExprKind::Return(value)
            }
            &TokenKind::Keyword(c @ ('W' | 'D' | 'O'))
                if !matches!(self.nth(1), TokenKind::Punct("." | "{")) =>
            {
                let d = diag::tier2_feature(self.span(), super::tier2_name(c));
                return Err(self.report(d));
            }
            TokenKind::Ident(_) | TokenKind::Keyword(_) | TokenKind::SelfUpper => {
                let name = match self.kind() {
                    TokenKind::SelfUpper => {
                        self.bump();
                        Ident {
                            name: Name::new("Self"),
                            span: lo,
                        }
                    }
                    _ => self.ident("an expression")?,
                };
                if self.struct_lit_follows() {
                    return self.struct_lit(vec![name], lo);
                }
                ExprKind::Name(name.name)
            }
            _ => return Err(self.error_expected("an expression")),
        };
        Ok(Expr {
            kind,
            span: lo.to(self.prev_span()),
        })
    }

    /// After `[`: `[a, b, c]` or `[v; n]`.
    fn array_lit(&mut self) -> PResult<ExprKind> {
        if self.eat_punct("]") {
            return Ok(ExprKind::ArrayLit(Vec::new()));
        }
        let first = self.expr()?;
        if self.eat_punct(";") {
            let count = self.expr()?;
            self.expect_punct("]")?;
            return Ok(ExprKind::ArrayRepeat(Box::new(first), Box::new(count)));
        }
        let mut elems = vec![first];
        while self.eat_punct(",") {
            if self.is_punct("]") {
                break;
            }
            elems.push(self.expr()?);
        }
        self.expect_punct("]")?;
        Ok(ExprKind::ArrayLit(elems))
    }

    fn block_expr(&mut self) -> PResult<Expr> {
        let block = self.block()?;
        Ok(Expr {
            span: block.span,
            kind: ExprKind::Block(block),
        })
    }

    fn if_expr(&mut self) -> PResult<Expr> {
        let lo = self.bump().span;
        let cond = self.head_expr()?;
        let then = self.block()?;
        let other = if self.eat_kw('E') {
            // An `E I` chain is a list of cases rather than nesting, so it is not limited;
            // the deep stack the compiler runs on covers its length.
            if self.is_kw('I') {
                Some(Box::new(self.if_expr()?))
            } else {
                Some(Box::new(self.block_expr()?))
            }
        } else {
            None
        };
        Ok(Expr {
            kind: ExprKind::If(Box::new(cond), then, other),
            span: lo.to(self.prev_span()),
        })
    }

    fn loop_expr(&mut self) -> PResult<Expr> {
        let lo = self.bump().span;
        let head = if self.is_punct("{") {
            LoopHead::Forever
        } else if matches!(self.kind(), TokenKind::Ident(_))
            && matches!(self.nth(1), TokenKind::Punct(":"))
        {
            let var = self.ident("a loop variable")?;
            self.bump();
            let saved = std::mem::replace(&mut self.no_struct, true);
            let range = self.range_bounds();
            self.no_struct = saved;
            match range? {
                (start, Some((end, inclusive))) => LoopHead::Range {
                    var,
                    start: Box::new(start),
                    end: Box::new(end),
                    inclusive,
                },
                (iter, None) => LoopHead::Each {
                    var,
                    iter: Box::new(iter),
                },
            }
        } else {
            LoopHead::While(Box::new(self.head_expr()?))
        };
        let body = self.block()?;
        Ok(Expr {
            kind: ExprKind::Loop(Box::new(head), body),
            span: lo.to(self.prev_span()),
        })
    }

    /// The head of `L x: ..`: a range `a..b` / `a..=b`, or one expression to iterate over.
    fn range_bounds(&mut self) -> PResult<(Expr, Option<(Expr, bool)>)> {
        let start = self.binary(0)?;
        let inclusive = if self.eat_punct("..=") {
            true
        } else if self.eat_punct("..") {
            false
        } else {
            return Ok((start, None));
        };
        let end = self.binary(0)?;
        Ok((start, Some((end, inclusive))))
    }

    fn match_expr(&mut self) -> PResult<Expr> {
        let lo = self.bump().span;
        let scrutinee = self.head_expr()?;
        let open = self.expect_punct("{")?;
        let saved = std::mem::replace(&mut self.no_struct, false);
        let mut arms = Vec::new();
        while !self.is_punct("}") && !self.at_eof() {
            let start = self.pos;
            match self.arm() {
                Ok(arm) => arms.push(arm),
                Err(Reported) => {
                    if self.pos == start {
                        self.bump();
                    }
                    self.skip_until(|p| p.is_punct(","));
                    self.eat_punct(",");
                }
            }
        }
        self.no_struct = saved;
        self.expect_close("}", open)?;
        Ok(Expr {
            kind: ExprKind::Match(Box::new(scrutinee), arms),
            span: lo.to(self.prev_span()),
        })
    }

    fn arm(&mut self) -> PResult<Arm> {
        let pattern = self.pattern()?;
        let guard = if self.eat_kw('I') {
            Some(self.head_expr()?)
        } else {
            None
        };
        self.expect_punct("=>")?;
        let body = self.expr()?;
        let block_body = matches!(body.kind, ExprKind::Block(_));
        if !self.eat_punct(",") && !self.is_punct("}") && !block_body {
            return Err(self.error_expected("`,` or `}` after the match arm"));
        }
        Ok(Arm {
            pattern,
            guard,
            body,
        })
    }
}

/// The path `a.b.c` an expression spells, if it is only names and field accesses.
fn path_of(e: &Expr) -> Option<Vec<Ident>> {
    match &e.kind {
        ExprKind::Name(n) => Some(vec![Ident {
            name: n.clone(),
            span: e.span,
        }]),
        ExprKind::Field(base, name) => {
            let mut p = path_of(base)?;
            p.push(name.clone());
            Some(p)
        }
        _ => None,
    }
}
