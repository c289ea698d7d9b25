//! Moving a checked program's typed IR with its text (`vaisc watch`, through `session.rs`):
//! when an edit before an item moves the item's unchanged text, every span inside it moves by
//! as many bytes, in whatever part of the program holds it (the item's own function, struct,
//! enum or global, and the methods, closures, instances and built-ins its check made).
//!
//! Why this gives what a fresh check gives: the typed IR depends on where code is only
//! through its spans (lines too are read from spans, by code generation and the hashes), a
//! span lies inside the text of the item whose code made it, and an unchanged item's text,
//! with unchanged declarations around it, checks to the same IR but for where it is. The
//! checker's own tables of where declarations are stay as they were: only diagnostics read
//! them, and a re-check that reports anything gives way to a fresh check (`session.rs`).

use super::records::{FileRecord, ItemChange};
use crate::source::{FileId, Span};
use crate::tir::{FuncId, Program};
use std::collections::BTreeMap;

/// Where an edit moved the text of items: per file, the old ranges of moved items and how
/// far each moved, in order.
pub(super) struct Moves {
    files: BTreeMap<FileId, Vec<(u32, u32, i64)>>,
}

impl Moves {
    /// The moves `changes` found between the old records `old` (by file, by item) and now.
    pub(super) fn of(old: &[FileRecord], changes: &[Vec<ItemChange>]) -> Moves {
        let mut files = BTreeMap::new();
        for (record, items) in old.iter().zip(changes) {
            let ranges: Vec<(u32, u32, i64)> = record
                .items
                .iter()
                .zip(items)
                .filter_map(|(item, change)| match change {
                    // Item offsets come from spans, which are `u32`.
                    ItemChange::Moved { offset, .. } => {
                        Some((item.start as u32, item.end as u32, *offset))
                    }
                    ItemChange::Same | ItemChange::Body => None,
                })
                .collect();
            if !ranges.is_empty() {
                files.insert(record.file, ranges);
            }
        }
        Moves { files }
    }

    /// Moves every span of `program` that lies in a moved item; the functions any of whose
    /// spans moved, in order.
    pub(super) fn apply(&self, program: &mut Program) -> Vec<FuncId> {
        if self.files.is_empty() {
            return Vec::new();
        }
        let mut near = Near::default();
        for s in &mut program.structs {
            self.span(&mut s.span, &mut near);
        }
        for e in &mut program.enums {
            self.span(&mut e.span, &mut near);
        }
        for g in &mut program.globals {
            self.span(&mut g.span, &mut near);
        }
        let mut moved = Vec::new();
        for (id, def) in program.functions.iter_mut().enumerate() {
            let mut any = self.span(&mut def.span, &mut near);
            if let Some(body) = &mut def.body {
                for l in &mut body.locals {
                    any |= self.span(&mut l.span, &mut near);
                }
                crate::hot::visit_mut(&mut body.body, &mut |e| {
                    any |= self.span(&mut e.span, &mut near);
                });
            }
            if any {
                moved.push(id);
            }
        }
        moved
    }

    /// Moves `s` if it lies in a moved item; whether it did. `near` is the stretch of text
    /// the last span was in, which most spans share with the one before them.
    fn span(&self, s: &mut Span, near: &mut Near) -> bool {
        if near.file != Some(s.file) || s.lo < near.start || s.lo >= near.end {
            *near = self.stretch(s.file, s.lo);
        }
        // An item may move to other lines without moving in bytes: it counts as moved, for
        // what reads its lines.
        let Some(offset) = near.offset else {
            return false;
        };
        // A moved span lies inside the new text, whose offsets fit a span's `u32`.
        *s = s.moved(offset).unwrap_or(*s);
        true
    }

    /// The stretch of file `file` around offset `lo` that moved as one: a moved item's text,
    /// or the text between two of them.
    fn stretch(&self, file: FileId, lo: u32) -> Near {
        let whole = Near {
            file: Some(file),
            start: 0,
            end: u32::MAX,
            offset: None,
        };
        let Some(ranges) = self.files.get(&file) else {
            return whole;
        };
        let at = ranges.partition_point(|&(_, end, _)| end <= lo);
        let start = at.checked_sub(1).map_or(0, |k| ranges[k].1);
        match ranges.get(at) {
            Some(&(s, end, offset)) if s <= lo => Near {
                start: s,
                end,
                offset: Some(offset),
                ..whole
            },
            Some(&(s, ..)) => Near {
                start,
                end: s,
                ..whole
            },
            None => Near { start, ..whole },
        }
    }
}

/// A stretch of one file's old text whose spans all move by `offset` (`None`: they stay).
#[derive(Default)]
struct Near {
    file: Option<FileId>,
    start: u32,
    end: u32,
    offset: Option<i64>,
}
