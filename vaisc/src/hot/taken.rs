//! Which function bodies a `--patch-only` build takes from its host's check instead of checking
//! them again, and the check that takes them (`typeck::check_taking_host_bodies`, which says
//! why that is sound). A body is taken only if its code cannot be in the patch: the patch
//! carries the functions hot code reaches whose code hash differs from the host's (or that
//! the host does not export), and a function's code hash covers what it calls short of a
//! table slot. So no function that may call a changed body, through the host's call edges,
//! is taken. A patch plan that would still carry a taken body (a changed body now reaches a
//! function the host does not export, or a method or instance in between calls a changed
//! body) is not built from this check: the caller checks the program in full
//! ([`needs_host_bodies`]).

use super::{parts_hold, HostCheck};
use crate::resolve::LoadedModule;
use crate::source::SourceMap;
use crate::tir::{HostBody, Program};
use crate::typeck::{check_taking_host_bodies, CheckRecord, ItemChange};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Checks `modules` for a patch of the host whose check `host` is, taking what bodies it can
/// from it: the program (each taken function with its `host_body`) and its check record.
/// `None` if that check cannot be made (see `typeck::check_taking_host_bodies`).
pub fn check_taking(
    modules: &[LoadedModule],
    sources: &SourceMap,
    host: &HostCheck,
) -> Option<(Program, CheckRecord)> {
    let declared: Vec<Vec<String>> = host.bodies.iter().map(|b| b.made.clone()).collect();
    let mut moves = Vec::new();
    let taken = check_taking_host_bodies(modules, sources, &host.record, &declared, |changes| {
        moves = host
            .record
            .bodies
            .iter()
            .map(|b| changes[b.module][b.item])
            .collect();
        may_take(host, &moves)
    })?;
    let mut program = taken.program;
    let by_func: HashMap<usize, usize> = host
        .record
        .bodies
        .iter()
        .enumerate()
        .map(|(k, b)| (b.func, k))
        .collect();
    for f in taken.taken {
        let k = *by_func.get(&f)?;
        let mut body = host.bodies.get(k)?.body.clone()?;
        if let ItemChange::Moved { offset, .. } = moves[k] {
            shift(&mut body, offset)?;
        }
        program.functions[f].host_body = Some(Box::new(body));
    }
    Some((program, taken.record))
}

/// Moves the positions of a body taken from the host by `offset` bytes, as its item moved.
fn shift(body: &mut HostBody, offset: i64) -> Option<()> {
    for l in &mut body.locals {
        l.span = l.span.moved(offset)?;
    }
    for s in &mut body.main_uses {
        *s = s.moved(offset)?;
    }
    Some(())
}

/// The function bodies a check that takes bodies from the host need not even parse: those
/// [`may_take`] allows by the changes the files' texts show against the host's (their common
/// start and end), per file, where they now are (`lexer::lex_skipping`). It is a prediction,
/// made before the new items' places are known: the check then applies the rule to the items
/// it parsed, and a body it must check but finds unparsed makes it give way to a full one.
pub struct BodySkips {
    /// Per file path: the text the prediction is for, and the bodies' ranges in it.
    files: HashMap<PathBuf, (String, Vec<(usize, usize)>)>,
}

impl BodySkips {
    /// Predicts the bodies to pass over, reading the host's files again where they are on
    /// disk (a file not found there, such as the standard library's, is taken as unchanged
    /// and is not passed over).
    pub fn predict(host: &HostCheck) -> BodySkips {
        let texts: Vec<Option<String>> = host
            .record
            .files
            .iter()
            .map(|f| std::fs::read_to_string(&f.path).ok())
            .collect();
        let per_file: Vec<Vec<ItemChange>> = host
            .record
            .files
            .iter()
            .zip(&texts)
            .map(|(f, now)| predicted_changes(f, now.as_deref()))
            .collect();
        let changes: Vec<ItemChange> = host
            .record
            .bodies
            .iter()
            .map(|b| per_file[b.module][b.item])
            .collect();
        let allowed = may_take(host, &changes);
        let mut ranges: Vec<Vec<(usize, usize)>> = vec![Vec::new(); host.record.files.len()];
        for (k, b) in host.record.bodies.iter().enumerate() {
            let file = &host.record.files[b.module];
            let item = &file.items[b.item];
            let offset = match changes[k] {
                ItemChange::Same => 0,
                ItemChange::Moved { offset, .. } => offset,
                ItemChange::Body => continue,
            };
            let Some(start) = item.body else { continue };
            let text = file.text.get(start..item.end).unwrap_or_default();
            // A body that names a formatting built-in makes the loader add `std/fmt`: the
            // lexer must see it.
            let plain = text.starts_with('{')
                && text.ends_with('}')
                && !text.contains("print")
                && !text.contains("format");
            if allowed[k] && b.clean && host.bodies[k].name != "main" && plain {
                let lo = start as i64 + offset;
                let hi = item.end as i64 + offset;
                if let (Ok(lo), Ok(hi)) = (usize::try_from(lo), usize::try_from(hi)) {
                    ranges[b.module].push((lo, hi));
                }
            }
        }
        let files = host
            .record
            .files
            .iter()
            .zip(texts)
            .zip(ranges)
            .filter_map(|((f, text), mut r)| {
                r.sort_unstable();
                Some((f.path.clone(), (text?, r)))
            })
            .collect();
        BodySkips { files }
    }

    /// The bodies to pass over in the file `path` whose text is `text`: none unless it is the
    /// text the prediction read.
    pub fn for_file(&self, path: &Path, text: &str) -> Vec<(usize, usize)> {
        match self.files.get(path) {
            Some((predicted, ranges)) if predicted == text => ranges.clone(),
            _ => Vec::new(),
        }
    }
}

/// How each item of the host's file `host` changed in `now` (its text now), as far as the
/// texts' common start and end tell: an item inside the common start is the same, one inside
/// the common end moved by the difference in length, and one in between is taken to have a
/// changed body. Without the text now, every item is taken as the same.
fn predicted_changes(host: &crate::typeck::FileRecord, now: Option<&str>) -> Vec<ItemChange> {
    let same = vec![ItemChange::Same; host.items.len()];
    let Some(now) = now else {
        return same;
    };
    let (old, new) = (host.text.as_bytes(), now.as_bytes());
    if old == new {
        return same;
    }
    let (prefix, suffix) = crate::source::common_ends(old, new);
    let lines = |t: &[u8]| t.iter().filter(|&&c| c == b'\n').count() as i64;
    let moved = ItemChange::Moved {
        offset: new.len() as i64 - old.len() as i64,
        lines: lines(&new[prefix..new.len() - suffix]) - lines(&old[prefix..old.len() - suffix]),
    };
    host.items
        .iter()
        .map(|item| {
            if item.end <= prefix {
                ItemChange::Same
            } else if item.start >= old.len() - suffix {
                moved
            } else {
                ItemChange::Body
            }
        })
        .collect()
}

/// Per body of the host's record: whether it may be taken, given how each body's item
/// changed (`changes`, in the record's order). Not a body that changed, or moved to other
/// lines when that changes its code hash or the lines its refusals of layout changes name
/// (the host's record holds them as text), nor any body that calls such a one through the
/// host's edges (its callees by name, short of a table slot).
fn may_take(host: &HostCheck, changes: &[ItemChange]) -> Vec<bool> {
    let n = host.bodies.len();
    let mut index: HashMap<&str, Option<usize>> = HashMap::with_capacity(n);
    for (k, b) in host.bodies.iter().enumerate() {
        index
            .entry(b.name.as_str())
            .and_modify(|e| *e = None)
            .or_insert(Some(k));
    }
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, b) in host.bodies.iter().enumerate() {
        for c in &b.parts.callees {
            if let Some(Some(g)) = index.get(c.as_str()) {
                callers[*g].push(k);
            }
        }
    }
    let new_code = |k: usize| match changes[k] {
        ItemChange::Same => false,
        ItemChange::Body => true,
        ItemChange::Moved { .. } => !parts_hold(&host.bodies[k].parts, changes[k]),
    };
    let mut calls_changed = vec![false; n];
    let mut queue: Vec<usize> = (0..n).filter(|&k| new_code(k)).collect();
    while let Some(k) = queue.pop() {
        if !std::mem::replace(&mut calls_changed[k], true) {
            queue.extend(&callers[k]);
        }
    }
    (0..n)
        .map(|k| {
            let lines_kept = match changes[k] {
                ItemChange::Moved { lines, .. } if lines != 0 => host.bodies[k]
                    .body
                    .as_ref()
                    .is_some_and(|b| b.refusals.is_empty()),
                _ => true,
            };
            !calls_changed[k] && lines_kept
        })
        .collect()
}

/// Whether the patch `bodies` (per function, whether it carries its body) would carry a body
/// the check took from the host, or the hashes could not be made without one: the patch is
/// then to be built from a full check.
pub fn needs_host_bodies(program: &Program, bodies: &[bool]) -> bool {
    program
        .functions
        .iter()
        .zip(bodies)
        .any(|(f, &carried)| carried && f.host_body.is_some())
}

/// Whether `program` holds bodies taken from the host (its code hashes then come from the
/// host's record or not at all).
pub fn has_host_bodies(program: &Program) -> bool {
    program.functions.iter().any(|f| f.host_body.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::typeck::{FileRecord, ItemRecord};

    /// A file of three one-line items, `a`, `b` and `c`, as the host's record keeps it.
    fn host() -> FileRecord {
        let text = "F a() -> i64 { 1 }\nF b() -> i64 { 2 }\nF c() -> i64 { 3 }\n";
        let items = (0..3)
            .map(|i| ItemRecord {
                start: i * 19,
                line: i,
                end: i * 19 + 18,
                body: Some(i * 19 + 13),
            })
            .collect();
        FileRecord {
            file: FileId(0),
            path: PathBuf::from("game.vais"),
            text: text.to_string(),
            items,
        }
    }

    #[test]
    fn the_texts_common_start_and_end_tell_which_items_changed() {
        let host = host();
        let predicted = |now: &str| predicted_changes(&host, Some(now));
        use ItemChange::{Body, Moved, Same};
        assert_eq!(predicted(&host.text), [Same, Same, Same]);
        // `b`'s body grows by a line: `c` moves down by it.
        let longer = host.text.replace("{ 2 }", "{\n    20\n}");
        let moved = Moved {
            offset: longer.len() as i64 - host.text.len() as i64,
            lines: 2,
        };
        assert_eq!(predicted(&longer), [Same, Body, moved]);
        // The same width: nothing moves.
        let same_width = host.text.replace("{ 1 }", "{ 7 }");
        let unmoved = Moved {
            offset: 0,
            lines: 0,
        };
        assert_eq!(predicted(&same_width), [Body, unmoved, unmoved]);
        // No text to compare with: taken as unchanged.
        assert_eq!(predicted_changes(&host, None), [Same, Same, Same]);
    }
}
