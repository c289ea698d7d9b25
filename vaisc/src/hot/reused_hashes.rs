//! The code hashes of a `--patch-only` build that reuses a host's: the parts the hashes take
//! from each function's own code ([`FunctionParts`]), which the host's check record keeps
//! (`check_record.rs`), and the hashes made from those of the functions whose code is the
//! host's and fresh parts for the others. The code hashes over the whole call graph are then
//! made exactly as [`super::code_hashes`] makes them.

use super::hashes::{hash_parts, transitive, CodeHashes, HashCache};
use crate::source::SourceMap;
use crate::tir::{FuncId, Program};

/// What the code hashes take from one function's own code: its own hash, that hash with the
/// layouts it uses, and the functions it calls short of a table slot, by name. A hot host
/// keeps these for `--patch-only` (`hot::HostCheck`), which takes them instead of hashing a
/// function whose code is the host's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionParts {
    pub own: u64,
    pub with_layouts: u64,
    pub callees: Vec<String>,
    /// Its code embeds the line of some of its code (`file:line` in a message), so the parts
    /// do not hold once it moves to other lines.
    pub lines: bool,
}

impl HashCache {
    /// Function `f`'s parts, if the cache holds them for `program` (after [`code_hashes`]
    /// or [`code_hashes_cached`] of it).
    pub fn parts(&self, program: &Program, f: FuncId) -> Option<FunctionParts> {
        let edges = self.edges.get(f)?;
        let lines = *self.lines.get(f)?;
        Some(FunctionParts {
            own: self.own[f],
            with_layouts: self.with_layouts[f],
            callees: edges
                .iter()
                .map(|&g| program.functions[g].name.clone())
                .collect(),
            lines,
        })
    }
}

/// [`code_hashes`], taking the parts of the functions `known` names from it instead of
/// hashing their code again (they are the same code as when the parts were made). `None` if
/// a callee of a known function is not one defined function of `program` by that name short
/// of a table slot, or a known function is named twice: its parts cannot be this program's.
pub fn code_hashes_reusing(
    program: &Program,
    sources: &SourceMap,
    slotted: &[bool],
    known: &[(FuncId, &FunctionParts)],
) -> Option<CodeHashes> {
    let n = program.functions.len();
    let mut by_name: std::collections::HashMap<&str, Option<FuncId>> =
        std::collections::HashMap::with_capacity(n);
    for (f, def) in program.functions.iter().enumerate() {
        by_name
            .entry(def.name.as_str())
            .and_modify(|e| *e = None)
            .or_insert(Some(f));
    }
    let mut cache = HashCache {
        key: None,
        signatures: vec![None; n],
        own: vec![0; n],
        with_layouts: vec![0; n],
        edges: vec![Vec::new(); n],
        lines: vec![false; n],
    };
    let mut is_known = vec![false; n];
    for &(f, parts) in known {
        if std::mem::replace(&mut is_known[f], true) {
            return None;
        }
        let mut edges = Vec::with_capacity(parts.callees.len());
        for name in &parts.callees {
            let g = (*by_name.get(name.as_str())?)?;
            if !program.functions[g].is_defined() || slotted[g] {
                return None;
            }
            edges.push(g);
        }
        edges.sort_unstable();
        cache.own[f] = parts.own;
        cache.with_layouts[f] = parts.with_layouts;
        cache.edges[f] = edges;
        cache.lines[f] = parts.lines;
    }
    // A body taken from the host has no code here to hash: its parts must be known.
    if (0..n).any(|f| !is_known[f] && program.functions[f].host_body.is_some()) {
        return None;
    }
    let changed = (0..n).filter(|&f| !is_known[f]).collect();
    hash_parts(program, sources, slotted, &mut cache, changed);
    Some(CodeHashes {
        own: cache.own,
        code: transitive(program, &cache.with_layouts, &cache.edges),
    })
}
