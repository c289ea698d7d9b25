//! Checking across saves (`vaisc watch`): a [`Session`] keeps the checker of the last check,
//! and a save whose only changes are inside the bodies of plain functions re-checks just those
//! bodies, keeping the typed IR of every other item.
//!
//! Reuse is taken only when it provably gives what a fresh check gives, and a fresh check is
//! made otherwise. The rule, per save:
//! - the last check found no diagnostic at all, and the same files load in the same order,
//!   with the same number of items each;
//! - every item's text (from the end of the item before it) is unchanged, though an edit
//!   before it may have moved it (everything its check made then moves with it, see
//!   `moves.rs`), except plain functions (not generic, not async, not methods, with a body)
//!   whose text up to the body is unchanged: those are re-checked, wherever they now are, so
//!   their typed IR gets the spans of the new text;
//! - a re-checked function's old check created nothing (no generic instance, tuple, closure or
//!   enum instance) but the built-in C functions it used first (`printf`, declared on first
//!   use), its new one creates nothing, declares the same built-ins in the same order (they
//!   get their old ids back, see [`Replay`]), reports nothing, and names no function, struct or
//!   enum made after its place in the check order (a fresh check would make that instance
//!   itself, with another id);
//! - neither its old nor its new body holds a closure, a task or a closure-typed value, so
//!   the escape analysis of the rest of the program is unchanged and it needs none itself.
//!
//! Checking a body depends only on the declarations and on what the bodies before it created,
//! so under this rule the re-checked bodies, the kept ones and the (empty) diagnostics are
//! those of a fresh check.

use super::collect::{DeclPath, PendingBody};
use super::moves::Moves;
use super::records::{item_changes, records, BodyMark, FileRecord, ItemChange};
use super::{escape, Checker};
use crate::ast::ItemKind;
use crate::diagnostics::Diagnostic;
use crate::resolve::LoadedModule;
use crate::source::SourceMap;
use crate::tir::{Callee, ExprKind, FuncId, Program, Ty};
use std::collections::HashMap;

/// The checker of the last check, kept for the next one.
#[derive(Default)]
pub struct Session {
    last: Option<Last>,
    /// How many function bodies the last check re-checked in place of a fresh check (`None`
    /// when it was a fresh check).
    pub rechecked: Option<usize>,
    /// The last check's revision, and what it changed of the one it reused.
    revision: Option<Revision>,
}

/// What changed since an earlier check of the same program: the check's revision, and, if it
/// re-checked only some function bodies of the check before (`since`), which.
#[derive(Clone, Debug)]
pub struct Revision {
    pub revision: u64,
    /// The check this one reused, if it did.
    pub since: Option<Since>,
}

/// What a check that reused an earlier one changed of it.
#[derive(Clone, Debug)]
pub struct Since {
    /// The revision of the check reused.
    pub revision: u64,
    /// The functions re-checked.
    pub rechecked: Vec<FuncId>,
    /// The functions an edit before them moved, whose typed IR is the old one with its spans
    /// moved as far. Nothing else of the program differs from that check's, nor the lines of
    /// the rest of the code kept.
    pub moved: Vec<FuncId>,
}

impl Revision {
    /// The functions this check re-checked, if it reused the check `revision` (what a cache
    /// made for that check must redo); `None` if it did not, and all is to be redone.
    pub fn rechecked_since(&self, revision: u64) -> Option<&[FuncId]> {
        self.since_check(revision).map(|s| &s.rechecked[..])
    }

    /// The functions this check took from the check `revision` moved (what a cache made for
    /// that check must redo where it depends on positions); empty if it did not reuse that
    /// check.
    pub fn moved_since(&self, revision: u64) -> &[FuncId] {
        self.since_check(revision).map_or(&[], |s| &s.moved[..])
    }

    fn since_check(&self, revision: u64) -> Option<&Since> {
        self.since.as_ref().filter(|s| s.revision == revision)
    }
}

struct Last {
    /// The checker after the check; its program is out (with the caller) until
    /// [`Session::keep`] puts it back.
    checker: Checker,
    program_back: bool,
    files: Vec<FileRecord>,
    /// The first round of body checks (the declared functions), in check order.
    bodies: Vec<BodyRecord>,
}

pub(super) struct BodyRecord {
    /// The function, its declaration and whether its check was clean.
    pub mark: BodyMark,
    /// The number of functions, structs and enums when its check started.
    before: Counts,
    /// The built-in C functions its check declared on first use: `before.functions..this`.
    builtins: usize,
}

/// The built-in C functions (`printf`, ...) a body check declares on first use
/// (`Checker::builtin_function`), so that a re-check declares the ones a fresh check would,
/// with the same ids.
#[derive(Default)]
pub(super) struct Replay {
    /// Built-ins taken out of the namespace before a re-check, with the ids the body's last
    /// check gave them: a use gets that id back.
    pub reserved: HashMap<String, FuncId>,
    /// The built-ins declared, in order of first use.
    pub declared: Vec<FuncId>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Counts {
    functions: usize,
    structs: usize,
    enums: usize,
}

impl Counts {
    fn of(program: &Program) -> Counts {
        Counts {
            functions: program.functions.len(),
            structs: program.structs.len(),
            enums: program.enums.len(),
        }
    }
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Checks `modules` (loaded into `sources`), as [`super::check`] does, re-checking only
    /// what changed since the last check when the rule above allows.
    pub fn check(
        &mut self,
        modules: &[LoadedModule],
        sources: &SourceMap,
    ) -> (Option<Program>, Vec<Diagnostic>) {
        let previous = self.revision.as_ref().map(|r| r.revision);
        let revision = previous.map_or(0, |r| r + 1);
        if let Some(last) = self.last.as_mut() {
            if let Some((rechecked, moved)) = last.reuse(modules, sources) {
                self.rechecked = Some(rechecked.len());
                self.revision = Some(Revision {
                    revision,
                    since: previous.map(|p| Since {
                        revision: p,
                        rechecked,
                        moved,
                    }),
                });
                last.program_back = false;
                return (Some(std::mem::take(&mut last.checker.program)), Vec::new());
            }
        }
        self.rechecked = None;
        self.revision = Some(Revision {
            revision,
            since: None,
        });
        self.last = None;
        let mut checker = Checker::default();
        checker.collect(modules);
        let bodies = first_round(&mut checker, modules);
        let (program, diags) = checker.finish(modules);
        if diags.is_empty() && program.is_some() {
            self.last = Some(Last {
                checker,
                program_back: false,
                files: records(modules, sources),
                bodies,
            });
        }
        (program, diags)
    }

    /// The last check's revision, for what later stages keep between checks
    /// (`hot::code_hashes_cached`).
    pub fn revision(&self) -> Option<&Revision> {
        self.revision.as_ref()
    }

    /// Gives back the program of the last check once the caller is done with it: only then
    /// can the next check reuse it.
    pub fn keep(&mut self, program: Program) {
        if let Some(last) = self.last.as_mut().filter(|l| !l.program_back) {
            last.checker.program = program;
            last.program_back = true;
        }
    }
}

/// Checks the declared functions' bodies (the first round), recording for each what its
/// check created and whether it qualifies for reuse.
pub(super) fn first_round(checker: &mut Checker, modules: &[LoadedModule]) -> Vec<BodyRecord> {
    let pending = std::mem::take(&mut checker.pending_bodies);
    pending
        .iter()
        .filter_map(|p| check_recording(checker, modules, p))
        .collect()
}

/// Checks one body of the first round; for a plain function's, records what its check
/// created and whether it was clean.
pub(super) fn check_recording(
    checker: &mut Checker,
    modules: &[LoadedModule],
    p: &PendingBody,
) -> Option<BodyRecord> {
    let before = Counts::of(&checker.program);
    let diags = checker.diags.len();
    let queued = checker.pending_bodies.len();
    checker.replay.declared.clear();
    checker.check_body(modules, p);
    let DeclPath::Fn { module, item } = p.path else {
        return None;
    };
    let after = Counts::of(&checker.program);
    let builtins = after.functions;
    let clean = after.structs == before.structs
        && after.enums == before.enums
        && checker.replay.declared == (before.functions..builtins).collect::<Vec<_>>()
        && checker.diags.len() == diags
        && checker.pending_bodies.len() == queued
        && plain_code(&checker.program, p.func);
    Some(BodyRecord {
        mark: BodyMark {
            func: p.func,
            module,
            item,
            clean,
            functions: (before.functions, builtins),
        },
        before,
        builtins,
    })
}

/// Whether function `f`'s type, locals and body hold no closure, closure-typed value or task.
fn plain_code(program: &Program, f: FuncId) -> bool {
    let def = &program.functions[f];
    let Some(body) = &def.body else {
        return false;
    };
    let mut plain = def.ty.params.iter().chain([&def.ty.ret]).all(no_closure)
        && body.locals.iter().all(|l| no_closure(&l.ty));
    crate::hot::visit(&body.body, &mut |e| {
        plain &= no_closure(&e.ty)
            && !matches!(
                e.kind,
                ExprKind::Closure { .. }
                    | ExprKind::FnToClosure(..)
                    | ExprKind::TaskNew { .. }
                    | ExprKind::Spawn(_)
                    | ExprKind::Await(_)
            );
    });
    plain
}

fn no_closure(ty: &Ty) -> bool {
    match ty {
        Ty::Closure(_) | Ty::Task(_) => false,
        Ty::Ptr(t) | Ty::Array(t, _) => no_closure(t),
        Ty::Fn(f) => f.params.iter().chain([&f.ret]).all(no_closure),
        _ => true,
    }
}

/// Whether function `f`'s body names only functions, structs and enums below `limit`.
fn names_below(program: &Program, f: FuncId, limit: Counts) -> bool {
    let Some(body) = &program.functions[f].body else {
        return false;
    };
    let mut ok = body.locals.iter().all(|l| ty_below(&l.ty, limit));
    crate::hot::visit(&body.body, &mut |e| {
        ok &= ty_below(&e.ty, limit)
            && match &e.kind {
                ExprKind::FuncRef(g)
                | ExprKind::Call {
                    callee: Callee::Direct(g),
                    ..
                } => *g < limit.functions,
                ExprKind::StructLit(s, _) => *s < limit.structs,
                ExprKind::EnumLit(en, ..) => *en < limit.enums,
                ExprKind::SizeOf(t) => ty_below(t, limit),
                _ => true,
            };
    });
    ok
}

fn ty_below(ty: &Ty, limit: Counts) -> bool {
    match ty {
        Ty::Struct(s) => *s < limit.structs,
        Ty::Enum(e) => *e < limit.enums,
        Ty::Ptr(t) | Ty::Array(t, _) | Ty::Task(t) => ty_below(t, limit),
        Ty::Fn(f) | Ty::Closure(f) => f.params.iter().chain([&f.ret]).all(|t| ty_below(t, limit)),
        _ => true,
    }
}

impl Last {
    /// Re-checks the changed bodies and moves the moved ones if the rule allows; the
    /// functions it re-checked and those it moved. `None` asks for a fresh check (the checker
    /// may then hold a partly updated program).
    fn reuse(
        &mut self,
        modules: &[LoadedModule],
        sources: &SourceMap,
    ) -> Option<(Vec<FuncId>, Vec<FuncId>)> {
        if !self.program_back || modules.len() != self.files.len() {
            return None;
        }
        let new = records(modules, sources);
        let changes = item_changes(&self.files, &new)?;
        let changed = changes.iter().flatten().filter(|&&c| c == ItemChange::Body);
        let pending = changed.count();
        // Everything the moved items' checks made moves with them; the changed bodies are
        // re-checked next, and get the spans of the new text.
        let moved = Moves::of(&self.files, &changes).apply(&mut self.checker.program);
        let mut done = Vec::new();
        for record in &self.bodies {
            let mark = record.mark;
            if changes[mark.module][mark.item] != ItemChange::Body {
                continue;
            }
            if !mark.clean {
                return None;
            }
            let checker = &mut self.checker;
            let p = PendingBody {
                func: mark.func,
                path: DeclPath::Fn {
                    module: mark.module,
                    item: mark.item,
                },
                self_ty: None,
                env: Vec::new(),
                site: None,
            };
            // The built-ins its last check declared are declared again by this one, with the
            // same ids, if it uses them in the same order: as in a fresh check.
            let builtins: Vec<FuncId> = (record.before.functions..record.builtins).collect();
            for &b in &builtins {
                let name = checker.program.functions[b].name.clone();
                checker.values.remove(&name);
                checker.replay.reserved.insert(name, b);
            }
            checker.replay.declared.clear();
            let before = Counts::of(&checker.program);
            checker.check_body(modules, &p);
            let limit = Counts {
                functions: record.builtins,
                ..record.before
            };
            let ok = Counts::of(&checker.program) == before
                && checker.replay.declared == builtins
                && checker.replay.reserved.is_empty()
                && checker.diags.is_empty()
                && checker.pending_bodies.is_empty()
                && checker.generics.too_deep.is_none()
                && plain_code(&checker.program, mark.func)
                && names_below(&checker.program, mark.func, limit);
            if !ok {
                return None;
            }
            if let ItemKind::Fn(f) = &modules[mark.module].module.items[mark.item].kind {
                checker.program.functions[mark.func].span = f.name.span;
            }
            done.push(mark.func);
        }
        if done.len() != pending {
            return None;
        }
        self.files = new;
        let moved = moved.into_iter().filter(|f| !done.contains(f)).collect();
        Some((done, moved))
    }
}

impl Checker {
    /// The end of a check once every body is checked: the program if it is free of errors
    /// (with its closures' escapes decided), and the diagnostics.
    pub(super) fn finish(
        &mut self,
        modules: &[LoadedModule],
    ) -> (Option<Program>, Vec<Diagnostic>) {
        self.check_bodies(modules);
        if let Some(d) = self.generics.too_deep.take() {
            self.report(d);
        }
        let failed = self.diags.iter().any(Diagnostic::is_error);
        let diags = std::mem::take(&mut self.diags);
        if failed {
            (None, diags)
        } else {
            // Only closure values are analysed: a program that makes none has nothing to decide,
            // and the analysis walks every function body at least twice.
            if self.makes_closures {
                escape::analyse(&mut self.program);
            }
            (Some(std::mem::take(&mut self.program)), diags)
        }
    }
}
