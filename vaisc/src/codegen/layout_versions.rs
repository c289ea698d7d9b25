//! Two versions of layout-dependent code in hot hosts: one with the host's constant field
//! offsets, one reading the offset table (`hot_layout.rs`). Reading offsets from the table
//! costs little in instructions, but LLVM cannot tell that two fields at offsets it does not
//! know are distinct, so a loop over structs keeps reloading fields it just stored and is not
//! vectorised. Until a migration has moved values the table holds exactly the host's layouts,
//! so code that cannot reach a migration on its way runs the constant version after one test
//! of the runtime's flag (`vais_hot_abi::LAYOUTS_MOVED_SYMBOL`), and the table version only
//! after the first migration.
//!
//! A migration happens only inside a call: a safe point before a call of a hot function, or a
//! call into the runtime. Code that makes no such call, directly or through the functions it
//! calls, sees the flag unchanged from its start to its end, so it is safe to choose the
//! version once at its start. Versioned are the bodies of such functions, and in the other
//! functions each outermost loop that makes no such call (the inner loops of a game's frame).
//!
//! Unoptimised builds (`-O0`, the default of `build` and `watch`) version only those
//! loops. Nearly every function of a large program makes no such call, so versioning bodies
//! doubles most of the program's code, and LLVM's code generation time with it; at `-O0` the
//! host-layout version of straight-line code saves only the load of each offset, since nothing
//! forwards stores or vectorises anyway, while loops keep their speed: measured on the
//! generated 50,000-line program, the unit's IR shrinks by a fifth, and the loops of
//! `benches/programs/fields*.vais` run at the speed of the plain `-O0` build either way,
//! against 1.65x with no versions at all.

use super::func::{Gen, Res};
use crate::hot::visit;
use crate::tir::{Callee, Expr, ExprKind, FuncId, Program, Ty};
use inkwell::values::{BasicValueEnum, GlobalValue};
use inkwell::IntPredicate;

/// Which functions of a program may reach a migration when called.
pub(super) struct Migrations {
    may_migrate: Vec<bool>,
}

/// Whether values of `ty` carry the address of code.
fn carries_code(program: &Program, ty: &Ty, seen: &mut Vec<usize>) -> bool {
    match ty {
        Ty::Fn(_) | Ty::Closure(_) => true,
        Ty::Ptr(inner) | Ty::Array(inner, _) | Ty::Task(inner) => {
            carries_code(program, inner, seen)
        }
        Ty::Struct(id) => {
            if seen.contains(id) {
                return false;
            }
            seen.push(*id);
            program.structs[*id]
                .fields
                .iter()
                .any(|f| carries_code(program, &f.ty, seen))
        }
        _ => false,
    }
}

/// Whether `f` is one of the runtime's own functions (`vais_hot_check`, `vais_hot_reload`,
/// ...), any of which may apply a patch.
fn is_runtime(program: &Program, f: FuncId) -> bool {
    program.functions[f]
        .name
        .starts_with(vais_hot_abi::RUNTIME_FN_PREFIX)
}

impl Migrations {
    pub(super) fn of(program: &Program) -> Migrations {
        let mut externs = program
            .functions
            .iter()
            .enumerate()
            .filter(|(i, f)| f.body.is_none() && !is_runtime(program, *i));
        // When some C function may get the address of Vais code, any C function may call it
        // back later, and so reach a migration.
        let callbacks = externs.any(|(_, f)| {
            f.ty.params
                .iter()
                .any(|p| carries_code(program, p, &mut Vec::new()))
        });
        let n = program.functions.len();
        let mut m = Migrations {
            may_migrate: vec![false; n],
        };
        // C functions first (their answer is known), then the callers of each function and
        // whether it migrates by itself; then the callers of a function that may migrate may
        // too, until nothing changes.
        let mut callers: Vec<Vec<FuncId>> = vec![Vec::new(); n];
        let mut queue = Vec::new();
        for (id, f) in program.functions.iter().enumerate() {
            if f.body.is_none() && (callbacks || is_runtime(program, id)) {
                m.may_migrate[id] = true;
            }
        }
        for (id, f) in program.functions.iter().enumerate() {
            let Some(body) = &f.body else {
                continue;
            };
            let mut own = false;
            visit(&body.body, &mut |e| match &e.kind {
                ExprKind::Call {
                    callee: Callee::Direct(g),
                    ..
                } if program.functions[*g].body.is_some() && !program.functions[*g].attrs.hot => {
                    callers[*g].push(id);
                }
                _ => own |= m.migrates_here(program, e),
            });
            if own {
                m.may_migrate[id] = true;
                queue.push(id);
            }
        }
        while let Some(g) = queue.pop() {
            for &caller in &callers[g] {
                if !m.may_migrate[caller] {
                    m.may_migrate[caller] = true;
                    queue.push(caller);
                }
            }
        }
        m
    }

    /// Whether expression `e` itself (not its operands) may reach a migration.
    fn migrates_here(&self, program: &Program, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Call { callee, .. } => match callee {
                Callee::Direct(g) => {
                    let f = &program.functions[*g];
                    f.attrs.hot || self.may_migrate[*g]
                }
                // The code called is not known here.
                Callee::Indirect(_) | Callee::Closure(_) => true,
            },
            // A task's work runs at its `await`, or on a thread of its own.
            ExprKind::TaskNew { .. } | ExprKind::Spawn(_) | ExprKind::Await(_) => true,
            _ => false,
        }
    }

    /// Whether function `id` may reach a migration when called.
    pub(super) fn function(&self, id: FuncId) -> bool {
        self.may_migrate[id]
    }

    /// Whether running `e` may reach a migration.
    pub(super) fn expr(&self, program: &Program, e: &Expr) -> bool {
        let mut found = false;
        visit(e, &mut |x| found |= self.migrates_here(program, x));
        found
    }
}

/// Whether code emitted for `e` reads the offset table: it reaches a struct's field, or
/// handles a value (an element, a copy) whose layout a patch may change.
pub(super) fn uses_layouts(e: &Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        found |= matches!(x.kind, ExprKind::Field(..)) || super::has_layout(&x.ty);
    });
    found
}

impl<'ctx> Gen<'_, 'ctx> {
    /// The runtime's flag, when the body of function `id` is emitted in two versions: it is
    /// code of an optimised hot host that is not hot, uses layouts and cannot reach a
    /// migration.
    pub(super) fn version_body(&self, id: FuncId) -> Option<GlobalValue<'ctx>> {
        let hot = self.hot.as_ref()?;
        let body = self.program.functions[id].body.as_ref()?;
        (self.optimized
            && self.dynamic()
            && !hot.migrations.function(id)
            && uses_layouts(&body.body))
        .then_some(hot.moved)
    }

    /// The runtime's flag, when loop `e` is emitted in two versions: it is in code that reads
    /// the table and not yet in a version, uses layouts and cannot reach a migration.
    pub(super) fn version_loop(&self, e: &Expr) -> Option<GlobalValue<'ctx>> {
        let hot = self.hot.as_ref()?;
        let f = self.f.as_ref()?;
        (f.dynamic
            && f.version.is_none()
            && uses_layouts(e)
            && !hot.migrations.expr(self.program, e))
        .then_some(hot.moved)
    }

    /// Emits `emit` twice behind one test of the runtime's flag: with the host's constant
    /// layouts while no migration has moved values, reading the offset table after one has.
    /// The caller makes sure nothing `emit` emits may reach a migration. `ty` is the type of
    /// what `emit` emits; the value returned joins the two versions' values, and the builder
    /// continues after both.
    pub(super) fn versioned(
        &mut self,
        moved: GlobalValue<'ctx>,
        mut emit: impl FnMut(&mut Self) -> Res<Option<BasicValueEnum<'ctx>>>,
        ty: &Ty,
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        let pristine = self.runtime_flag(moved, IntPredicate::EQ, "pristine")?;
        let constant = self.new_block("layouts.host")?;
        let table = self.new_block("layouts.table")?;
        self.builder
            .build_conditional_branch(pristine, constant, table)?;
        let merge = self.new_block("layouts.join")?;
        let mut arms = Vec::new();
        for (block, host_layouts) in [(constant, true), (table, false)] {
            self.builder.position_at_end(block);
            self.state()?.version = Some(host_layouts);
            let v = emit(self)?;
            self.state()?.version = None;
            let end = self
                .builder
                .get_insert_block()
                .ok_or_else(|| super::CodegenError::Internal("no insert block".into()))?;
            // A version of type `!` continues in a dead block, which must not reach the join.
            if self.terminated() || *ty == Ty::Never {
                arms.push((None, end));
            } else {
                self.builder.build_unconditional_branch(merge)?;
                arms.push((v, end));
            }
        }
        self.join(ty, &arms, merge)
    }
}
