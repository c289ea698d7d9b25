//! Closure syntax: the literal `|x: i64, y| -> R { .. }` (or `|x| expr`, `|| expr`) and the
//! closure type `|A, B| -> R`.
//!
//! `||` is one token, the empty parameter list. A literal with a return type must have a block
//! body, as in Rust, so that `|x| -> i64 x` cannot be misread; without one the body is any
//! expression, which extends as far to the right as it can (`|x| x + 1` returns `x + 1`).

use super::{PResult, Parser};
use crate::ast::{ClosureExpr, Expr, ExprKind, TypeKind};
use crate::lexer::TokenKind;

impl Parser {
    /// A closure literal; the cursor is on `|` or `||`.
    pub(super) fn closure_expr(&mut self) -> PResult<ClosureExpr> {
        let mut params = Vec::new();
        if !self.eat_punct("||") {
            self.expect_punct("|")?;
            while !self.is_punct("|") {
                let name = self.ident("a parameter name")?;
                let ty = if self.eat_punct(":") {
                    Some(self.ty()?)
                } else {
                    None
                };
                params.push((name, ty));
                if !self.eat_punct(",") {
                    break;
                }
            }
            self.expect_punct("|")?;
        }
        let ret = if self.eat_punct("->") {
            Some(self.ty()?)
        } else {
            None
        };
        let body = if ret.is_some() {
            let lo = self.span();
            if !self.is_punct("{") {
                return Err(
                    self.error_expected("`{` (a closure with a return type has a block body)")
                );
            }
            let block = self.block()?;
            Expr {
                kind: ExprKind::Block(block),
                span: lo.to(self.prev_span()),
            }
        } else {
            // The body is a full expression even inside the head of `I` or `L`.
            let saved = std::mem::replace(&mut self.no_struct, false);
            let body = self.expr();
            self.no_struct = saved;
            body?
        };
        Ok(ClosureExpr { params, ret, body })
    }

    /// The closure type `|A, B| -> R`; the cursor is on `|` or `||`.
    pub(super) fn closure_type(&mut self) -> PResult<TypeKind> {
        let mut params = Vec::new();
        if !self.eat_punct("||") {
            self.expect_punct("|")?;
            while !self.is_punct("|") {
                if matches!(self.kind(), TokenKind::Eof) {
                    break;
                }
                params.push(self.ty()?);
                if !self.eat_punct(",") {
                    break;
                }
            }
            self.expect_punct("|")?;
        }
        let ret = if self.eat_punct("->") {
            Some(Box::new(self.ty()?))
        } else {
            None
        };
        Ok(TypeKind::Closure(params, ret))
    }
}
