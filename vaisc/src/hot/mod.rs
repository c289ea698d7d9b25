//! What a hot build needs to know about the program, worked out from the typed IR: which
//! functions are hot and their signatures, the layouts of structs, enums and globals, what
//! the hot code reaches, and whether the program uses safe points. It turns these into the
//! `codegen_hot::Plan` for the host or the patch, and checks a patch against the host it is for
//! (`host_info.rs` keeps the host's side in a file beside the executable).

mod body_record;
mod check_record;
mod facts;
mod hashes;
mod host_info;
mod layout;
mod new_globals;
mod reused_hashes;
mod taken;

pub use check_record::{check_path_for, HostBodyRecord, HostCheck};
pub use facts::FactsCache;
pub use hashes::{code_hashes, code_hashes_cached, CodeHashes, HashCache};
pub use host_info::{path_for, HostCode, HostFunction, HostInfo};
pub use new_globals::runtime_globals;
pub use reused_hashes::{code_hashes_reusing, FunctionParts};
pub use taken::{check_taking, has_host_bodies, needs_host_bodies, BodySkips};

use crate::codegen::CodegenError;
use crate::diagnostics::{self as diag, Diagnostic};
use crate::source::SourceMap;
use crate::tir::{Arm, Callee, Const, Expr, ExprKind, FuncId, GlobalId, LoopKind, Program, Stmt};
use crate::typeck::Revision;
use codegen_hot::{HotFunction, Layout, Mode, Plan};
use std::collections::BTreeSet;
use std::path::Path;

/// The id a host and its patches share: a hash of the entry file's canonical path.
pub fn program_id(entry: &Path) -> u64 {
    let canonical = entry.canonicalize().unwrap_or_else(|_| entry.to_path_buf());
    vais_hot_abi::hash(canonical.to_string_lossy().as_bytes())
}

/// The program's `#[hot]` functions, in declaration order.
pub fn hot_functions(program: &Program) -> Vec<FuncId> {
    (0..program.functions.len())
        .filter(|&f| program.functions[f].attrs.hot && program.functions[f].is_defined())
        .collect()
}

/// Every struct, enum and global layout, as the manifest lists them (laid out by codegen).
pub fn layouts(program: &Program, sources: &SourceMap) -> Result<Vec<Layout>, CodegenError> {
    layouts_cached(program, sources, &mut FactsCache::default(), None)
}

pub use layout::layouts_cached;

/// What hot builds keep between `vaisc watch`'s saves, each part brought up to the check it
/// is used for: the code hashes and what the functions' bodies tell of the layouts.
#[derive(Default)]
pub struct BuildCache {
    pub hashes: HashCache,
    pub facts: FactsCache,
}

/// Which functions of `program` are called through a table slot: the `#[hot]` ones the
/// running host has a slot for (`host`; for a host build, all of them).
fn slotted(program: &Program, host: Option<&HostInfo>) -> Vec<bool> {
    let mut out = vec![false; program.functions.len()];
    for f in hot_functions(program) {
        let name = &program.functions[f].name;
        out[f] = host.is_none_or(|h| h.functions.iter().any(|hf| &hf.name == name));
    }
    out
}

/// The plan for a host build: slots in declaration order, and every function hot code
/// reaches exported for patches to call. `layouts` are [`layouts`]. Also returns the code
/// hashes the plan's body hashes come from.
pub fn host_plan(
    program: &Program,
    sources: &SourceMap,
    entry: &Path,
    compiler: &str,
    layouts: Vec<Layout>,
) -> (Plan, CodeHashes) {
    host_plan_cached(
        program,
        sources,
        entry,
        compiler,
        layouts,
        &mut HashCache::default(),
    )
}

/// [`host_plan`], leaving the per-function parts of its code hashes in `cache` (for the
/// record `--patch-only` reuses, [`HostCheck`]).
pub fn host_plan_cached(
    program: &Program,
    sources: &SourceMap,
    entry: &Path,
    compiler: &str,
    layouts: Vec<Layout>,
    cache: &mut HashCache,
) -> (Plan, CodeHashes) {
    let hashes = code_hashes_cached(program, sources, &slotted(program, None), cache, None);
    let hot = hot_functions(program);
    let functions = hot
        .iter()
        .enumerate()
        .map(|(slot, &f)| HotFunction {
            name: program.functions[f].name.clone(),
            signature: program.signature(&program.functions[f].ty),
            slot: slot as u32,
            body_hash: hashes.code[f],
        })
        .collect::<Vec<_>>();
    let exports = reach(program, &hot)
        .functions
        .into_iter()
        .filter(|&f| Some(f) != program.main && program.functions[f].body.is_some())
        .map(|f| program.functions[f].name.clone())
        .collect();
    let plan = Plan {
        program_id: program_id(entry),
        table_len: functions.len(),
        functions,
        layouts,
        globals: program.globals.iter().map(|g| g.name.clone()).collect(),
        exports,
        symbol_prefix: String::new(),
        new_globals: Vec::new(),
        mode: Mode::Host {
            compiler: compiler.to_string(),
            safe_points: uses_safe_points(program),
        },
    };
    (plan, hashes)
}

/// What the host records of every function's code: both hashes, and whether it exports the
/// function for patches to call.
pub fn host_code(program: &Program, hashes: &CodeHashes, plan: &Plan) -> Vec<HostCode> {
    let exported: BTreeSet<&str> = plan.exports.iter().map(String::as_str).collect();
    program
        .functions
        .iter()
        .enumerate()
        .filter(|(_, def)| def.body.is_some())
        .map(|(f, def)| HostCode {
            name: def.name.clone(),
            own: hashes.own[f],
            code: hashes.code[f],
            exported: exported.contains(def.name.as_str()),
        })
        .collect()
}

/// Why a patch cannot be applied to the running host, found at build time.
#[derive(Debug, PartialEq, Eq)]
pub struct Incompatible(pub Vec<String>);

/// A patch that fits the host: its plan, the functions whose bodies it carries, and what it
/// does to the running program's values.
#[derive(Debug)]
pub struct PatchPlan {
    pub plan: Plan,
    /// Per function: whether the patch carries its body. The others are the host's.
    pub bodies: Vec<bool>,
    pub hashes: CodeHashes,
    /// The functions hot code reaches (the ones a patch can carry).
    pub reached: BTreeSet<FuncId>,
    /// The migration of live values, as `vais_hot_abi::migrate` plans it (for the report).
    pub migration: vais_hot_abi::migrate::Plan,
}

/// The plan for a patch of `host`: the host's slots, only for hot functions the host knows
/// (a function made hot after the host was built is called directly within the patch), and the
/// bodies the patch carries: every function hot code reaches whose code hash differs from the
/// host's or that the host does not export (all of them `from_scratch`). The changes no reload
/// can carry are reported instead.
pub fn patch_plan(
    program: &Program,
    sources: &SourceMap,
    entry: &Path,
    host: &HostInfo,
    layouts: Vec<Layout>,
    from_scratch: bool,
) -> Result<PatchPlan, Incompatible> {
    let hashes = patch_hashes(program, sources, host, &mut HashCache::default(), None);
    patch_plan_hashed(program, entry, host, layouts, from_scratch, hashes)
}

/// The code hashes of `program` for a patch of `host` (calls to the host's slots stop there),
/// taking from `cache` what did not change since its check (see [`code_hashes_cached`]).
pub fn patch_hashes(
    program: &Program,
    sources: &SourceMap,
    host: &HostInfo,
    cache: &mut HashCache,
    revision: Option<&Revision>,
) -> CodeHashes {
    code_hashes_cached(
        program,
        sources,
        &slotted(program, Some(host)),
        cache,
        revision,
    )
}

/// [`patch_hashes`] of a program whose check (`record`) differs from the host's check
/// (`host_check`) only inside some plain function bodies: the functions whose code is the
/// host's (`typeck::CheckRecord::unchanged_since`) take their parts from the host's record,
/// and only the others are hashed. `None` when that rule does not hold, or the host's slots
/// are not every hot function of the program (the parts were made with those slots); the
/// caller then hashes everything. Also returns how many functions' parts were taken.
pub fn patch_hashes_reusing(
    program: &Program,
    sources: &SourceMap,
    host: &HostInfo,
    host_check: &HostCheck,
    record: &crate::typeck::CheckRecord,
) -> Option<(CodeHashes, usize)> {
    let slots = slotted(program, Some(host));
    if slots != slotted(program, None) {
        return None;
    }
    let host_parts: std::collections::HashMap<(usize, usize), (&str, &FunctionParts)> = host_check
        .record
        .bodies
        .iter()
        .zip(&host_check.bodies)
        .map(|(b, r)| ((b.module, b.item), (r.name.as_str(), &r.parts)))
        .collect();
    let mut known = Vec::new();
    for (mark, change) in record.unchanged_since(&host_check.record)? {
        let (name, parts) = host_parts.get(&(mark.module, mark.item))?;
        if program.functions[mark.func].name != *name {
            return None;
        }
        if parts_hold(parts, change) {
            known.push((mark.func, *parts));
        }
    }
    let hashes = code_hashes_reusing(program, sources, &slots, &known)?;
    Some((hashes, known.len()))
}

/// Whether the hash parts the host made of a function still hold for its item as it now
/// stands to the host's (`change`, its text unchanged): hashes leave positions out, except
/// the lines a function's code embeds.
pub fn parts_hold(parts: &FunctionParts, change: crate::typeck::ItemChange) -> bool {
    !matches!(change, crate::typeck::ItemChange::Moved { lines, .. } if lines != 0 && parts.lines)
}

/// [`patch_plan`] with the program's [`patch_hashes`] already made.
pub fn patch_plan_hashed(
    program: &Program,
    entry: &Path,
    host: &HostInfo,
    layouts: Vec<Layout>,
    from_scratch: bool,
    hashes: CodeHashes,
) -> Result<PatchPlan, Incompatible> {
    let mut problems = Vec::new();
    let mut functions = Vec::new();
    let hot = hot_functions(program);
    for &f in &hot {
        let def = &program.functions[f];
        let signature = program.signature(&def.ty);
        match host.functions.iter().find(|h| h.name == def.name) {
            Some(h) if h.signature != signature => problems.push(format!(
                "{}: signature changed from {} to {}",
                def.name, h.signature, signature
            )),
            Some(h) => functions.push(HotFunction {
                name: def.name.clone(),
                signature,
                slot: h.slot,
                body_hash: hashes.code[f],
            }),
            None => {}
        }
    }
    let reached = reach(program, &hot);
    // The rules are `vais_hot_abi::migrate`'s, the runtime's own; the host file keeps the
    // host's layouts, which are also what the running program has until a patch migrates.
    let new: Vec<_> = layouts.iter().map(|l| l.layout.clone()).collect();
    let migration = match vais_hot_abi::migrate::plan(&host.layouts, &new, &host.layouts) {
        Ok(m) => m,
        Err(refusal) => {
            problems.push(refusal.to_string());
            vais_hot_abi::migrate::Plan::default()
        }
    };
    let (new_globals, refused) = new_globals::plan(program, host, &reached.globals, &layouts);
    problems.extend(refused);
    if program_id(entry) != host.program_id {
        problems.push("the running program was built from another source file".to_string());
    }
    if !problems.is_empty() {
        return Err(Incompatible(problems));
    }
    let mut bodies = vec![false; program.functions.len()];
    let host_code = host.code_by_name();
    for &f in &reached.functions {
        let def = &program.functions[f];
        if Some(f) == program.main || !def.is_defined() {
            continue;
        }
        let in_host = host_code
            .get(def.name.as_str())
            .is_some_and(|c| c.exported && c.code == hashes.code[f]);
        bodies[f] = from_scratch || !in_host;
    }
    let plan = Plan {
        program_id: host.program_id,
        table_len: host.functions.len(),
        functions,
        layouts,
        globals: program
            .globals
            .iter()
            .map(|g| g.name.clone())
            .filter(|name| !new_globals.iter().any(|ng| ng.name == *name))
            .collect(),
        exports: Vec::new(),
        symbol_prefix: String::new(),
        new_globals,
        mode: Mode::Patch,
    };
    Ok(PatchPlan {
        plan,
        bodies,
        hashes,
        reached: reached.functions,
        migration,
    })
}

/// Each global's initial value, by name, in a canonical text form for comparing a program
/// with its host: numbers, `true`/`false`, string literals quoted and escaped (so the text
/// holds no tab or newline), function values by name, `{..}` for structs and `[..]` for
/// arrays.
pub fn initial_values(program: &Program) -> Vec<(String, String)> {
    program
        .globals
        .iter()
        .map(|g| (g.name.clone(), const_text(program, &g.init)))
        .collect()
}

fn const_text(program: &Program, c: &Const) -> String {
    let list = |items: &[Const]| {
        items
            .iter()
            .map(|c| const_text(program, c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match c {
        Const::Int(v) => v.to_string(),
        Const::Float(v) => format!("{v:?}"),
        Const::Bool(b) => b.to_string(),
        Const::Str(s) => format!("{s:?}"),
        Const::Zero => "0".to_string(),
        Const::Struct(fields) => format!("{{{}}}", list(fields)),
        Const::Array(elems) => format!("[{}]", list(elems)),
        Const::Func(f) => program.functions[*f].name.clone(),
    }
}

/// The globals whose initial value differs from the host's. A reload keeps the running
/// program's values, so such an edit takes effect only when the program restarts. Globals the
/// migration moves (`migrated`) are left out: their type changed, so the text of their initial
/// value does too; the migration says what their new fields hold.
pub fn changed_initial_values(
    program: &Program,
    host: &HostInfo,
    migrated: &[&str],
) -> Vec<String> {
    initial_values(program)
        .into_iter()
        .filter(|(name, _)| !migrated.contains(&name.as_str()))
        .filter(|(name, value)| {
            host.initial_values
                .iter()
                .any(|(n, old)| n == name && old != value)
        })
        .map(|(name, _)| name)
        .collect()
}

/// Functions whose code changed since the host was built but which no hot code reaches, so
/// no patch can carry the change (code only `main` runs), in declaration order. `patch` is
/// the program's patch plan: its own code hashes and what hot code reaches.
pub fn unreloadable_changes(program: &Program, host: &HostInfo, patch: &PatchPlan) -> Vec<String> {
    let own = &patch.hashes.own;
    let host_code = host.code_by_name();
    program
        .functions
        .iter()
        .enumerate()
        .filter(|(f, def)| def.is_defined() && !patch.reached.contains(f))
        .filter(|(f, def)| {
            host_code
                .get(def.name.as_str())
                .is_some_and(|c| c.own != own[*f])
        })
        .map(|(_, def)| def.name.clone())
        .collect()
}

/// What no hot build can carry, as diagnostics: definitions under reserved names, and uses of
/// `main` (calls or its address) in code a patch carries, that is hot functions and everything
/// they reach. Patches never contain `main` (the running program's `main` is the one that
/// runs), so such code cannot be built.
pub fn refusals(program: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // What the program defines under a name of the generated code or the runtime would be
    // renamed by LLVM or clash at link time; declarations (`X F vais_hot_check`) are how
    // `std/hot` reaches the runtime, and are fine.
    let defined = program
        .functions
        .iter()
        .filter(|f| f.is_defined())
        .map(|f| (f.name.as_str(), f.span))
        .chain(program.globals.iter().map(|g| (g.name.as_str(), g.span)));
    for (name, span) in defined {
        if is_reserved(name) {
            out.push(diag::reserved_for_hot_builds(span, name));
        }
    }
    let Some(main) = program.main else {
        return out;
    };
    let carried = reach_short_of(program, &hot_functions(program), Some(main));
    for &f in carried.functions.iter().filter(|&&f| f != main) {
        let def = &program.functions[f];
        if let Some(host) = &def.host_body {
            for &span in &host.main_uses {
                out.push(diag::hot_code_uses_main(span, &def.name));
            }
        }
        let Some(body) = &def.body else {
            continue;
        };
        visit(&body.body, &mut |e| match &e.kind {
            ExprKind::FuncRef(g)
            | ExprKind::Call {
                callee: Callee::Direct(g),
                ..
            } if *g == main => out.push(diag::hot_code_uses_main(e.span, &def.name)),
            _ => {}
        });
    }
    out.sort_by_key(|d| (d.span.file, d.span.lo));
    out
}

/// Whether a definition named `name` would clash with a symbol of the generated code (the
/// C `main` wrapper's `vais_main`, `vais_argc` and `vais_argv`, the table, manifest, entries and
/// bodies of `vais_hot_abi`) or of the runtime (`vais_hot_*`).
fn is_reserved(name: &str) -> bool {
    matches!(name, "vais_main" | "vais_argc" | "vais_argv")
        || name.starts_with("__vais_hot")
        || name.starts_with("vais_hot_")
}

/// Whether any function calls `main` or takes its address.
pub fn calls_main(program: &Program) -> bool {
    let Some(main) = program.main else {
        return false;
    };
    program.functions.iter().any(|f| {
        let mut found = f
            .host_body
            .as_ref()
            .is_some_and(|h| !h.main_uses.is_empty());
        if let Some(body) = &f.body {
            visit(&body.body, &mut |e| found |= uses_function(e, main));
        }
        found
    })
}

/// Whether expression `e` calls function `f` directly or takes its address.
fn uses_function(e: &Expr, f: FuncId) -> bool {
    matches!(&e.kind,
        ExprKind::FuncRef(g) | ExprKind::Call { callee: Callee::Direct(g), .. } if *g == f)
}

/// Whether code reachable from `main` calls `hot_check` (directly or through `hot_loop`).
pub fn uses_safe_points(program: &Program) -> bool {
    let Some(main) = program.main else {
        return false;
    };
    reach(program, &[main])
        .functions
        .iter()
        .any(|&f| program.functions[f].name == "vais_hot_check")
}

/// Functions and globals reachable from some roots through calls and references.
#[derive(Default)]
struct Reached {
    functions: BTreeSet<FuncId>,
    globals: BTreeSet<GlobalId>,
}

fn reach(program: &Program, roots: &[FuncId]) -> Reached {
    reach_short_of(program, roots, None)
}

/// Like [`reach`], but does not go on through `stop` (which is still listed if reached).
fn reach_short_of(program: &Program, roots: &[FuncId], stop: Option<FuncId>) -> Reached {
    let mut r = Reached::default();
    let mut queue: Vec<FuncId> = roots.to_vec();
    while let Some(f) = queue.pop() {
        if !r.functions.insert(f) || Some(f) == stop {
            continue;
        }
        let def = &program.functions[f];
        if let Some(host) = &def.host_body {
            queue.extend(&host.calls);
            r.globals.extend(&host.globals);
        }
        if let Some(body) = &def.body {
            let mut found = Vec::new();
            visit(&body.body, &mut |e| {
                if let Some(g) = named_function(e) {
                    found.push(g);
                } else if let ExprKind::Global(g) = &e.kind {
                    r.globals.insert(*g);
                }
            });
            queue.extend(found);
        }
    }
    r
}

/// The function expression `e` reaches by itself (calls directly, takes the address of, or
/// makes a closure or a task of), if any: the edges of [`reach`].
fn named_function(e: &Expr) -> Option<FuncId> {
    match &e.kind {
        ExprKind::FuncRef(g)
        | ExprKind::Closure { func: g, .. }
        | ExprKind::TaskNew { func: g, .. }
        | ExprKind::Call {
            callee: Callee::Direct(g),
            ..
        } => Some(*g),
        _ => None,
    }
}

/// The children of an expression (`$kind` is `&e.kind` or `&mut e.kind`), each passed to
/// `$go`: the one list of them that [`visit`] and [`visit_mut`] share. The match names every
/// variant, so a new one with children cannot be passed over.
macro_rules! each_child {
    ($kind:expr, $go:ident) => {
        match $kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Unit
            | ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::FuncRef(_)
            | ExprKind::Break
            | ExprKind::Continue
            | ExprKind::Return(None)
            | ExprKind::Closure { env: None, .. }
            | ExprKind::SizeOf(_)
            | ExprKind::SourceLocation
            | ExprKind::Unreachable => {}
            ExprKind::Deref(a)
            | ExprKind::Field(a, _)
            | ExprKind::AddrOf(a)
            | ExprKind::Unary(_, a)
            | ExprKind::Cast(a)
            | ExprKind::FnToClosure(a, _)
            | ExprKind::Spawn(a)
            | ExprKind::Await(a)
            | ExprKind::ArrayRepeat(a, _)
            | ExprKind::Return(Some(a))
            | ExprKind::Closure { env: Some(a), .. } => $go(a),
            ExprKind::Index(a, b)
            | ExprKind::PtrIndex(a, b)
            | ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Assign(a, b)
            | ExprKind::CompoundAssign(_, a, b) => {
                $go(a);
                $go(b);
            }
            ExprKind::Call { callee, args } => {
                if let Callee::Indirect(c) | Callee::Closure(c) = callee {
                    $go(c);
                }
                for a in args {
                    $go(a);
                }
            }
            ExprKind::StructLit(_, xs)
            | ExprKind::ArrayLit(xs)
            | ExprKind::EnumLit(_, _, xs)
            | ExprKind::TaskNew { args: xs, .. } => {
                for x in xs {
                    $go(x);
                }
            }
            ExprKind::Block(stmts, tail) => {
                for s in stmts {
                    match s {
                        Stmt::Let(_, Some(x)) | Stmt::Expr(x) => $go(x),
                        Stmt::Let(_, None) => {}
                    }
                }
                if let Some(t) = tail {
                    $go(t);
                }
            }
            ExprKind::If(c, a, b) => {
                $go(c);
                $go(a);
                if let Some(b) = b {
                    $go(b);
                }
            }
            ExprKind::Loop(kind, body) => {
                match kind {
                    LoopKind::Forever => {}
                    LoopKind::While(c) => $go(c),
                    LoopKind::Range { start, end, .. } => {
                        $go(start);
                        $go(end);
                    }
                }
                $go(body);
            }
            ExprKind::Match(s, arms) => {
                $go(s);
                for Arm { guard, body, .. } in arms {
                    if let Some(g) = guard {
                        $go(g);
                    }
                    $go(body);
                }
            }
        }
    };
}

/// Calls `f` on every expression of the tree rooted at `e`.
pub(crate) fn visit(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    let mut go = |x: &Expr| visit(x, f);
    each_child!(&e.kind, go);
}

/// Calls `f` on every expression of the tree rooted at `e`, which it may change (but for its
/// children, which it visits next).
pub(crate) fn visit_mut(e: &mut Expr, f: &mut impl FnMut(&mut Expr)) {
    f(e);
    let mut go = |x: &mut Expr| visit_mut(x, f);
    each_child!(&mut e.kind, go);
}

#[cfg(test)]
mod tests;
