//! Parsing of the generic parts of declarations: type parameter lists (`<T: A + B, U>`), type
//! argument lists in types (`Pair<i64>`, `Vec<Vec<T>>`) and trait declarations (`W Name { .. }`).

use super::{PResult, Parser};
use crate::ast::{GenericParam, TraitDecl, TypeExpr};
use crate::lexer::TokenKind;

impl Parser {
    /// `<T, U: Shape + Eq>` after an item's name, or nothing.
    pub(super) fn generic_params(&mut self) -> PResult<Vec<GenericParam>> {
        let mut params = Vec::new();
        if !self.eat_punct("<") {
            return Ok(params);
        }
        while !self.is_closing_angle() {
            let name = self.ident("a type parameter name")?;
            let mut bounds = Vec::new();
            if self.eat_punct(":") {
                bounds.push(self.ident("a trait name")?);
                while self.eat_punct("+") {
                    bounds.push(self.ident("a trait name")?);
                }
            }
            params.push(GenericParam { name, bounds });
            if !self.eat_punct(",") {
                break;
            }
        }
        self.close_angle()?;
        Ok(params)
    }

    /// `<A, B>` after a generic type's name; the `<` is current.
    pub(super) fn type_args(&mut self) -> PResult<Vec<TypeExpr>> {
        self.bump();
        let mut args = Vec::new();
        while !self.is_closing_angle() {
            args.push(self.ty()?);
            if !self.eat_punct(",") {
                break;
            }
        }
        self.close_angle()?;
        Ok(args)
    }

    fn is_closing_angle(&self) -> bool {
        self.is_punct(">") || self.is_punct(">>")
    }

    /// Consumes one `>`. In `Vec<Vec<T>>` the lexer made one `>>` token of the two closing
    /// angles: the first is consumed here and the second is left as the current token.
    fn close_angle(&mut self) -> PResult<()> {
        if self.is_punct(">>") {
            let tok = &mut self.tokens[self.pos];
            tok.kind = TokenKind::Punct(">");
            tok.span.lo += 1;
            tok.line_start = false;
            return Ok(());
        }
        self.expect_punct(">")?;
        Ok(())
    }

    /// `W Name { F m(&self) -> T; F d(&self) -> U = expr }`.
    pub(super) fn trait_decl(&mut self) -> PResult<TraitDecl> {
        self.bump(); // `W`
        let name = self.ident("a trait name")?;
        let open = self.expect_punct("{")?;
        let saved = std::mem::replace(&mut self.in_trait, true);
        let mut methods = Vec::new();
        let result = loop {
            if self.is_punct("}") || self.at_eof() {
                break Ok(());
            }
            if self.eat_punct(";") {
                continue;
            }
            let attrs = match self.attrs() {
                Ok(a) => a,
                Err(e) => break Err(e),
            };
            if !self.is_kw('F') {
                break Err(self.error_expected("a method (`F`)"));
            }
            match self.fn_decl(attrs, false) {
                Ok(f) => methods.push(f),
                Err(e) => break Err(e),
            }
        };
        self.in_trait = saved;
        result?;
        self.expect_close("}", open)?;
        Ok(TraitDecl { name, methods })
    }
}
