//! Parsing an edited file again without lexing and parsing the function bodies the edit did
//! not touch (`vaisc watch`, through `resolve::ParseCache`): those bodies' trees are taken
//! from the file's last tree, their spans moved by the length the edit added or removed
//! before them.
//!
//! Why this gives what a fresh parse gives: a body that lies wholly in the text the old and
//! new files start with (or end with) is the same bytes, and the lexer passes over it only
//! where a token may start (`lexer::lex_skipping`), so its tokens would be those of its last
//! parse, moved. The parser reads a function body only in a function declaration, at nesting
//! depth 0 and with nothing muted, so its tree is a function of those tokens alone. Every
//! `Unlexed` token the new parse accepted as a body is matched to the old body at that place,
//! or the reparse is given up; so is a reparse with any diagnostic, so that a file with errors
//! gets exactly the diagnostics of a fresh parse.

use super::{parse_file_skipping, Parsed};
use crate::ast::*;
use crate::source::{common_ends, FileId, Span};

/// Parses `new` (the text of `file` now), taking the trees of the function bodies it shares
/// with `old_text` from `old`, that text's clean tree (which loses them). `None` when the
/// edit leaves no body to take or the new parse does not line up with the old one: the caller
/// then parses the file as usual.
pub fn reparse(file: FileId, old_text: &str, old: &mut Module, new: &str) -> Option<Reparsed> {
    let (prefix, suffix) = common_ends(old_text.as_bytes(), new.as_bytes());
    let moved_from = old_text.len() - suffix;
    let delta = new.len() as i64 - old_text.len() as i64;
    let mut kept = Vec::new();
    for body in bodies(old) {
        let (lo, hi) = (body.span.lo as usize, body.span.hi as usize);
        let shift = if hi <= prefix {
            0
        } else if lo >= moved_from {
            delta
        } else {
            continue;
        };
        // A body that names a formatting built-in makes the loader add `std/fmt` (see
        // `Parsed::names_fmt`): the lexer must see it.
        let text = &old_text[lo..hi];
        if !matches!(body.kind, ExprKind::Block(_)) || names_fmt(text) {
            continue;
        }
        let mut tree = std::mem::replace(
            body,
            Expr {
                kind: ExprKind::Error,
                span: body.span,
            },
        );
        if shift != 0 {
            Shift(shift).expr(&mut tree);
        }
        kept.push(tree);
    }
    if kept.is_empty() {
        return None;
    }
    let ranges: Vec<(usize, usize)> = kept
        .iter()
        .map(|e| (e.span.lo as usize, e.span.hi as usize))
        .collect();
    let mut parsed = parse_file_skipping(file, new, &ranges);
    if !parsed.diags.is_empty() {
        return None;
    }
    let mut taken = 0;
    let mut kept = kept.into_iter().map(Some).collect::<Vec<_>>();
    for body in bodies(&mut parsed.module) {
        if !matches!(body.kind, ExprKind::Unparsed) {
            continue;
        }
        let at = ranges.binary_search(&(body.span.lo as usize, body.span.hi as usize));
        *body = at.ok().and_then(|k| kept[k].take())?;
        taken += 1;
    }
    Some(Reparsed { parsed, taken })
}

/// A file parsed again by [`reparse`], and how many function bodies it took from the old tree.
pub struct Reparsed {
    pub parsed: Parsed,
    pub taken: usize,
}

/// Whether `text` may name a formatting built-in: it holds one of their names as a whole
/// word (in code, or in a string or comment, which errs on the safe side).
fn names_fmt(text: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let bytes = text.as_bytes();
    ["print", "println", "format"].iter().any(|name| {
        text.match_indices(name).any(|(at, _)| {
            let end = at + name.len();
            (at == 0 || !word(bytes[at - 1])) && bytes.get(end).is_none_or(|&c| !word(c))
        })
    })
}

/// The bodies of the module's functions and of its impls' methods, in source order. Trait
/// methods' default bodies are left out: the parser reads a trait method without `{` as one
/// without a body.
fn bodies(module: &mut Module) -> impl Iterator<Item = &mut Expr> {
    module.items.iter_mut().flat_map(|item| {
        let decls: &mut [FnDecl] = match &mut item.kind {
            ItemKind::Fn(f) => std::slice::from_mut(f),
            ItemKind::Impl(i) => &mut i.methods,
            _ => &mut [],
        };
        decls.iter_mut().filter_map(|f| f.body.as_mut())
    })
}

/// Moves every span of a tree by the same number of bytes.
struct Shift(i64);

impl Shift {
    fn span(&self, s: &mut Span) {
        // The moved tree lies inside the new text, whose offsets fit a span's `u32`.
        *s = s.moved(self.0).unwrap_or(*s);
    }

    fn ident(&self, i: &mut Ident) {
        self.span(&mut i.span);
    }

    fn idents(&self, is: &mut [Ident]) {
        is.iter_mut().for_each(|i| self.ident(i));
    }

    fn exprs(&self, es: &mut [Expr]) {
        es.iter_mut().for_each(|e| self.expr(e));
    }

    fn types(&self, ts: &mut [TypeExpr]) {
        ts.iter_mut().for_each(|t| self.ty(t));
    }

    fn ty(&self, t: &mut TypeExpr) {
        self.span(&mut t.span);
        match &mut t.kind {
            TypeKind::Named(_) | TypeKind::SelfType | TypeKind::Unit | TypeKind::Error => {}
            TypeKind::Applied(_, args) | TypeKind::Tuple(args) => self.types(args),
            TypeKind::Ptr(inner) | TypeKind::Task(inner) => self.ty(inner),
            TypeKind::Array(inner, len) => {
                self.ty(inner);
                self.expr(len);
            }
            TypeKind::Fn(args, ret) | TypeKind::Closure(args, ret) => {
                self.types(args);
                if let Some(r) = ret {
                    self.ty(r);
                }
            }
        }
    }

    fn block(&self, b: &mut Block) {
        self.span(&mut b.span);
        for stmt in &mut b.stmts {
            match stmt {
                Stmt::Let { name, ty, init, .. } => {
                    self.ident(name);
                    if let Some(t) = ty {
                        self.ty(t);
                    }
                    self.expr(init);
                }
                Stmt::LetTuple { names, init, .. } => {
                    self.idents(names);
                    self.expr(init);
                }
                Stmt::Expr(e) => self.expr(e),
            }
        }
    }

    fn expr(&self, e: &mut Expr) {
        self.span(&mut e.span);
        match &mut e.kind {
            ExprKind::Unparsed
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Char(_)
            | ExprKind::Bool(_)
            | ExprKind::Unit
            | ExprKind::Name(_)
            | ExprKind::SelfValue
            | ExprKind::Break
            | ExprKind::Continue
            | ExprKind::Error => {}
            ExprKind::SizeOf(t) => self.ty(t),
            ExprKind::Slice(a, b, c, _) | ExprKind::Ternary(a, b, c) => {
                self.expr(a);
                self.expr(b);
                self.expr(c);
            }
            ExprKind::Tuple(es) | ExprKind::ArrayLit(es) | ExprKind::SelfCall(es) => self.exprs(es),
            ExprKind::Field(a, name) => {
                self.expr(a);
                self.ident(name);
            }
            ExprKind::Call(f, args) => {
                self.expr(f);
                self.exprs(args);
            }
            ExprKind::MethodCall(a, name, args) => {
                self.expr(a);
                self.ident(name);
                self.exprs(args);
            }
            ExprKind::Index(a, b)
            | ExprKind::Binary(_, a, b)
            | ExprKind::ArrayRepeat(a, b)
            | ExprKind::Assign(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Unary(_, a) | ExprKind::Try(a) | ExprKind::Await(a) | ExprKind::Spawn(a) => {
                self.expr(a)
            }
            ExprKind::Cast(a, t) => {
                self.expr(a);
                self.ty(t);
            }
            ExprKind::StructLit(path, fields) => {
                self.idents(path);
                for (name, value) in fields {
                    self.ident(name);
                    self.expr(value);
                }
            }
            ExprKind::Block(b) => self.block(b),
            ExprKind::If(cond, then, other) => {
                self.expr(cond);
                self.block(then);
                if let Some(o) = other {
                    self.expr(o);
                }
            }
            ExprKind::Loop(head, body) => {
                match &mut **head {
                    LoopHead::Forever => {}
                    LoopHead::While(cond) => self.expr(cond),
                    LoopHead::Range {
                        var, start, end, ..
                    } => {
                        self.ident(var);
                        self.expr(start);
                        self.expr(end);
                    }
                    LoopHead::Each { var, iter } => {
                        self.ident(var);
                        self.expr(iter);
                    }
                }
                self.block(body);
            }
            ExprKind::Match(scrutinee, arms) => {
                self.expr(scrutinee);
                for arm in arms {
                    self.pattern(&mut arm.pattern);
                    if let Some(g) = &mut arm.guard {
                        self.expr(g);
                    }
                    self.expr(&mut arm.body);
                }
            }
            ExprKind::Return(value) => {
                if let Some(v) = value {
                    self.expr(v);
                }
            }
            ExprKind::Closure(c) => {
                for (name, ty) in &mut c.params {
                    self.ident(name);
                    if let Some(t) = ty {
                        self.ty(t);
                    }
                }
                if let Some(r) = &mut c.ret {
                    self.ty(r);
                }
                self.expr(&mut c.body);
            }
        }
    }

    fn pattern(&self, p: &mut Pattern) {
        self.span(&mut p.span);
        match &mut p.kind {
            PatternKind::Wildcard
            | PatternKind::Name(_)
            | PatternKind::Int(_)
            | PatternKind::Bool(_)
            | PatternKind::Range(..)
            | PatternKind::Error => {}
            PatternKind::Or(ps) => ps.iter_mut().for_each(|p| self.pattern(p)),
            PatternKind::Variant { path, fields } => {
                self.idents(path);
                match fields {
                    VariantPatFields::Unit => {}
                    VariantPatFields::Tuple(ps) => ps.iter_mut().for_each(|p| self.pattern(p)),
                    VariantPatFields::Struct(fs) => {
                        for (name, p) in fs {
                            self.ident(name);
                            self.pattern(p);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "reparse_tests.rs"]
mod tests;
