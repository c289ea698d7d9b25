//! `--patch-only`'s check against its host's: a program whose text differs from the host's
//! only inside some plain function bodies ([`super::item_changes`]: every other item's text is
//! the same, though an edit before it may have moved it) is checked with the bodies the caller
//! may take from the host's check left unchecked. Those functions get no typed body; the
//! caller gives them what the host's check found in them (`tir::HostBody`), moved with their
//! items. The declarations are collected again, so they carry their new positions.
//!
//! Why that is what a fresh check gives: checking a body depends only on the declarations and
//! on what the bodies checked before it created (instances, tuples, closures, the built-in C
//! functions declared on first use). The declarations are the host's, up to their positions. A body taken from the
//! host was clean there: it created nothing but the built-ins it declared, reported nothing,
//! and holds no closure or task. Every body that is checked again is checked in the host's
//! order, and a changed one must be clean in both checks and declare the same built-ins. By
//! induction over the check order, each body then meets what it met in the host's check: the
//! same instances and, because the taken bodies' built-ins are declared where their checks
//! declared them, the same built-ins with the same ids. So every id, and every created item,
//! is the host's, a taken body would be checked to the host's typed IR (moved with its item),
//! and the bodies that are checked get what a fresh check gives them. The check counts the
//! program's functions before and after every plain body against the host's record, so a
//! record that does not match the program is refused rather than trusted.

use super::collect::DeclPath;
use super::records::{item_changes, records, BodyMark, CheckRecord, ItemChange};
use super::session::check_recording;
use super::Checker;
use crate::resolve::LoadedModule;
use crate::source::SourceMap;
use crate::tir::{FuncId, Program};

/// A check that took some bodies from the host's: the program (without those bodies), its
/// record, and the functions whose bodies are the host's, in check order.
pub struct TakenCheck {
    pub program: Program,
    pub record: CheckRecord,
    pub taken: Vec<FuncId>,
}

/// Checks `modules` against the host's check `host`, leaving unchecked the bodies it may take:
/// the clean ones outside the changed bodies that `may_take` allows (given how each item
/// `[module][item]` changed, it says per body of `host.bodies` whether the caller can do
/// without its typed IR; a moved body's is the host's at another place), except `main`'s. `declared[k]` are the names of the
/// functions the check of host body `k` declared. `None` if the rule does not hold, the
/// record does not match the program, or any check reports anything: the caller then checks
/// the program in full (which also reports what there is to report).
pub fn check_taking_host_bodies(
    modules: &[LoadedModule],
    sources: &SourceMap,
    host: &CheckRecord,
    declared: &[Vec<String>],
    may_take: impl FnOnce(&[Vec<ItemChange>]) -> Vec<bool>,
) -> Option<TakenCheck> {
    if declared.len() != host.bodies.len() {
        return None;
    }
    let files = records(modules, sources);
    let changes = item_changes(&host.files, &files)?;
    let allowed = may_take(&changes);
    let mut checker = Checker::default();
    checker.collect(modules);
    if !checker.diags.is_empty() {
        return None;
    }
    let pending = std::mem::take(&mut checker.pending_bodies);
    let mut marks = host.bodies.iter().zip(declared).enumerate();
    let mut bodies = Vec::with_capacity(host.bodies.len());
    let mut taken = Vec::new();
    for p in &pending {
        let DeclPath::Fn { module, item } = p.path else {
            // Methods are checked again, in the host's order, as the host checked them.
            check_recording(&mut checker, modules, p);
            continue;
        };
        let (k, (mark, names)) = marks.next()?;
        let place = (mark.module, mark.item, mark.func);
        if place != (module, item, p.func) || checker.program.functions.len() != mark.functions.0 {
            return None;
        }
        let is_changed = changes.get(module)?.get(item)? == &ItemChange::Body;
        if mark.clean
            && !is_changed
            && checker.program.main != Some(p.func)
            && allowed.get(k) == Some(&true)
        {
            for name in names {
                checker.builtin_function(name)?;
            }
            if checker.program.functions.len() != mark.functions.1 {
                return None;
            }
            taken.push(p.func);
            bodies.push(*mark);
            continue;
        }
        let record = check_recording(&mut checker, modules, p)?;
        let now = record.mark;
        let same_made = now.functions == mark.functions
            && checker.program.functions[now.functions.0..now.functions.1]
                .iter()
                .map(|f| &f.name)
                .eq(names.iter());
        let ok =
            checker.diags.is_empty() && same_made && (!is_changed || (mark.clean && now.clean));
        if !ok {
            return None;
        }
        bodies.push(BodyMark {
            clean: now.clean,
            ..*mark
        });
    }
    if marks.next().is_some() {
        return None;
    }
    let (program, diags) = checker.finish(modules);
    if !diags.is_empty() {
        return None;
    }
    Some(TakenCheck {
        program: program?,
        record: CheckRecord { files, bodies },
        taken,
    })
}
