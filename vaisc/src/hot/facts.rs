//! What the compiler knows about a host that decides whether its live values may be migrated
//! to a new layout, found in the typed IR when the host is built and recorded per type in the
//! manifest (the runtime re-checks every patch against them):
//! - values that may live in memory the runtime cannot find: the elements of a generic
//!   container that keeps them behind a pointer field (`Vec<T>`'s `data`, `malloc` memory), or
//!   the program converts a pointer to `*T` (memory from `malloc`, or any address made into a
//!   `T`);
//! - a pointer-typed global or local of `main` that may point inside a value whose fields move;
//! - another thread that may run Vais code (the program declares `pthread_create`, or uses
//!   `spawn`);
//! - values held in a task's record (its arguments and result, in `malloc` memory) or copied
//!   into a closure's environment;
//! - structs and enums passed by value to or from any function (hot code's copies have the
//!   patch's sizes, the host's the old ones), and enums whose variants code that keeps
//!   running builds or matches (that code uses constant layouts for them);
//! - which fields code that keeps running uses: such a field may move but not disappear.
//!
//! Each refusal names the source line that causes it.

use super::visit;
use crate::source::{SourceMap, Span};
use crate::tir::{Callee, ExprKind, FuncId, HostBody, Program, Ty};
use crate::typeck::Revision;
use std::collections::BTreeSet;

pub struct Facts {
    /// Per struct: why its values cannot be migrated, if anything stands in the way.
    pub struct_refusals: Vec<Option<String>>,
    pub enum_refusals: Vec<Option<String>>,
    /// `(struct, field)` pairs that code which is not hot reads or writes.
    pub used_fields: BTreeSet<(usize, usize)>,
    /// `(struct, field)` pairs such code writes in struct literals.
    pub built_fields: BTreeSet<(usize, usize)>,
    /// `(enum, variant)` pairs such code builds or matches.
    pub used_variants: BTreeSet<(usize, usize)>,
    /// Whether any function calls `main` or takes its address (`super::calls_main`).
    pub main_called: bool,
}

/// The structs and enums whose layout is part of `ty`'s (itself included).
fn contained(program: &Program, ty: &Ty, out: &mut BTreeSet<(bool, usize)>) {
    match ty {
        Ty::Struct(s) => {
            if !out.insert((true, *s)) {
                return;
            }
            for f in &program.structs[*s].fields {
                contained(program, &f.ty, out);
            }
        }
        Ty::Enum(e) => {
            if !out.insert((false, *e)) {
                return;
            }
            for f in program.enums[*e].variants.iter().flat_map(|v| &v.fields) {
                contained(program, &f.ty, out);
            }
        }
        Ty::Array(elem, _) | Ty::Task(elem) => contained(program, elem, out),
        _ => {}
    }
}

/// Whether a value of type `outer` has a part of type `inner` (or is one).
fn contains(program: &Program, outer: &Ty, inner: &Ty) -> bool {
    outer == inner
        || match outer {
            Ty::Struct(s) => program.structs[*s]
                .fields
                .iter()
                .any(|f| contains(program, &f.ty, inner)),
            Ty::Enum(e) => program.enums[*e]
                .variants
                .iter()
                .flat_map(|v| &v.fields)
                .any(|f| contains(program, &f.ty, inner)),
            Ty::Array(elem, _) => contains(program, elem, inner),
            _ => false,
        }
}

/// The structs and enums that contain a `ty` (itself included): a pointer to a `ty` may point
/// inside any of them.
fn containers(program: &Program, ty: &Ty) -> BTreeSet<(bool, usize)> {
    let structs = (0..program.structs.len()).map(|s| (true, s, Ty::Struct(s)));
    let enums = (0..program.enums.len()).map(|e| (false, e, Ty::Enum(e)));
    structs
        .chain(enums)
        .filter(|(_, _, t)| contains(program, t, ty))
        .map(|(is_struct, id, _)| (is_struct, id))
        .collect()
}

/// Every struct and enum of `program`: what a refusal of all layout changes applies to.
fn everything(program: &Program) -> Keys {
    (0..program.structs.len())
        .map(|s| (true, s))
        .chain((0..program.enums.len()).map(|e| (false, e)))
        .collect()
}

/// What one function's body tells of the program's values (see [`body_facts`]), kept per
/// function between checks: it depends on nothing but that body and the program's types.
#[derive(Clone, Default)]
struct BodyFacts {
    /// The refusals its expressions make, in the order a walk of the body finds them.
    refusals: Vec<(Keys, String)>,
    used_fields: Vec<(usize, usize)>,
    built_fields: Vec<(usize, usize)>,
    used_variants: Vec<(usize, usize)>,
    /// The functions it reaches by itself (the edges of `super::reach`).
    calls: Vec<FuncId>,
    /// Whether it calls through a function value or a closure.
    indirect: bool,
    /// Whether it calls `main` or takes its address.
    uses_main: bool,
}

impl BodyFacts {
    /// What the host's check found in a body taken from it.
    fn of_host(host: &HostBody) -> BodyFacts {
        BodyFacts {
            refusals: host
                .refusals
                .iter()
                .map(|(keys, why)| (keys.iter().copied().collect(), why.clone()))
                .collect(),
            used_fields: host.used_fields.clone(),
            built_fields: host.built_fields.clone(),
            used_variants: host.used_variants.clone(),
            calls: host.calls.clone(),
            indirect: host.indirect,
            uses_main: !host.main_uses.is_empty(),
        }
    }
}

/// What [`Facts::find`] found in each function's body at a check (`typeck::Session`'s
/// revision), for `vaisc watch`: a later check that re-checked only some bodies of that one
/// walks just those again. Every other input of the facts (types, globals, declarations, the
/// lines of the code kept) is then unchanged, and the facts are combined from the kept ones
/// in the same order as from fresh ones, so the first refusal found is the same.
#[derive(Default)]
pub struct FactsCache {
    revision: Option<u64>,
    bodies: Vec<BodyFacts>,
}

impl FactsCache {
    /// Brings the cache up to this check (`revision`): the bodies it re-checked, or all of
    /// them when it is not a re-check of the cache's own.
    fn update(
        &mut self,
        program: &Program,
        at: &dyn Fn(Span) -> String,
        revision: Option<&Revision>,
    ) {
        let everything = everything(program);
        // The same check again (a host build, then its patch) changes nothing.
        let changed = revision
            .zip(self.revision)
            .and_then(|(r, key)| match r.rechecked_since(key) {
                _ if key == r.revision => Some(Vec::new()),
                changed => {
                    // A body that only moved keeps its facts, unless a refusal's text names
                    // where it is.
                    let moved = r.moved_since(key).iter().copied().filter(|&f| {
                        self.bodies
                            .get(f)
                            .is_none_or(|b: &BodyFacts| !b.refusals.is_empty())
                    });
                    changed.map(|c| c.iter().copied().chain(moved).collect::<Vec<_>>())
                }
            })
            .filter(|_| self.bodies.len() == program.functions.len());
        let changed = changed.unwrap_or_else(|| {
            self.bodies = vec![BodyFacts::default(); program.functions.len()];
            (0..program.functions.len()).collect()
        });
        for f in changed {
            self.bodies[f] = body_facts(program, f, at, &everything);
        }
        self.revision = revision.map(|r| r.revision);
    }

    /// What a later `--patch-only` build takes from the host for function `f`'s body
    /// (`super::check_record`): its locals and what this cache found in it, with the globals
    /// it names and its uses of `main`. `None` unless the cache is up to `program` and `f`
    /// has a checked body.
    pub fn host_body(&self, program: &Program, f: FuncId) -> Option<HostBody> {
        let facts = self.bodies.get(f)?;
        let body = program.functions.get(f)?.body.as_ref()?;
        let mut out = HostBody {
            locals: body.locals.clone(),
            calls: facts.calls.clone(),
            indirect: facts.indirect,
            // A refusal of nothing refuses nothing (`Facts::find`), and its text would name a
            // line the body may move away from.
            refusals: facts
                .refusals
                .iter()
                .filter(|(keys, _)| !keys.is_empty())
                .map(|(keys, why)| (keys.iter().copied().collect(), why.clone()))
                .collect(),
            used_fields: facts.used_fields.clone(),
            built_fields: facts.built_fields.clone(),
            used_variants: facts.used_variants.clone(),
            ..HostBody::default()
        };
        visit(&body.body, &mut |e| {
            if let ExprKind::Global(g) = &e.kind {
                out.globals.push(*g);
            }
            if program.main.is_some_and(|m| super::uses_function(e, m)) {
                out.main_uses.push(e.span);
            }
        });
        Some(out)
    }
}

/// What the body of function `f` tells (none for a declaration): the refusals of its casts to
/// pointers, `spawn`s and tasks; if it is not hot, the fields and variants it uses; and the
/// functions it reaches. `everything` is every struct and enum.
fn body_facts(
    program: &Program,
    f: FuncId,
    at: &dyn Fn(Span) -> String,
    everything: &Keys,
) -> BodyFacts {
    let mut out = BodyFacts::default();
    let def = &program.functions[f];
    if let Some(host) = &def.host_body {
        return BodyFacts::of_host(host);
    }
    let Some(body) = &def.body else {
        return out;
    };
    visit(&body.body, &mut |e| {
        if let Some(g) = super::named_function(e) {
            out.calls.push(g);
        }
        out.uses_main |= program.main.is_some_and(|m| super::uses_function(e, m));
        out.indirect |= matches!(
            &e.kind,
            ExprKind::Call {
                callee: Callee::Indirect(_) | Callee::Closure(_),
                ..
            }
        );
        if let (ExprKind::Cast(a), Ty::Ptr(inner)) = (&e.kind, &e.ty) {
            if a.ty != e.ty {
                let mut inner_set = BTreeSet::new();
                contained(program, inner, &mut inner_set);
                let why = format!(
                    "values may live in memory the runtime cannot find (`as {}` at {})",
                    program.ty_name(&e.ty),
                    at(e.span)
                );
                out.refusals.push((inner_set, why));
            }
        }
        match &e.kind {
            // `spawn` starts a thread of its own (the generated code calls `pthread_create`,
            // which the program need not declare).
            ExprKind::Spawn(_) => {
                let why = format!(
                    "another thread may be running Vais code (`spawn` at {})",
                    at(e.span)
                );
                out.refusals.push((everything.clone(), why));
            }
            // A task's record (`malloc` memory) holds its arguments and its result.
            ExprKind::TaskNew { args, .. } => {
                let mut inner = BTreeSet::new();
                contained(program, &e.ty, &mut inner);
                for a in args {
                    contained(program, &a.ty, &mut inner);
                }
                let why = format!(
                    "values may live in the record of a `{}` ({}), which the runtime cannot find",
                    program.ty_name(&e.ty),
                    at(e.span)
                );
                out.refusals.push((inner, why));
            }
            _ => {}
        }
        if def.attrs.hot {
            return;
        }
        match &e.kind {
            ExprKind::Field(base, index) => {
                if let Ty::Struct(s) = base.ty {
                    out.used_fields.push((s, *index as usize));
                }
            }
            ExprKind::StructLit(s, fields) => {
                out.built_fields.extend((0..fields.len()).map(|i| (*s, i)));
            }
            ExprKind::EnumLit(id, variant, _) => {
                out.used_variants.push((*id, *variant as usize));
            }
            ExprKind::Match(scrutinee, _) => {
                // A match tests every variant's tag, through its arms or its default.
                if let Ty::Enum(id) = scrutinee.ty {
                    let count = program.enums[id].variants.len();
                    out.used_variants.extend((0..count).map(|v| (id, v)));
                }
            }
            _ => {}
        }
    });
    out
}

impl Facts {
    /// The facts of `program`, taking what the bodies of the functions this check
    /// (`revision`) did not re-check tell from `cache` ([`FactsCache`]).
    pub fn find(
        program: &Program,
        sources: &SourceMap,
        cache: &mut FactsCache,
        revision: Option<&Revision>,
    ) -> Facts {
        let mut facts = Facts {
            struct_refusals: vec![None; program.structs.len()],
            enum_refusals: vec![None; program.enums.len()],
            used_fields: BTreeSet::new(),
            built_fields: BTreeSet::new(),
            used_variants: BTreeSet::new(),
            main_called: false,
        };
        let at = |span: Span| {
            let file = sources.file(span.file);
            let (line, _) = file.line_col(span.lo);
            let name = file
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{name}:{line}")
        };
        cache.update(program, &at, revision);
        let refuse = |facts: &mut Facts, keys: &Keys, why: &str| {
            for &(is_struct, id) in keys {
                let slot = if is_struct {
                    &mut facts.struct_refusals[id]
                } else {
                    &mut facts.enum_refusals[id]
                };
                slot.get_or_insert_with(|| why.to_string());
            }
        };
        let everything = everything(program);
        for f in &program.functions {
            if !f.is_defined() && matches!(f.name.as_str(), "pthread_create" | "thrd_create") {
                let why = format!(
                    "another thread may be running Vais code (`{}` is declared at {})",
                    f.name,
                    at(f.span)
                );
                refuse(&mut facts, &everything, &why);
            }
        }
        for g in &program.globals {
            if let Ty::Ptr(inner) = &g.ty {
                let why = format!(
                    "global `{}` ({}, {}) may point inside a value whose fields move",
                    g.name,
                    program.ty_name(&g.ty),
                    at(g.span)
                );
                refuse(&mut facts, &containers(program, inner), &why);
            }
        }
        if let Some(body) = program
            .main
            .and_then(|m| program.functions[m].body.as_ref())
        {
            for l in &body.locals {
                if let Ty::Ptr(inner) = &l.ty {
                    let why = format!(
                        "`{}` of `main` ({}, {}) may point inside a value whose fields move",
                        l.name,
                        program.ty_name(&l.ty),
                        at(l.span)
                    );
                    refuse(&mut facts, &containers(program, inner), &why);
                }
            }
        }
        by_value(program, true, &at, &mut |keys, why| {
            refuse(&mut facts, keys, why)
        });
        // Before the casts: a container's own code makes the casts, in the library's lines,
        // while the line to name is the program's that keeps the container.
        for (instance, elem) in pointer_containers(program) {
            let why = format!(
                "values may live in the elements of a `{}` ({}), which the runtime cannot find",
                program.structs[instance].name,
                at(first_use(program, instance))
            );
            let mut inner = BTreeSet::new();
            contained(program, elem, &mut inner);
            refuse(&mut facts, &inner, &why);
        }
        // A closure's environment (on the stack or from `malloc`) holds copies of what it
        // captured, which the runtime cannot find, while the closure's code in the host reads
        // them with the offsets it rewrites.
        for c in &program.closures {
            let Some(env) = c.env else { continue };
            let mut inner = BTreeSet::new();
            for f in &program.structs[env].fields {
                contained(program, &f.ty, &mut inner);
            }
            let why = format!(
                "values may live in the environment of a closure ({}), which the runtime cannot find",
                at(program.functions[c.func].span)
            );
            refuse(&mut facts, &inner, &why);
        }
        for b in &cache.bodies {
            for (keys, why) in &b.refusals {
                refuse(&mut facts, keys, why);
            }
            facts.used_fields.extend(&b.used_fields);
            facts.built_fields.extend(&b.built_fields);
            facts.used_variants.extend(&b.used_variants);
            facts.main_called |= b.uses_main;
        }
        nested_frames(program, &cache.bodies, &at, &mut |keys, why| {
            refuse(&mut facts, keys, why)
        });
        // Last, so that a more precise reason (a task's record) is the one named. Code that
        // keeps running passes and returns values with the LLVM types of the host's
        // layouts: a by-value copy in an ordinary call has the old size, whatever the offset
        // table says after a migration.
        by_value(program, false, &at, &mut |keys, why| {
            refuse(&mut facts, keys, why)
        });
        facts
    }
}

/// The refusals of the structs and enums passed by value to or from the hot functions (`hot`)
/// or the others, in declaration order. The reason is written only for a type it refuses.
fn by_value(
    program: &Program,
    hot: bool,
    at: &dyn Fn(Span) -> String,
    refuse: &mut dyn FnMut(&Keys, &str),
) {
    for f in program.functions.iter().filter(|f| f.attrs.hot == hot) {
        for t in f.ty.params.iter().chain(std::iter::once(&f.ty.ret)) {
            let mut inner = BTreeSet::new();
            contained(program, t, &mut inner);
            if inner.is_empty() {
                continue;
            }
            let why = if hot {
                format!(
                    "passed by value to or from hot function `{}` ({})",
                    f.name,
                    at(f.span)
                )
            } else {
                format!(
                    "passed by value to or from `{}` ({}), whose copy keeps the old size",
                    f.name,
                    at(f.span)
                )
            };
            refuse(&inner, &why);
        }
    }
}

/// Structs (`(true, id)`) and enums (`(false, id)`) a refusal applies to.
type Keys = BTreeSet<(bool, usize)>;

/// The locals of functions other than `main` that are not hot and reach hot code, so their
/// frames may be on the stack when values move (`main -> frame -> update`). Their struct and
/// enum values (in stack slots the runtime cannot find: such a function may be entered more
/// than once at a time, by recursion or by a patch's new call of it, so static storage would
/// not be right for it) refuse layout changes. A pointer of theirs stays right for a whole
/// value, which migrates in place, but not for one that moves: nested in a bigger value
/// (whose layout change is refused) or an element of an array (then its own is). Parameters
/// passed by value are refused as such, later.
fn nested_frames(
    program: &Program,
    bodies: &[BodyFacts],
    at: &dyn Fn(Span) -> String,
    refuse: &mut dyn FnMut(&Keys, &str),
) {
    for (id, f) in program.functions.iter().enumerate() {
        let Some(locals) = f.locals() else { continue };
        if f.attrs.hot || program.main == Some(id) {
            continue;
        }
        // Found once a local would refuse something: most functions reach no hot code.
        let mut hot = None;
        for (i, l) in locals.iter().enumerate() {
            let mut keys = BTreeSet::new();
            let what = match &l.ty {
                Ty::Ptr(inner) => {
                    keys = containers(program, inner);
                    if !in_some_array(program, inner) {
                        keys.remove(&key(inner));
                    }
                    "may point inside a value whose fields move"
                }
                _ if i >= f.ty.params.len() => {
                    contained(program, &l.ty, &mut keys);
                    "is on the stack, where the runtime cannot find it"
                }
                _ => continue,
            };
            if keys.is_empty() {
                continue;
            }
            let Some(hot) = hot.get_or_insert_with(|| hot_call(program, bodies, id)) else {
                break;
            };
            let why = format!(
                "`{}` of `{}` ({}, {}) {what}, across its call of {hot}",
                l.name,
                f.name,
                program.ty_name(&l.ty),
                at(l.span)
            );
            refuse(&keys, &why);
        }
    }
}

/// How function `id` may reach hot code, named for a refusal: the first hot function it
/// reaches (`hot function `tick``), or else a call through a function value or a closure,
/// which may be one. `None` if it cannot. `bodies` are what each function's body tells.
fn hot_call(program: &Program, bodies: &[BodyFacts], id: FuncId) -> Option<String> {
    let mut reached = BTreeSet::new();
    let mut queue = vec![id];
    while let Some(f) = queue.pop() {
        if reached.insert(f) {
            queue.extend(&bodies[f].calls);
        }
    }
    if let Some(g) = reached
        .iter()
        .find(|&&g| g != id && program.functions[g].attrs.hot)
    {
        return Some(format!("hot function `{}`", program.functions[*g].name));
    }
    reached
        .iter()
        .any(|&g| bodies[g].indirect)
        .then(|| "a function value, which may be hot".to_string())
}

/// The refusal key of a struct or enum type (`(true, id)` for a struct).
fn key(ty: &Ty) -> (bool, usize) {
    match ty {
        Ty::Struct(s) => (true, *s),
        Ty::Enum(e) => (false, *e),
        _ => (false, usize::MAX),
    }
}

/// Whether a value of type `ty` may be an element of an array the program keeps (in a global,
/// a local or a field): a pointer to such a value points at a place that moves with the
/// array's stride.
fn in_some_array(program: &Program, ty: &Ty) -> bool {
    let globals = program.globals.iter().map(|g| &g.ty);
    let locals = program
        .functions
        .iter()
        .filter_map(|f| f.locals())
        .flat_map(|locals| locals.iter().map(|l| &l.ty));
    let fields = program
        .structs
        .iter()
        .flat_map(|s| s.fields.iter().map(|f| &f.ty));
    let payloads = program.enums.iter().flat_map(|e| {
        e.variants
            .iter()
            .flat_map(|v| v.fields.iter().map(|f| &f.ty))
    });
    let mut all = globals.chain(locals).chain(fields).chain(payloads);
    all.any(|t| has_array_of(program, t, ty))
}

/// Whether `outer` has a part that is an array whose elements contain a `ty`.
fn has_array_of(program: &Program, outer: &Ty, ty: &Ty) -> bool {
    match outer {
        Ty::Array(elem, _) => contains(program, elem, ty) || has_array_of(program, elem, ty),
        _ => false,
    }
}

/// Generic struct instances (`Vec<State>`) with a pointer field to a type that has a layout,
/// with that type: their elements are in memory the runtime cannot find (`malloc`'s).
fn pointer_containers(program: &Program) -> Vec<(usize, &Ty)> {
    program
        .structs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.name.contains('<'))
        .filter_map(|(id, s)| {
            s.fields.iter().find_map(|f| match &f.ty {
                Ty::Ptr(elem) if crate::codegen::has_layout(elem) => Some((id, &**elem)),
                _ => None,
            })
        })
        .collect()
}

/// Where the program first keeps a value holding struct `id`: the first global, then local
/// (in function order), of such a type declared outside the struct's own file; the struct's
/// declaration if there is none.
fn first_use(program: &Program, id: usize) -> Span {
    let def = &program.structs[id];
    let holds = |ty: &Ty| contains(program, ty, &Ty::Struct(id));
    let globals = program.globals.iter().map(|g| (&g.ty, g.span));
    let locals = program
        .functions
        .iter()
        .filter_map(|f| f.locals())
        .flat_map(|locals| locals.iter().map(|l| (&l.ty, l.span)));
    globals
        .chain(locals)
        .find(|(ty, span)| span.file != def.span.file && holds(ty))
        .map_or(def.span, |(_, span)| span)
}
