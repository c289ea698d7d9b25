//! The record a check keeps of the program's text, item by item, and the comparison of two
//! such records under the reuse rule of `session.rs`: which plain functions' bodies changed,
//! or that something else did. `vaisc watch` keeps the record in memory ([`super::Session`]);
//! a hot host build writes it to disk for `--patch-only` (`hot::check_record`), which is why
//! the record holds plain data only.

use super::Checker;
use crate::ast::ItemKind;
use crate::resolve::LoadedModule;
use crate::source::{FileId, SourceMap};
use crate::tir::{FuncId, Program};
use std::path::PathBuf;

/// One loaded file of a check: where it came from, its whole text, and its items' places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    pub file: FileId,
    pub path: PathBuf,
    pub text: String,
    pub items: Vec<ItemRecord>,
}

/// An item's place in its file's text: it owns `start..end` (from the end of the item before
/// it); `body` is where a plain function's body starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemRecord {
    pub start: usize,
    /// The line `start` is on (counted from 0): code embeds its lines (`assert`'s message).
    pub line: usize,
    pub end: usize,
    pub body: Option<usize>,
}

/// Each module's file and items, as the rule compares them.
pub fn records(modules: &[LoadedModule], sources: &SourceMap) -> Vec<FileRecord> {
    modules
        .iter()
        .map(|m| {
            let source = sources.file(m.file);
            let mut start = 0;
            let mut line = 0;
            let items = m
                .module
                .items
                .iter()
                .map(|item| {
                    let end = (item.span.hi as usize).max(start);
                    let body = match &item.kind {
                        ItemKind::Fn(f) if f.generics.is_empty() && !f.is_async => {
                            f.body.as_ref().map(|b| b.span.lo as usize)
                        }
                        _ => None,
                    };
                    let r = ItemRecord {
                        start,
                        line,
                        end,
                        body,
                    };
                    line += source.text.as_bytes()[start..end]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    start = end;
                    r
                })
                .collect();
            FileRecord {
                file: m.file,
                path: source.path.clone(),
                text: source.text.clone(),
                items,
            }
        })
        .collect()
}

/// How an item of a check stands to the same item of an earlier check of the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemChange {
    /// The same text at the same offset and line.
    Same,
    /// The same text, moved by an edit before it: its offset and its line differ by these.
    Moved { offset: i64, lines: i64 },
    /// A plain function whose text up to its body is the same, but not the rest: its body
    /// changed (and it may have moved).
    Body,
}

/// How each item `[module][item]` of `now` stands to the same item of `old`, if nothing else
/// changed: the same files in the same order with as many items each, every item's text
/// unchanged (at the same place or moved), except plain functions whose text up to the body
/// is unchanged. `None` if anything else changed.
pub fn item_changes(old: &[FileRecord], now: &[FileRecord]) -> Option<Vec<Vec<ItemChange>>> {
    if old.len() != now.len() {
        return None;
    }
    let mut out = Vec::with_capacity(now.len());
    for (old, now) in old.iter().zip(now) {
        if old.file != now.file || old.path != now.path || old.items.len() != now.items.len() {
            return None;
        }
        if old.text == now.text {
            out.push(vec![ItemChange::Same; now.items.len()]);
            continue;
        }
        let mut changes = Vec::with_capacity(now.items.len());
        for (a, b) in old.items.iter().zip(&now.items) {
            let change = if old.text.get(a.start..a.end) == now.text.get(b.start..b.end) {
                if a.start == b.start && a.line == b.line {
                    ItemChange::Same
                } else {
                    ItemChange::Moved {
                        offset: b.start as i64 - a.start as i64,
                        lines: b.line as i64 - a.line as i64,
                    }
                }
            } else {
                let (Some(ab), Some(bb)) = (a.body, b.body) else {
                    return None;
                };
                if old.text.get(a.start..ab)? != now.text.get(b.start..bb)? {
                    return None;
                }
                ItemChange::Body
            };
            changes.push(change);
        }
        out.push(changes);
    }
    Some(out)
}

/// What a check records of one plain function's body (the first round of body checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyMark {
    pub func: FuncId,
    pub module: usize,
    pub item: usize,
    /// Its check created nothing but the built-ins it declared, reported nothing, and its
    /// body holds no closure or task (`session.rs`'s rule).
    pub clean: bool,
    /// How many functions the program had when its check started and when it ended: a clean
    /// check's are the built-ins it declared on first use.
    pub functions: (usize, usize),
}

/// What a check of a program free of diagnostics records for a later check to compare with:
/// its files' items and its plain functions' bodies, in check order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRecord {
    pub files: Vec<FileRecord>,
    pub bodies: Vec<BodyMark>,
}

impl CheckRecord {
    /// The functions of this check whose item is the same text as in the check `old`
    /// recorded (at the same place or moved, as the change says), and whose bodies both checks
    /// found clean: their typed IR is the same in both up to the ids of what they name and the
    /// positions of their code (names and types resolve to the same declarations, and a clean
    /// body creates nothing whose id or name could differ). `None` if the rule does not hold:
    /// something beyond plain bodies changed (items other than those may move), or a changed
    /// body's check is not clean.
    pub fn unchanged_since(&self, old: &CheckRecord) -> Option<Vec<(BodyMark, ItemChange)>> {
        let changes = item_changes(&old.files, &self.files)?;
        let change = |b: &BodyMark| changes[b.module][b.item];
        // A changed or moved body whose check made something (an instance, a closure) or
        // reported anything is beyond what the rule vouches for.
        let is_body = |c: ItemChange| c == ItemChange::Body;
        let bodies = changes.iter().flatten().filter(|&&c| is_body(c)).count();
        let marked = self.bodies.iter().filter(|b| is_body(change(b))).count();
        let unclean = self
            .bodies
            .iter()
            .any(|b| change(b) != ItemChange::Same && !b.clean);
        if unclean || marked != bodies {
            return None;
        }
        let old_clean: std::collections::BTreeSet<(usize, usize)> = old
            .bodies
            .iter()
            .filter(|b| b.clean)
            .map(|b| (b.module, b.item))
            .collect();
        Some(
            self.bodies
                .iter()
                .filter(|b| b.clean && change(b) != ItemChange::Body)
                .filter(|b| old_clean.contains(&(b.module, b.item)))
                .map(|b| (*b, change(b)))
                .collect(),
        )
    }
}

/// Checks `modules` as [`super::check`] does, and records the check for a later one to
/// compare with (when it found no diagnostic at all, as reuse requires).
pub fn check_recorded(
    modules: &[LoadedModule],
    sources: &SourceMap,
) -> (
    Option<Program>,
    Vec<crate::diagnostics::Diagnostic>,
    Option<CheckRecord>,
) {
    let mut checker = Checker::default();
    checker.collect(modules);
    let bodies = super::session::first_round(&mut checker, modules);
    let (program, diags) = checker.finish(modules);
    let record = (diags.is_empty() && program.is_some()).then(|| CheckRecord {
        files: records(modules, sources),
        bodies: bodies.iter().map(|b| b.mark).collect(),
    });
    (program, diags, record)
}
