//! Which locals of a function live in SSA values instead of stack slots.
//!
//! An unoptimised build keeps every stack slot: each read of a local is a load and each
//! definition a store, which LLVM's fast instruction selector turns into machine instructions
//! one for one. A scalar local defined once (a parameter, or a `let` with an initialiser) and
//! never written or addressed afterwards has one value for its whole scope, so that value can
//! be used directly. Its definition comes before every use in the source, and lowering emits
//! code in source order, so the value dominates its uses.
//!
//! The test is conservative: a local is kept in memory if it is the root of a place that is
//! assigned, compound-assigned, addressed (`&x`, which method calls on `&self` use too),
//! projected (a field or element of it), or matched in place, or if anything but a parameter
//! or one `let` defines it (pattern bindings, loop variables, a `let` without initialiser).

use crate::hot::visit;
use crate::tir::{Expr, ExprKind, FuncBody, LoopKind, Stmt, Ty};

/// Per local of `body` (indexed like `body.locals`, whose first `params` are the parameters):
/// whether it lives in an SSA value. `in_memory(i)` forces local `i` into its slot (locals the
/// hot-reload runtime reads from memory, say).
pub(super) fn register_locals(
    body: &FuncBody,
    params: usize,
    in_memory: impl Fn(usize) -> bool,
) -> Vec<bool> {
    let n = body.locals.len();
    let mut definitions = vec![0u32; n];
    for d in definitions.iter_mut().take(params) {
        *d = 1;
    }
    let mut memory = vec![false; n];
    let mut mark = |e: &Expr| {
        if let Some(id) = root_local(e) {
            memory[id] = true;
        }
    };
    visit(&body.body, &mut |e| match &e.kind {
        ExprKind::Block(stmts, _) => {
            for s in stmts {
                if let Stmt::Let(id, Some(_)) = s {
                    definitions[*id] += 1;
                }
            }
        }
        ExprKind::AddrOf(p)
        | ExprKind::Assign(p, _)
        | ExprKind::CompoundAssign(_, p, _)
        | ExprKind::Field(p, _)
        | ExprKind::Index(p, _) => mark(p),
        ExprKind::Match(s, _) if s.is_place() => mark(s),
        ExprKind::Loop(LoopKind::Range { var, .. }, _) => {
            if let Some(d) = definitions.get_mut(*var) {
                // A loop variable is written by the loop's step.
                *d += 2;
            }
        }
        _ => {}
    });
    (0..n)
        .map(|i| {
            let ty = &body.locals[i].ty;
            definitions[i] == 1 && !memory[i] && scalar(ty) && !in_memory(i)
        })
        .collect()
}

/// The local a place expression is a part of, if any (through fields and array elements, not
/// through pointers: `*p` reads `p`'s value).
fn root_local(e: &Expr) -> Option<usize> {
    match &e.kind {
        ExprKind::Local(id) => Some(*id),
        ExprKind::Field(base, _) | ExprKind::Index(base, _) => root_local(base),
        _ => None,
    }
}

/// Whether values of `ty` are single LLVM values that code reads whole (not aggregates, which
/// live in memory and are copied with `memcpy`, and not `()` or `!`, which have no value).
fn scalar(ty: &Ty) -> bool {
    !matches!(
        ty,
        Ty::Struct(_) | Ty::Enum(_) | Ty::Array(..) | Ty::Unit | Ty::Never | Ty::Error
    )
}
