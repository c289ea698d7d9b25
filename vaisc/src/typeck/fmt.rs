//! Lowering of `print`, `println`, `format` and `assert` to C library calls.
//!
//! A format string is translated at compile time into one C `printf` format: integers, `str`
//! and `bool` (as `"true"`/`"false"`) map onto C conversions with the same output (`{:5}` is
//! `%5ld`, `{:x}` on an `i32` is `%x`). Floats and `{:b}` have no C conversion with Rust's
//! output, so the argument is first turned into text by a function of `std/fmt` (loaded
//! whenever a program names `print`, `println` or `format`) into a stack buffer, then passed
//! as `%s`. So `println` is one `printf` call, as fast as C's; `format` measures with
//! `snprintf(NULL, 0, ..)`, allocates with `malloc` and prints into the allocation.

use super::expr::{error_expr, mk};
use super::fmt_spec::{self, FormatError, Kind, Piece, Spec};
use super::{Checker, FnCtx, Value};
use crate::ast::{self, ExprKind as E};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Callee, Expr, ExprKind, FloatTy, FuncId, IntTy, Stmt, Ty};

/// The built-ins lowered here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FmtCall {
    Print,
    Println,
    Format,
}

impl FmtCall {
    pub(super) fn from_name(name: &str) -> Option<FmtCall> {
        match name {
            "print" => Some(FmtCall::Print),
            "println" => Some(FmtCall::Println),
            "format" => Some(FmtCall::Format),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            FmtCall::Print => "print",
            FmtCall::Println => "println",
            FmtCall::Format => "format",
        }
    }
}

/// Room for any float's text without exponent (`f64::MAX` has 309 digits, the smallest
/// subnormal 324 decimals), on top of the requested precision.
const FLOAT_BUF: u64 = 400;

/// The C format and arguments being built.
struct Lowering {
    setup: Vec<Stmt>,
    cfmt: String,
    cargs: Vec<Expr>,
}

fn u8p() -> Ty {
    Ty::Ptr(Box::new(Ty::Int(IntTy::U8)))
}

fn int(v: i128, ty: Ty, span: Span) -> Expr {
    mk(ExprKind::Int(v), ty, span)
}

fn cast(e: Expr, ty: Ty) -> Expr {
    let span = e.span;
    mk(ExprKind::Cast(Box::new(e)), ty, span)
}

fn call_node(f: FuncId, args: Vec<Expr>, ret: Ty, span: Span) -> Expr {
    mk(
        ExprKind::Call {
            callee: Callee::Direct(f),
            args,
        },
        ret,
        span,
    )
}

impl Checker {
    /// A call of `f` with its declared return type (a program may declare `printf` returning
    /// `i64`, say).
    fn call_fn(&self, f: FuncId, args: Vec<Expr>, span: Span) -> Expr {
        let ret = self.program.functions[f].ty.ret.clone();
        call_node(f, args, ret, span)
    }

    /// A function of the C library or of `std/fmt` that the lowering calls. `std/fmt` is
    /// missing only when the checker runs on modules not loaded by `resolve` (or from a
    /// `$VAIS_STD` without it): that is reported, so that no call of it is ever lowered.
    fn runtime_fn(&mut self, name: &str, span: Span) -> Option<FuncId> {
        let found = match self.values.get(name).copied() {
            Some(Value::Func(f)) => Some(f),
            _ => self.builtin_function(name),
        };
        if found.is_none() {
            self.report(diag::runtime_function_missing(span, name));
        }
        found
    }

    pub(super) fn fmt_call(
        &mut self,
        ctx: &mut FnCtx,
        which: FmtCall,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let Some((fmt_arg, rest)) = args.split_first() else {
            self.report(diag::format_not_literal(span, which.name()));
            return error_expr(span);
        };
        let values: Vec<Expr> = rest.iter().map(|a| self.expr(ctx, a, None)).collect();
        if values.iter().any(|v| v.ty == Ty::Never) {
            // An argument leaves (`println("{}", R 1)`): nothing is printed.
            return super::expr::diverge(values, span);
        }
        let E::Str(text) = &fmt_arg.kind else {
            self.expr(ctx, fmt_arg, None);
            self.report(diag::format_not_literal(fmt_arg.span, which.name()));
            return error_expr(span);
        };
        let pieces = match fmt_spec::parse(text) {
            Ok(p) => p,
            Err(e) => {
                let why = match e {
                    FormatError::Unclosed => "a `{` is not closed (write `{{` for a brace)".into(),
                    FormatError::StrayClose => {
                        "a `}` closes nothing (write `}}` for a brace)".into()
                    }
                    FormatError::BadSpec(s) => format!("`{s}` is not a placeholder"),
                };
                self.report(diag::bad_format_string(fmt_arg.span, &why));
                return error_expr(span);
            }
        };
        let holes = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Hole(_)))
            .count();
        if holes != values.len() {
            self.report(diag::format_arg_count(fmt_arg.span, holes, values.len()));
            return error_expr(span);
        }
        if values.iter().any(|v| v.ty.has_error()) {
            return error_expr(span);
        }
        let mut low = Lowering {
            setup: Vec::new(),
            cfmt: String::new(),
            cargs: Vec::new(),
        };
        let mut values = values.into_iter().enumerate();
        let mut ok = true;
        for piece in &pieces {
            match piece {
                Piece::Lit(l) => low.cfmt.push_str(&l.replace('%', "%%")),
                Piece::Hole(spec) => {
                    let Some((i, v)) = values.next() else {
                        break;
                    };
                    ok &= self.fmt_arg(ctx, &mut low, spec, i + 1, v);
                }
            }
        }
        if !ok {
            return error_expr(span);
        }
        if which == FmtCall::Println {
            low.cfmt.push('\n');
        }
        match which {
            FmtCall::Print | FmtCall::Println => self.lower_print(low, span),
            FmtCall::Format => self.lower_format(ctx, low, span),
        }
        .unwrap_or_else(|| error_expr(span))
    }

    fn lower_print(&mut self, low: Lowering, span: Span) -> Option<Expr> {
        let printf = self.runtime_fn("printf", span)?;
        let mut args = vec![mk(ExprKind::Str(low.cfmt), Ty::Str, span)];
        args.extend(low.cargs);
        let mut stmts = low.setup;
        stmts.push(Stmt::Expr(self.call_fn(printf, args, span)));
        Some(mk(ExprKind::Block(stmts, None), Ty::Unit, span))
    }

    fn lower_format(&mut self, ctx: &mut FnCtx, low: Lowering, span: Span) -> Option<Expr> {
        let snprintf = self.runtime_fn("snprintf", span)?;
        let malloc = self.runtime_fn("malloc", span)?;
        let mut stmts = low.setup;
        // Each argument is evaluated once, before both `snprintf` calls.
        let mut locals = Vec::new();
        for a in low.cargs {
            let ty = a.ty.clone();
            let id = ctx.hidden(ty.clone(), span);
            stmts.push(Stmt::Let(id, Some(a)));
            locals.push((id, ty));
        }
        let args_of = |dest: Expr, size: Expr| {
            let mut v = vec![
                dest,
                size,
                mk(ExprKind::Str(low.cfmt.clone()), Ty::Str, span),
            ];
            v.extend(
                locals
                    .iter()
                    .map(|(id, ty)| mk(ExprKind::Local(*id), ty.clone(), span)),
            );
            v
        };
        let measure = self.call_fn(
            snprintf,
            args_of(int(0, u8p(), span), int(0, Ty::I64, span)),
            span,
        );
        let size = ctx.hidden(Ty::I64, span);
        let plus_one = mk(
            ExprKind::Binary(
                crate::tir::BinOp::Add,
                Box::new(cast(measure, Ty::I64)),
                Box::new(int(1, Ty::I64, span)),
            ),
            Ty::I64,
            span,
        );
        stmts.push(Stmt::Let(size, Some(plus_one)));
        let size_val = || mk(ExprKind::Local(size), Ty::I64, span);
        let buf = ctx.hidden(u8p(), span);
        stmts.push(Stmt::Let(
            buf,
            Some(self.call_fn(malloc, vec![size_val()], span)),
        ));
        let buf_val = || mk(ExprKind::Local(buf), u8p(), span);
        stmts.push(Stmt::Expr(self.call_fn(
            snprintf,
            args_of(buf_val(), size_val()),
            span,
        )));
        let result = cast(buf_val(), Ty::Str);
        Some(mk(
            ExprKind::Block(stmts, Some(Box::new(result))),
            Ty::Str,
            span,
        ))
    }

    /// Adds one argument's conversion; false when its spec does not fit (reported).
    fn fmt_arg(
        &mut self,
        ctx: &mut FnCtx,
        low: &mut Lowering,
        spec: &Spec,
        index: usize,
        v: Expr,
    ) -> bool {
        let v = self.display_value(ctx, v);
        let span = v.span;
        let flags = format!(
            "%{}{}",
            if spec.left { "-" } else { "" },
            spec.width.map(|w| w.to_string()).unwrap_or_default()
        );
        let misfit = |c: &mut Checker, why: &str| {
            let t = c.ty_name(&v.ty);
            c.report(diag::format_spec_misfit(span, &spec.text, index, &t, why));
            false
        };
        match v.ty.clone() {
            Ty::Int(it) => {
                if spec.precision.is_some() {
                    return misfit(self, "a precision applies to floats only");
                }
                if spec.kind == Kind::Exp {
                    return misfit(self, "`e` applies to floats only");
                }
                if spec.kind == Kind::Binary {
                    let Some(f) = self.runtime_fn("__vais_fmt_bin", span) else {
                        return false;
                    };
                    let buf = self.stack_buffer(ctx, low, 72, span);
                    let bits = int(i128::from(it.bits()), Ty::I64, span);
                    let text = self.call_fn(f, vec![buf, cast(v, Ty::Int(IntTy::U64)), bits], span);
                    return self.push_text(ctx, low, spec, &flags, text, 72, span);
                }
                let len = match it.bits() {
                    64 => "l",
                    32 => "",
                    16 => "h",
                    _ => "hh",
                };
                let conv = match spec.kind {
                    Kind::LowerHex => 'x',
                    Kind::UpperHex => 'X',
                    _ if it.signed() => 'd',
                    _ => 'u',
                };
                let zero = if spec.zero && !spec.left { "0" } else { "" };
                let flags = flags.replacen('%', &format!("%{zero}"), 1);
                low.cfmt.push_str(&format!("{flags}{len}{conv}"));
                let arg = if it.bits() < 32 {
                    cast(v, Ty::Int(IntTy::I32))
                } else {
                    v
                };
                low.cargs.push(arg);
                true
            }
            Ty::Float(ft) => {
                if matches!(spec.kind, Kind::LowerHex | Kind::UpperHex | Kind::Binary) {
                    return misfit(self, "`x`, `X` and `b` apply to integers only");
                }
                let Some(f) = self.runtime_fn("__vais_fmt_float", span) else {
                    return false;
                };
                let cap = FLOAT_BUF + u64::from(spec.precision.unwrap_or(0));
                let buf = self.stack_buffer(ctx, low, cap, span);
                let prec = spec.precision.map_or(-1, i128::from);
                let x = if ft == FloatTy::F32 {
                    cast(v, Ty::F64)
                } else {
                    v
                };
                let args = vec![
                    buf,
                    int(i128::from(cap), Ty::I64, span),
                    x,
                    int(prec, Ty::I64, span),
                    mk(ExprKind::Bool(spec.kind == Kind::Exp), Ty::Bool, span),
                    mk(ExprKind::Bool(ft == FloatTy::F32), Ty::Bool, span),
                ];
                let text = self.call_fn(f, args, span);
                self.push_text(ctx, low, spec, &flags, text, cap, span)
            }
            Ty::Bool | Ty::Str => {
                if spec.kind != Kind::Plain || spec.precision.is_some() {
                    return misfit(self, "only a width and `<` apply to it");
                }
                if spec.zero {
                    return misfit(self, "zero-padding applies to numbers only");
                }
                let text = if v.ty == Ty::Bool {
                    let t = mk(ExprKind::Str("true".into()), Ty::Str, span);
                    let f = mk(ExprKind::Str("false".into()), Ty::Str, span);
                    mk(
                        ExprKind::If(Box::new(v), Box::new(t), Some(Box::new(f))),
                        Ty::Str,
                        span,
                    )
                } else {
                    v
                };
                low.cfmt.push_str(&format!("{flags}s"));
                low.cargs.push(text);
                true
            }
            other => {
                let t = self.ty_name(&other);
                self.report(diag::not_displayable(span, index, &t));
                false
            }
        }
    }

    /// Text made by a `std/fmt` function, printed with `%s` in the width; zero-padding (which
    /// C's `%s` lacks) is done by `__vais_fmt_zero_pad` into another buffer.
    #[allow(clippy::too_many_arguments)]
    fn push_text(
        &mut self,
        ctx: &mut FnCtx,
        low: &mut Lowering,
        spec: &Spec,
        flags: &str,
        text: Expr,
        cap: u64,
        span: Span,
    ) -> bool {
        match (spec.zero && !spec.left, spec.width) {
            (true, Some(w)) => {
                let Some(pad) = self.runtime_fn("__vais_fmt_zero_pad", span) else {
                    return false;
                };
                let size = cap + u64::from(w) + 1;
                let buf = self.stack_buffer(ctx, low, size, span);
                let args = vec![buf, text, int(i128::from(w), Ty::I64, span)];
                low.cargs.push(self.call_fn(pad, args, span));
                low.cfmt.push_str("%s");
            }
            _ => {
                low.cargs.push(text);
                low.cfmt.push_str(&format!("{flags}s"));
            }
        }
        true
    }

    /// A new uninitialised `[u8; size]` local; returns the address of its first byte.
    fn stack_buffer(&mut self, ctx: &mut FnCtx, low: &mut Lowering, size: u64, span: Span) -> Expr {
        let aty = Ty::Array(Box::new(Ty::Int(IntTy::U8)), size);
        let id = ctx.hidden(aty.clone(), span);
        low.setup.push(Stmt::Let(id, None));
        let first = mk(
            ExprKind::Index(
                Box::new(mk(ExprKind::Local(id), aty, span)),
                Box::new(int(0, Ty::I64, span)),
            ),
            Ty::Int(IntTy::U8),
            span,
        );
        mk(ExprKind::AddrOf(Box::new(first)), u8p(), span)
    }

    /// `assert(cond)`: when false, prints `file:line: assertion failed` to stderr and exits
    /// with status 101.
    pub(super) fn assert_call(&mut self, ctx: &mut FnCtx, args: &[ast::Expr], span: Span) -> Expr {
        if args.len() != 1 {
            self.report(diag::wrong_arg_count(span, "assert", 1, args.len()));
            for a in args {
                self.expr(ctx, a, None);
            }
            return error_expr(span);
        }
        let cond = self.condition(ctx, &args[0]);
        let (Some(dprintf), Some(exit)) = (
            self.runtime_fn("dprintf", span),
            self.runtime_fn("exit", span),
        ) else {
            return error_expr(span);
        };
        let fail = vec![
            Stmt::Expr(self.call_fn(
                dprintf,
                vec![
                    int(2, Ty::I32, span),
                    mk(
                        ExprKind::Str("%s: assertion failed\n".into()),
                        Ty::Str,
                        span,
                    ),
                    mk(ExprKind::SourceLocation, Ty::Str, span),
                ],
                span,
            )),
            Stmt::Expr(self.call_fn(exit, vec![int(101, Ty::I32, span)], span)),
        ];
        let fail = mk(
            ExprKind::Block(
                fail,
                Some(Box::new(mk(ExprKind::Unreachable, Ty::Never, span))),
            ),
            Ty::Never,
            span,
        );
        let not = mk(
            ExprKind::Unary(crate::tir::UnOp::Not, Box::new(cond)),
            Ty::Bool,
            span,
        );
        mk(
            ExprKind::If(Box::new(not), Box::new(fail), None),
            Ty::Unit,
            span,
        )
    }
}
