//! The text form, in the host's check record (`check_record.rs`), of what a `--patch-only`
//! build takes from the host for a body it does not check again (`tir::HostBody`): one line per
//! part, each a keyword and tab-separated fields.
//!
//! - `local\t<name>\t<span>\t<type>` per local, in order;
//! - `calls\t<function id>...`, `globals\t<global id>...`, `main\t<span>...`;
//! - `indirect` if it calls through a function value or a closure;
//! - `refusal\t<keys>\t<why>` per refusal, the keys as `s<struct id>` and `e<enum id>`
//!   separated by spaces;
//! - `fields`, `built` and `variants`, each followed by `<id>.<index>` pairs.
//!
//! A span is `<file id>:<lo>:<hi>`. A type is written in prefix form, its tokens separated by
//! spaces: `()`, `bool`, `i8` .. `u64`, `f32`, `f64`, `str`, `!`, `*` T, `[<n>]` T, `S<id>`,
//! `E<id>`, `task` T, and `fn/<n>/<variadic 0/1>` (or `closure/...`) followed by its `n`
//! parameter types and its return type. Names hold no tab or newline.

use crate::source::{FileId, Span};
use crate::tir::{FloatTy, FnTy, HostBody, IntTy, LocalDef, Ty};

/// Appends the lines of `body` to `out`.
pub fn write(body: &HostBody, out: &mut String) {
    for l in &body.locals {
        out.push_str(&format!("local\t{}\t{}\t", l.name, span_text(l.span)));
        ty_text(&l.ty, out);
        out.push('\n');
    }
    let ids = |key: &str, ids: &[usize], out: &mut String| {
        if !ids.is_empty() {
            out.push_str(key);
            for id in ids {
                out.push_str(&format!("\t{id}"));
            }
            out.push('\n');
        }
    };
    ids("calls", &body.calls, out);
    ids("globals", &body.globals, out);
    if !body.main_uses.is_empty() {
        out.push_str("main");
        for &s in &body.main_uses {
            out.push('\t');
            out.push_str(&span_text(s));
        }
        out.push('\n');
    }
    if body.indirect {
        out.push_str("indirect\n");
    }
    for (keys, why) in &body.refusals {
        let keys: Vec<String> = keys
            .iter()
            .map(|&(is_struct, id)| format!("{}{id}", if is_struct { 's' } else { 'e' }))
            .collect();
        out.push_str(&format!("refusal\t{}\t{why}\n", keys.join(" ")));
    }
    let pairs = |key: &str, pairs: &[(usize, usize)], out: &mut String| {
        if !pairs.is_empty() {
            out.push_str(key);
            for (a, b) in pairs {
                out.push_str(&format!("\t{a}.{b}"));
            }
            out.push('\n');
        }
    };
    pairs("fields", &body.used_fields, out);
    pairs("built", &body.built_fields, out);
    pairs("variants", &body.used_variants, out);
}

/// Reads one line of the form above into `body`; `None` if `kind` is not one of its keywords
/// or the line is malformed.
pub fn read_line(kind: &str, fields: &str, body: &mut HostBody) -> Option<()> {
    let mut it = fields.split('\t');
    match kind {
        "local" => {
            let name = it.next()?.to_string();
            let span = parse_span(it.next()?)?;
            let mut tokens = it.next()?.split(' ');
            let ty = parse_ty(&mut tokens)?;
            if tokens.next().is_some() || it.next().is_some() {
                return None;
            }
            body.locals.push(LocalDef { name, ty, span });
        }
        "calls" => body.calls = it.map(|t| t.parse().ok()).collect::<Option<_>>()?,
        "globals" => body.globals = it.map(|t| t.parse().ok()).collect::<Option<_>>()?,
        "main" => body.main_uses = it.map(parse_span).collect::<Option<_>>()?,
        "indirect" if fields.is_empty() => body.indirect = true,
        "refusal" => {
            let (keys, why) = fields.split_once('\t')?;
            let keys = keys
                .split(' ')
                .filter(|k| !k.is_empty())
                .map(|k| {
                    let (kind, id) = k.split_at(1);
                    Some((kind == "s", id.parse().ok()?)).filter(|_| matches!(kind, "s" | "e"))
                })
                .collect::<Option<_>>()?;
            body.refusals.push((keys, why.to_string()));
        }
        "fields" => body.used_fields = parse_pairs(it)?,
        "built" => body.built_fields = parse_pairs(it)?,
        "variants" => body.used_variants = parse_pairs(it)?,
        _ => return None,
    }
    Some(())
}

fn parse_pairs<'a>(it: impl Iterator<Item = &'a str>) -> Option<Vec<(usize, usize)>> {
    it.map(|p| {
        let (a, b) = p.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    })
    .collect()
}

fn span_text(s: Span) -> String {
    format!("{}:{}:{}", s.file.0, s.lo, s.hi)
}

fn parse_span(text: &str) -> Option<Span> {
    let mut it = text.split(':');
    let span = Span {
        file: FileId(it.next()?.parse().ok()?),
        lo: it.next()?.parse().ok()?,
        hi: it.next()?.parse().ok()?,
    };
    it.next().is_none().then_some(span)
}

/// Every integer type, for reading its name back.
const INTS: [IntTy; 8] = [
    IntTy::I8,
    IntTy::I16,
    IntTy::I32,
    IntTy::I64,
    IntTy::U8,
    IntTy::U16,
    IntTy::U32,
    IntTy::U64,
];

/// Appends type `ty` in the prefix form above.
fn ty_text(ty: &Ty, out: &mut String) {
    let fn_text = |kind: &str, f: &FnTy, out: &mut String| {
        out.push_str(&format!(
            "{kind}/{}/{}",
            f.params.len(),
            u8::from(f.variadic)
        ));
        for p in f.params.iter().chain([&f.ret]) {
            out.push(' ');
            ty_text(p, out);
        }
    };
    match ty {
        Ty::Unit => out.push_str("()"),
        Ty::Bool => out.push_str("bool"),
        Ty::Int(i) => out.push_str(i.name()),
        Ty::Float(FloatTy::F32) => out.push_str("f32"),
        Ty::Float(FloatTy::F64) => out.push_str("f64"),
        Ty::Str => out.push_str("str"),
        Ty::Never => out.push('!'),
        Ty::Error => out.push_str("error"),
        Ty::Ptr(t) => {
            out.push_str("* ");
            ty_text(t, out);
        }
        Ty::Array(t, n) => {
            out.push_str(&format!("[{n}] "));
            ty_text(t, out);
        }
        Ty::Task(t) => {
            out.push_str("task ");
            ty_text(t, out);
        }
        Ty::Struct(s) => out.push_str(&format!("S{s}")),
        Ty::Enum(e) => out.push_str(&format!("E{e}")),
        Ty::Fn(f) => fn_text("fn", f, out),
        Ty::Closure(f) => fn_text("closure", f, out),
    }
}

/// Reads one type in the prefix form from `tokens`.
fn parse_ty<'a>(tokens: &mut impl Iterator<Item = &'a str>) -> Option<Ty> {
    let token = tokens.next()?;
    if let Some(&int) = INTS.iter().find(|&&i| i.name() == token) {
        return Some(Ty::Int(int));
    }
    Some(match token {
        "()" => Ty::Unit,
        "bool" => Ty::Bool,
        "f32" => Ty::Float(FloatTy::F32),
        "f64" => Ty::Float(FloatTy::F64),
        "str" => Ty::Str,
        "!" => Ty::Never,
        "error" => Ty::Error,
        "*" => Ty::Ptr(Box::new(parse_ty(tokens)?)),
        "task" => Ty::Task(Box::new(parse_ty(tokens)?)),
        _ => {
            if let Some(n) = token.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                Ty::Array(Box::new(parse_ty(tokens)?), n.parse().ok()?)
            } else if let Some(id) = token.strip_prefix('S') {
                Ty::Struct(id.parse().ok()?)
            } else if let Some(id) = token.strip_prefix('E') {
                Ty::Enum(id.parse().ok()?)
            } else {
                let mut parts = token.split('/');
                let kind = parts.next()?;
                let n: usize = parts.next()?.parse().ok()?;
                let variadic = match parts.next()? {
                    "0" => false,
                    "1" => true,
                    _ => return None,
                };
                let params = (0..n)
                    .map(|_| parse_ty(tokens))
                    .collect::<Option<Vec<_>>>()?;
                let f = Box::new(FnTy {
                    params,
                    ret: parse_ty(tokens)?,
                    variadic,
                });
                match kind {
                    "fn" => Ty::Fn(f),
                    "closure" => Ty::Closure(f),
                    _ => return None,
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_reads_back_as_written() {
        let span = Span {
            file: FileId(2),
            lo: 10,
            hi: 14,
        };
        let f = FnTy {
            params: vec![Ty::Ptr(Box::new(Ty::Struct(3))), Ty::Int(IntTy::U16)],
            ret: Ty::Array(Box::new(Ty::Enum(1)), 8),
            variadic: true,
        };
        let types = [
            Ty::Unit,
            Ty::Bool,
            Ty::Float(FloatTy::F32),
            Ty::Str,
            Ty::Never,
            Ty::Task(Box::new(Ty::I64)),
            Ty::Fn(Box::new(f.clone())),
            Ty::Closure(Box::new(f)),
            Ty::Ptr(Box::new(Ty::Ptr(Box::new(Ty::Int(IntTy::I8))))),
        ];
        let body = HostBody {
            locals: types
                .iter()
                .enumerate()
                .map(|(i, ty)| LocalDef {
                    name: format!("x{i}"),
                    ty: ty.clone(),
                    span,
                })
                .collect(),
            calls: vec![4, 0, 4],
            globals: vec![1],
            main_uses: vec![span],
            indirect: true,
            refusals: vec![(
                vec![(true, 0), (false, 2)],
                "why: `as *T` at a.vais:3".into(),
            )],
            used_fields: vec![(0, 1), (2, 0)],
            built_fields: vec![(1, 1)],
            used_variants: vec![(0, 3)],
        };
        let mut text = String::new();
        write(&body, &mut text);
        let mut back = HostBody::default();
        for line in text.lines() {
            let (kind, fields) = line.split_once('\t').unwrap_or((line, ""));
            assert_eq!(read_line(kind, fields, &mut back), Some(()), "{line}");
        }
        assert_eq!(back, body);
    }
}
