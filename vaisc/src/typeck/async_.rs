//! Async functions, tasks, `spawn` and `.await` (section 10, "Async").
//!
//! An async function (`A F`) is checked like any other; what changes is its calls: a call
//! lowers to [`ExprKind::TaskNew`], a task holding the arguments, of type `Task<R>`, and runs
//! nothing. `spawn f(x)` starts such a task on a thread of its own at once; `t.await` runs the
//! task on the awaiting thread if nobody started it, waits for it otherwise, and yields its
//! value. Code generation (`codegen/task.rs`) owns what a task is at run time.

use super::expr::{error_expr, mk};
use super::{Checker, FnCtx};
use crate::ast;
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Expr, ExprKind, FuncId, Ty};

/// The value of a call to async function `func` with its checked arguments: its task.
pub(super) fn task_new(func: FuncId, args: Vec<Expr>, ret: &Ty, span: Span) -> Expr {
    mk(
        ExprKind::TaskNew { func, args },
        Ty::Task(Box::new(ret.clone())),
        span,
    )
}

impl Checker {
    /// Whether `decl` is async, reporting the functions that may not be (`main`, whose
    /// result the C runtime needs at once).
    pub(super) fn async_attr(&mut self, decl: &ast::FnDecl) -> bool {
        if decl.is_async && decl.name.name == "main" {
            self.report(diag::async_main(decl.name.span));
            return false;
        }
        decl.is_async
    }

    /// A function named as a value. An async function has no plain function type to give it
    /// (its calls make tasks), so it cannot be one.
    pub(super) fn fn_value(&mut self, f: FuncId, span: Span) -> Expr {
        let def = &self.program.functions[f];
        if def.attrs.is_async {
            let name = def.name.clone();
            self.report(diag::async_fn_value(span, &name));
            return error_expr(span);
        }
        self.func_ref(f, span)
    }

    /// `task.await`: the task's value, of the type its async function returns.
    pub(super) fn await_expr(&mut self, ctx: &mut FnCtx, task: &ast::Expr, span: Span) -> Expr {
        let task = self.expr(ctx, task, None);
        match task.ty.clone() {
            Ty::Task(value) => mk(ExprKind::Await(Box::new(task)), *value, span),
            Ty::Error => error_expr(span),
            // A diverging operand leaves before anything is awaited.
            Ty::Never => task,
            other => {
                let found = self.ty_name(&other);
                self.report(diag::await_not_task(task.span, &found));
                error_expr(span)
            }
        }
    }

    /// `spawn f(x)`: the task of the async call, started on a thread of its own.
    pub(super) fn spawn_expr(&mut self, ctx: &mut FnCtx, call: &ast::Expr, span: Span) -> Expr {
        let checked = self.expr(ctx, call, None);
        match checked.kind {
            ExprKind::TaskNew { .. } => {
                let ty = checked.ty.clone();
                mk(ExprKind::Spawn(Box::new(checked)), ty, span)
            }
            _ if checked.ty.has_error() => error_expr(span),
            _ => {
                self.report(diag::spawn_needs_async_call(call.span));
                error_expr(span)
            }
        }
    }
}
