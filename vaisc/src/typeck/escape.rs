//! Escape analysis of closure values: which closures may outlive the function creating them.
//!
//! A closure's environment lives in the creating function's stack frame unless the closure
//! *escapes*, in which case it is copied to `malloc`'d memory (never freed: a closure has no
//! owner that would know when). The rule, applied to every closure value the program creates:
//!
//! - it escapes when it is returned, stored anywhere but in the initialisation of a local
//!   (`x := ..`: a field, a global, an array or struct literal, through a pointer, or assigned
//!   with `=` to any variable), captured by another closure, has its address taken, or is
//!   passed to code the compiler cannot see (a C function, a function pointer, a closure, or a
//!   `#[hot]` function, whose body a reload may replace);
//! - a local initialised with it escapes when the local's value escapes by the same rule;
//! - passing it to a Vais function is safe when that function's parameter does not escape,
//!   decided for every function together (the least fixed point: a parameter escapes only if
//!   some use makes it);
//! - anything else (calling it, passing it on as above) does not make it escape.
//!
//! Assignment with `=` counts as escaping even to a local because a literal inside a loop
//! reuses its one stack slot on each iteration: only a `let` (which makes a fresh variable per
//! iteration) may hold a stack environment.

use crate::tir::{Callee, Expr, ExprKind, FuncId, LocalId, LoopKind, Program, Stmt, Ty};
use std::collections::BTreeSet;

/// Where a value goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// Somewhere the closure may outlive the function.
    Escapes,
    /// Used and dropped: a callee, a discarded value, a parameter that does not escape.
    Stays,
    /// The initial value of a local.
    Local(LocalId),
}

/// Per function, for each parameter, whether a closure passed there escapes.
struct Facts {
    params: Vec<Vec<bool>>,
    /// Whether a direct call to the function may use `params` (it has a body and is not hot).
    known: Vec<bool>,
}

struct Walk<'a> {
    facts: &'a Facts,
    /// Closure-typed locals whose value escapes.
    escaping: BTreeSet<LocalId>,
    /// Whether to record the decision in the closure nodes (the last pass).
    mark: bool,
    locals: &'a [Ty],
}

/// Decides `escapes` for every closure value of the program.
pub(super) fn analyse(program: &mut Program) {
    let known: Vec<bool> = program
        .functions
        .iter()
        .map(|f| f.body.is_some() && !f.attrs.hot)
        .collect();
    let params = program
        .functions
        .iter()
        .map(|f| vec![f.body.is_none() || f.attrs.hot; f.ty.params.len()])
        .collect();
    let mut facts = Facts { params, known };
    loop {
        let mut changed = false;
        for id in 0..program.functions.len() {
            let escaping = escaping_locals(program, id, &facts, false);
            let n = program.functions[id].ty.params.len();
            for p in 0..n {
                if escaping.contains(&p) && !facts.params[id][p] {
                    facts.params[id][p] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for id in 0..program.functions.len() {
        escaping_locals(program, id, &facts, true);
    }
}

/// The escaping closure-typed locals of function `id`, iterated until stable; with `mark`, the
/// closure nodes of its body are then updated.
fn escaping_locals(
    program: &mut Program,
    id: FuncId,
    facts: &Facts,
    mark: bool,
) -> BTreeSet<LocalId> {
    let Some(mut body) = program.functions[id].body.take() else {
        return BTreeSet::new();
    };
    let locals: Vec<Ty> = body.locals.iter().map(|l| l.ty.clone()).collect();
    let mut w = Walk {
        facts,
        escaping: BTreeSet::new(),
        mark: false,
        locals: &locals,
    };
    loop {
        let before = w.escaping.len();
        w.expr(&mut body.body, Sink::Escapes);
        if w.escaping.len() == before {
            break;
        }
    }
    if mark {
        w.mark = true;
        w.expr(&mut body.body, Sink::Escapes);
    }
    let out = w.escaping;
    program.functions[id].body = Some(body);
    out
}

impl Walk<'_> {
    fn escapes(&self, sink: Sink) -> bool {
        match sink {
            Sink::Escapes => true,
            Sink::Stays => false,
            Sink::Local(l) => self.escaping.contains(&l),
        }
    }

    fn stmts(&mut self, stmts: &mut [Stmt]) {
        for s in stmts {
            match s {
                Stmt::Let(l, Some(init)) => self.expr(init, Sink::Local(*l)),
                Stmt::Let(_, None) => {}
                Stmt::Expr(e) => self.expr(e, Sink::Stays),
            }
        }
    }

    fn expr(&mut self, e: &mut Expr, sink: Sink) {
        let closure_typed = matches!(e.ty, Ty::Closure(_));
        match &mut e.kind {
            ExprKind::Closure { env, escapes, .. } => {
                if self.mark {
                    *escapes = self.escapes(sink);
                }
                if let Some(env) = env {
                    // A captured closure is copied into this environment, which may be kept.
                    self.expr(env, Sink::Escapes);
                }
            }
            ExprKind::FnToClosure(inner, escapes) => {
                if self.mark {
                    *escapes = self.escapes(sink);
                }
                self.expr(inner, Sink::Stays);
            }
            ExprKind::Local(l) => {
                if closure_typed
                    && matches!(self.locals.get(*l), Some(Ty::Closure(_)))
                    && self.escapes(sink)
                {
                    self.escaping.insert(*l);
                }
            }
            ExprKind::Block(stmts, tail) => {
                self.stmts(stmts);
                if let Some(t) = tail {
                    self.expr(t, sink);
                }
            }
            ExprKind::If(c, a, b) => {
                self.expr(c, Sink::Stays);
                self.expr(a, sink);
                if let Some(b) = b {
                    self.expr(b, sink);
                }
            }
            ExprKind::Match(s, arms) => {
                // A pattern may bind the scrutinee to a variable of its own.
                self.expr(s, Sink::Escapes);
                for arm in arms {
                    if let Some(g) = &mut arm.guard {
                        self.expr(g, Sink::Stays);
                    }
                    self.expr(&mut arm.body, sink);
                }
            }
            ExprKind::Call { callee, args } => {
                let known = match callee {
                    Callee::Direct(f) => self.facts.known[*f].then_some(*f),
                    Callee::Indirect(f) | Callee::Closure(f) => {
                        self.expr(f, Sink::Stays);
                        None
                    }
                };
                for (i, a) in args.iter_mut().enumerate() {
                    let stays = known.is_some_and(|f| {
                        self.facts.params[f].get(i).is_some_and(|escapes| !escapes)
                    });
                    self.expr(a, if stays { Sink::Stays } else { Sink::Escapes });
                }
            }
            ExprKind::Loop(kind, body) => {
                match kind {
                    LoopKind::Forever => {}
                    LoopKind::While(c) => self.expr(c, Sink::Stays),
                    LoopKind::Range { start, end, .. } => {
                        self.expr(start, Sink::Stays);
                        self.expr(end, Sink::Stays);
                    }
                }
                self.expr(body, Sink::Stays);
            }
            ExprKind::Return(Some(v)) => self.expr(v, Sink::Escapes),
            ExprKind::Assign(place, value) | ExprKind::CompoundAssign(_, place, value) => {
                self.place(place);
                self.expr(value, Sink::Escapes);
            }
            ExprKind::AddrOf(inner) => self.expr(inner, Sink::Escapes),
            ExprKind::StructLit(_, elems)
            | ExprKind::ArrayLit(elems)
            | ExprKind::EnumLit(_, _, elems) => {
                for el in elems {
                    self.expr(el, Sink::Escapes);
                }
            }
            ExprKind::ArrayRepeat(v, _) => self.expr(v, Sink::Escapes),
            ExprKind::Deref(a) | ExprKind::Unary(_, a) | ExprKind::Cast(a) => {
                self.expr(a, Sink::Stays)
            }
            ExprKind::Field(a, _) => self.expr(a, Sink::Stays),
            // A task's arguments are kept in its record, which outlives the call.
            ExprKind::TaskNew { args, .. } => {
                for a in args {
                    self.expr(a, Sink::Escapes);
                }
            }
            ExprKind::Spawn(a) | ExprKind::Await(a) => self.expr(a, Sink::Stays),
            ExprKind::Index(a, b)
            | ExprKind::PtrIndex(a, b)
            | ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b) => {
                self.expr(a, Sink::Stays);
                self.expr(b, Sink::Stays);
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Unit
            | ExprKind::Global(_)
            | ExprKind::FuncRef(_)
            | ExprKind::Break
            | ExprKind::Continue
            | ExprKind::Return(None)
            | ExprKind::SizeOf(_)
            | ExprKind::SourceLocation
            | ExprKind::Unreachable => {}
        }
    }

    /// The parts of an assigned place that are evaluated (indices, pointers).
    fn place(&mut self, e: &mut Expr) {
        match &mut e.kind {
            ExprKind::Field(base, _) => self.place(base),
            ExprKind::Index(base, i) => {
                self.place(base);
                self.expr(i, Sink::Stays);
            }
            _ => self.expr(e, Sink::Stays),
        }
    }
}
