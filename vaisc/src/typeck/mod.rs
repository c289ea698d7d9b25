//! The type checker: checks a loaded program and lowers it to the typed IR.
//!
//! It works in two passes. `collect` enters every item of every module into one namespace
//! (reporting duplicates), resolves struct, enum, global and function signatures, and creates
//! the `tir::Program` skeleton. Then each function body is checked and lowered (`expr.rs`,
//! `call.rs`, `pattern.rs`), and global initialisers are evaluated (`consts.rs`). Errors are
//! collected, never fatal: a bad expression lowers to a node of the error type `Ty::Error`,
//! which is compatible with everything, so checking continues without follow-on errors. The
//! error type is distinct from `!` (`Ty::Never`), the type of code that diverges: that code
//! is kept and evaluated in order. Closure literals are lifted to functions of their own as
//! they are checked (`closure.rs`); once the whole program is free of errors, the escape
//! analysis (`escape.rs`) decides where each closure's environment lives.

mod async_;
mod call;
mod closure;
mod collect;
mod consts;
mod defaults;
mod each;
mod escape;
mod expr;
mod fmt;
mod fmt_spec;
mod format;
mod generic;
mod generic_use;
mod host_bodies;
mod moves;
mod pattern;
mod records;
mod scope;
mod session;
mod stmt;
mod traits;
mod try_op;
mod tuple;

use crate::diagnostics::Diagnostic;
use crate::resolve::LoadedModule;
use crate::tir::{self, FuncId, Program, Ty};
use std::collections::HashMap;

use scope::{FnCtx, NameMap};

pub use host_bodies::{check_taking_host_bodies, TakenCheck};
pub use records::{
    check_recorded, item_changes, BodyMark, CheckRecord, FileRecord, ItemChange, ItemRecord,
};
pub use session::{Revision, Session};

/// The hidden parameter through which a `#[track_caller]` function receives its caller's
/// `file:line`, read with `caller_location()`.
const CALLER: &str = "caller location";

/// What a name in the value namespace refers to at the top level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value {
    Func(FuncId),
    Global(tir::GlobalId),
    /// A `C` constant: index into `Checker::consts`.
    Const(usize),
    /// A generic function: index into `Generics::fns`.
    Generic(usize),
}

/// What a name in the type namespace refers to.
#[derive(Clone, Debug)]
enum TypeName {
    Resolved(Ty),
    /// A type alias not resolved yet: index into `Checker::aliases`.
    Alias(usize),
}

/// Checks the whole program. Returns the lowered program when there were no errors, and all
/// diagnostics (warnings included) in either case.
pub fn check(modules: &[LoadedModule]) -> (Option<Program>, Vec<Diagnostic>) {
    let mut checker = Checker::default();
    checker.collect(modules);
    checker.finish(modules)
}

#[derive(Default)]
struct Checker {
    program: Program,
    diags: Vec<Diagnostic>,
    types: NameMap<String, TypeName>,
    type_spans: NameMap<String, crate::source::Span>,
    aliases: Vec<collect::PendingAlias>,
    values: NameMap<String, Value>,
    value_spans: NameMap<String, crate::source::Span>,
    /// `(type name, method name)` to the method's function.
    methods: NameMap<(String, String), FuncId>,
    /// Which methods take `self` by pointer.
    self_by_ref: HashMap<FuncId, bool>,
    /// Bare variant names to `(enum, variant)`; `None` when several enums share the name.
    variants: NameMap<String, Option<(tir::EnumId, u32)>>,
    /// Function bodies to check: function, the AST location of its declaration.
    pending_bodies: Vec<collect::PendingBody>,
    /// The program's `C` constants.
    consts: Vec<consts::ConstItem>,
    /// Tuple types met so far: element types to the struct standing for them.
    tuples: HashMap<Vec<Ty>, tir::StructId>,
    /// Constants being evaluated, innermost last, to report a cycle by its path.
    const_stack: Vec<usize>,
    /// Field defaults not evaluated yet.
    pending_defaults: defaults::PendingDefaults,
    /// Generic items, their instances and traits.
    generics: generic::Generics,
    /// Some body made a closure value (a closure literal or a function coerced to a closure),
    /// which the escape analysis then has to place.
    makes_closures: bool,
    /// The built-in C functions declared on first use, as a [`Session`] replays them.
    replay: session::Replay,
}

impl Checker {
    fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Checks every function body. Checking a body can instantiate generic functions, whose
    /// bodies are checked in turn, until none is left.
    fn check_bodies(&mut self, modules: &[LoadedModule]) {
        while !self.pending_bodies.is_empty() {
            let pending = std::mem::take(&mut self.pending_bodies);
            for p in &pending {
                self.check_body(modules, p);
            }
        }
    }

    fn check_body(&mut self, modules: &[LoadedModule], p: &collect::PendingBody) {
        let decl = collect::fn_decl_at(modules, &p.path);
        let Some(body) = decl.body.as_ref() else {
            return;
        };
        self.generics.env = p.env.iter().cloned().collect();
        let before = self.diags.len();
        let fty = self.program.functions[p.func].ty.clone();
        let mut ctx = FnCtx::new(p.func, fty.ret.clone(), p.self_ty.clone());
        if let Some((_, span)) = decl.self_param {
            let ty = fty.params[0].clone();
            ctx.declare("self", ty, span, true);
        }
        let offset = usize::from(decl.self_param.is_some());
        for (i, param) in decl.params.iter().enumerate() {
            let ty = fty.params[i + offset].clone();
            ctx.declare(&param.name.name, ty, param.name.span, true);
        }
        if self.generics.track_caller.contains(&p.func) {
            ctx.declare(CALLER, Ty::Str, decl.name.span, false);
        }
        let ret = fty.ret.clone();
        let lowered = self.expr(&mut ctx, body, Some(&ret));
        let lowered = self.coerce(&mut ctx, lowered, &ret);
        let locals = ctx.into_locals();
        self.program.functions[p.func].body = Some(tir::FuncBody {
            locals,
            body: lowered,
        });
        self.generics.env.clear();
        // An error in an instance of a generic function also names the call that made it.
        if let Some((site, name)) = &p.site {
            for d in &mut self.diags[before..] {
                if d.is_error() {
                    d.notes.push(crate::diagnostics::Note {
                        span: *site,
                        message: format!("in `{name}`, instantiated here"),
                    });
                }
            }
        }
    }

    /// How a type is written in messages.
    fn ty_name(&self, ty: &Ty) -> String {
        self.program.ty_name(ty)
    }
}
#[cfg(test)]
mod tests;
