//! Match patterns: literals, ranges, bindings, wildcards, or-patterns and enum variants.

use super::{PResult, Parser};
use crate::ast::*;
use crate::diagnostics as diag;
use crate::lexer::TokenKind;

impl Parser {
    /// A pattern, including `p | q` alternatives.
    pub(super) fn pattern(&mut self) -> PResult<Pattern> {
        self.nested(Parser::pattern_inner)
    }

    fn pattern_inner(&mut self) -> PResult<Pattern> {
        let first = self.single_pattern()?;
        if !self.is_punct("|") {
            return Ok(first);
        }
        let mut alts = vec![first];
        while self.eat_punct("|") {
            alts.push(self.single_pattern()?);
        }
        let span = alts[0].span.to(self.prev_span());
        Ok(Pattern {
            kind: PatternKind::Or(alts),
            span,
        })
    }

    fn single_pattern(&mut self) -> PResult<Pattern> {
        let lo = self.span();
        let kind = match self.kind().clone() {
            TokenKind::Ident(n) if n == "_" => {
                self.bump();
                PatternKind::Wildcard
            }
            TokenKind::True | TokenKind::False => {
                let v = matches!(self.kind(), TokenKind::True);
                self.bump();
                PatternKind::Bool(v)
            }
            TokenKind::Int(_) | TokenKind::Char(_) | TokenKind::Punct("-") => {
                let lo_val = self.int_pattern()?;
                if self.eat_punct("..=") {
                    PatternKind::Range(lo_val, self.int_pattern()?, true)
                } else if self.eat_punct("..") {
                    PatternKind::Range(lo_val, self.int_pattern()?, false)
                } else {
                    PatternKind::Int(lo_val)
                }
            }
            TokenKind::Ident(_) | TokenKind::Keyword(_) => {
                let mut path = vec![self.ident("a pattern")?];
                while self.eat_punct(".") {
                    path.push(self.ident("a variant name")?);
                }
                let fields = if self.eat_punct("(") {
                    let mut pats = Vec::new();
                    while !self.is_punct(")") {
                        pats.push(self.pattern()?);
                        if !self.eat_punct(",") {
                            break;
                        }
                    }
                    self.expect_punct(")")?;
                    VariantPatFields::Tuple(pats)
                } else if self.is_punct("{") {
                    VariantPatFields::Struct(self.struct_pattern_fields()?)
                } else if path.len() == 1 {
                    let name = path.pop().map(|i| i.name).unwrap_or_default();
                    return Ok(Pattern {
                        kind: PatternKind::Name(name),
                        span: lo,
                    });
                } else {
                    VariantPatFields::Unit
                };
                PatternKind::Variant { path, fields }
            }
            _ => return Err(self.error_expected("a pattern")),
        };
        Ok(Pattern {
            kind,
            span: lo.to(self.prev_span()),
        })
    }

    fn int_pattern(&mut self) -> PResult<i128> {
        let negative = self.eat_punct("-");
        match *self.kind() {
            TokenKind::Int(v) => {
                self.bump();
                let v = i128::from(v);
                Ok(if negative { -v } else { v })
            }
            // A character literal is the `u8` value of its byte.
            TokenKind::Char(b) if !negative => {
                self.bump();
                Ok(i128::from(b))
            }
            _ => Err(self.error_expected("an integer in the pattern")),
        }
    }

    /// `{ a, b: pat }` after a struct-like variant path.
    fn struct_pattern_fields(&mut self) -> PResult<Vec<(Ident, Pattern)>> {
        self.expect_punct("{")?;
        let mut fields = Vec::new();
        while !self.is_punct("}") {
            let name = self.ident("a field name")?;
            let pat = if self.eat_punct(":") {
                self.pattern()?
            } else {
                Pattern {
                    kind: PatternKind::Name(name.name.clone()),
                    span: name.span,
                }
            };
            fields.push((name, pat));
            if !self.eat_punct(",") {
                break;
            }
        }
        if !self.is_punct("}") {
            let d = diag::expected(self.span(), "`,` or `}` in the pattern", "something else");
            return Err(self.report(d));
        }
        self.bump();
        Ok(fields)
    }
}
