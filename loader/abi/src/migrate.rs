//! The rules for moving live values from one layout to another, written once: the compiler
//! uses them to report what a patch will do (`--patch-only`, watch) and the runtime to decide
//! and to do it at load.
//!
//! [`plan`] compares the layouts the running program has with those of a patch and returns a
//! [`Plan`] (or a [`Refusal`] in one line). Fields are matched by name: the same type is copied,
//! a numeric type change converts as `as` would, any other change gives the default (or zero)
//! with a warning naming the field, a new field gets its default (or zero), a removed field is
//! dropped. Enum variants are matched by name, their payloads likewise; a live value in a
//! variant the patch removes refuses the migration. Every type's rule is compiled into a list
//! of steps once, so that moving a megabyte of values is a few copies per value; `execute.rs`
//! runs them.

use crate::layout::{
    offset_symbol, room_for, size_symbol, FieldLayout, LayoutKind, TypeLayout, ValueKind,
    FIELD_BUILT_BY_HOST, FIELD_USED_BY_HOST, MAIN_LOCAL_PREFIX,
};
use std::collections::BTreeMap;

/// Why a patch's values cannot be migrated. Each message is one line naming the type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "{value}: needs {need} bytes after the change, but {have} were kept (restart to apply)"
    )]
    Room { value: String, need: u64, have: u64 },
    #[error("{ty}: {reason}")]
    Fact { ty: String, reason: String },
    #[error("{ty}: field `{field}` is removed, but code that keeps running (`main`) uses it")]
    RemovedUsed { ty: String, field: String },
    #[error("{ty}: field `{field}` changes type from {old} to {new}, but code that keeps running (`main`) uses it as {old}")]
    RetypedUsed {
        ty: String,
        field: String,
        old: String,
        new: String,
    },
    #[error("{ty}: variant `{variant}` changes tag or payload, but code that keeps running (`main`) builds or matches it")]
    VariantUsed { ty: String, variant: String },
    #[error("{ty}: its size changes from {old} to {new}, but code that keeps running (`main`) holds its values")]
    EnumSize { ty: String, old: u64, new: u64 },
    #[error("{ty}: variant `{variant}` is removed, but {value} holds one")]
    VariantLive {
        ty: String,
        variant: String,
        value: String,
    },
    #[error(
        "{value}: its type changed from {old} to {new}, which a running program cannot follow"
    )]
    GlobalType {
        value: String,
        old: String,
        new: String,
    },
}

/// One value the running program keeps, to be moved in place.
#[derive(Clone, Debug)]
pub struct Move {
    pub name: String,
    pub address: usize,
    pub room: u64,
    old: FieldLayout,
    new: FieldLayout,
    steps: Vec<Step>,
}

impl Move {
    /// Bytes the value takes before and after.
    pub fn sizes(&self) -> (u64, u64) {
        (self.old.size, self.new.size)
    }
}

/// How one element is turned into its new form.
#[derive(Clone, Debug)]
enum Step {
    Copy {
        src: u64,
        dst: u64,
        len: u64,
    },
    Convert {
        src: u64,
        dst: u64,
        from: ValueKind,
        to: ValueKind,
    },
    Fill {
        dst: u64,
        bytes: Vec<u8>,
    },
    /// `count` elements of struct or enum type `ty` (an index into `Plan::rules`).
    Nested {
        src: u64,
        dst: u64,
        ty: usize,
        count: u64,
        src_stride: u64,
        dst_stride: u64,
    },
}

/// The compiled rule of one struct or enum.
#[derive(Clone, Debug)]
enum Rule {
    Struct {
        steps: Vec<Step>,
    },
    /// Per old tag: the new tag and the payload's steps, or the variant's name if the patch
    /// removes it.
    Enum {
        name: String,
        variants: BTreeMap<u64, Result<(u64, Vec<Step>), String>>,
    },
}

/// What a patch does to the running program's values.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Per changed struct or enum, in name order: what changes, for the report.
    pub changes: Vec<(String, Vec<String>)>,
    /// Fields whose values are reset because their type changed in a way `as` cannot follow.
    pub warnings: Vec<String>,
    pub moves: Vec<Move>,
    /// The host's offset table after the change: `(symbol, value)`.
    pub table: Vec<(String, u64)>,
    rules: Vec<Rule>,
}

/// The layouts of one side, by kind and name.
fn index(layouts: &[TypeLayout]) -> BTreeMap<(u8, &str), &TypeLayout> {
    layouts
        .iter()
        .map(|l| ((l.kind as u8, l.name.as_str()), l))
        .collect()
}

const STRUCT: u8 = LayoutKind::Struct as u8;
const ENUM: u8 = LayoutKind::Enum as u8;

/// The tag of an enum value: the `u32` at its start, as the code generator stores it.
const TAG_SIZE: usize = 4;

/// Plans the move from `old` (the layouts the running program has now) to `new` (a patch's),
/// for a host whose own layouts are `host` (which say where its values are and what its code
/// uses).
pub fn plan(old: &[TypeLayout], new: &[TypeLayout], host: &[TypeLayout]) -> Result<Plan, Refusal> {
    let old_ix = index(old);
    let new_ix = index(new);
    let host_ix = index(host);
    let mut plan = Plan::default();
    // Which types change: their own layout differs, or that of a type they contain.
    let mut changed: BTreeMap<(u8, &str), bool> = BTreeMap::new();
    for &key in old_ix.keys() {
        if key.0 == STRUCT || key.0 == ENUM {
            type_changed(key, &old_ix, &new_ix, &mut changed);
        }
    }
    let mut rule_of: BTreeMap<(u8, String), usize> = BTreeMap::new();
    for (&key, &is_changed) in &changed {
        let (Some(o), Some(n)) = (old_ix.get(&key), new_ix.get(&key)) else {
            continue;
        };
        if !is_changed {
            continue;
        }
        let h = host_ix.get(&key).copied();
        if let Some(reason) = h.and_then(|h| h.refusal.clone()) {
            return Err(Refusal::Fact {
                ty: o.name.clone(),
                reason,
            });
        }
        if let Some(h) = h {
            for f in h
                .fields
                .iter()
                .filter(|f| f.flags & FIELD_USED_BY_HOST != 0)
            {
                match n.field(&f.name) {
                    None => {
                        return Err(Refusal::RemovedUsed {
                            ty: o.name.clone(),
                            field: f.name.clone(),
                        })
                    }
                    Some(nf) if nf.type_text() != f.type_text() => {
                        return Err(Refusal::RetypedUsed {
                            ty: o.name.clone(),
                            field: f.name.clone(),
                            old: f.type_text(),
                            new: nf.type_text(),
                        })
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some(h) = h.filter(|h| h.kind == LayoutKind::Enum) {
            check_host_variants(h, n, &new_ix, &changed)?;
        }
        plan.changes.push((o.name.clone(), describe_change(o, n)));
    }
    // Compile a rule for every changed type, nested ones included.
    let keys: Vec<(u8, &str)> = changed
        .iter()
        .filter(|(k, &c)| c && old_ix.contains_key(*k) && new_ix.contains_key(*k))
        .map(|(k, _)| *k)
        .collect();
    for key in keys {
        let _ = rule_for(key, &old_ix, &new_ix, &changed, &mut plan, &mut rule_of);
    }
    // The live values: every global and kept local of `main` whose type changes.
    for h in host.iter().filter(|h| h.kind == LayoutKind::Global) {
        let Some(storage) = h.storage else {
            // A value without room (a number, a pointer) cannot change type under the host's
            // code, which reads it as the type it had.
            let new_type = new_ix
                .get(&(LayoutKind::Global as u8, h.name.as_str()))
                .and_then(|n| n.fields.first());
            if let (Some(nf), Some(hf)) = (new_type, h.fields.first()) {
                if nf.type_text() != hf.type_text() {
                    return Err(Refusal::GlobalType {
                        value: label(&h.name),
                        old: hf.type_text(),
                        new: nf.type_text(),
                    });
                }
            }
            continue;
        };
        let Some(o) = old_ix.get(&(LayoutKind::Global as u8, h.name.as_str())) else {
            continue;
        };
        let (Some(of), Some(hf)) = (o.fields.first(), h.fields.first()) else {
            continue;
        };
        let nf = match new_ix.get(&(LayoutKind::Global as u8, h.name.as_str())) {
            Some(n) => match n.fields.first() {
                Some(f) => f.clone(),
                None => continue,
            },
            // A global the patch no longer has, or a local of `main` (which patches never
            // list), keeps its type; its size follows that type's new layout.
            None => derived(of, &new_ix),
        };
        if !element_changes(of, &nf, &changed) {
            continue;
        }
        if of.kind != nf.kind || of.type_name != nf.type_name || of.count != nf.count {
            // The host's own code reads the value as its declared type; only the elements'
            // layouts may change under it.
            if !(of.kind.is_numeric() && nf.kind.is_numeric()) || hf.size != nf.size {
                return Err(Refusal::GlobalType {
                    value: label(&h.name),
                    old: of.type_text(),
                    new: nf.type_text(),
                });
            }
        }
        if nf.size > storage.room {
            return Err(Refusal::Room {
                value: label(&h.name),
                need: nf.size,
                have: storage.room,
            });
        }
        let whole = |f: &FieldLayout| FieldLayout {
            offset: 0,
            ..f.clone()
        };
        let steps = field_steps(
            &h.name,
            &[whole(of)],
            &[whole(&nf)],
            &old_ix,
            &new_ix,
            &changed,
            &mut plan,
            &mut rule_of,
        );
        plan.moves.push(Move {
            name: h.name.clone(),
            address: storage.address,
            room: storage.room,
            old: of.clone(),
            new: nf,
            steps,
        });
    }
    // The host's offset table, for each of its structs, from the new layouts.
    for h in host.iter().filter(|h| h.kind == LayoutKind::Struct) {
        let Some(n) = new_ix.get(&(STRUCT, h.name.as_str())) else {
            continue;
        };
        // Code that keeps running makes values of the struct in slots of its own, with the
        // room the policy gives (`room_for` the host's size, at least).
        if n.size > room_for(h.size) {
            return Err(Refusal::Room {
                value: format!("values of `{}` made by code that keeps running", h.name),
                need: n.size,
                have: room_for(h.size),
            });
        }
        plan.table.push((size_symbol(&h.name), n.size));
        // A field the host's literals write but the patch removes (or retypes) is given room
        // past the value's new end, where those writes harm nothing.
        let mut spare = n.size.next_multiple_of(8);
        for f in &h.fields {
            let offset = match n.field(&f.name) {
                Some(nf) if nf.type_text() == f.type_text() => nf.offset,
                _ if f.flags & FIELD_BUILT_BY_HOST != 0 => {
                    let at = spare;
                    spare = (spare + f.size).next_multiple_of(8);
                    if spare > room_for(h.size) {
                        return Err(Refusal::Room {
                            value: format!(
                                "values of `{}` made by code that keeps running",
                                h.name
                            ),
                            need: spare,
                            have: room_for(h.size),
                        });
                    }
                    at
                }
                _ => continue,
            };
            plan.table.push((offset_symbol(&h.name, &f.name), offset));
        }
    }
    Ok(plan)
}

/// An enum whose variants code that keeps running builds or matches: those variants keep
/// their tag and payload, and the enum its size (that code uses constant layouts for it).
fn check_host_variants(
    h: &TypeLayout,
    n: &TypeLayout,
    new: &BTreeMap<(u8, &str), &TypeLayout>,
    changed: &BTreeMap<(u8, &str), bool>,
) -> Result<(), Refusal> {
    let used: Vec<_> = h
        .variants
        .iter()
        .filter(|v| v.flags & FIELD_USED_BY_HOST != 0)
        .collect();
    if used.is_empty() {
        return Ok(());
    }
    if n.size != h.size {
        return Err(Refusal::EnumSize {
            ty: h.name.clone(),
            old: h.size,
            new: n.size,
        });
    }
    for v in used {
        let same = n
            .variants
            .iter()
            .find(|w| w.name == v.name)
            .is_some_and(|w| {
                w.tag == v.tag
                    && w.fields.len() == v.fields.len()
                    && w.fields.iter().zip(&v.fields).all(|(a, b)| {
                        a.name == b.name
                            && a.offset == b.offset
                            && !element_changes(b, a, changed)
                            && nested_key(a).is_none_or(|k| new.contains_key(&k))
                    })
            });
        if !same {
            return Err(Refusal::VariantUsed {
                ty: h.name.clone(),
                variant: v.name.clone(),
            });
        }
    }
    Ok(())
}

/// How messages name a live value: ``global `g` `` or `` `state` of `main` ``.
fn label(name: &str) -> String {
    match name.strip_prefix(MAIN_LOCAL_PREFIX) {
        Some(local) => format!("`{local}` of `main`"),
        None => format!("global `{name}`"),
    }
}

/// A field of the same type as `f`, sized by its type's layout in `new`.
fn derived(f: &FieldLayout, new: &BTreeMap<(u8, &str), &TypeLayout>) -> FieldLayout {
    let key = match f.kind {
        ValueKind::Struct => STRUCT,
        ValueKind::Enum => ENUM,
        _ => return f.clone(),
    };
    match new.get(&(key, f.type_name.as_str())) {
        Some(t) => FieldLayout {
            size: t.size * f.count,
            ..f.clone()
        },
        None => f.clone(),
    }
}

/// Whether `key`'s values change form, memoised in `changed`.
fn type_changed<'a>(
    key: (u8, &'a str),
    old: &BTreeMap<(u8, &'a str), &'a TypeLayout>,
    new: &BTreeMap<(u8, &'a str), &'a TypeLayout>,
    changed: &mut BTreeMap<(u8, &'a str), bool>,
) -> bool {
    if let Some(&c) = changed.get(&key) {
        return c;
    }
    // Assume unchanged while looking (a type cannot contain itself by value).
    changed.insert(key, false);
    let (Some(o), Some(n)) = (old.get(&key), new.get(&key)) else {
        return false;
    };
    let mut c = !same_shape(o, n);
    let nested: Vec<&FieldLayout> = o
        .fields
        .iter()
        .chain(o.variants.iter().flat_map(|v| &v.fields))
        .collect();
    for f in nested {
        if let Some(k) = nested_key(f) {
            c |= type_changed(k, old, new, changed);
        }
    }
    changed.insert(key, c);
    c
}

fn nested_key(f: &FieldLayout) -> Option<(u8, &str)> {
    match f.kind {
        ValueKind::Struct => Some((STRUCT, f.type_name.as_str())),
        ValueKind::Enum => Some((ENUM, f.type_name.as_str())),
        _ => None,
    }
}

/// Layouts equal in everything values depend on (defaults and flags aside).
fn same_shape(a: &TypeLayout, b: &TypeLayout) -> bool {
    let fields_equal = |x: &[FieldLayout], y: &[FieldLayout]| {
        x.len() == y.len()
            && x.iter().zip(y).all(|(p, q)| {
                p.name == q.name
                    && p.type_name == q.type_name
                    && p.kind == q.kind
                    && p.offset == q.offset
                    && p.size == q.size
                    && p.count == q.count
            })
    };
    a.size == b.size
        && fields_equal(&a.fields, &b.fields)
        && a.variants.len() == b.variants.len()
        && a.variants
            .iter()
            .zip(&b.variants)
            .all(|(p, q)| p.name == q.name && p.tag == q.tag && fields_equal(&p.fields, &q.fields))
}

/// Whether an element of `old` must be rewritten to become one of `new`.
fn element_changes(
    old: &FieldLayout,
    new: &FieldLayout,
    changed: &BTreeMap<(u8, &str), bool>,
) -> bool {
    old.kind != new.kind
        || old.type_name != new.type_name
        || old.size != new.size
        || old.count != new.count
        || nested_key(old).is_some_and(|k| changed.get(&k).copied().unwrap_or(false))
}

/// The report's notes for one type: `+ speed = 2.5`, `x moved 8 -> 16`, `- y`, ...
fn describe_change(o: &TypeLayout, n: &TypeLayout) -> Vec<String> {
    let mut notes = Vec::new();
    let fields = |notes: &mut Vec<String>, of: &[FieldLayout], nf: &[FieldLayout]| {
        for f in nf {
            match of.iter().find(|g| g.name == f.name) {
                None => notes.push(format!("+ {} = {}", f.name, show_default(f))),
                Some(g) => {
                    if g.type_text() != f.type_text() {
                        notes.push(format!(
                            "{}: {} -> {}",
                            f.name,
                            g.type_text(),
                            f.type_text()
                        ));
                    }
                    if g.offset != f.offset {
                        notes.push(format!("{} moved {} -> {}", f.name, g.offset, f.offset));
                    }
                }
            }
        }
        for g in of.iter().filter(|g| !nf.iter().any(|f| f.name == g.name)) {
            notes.push(format!("- {}", g.name));
        }
    };
    fields(&mut notes, &o.fields, &n.fields);
    for v in &n.variants {
        match o.variants.iter().find(|w| w.name == v.name) {
            None => notes.push(format!("+ variant {}", v.name)),
            Some(w) => {
                let mut inner = Vec::new();
                fields(&mut inner, &w.fields, &v.fields);
                notes.extend(inner.into_iter().map(|s| format!("{}.{s}", v.name)));
            }
        }
    }
    for w in o
        .variants
        .iter()
        .filter(|w| !n.variants.iter().any(|v| v.name == w.name))
    {
        notes.push(format!("- variant {}", w.name));
    }
    if notes.is_empty() && o.size != n.size {
        notes.push(format!("size {} -> {}", o.size, n.size));
    }
    notes
}

/// A field's default as Vais would write it, for the report.
fn show_default(f: &FieldLayout) -> String {
    let Some(bytes) = &f.default else {
        return "0".to_string();
    };
    let mut word = [0u8; 8];
    let n = bytes.len().min(8);
    word[..n].copy_from_slice(&bytes[..n]);
    let raw = u64::from_le_bytes(word);
    match (f.kind, f.count) {
        (ValueKind::Float { bits: 64 }, 1) => format!("{:?}", f64::from_bits(raw)),
        (ValueKind::Float { bits: 32 }, 1) => format!("{:?}", f32::from_bits(raw as u32)),
        (ValueKind::Int { signed: true, bits }, 1) => {
            let shift = 64 - bits.min(64);
            (((raw << shift) as i64) >> shift).to_string()
        }
        (ValueKind::Int { .. }, 1) => raw.to_string(),
        (ValueKind::Bool, 1) => (raw != 0).to_string(),
        _ => "its default".to_string(),
    }
}

/// The index of the compiled rule for type `key`, compiling it (and what it contains) first.
fn rule_for(
    key: (u8, &str),
    old: &BTreeMap<(u8, &str), &TypeLayout>,
    new: &BTreeMap<(u8, &str), &TypeLayout>,
    changed: &BTreeMap<(u8, &str), bool>,
    plan: &mut Plan,
    rule_of: &mut BTreeMap<(u8, String), usize>,
) -> Option<usize> {
    let owned = (key.0, key.1.to_string());
    if let Some(&i) = rule_of.get(&owned) {
        return Some(i);
    }
    let (o, n) = (old.get(&key)?, new.get(&key)?);
    let at = plan.rules.len();
    plan.rules.push(Rule::Struct { steps: Vec::new() });
    rule_of.insert(owned, at);
    let rule = if key.0 == STRUCT {
        Rule::Struct {
            steps: field_steps(
                &o.name, &o.fields, &n.fields, old, new, changed, plan, rule_of,
            ),
        }
    } else {
        let mut variants = BTreeMap::new();
        for v in &o.variants {
            let entry = match n.variants.iter().find(|w| w.name == v.name) {
                Some(w) => {
                    let label = format!("{}.{}", o.name, v.name);
                    let steps = field_steps(
                        &label, &v.fields, &w.fields, old, new, changed, plan, rule_of,
                    );
                    Ok((w.tag, steps))
                }
                None => Err(v.name.clone()),
            };
            variants.insert(v.tag, entry);
        }
        Rule::Enum {
            name: o.name.clone(),
            variants,
        }
    };
    plan.rules[at] = rule;
    Some(at)
}

/// The steps that build the `new` fields of one value from its `old` ones.
#[allow(clippy::too_many_arguments)]
fn field_steps(
    owner: &str,
    old_fields: &[FieldLayout],
    new_fields: &[FieldLayout],
    old: &BTreeMap<(u8, &str), &TypeLayout>,
    new: &BTreeMap<(u8, &str), &TypeLayout>,
    changed: &BTreeMap<(u8, &str), bool>,
    plan: &mut Plan,
    rule_of: &mut BTreeMap<(u8, String), usize>,
) -> Vec<Step> {
    let mut steps = Vec::new();
    for nf in new_fields {
        let fill = |bytes: &Option<Vec<u8>>| Step::Fill {
            dst: nf.offset,
            bytes: bytes.clone().unwrap_or_else(|| vec![0; nf.size as usize]),
        };
        let Some(of) = old_fields.iter().find(|f| f.name == nf.name) else {
            steps.push(fill(&nf.default));
            continue;
        };
        let count = of.count.min(nf.count);
        let same_elem = of.kind == nf.kind && of.type_name == nf.type_name;
        let nested = nested_key(of).filter(|_| same_elem);
        if same_elem && !element_changes(of, nf, changed) {
            steps.push(Step::Copy {
                src: of.offset,
                dst: nf.offset,
                len: nf.size,
            });
            continue;
        } else if let Some(key) = nested {
            match rule_for(key, old, new, changed, plan, rule_of) {
                Some(ty) => steps.push(Step::Nested {
                    src: of.offset,
                    dst: nf.offset,
                    ty,
                    count,
                    src_stride: of.stride(),
                    dst_stride: nf.stride(),
                }),
                None => {
                    steps.push(fill(&nf.default));
                    continue;
                }
            }
        } else if same_elem && of.stride() == nf.stride() {
            steps.push(Step::Copy {
                src: of.offset,
                dst: nf.offset,
                len: count * nf.stride(),
            });
        } else if of.kind.is_numeric() && nf.kind.is_numeric() {
            for i in 0..count {
                steps.push(Step::Convert {
                    src: of.offset + i * of.stride(),
                    dst: nf.offset + i * nf.stride(),
                    from: of.kind,
                    to: nf.kind,
                });
            }
        } else {
            plan.warnings.push(format!(
                "{owner}.{}: {} cannot become {}; set to {}",
                nf.name,
                of.type_text(),
                nf.type_text(),
                if nf.default.is_some() {
                    "its default"
                } else {
                    "zero"
                }
            ));
            steps.push(fill(&nf.default));
            continue;
        }
        // Elements the new array has beyond the old one's get the default (or zero).
        if nf.count > count {
            let start = (count * nf.stride()) as usize;
            let bytes = match &nf.default {
                Some(d) => d[start.min(d.len())..].to_vec(),
                None => vec![0; nf.size as usize - start],
            };
            steps.push(Step::Fill {
                dst: nf.offset + start as u64,
                bytes,
            });
        }
    }
    steps
}

impl Plan {
    /// Whether the patch moves anything.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.moves.is_empty()
    }

    /// One line for people: `State: + speed = 2.5, x moved 8 -> 16; 3 live values`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .changes
            .iter()
            .map(|(name, notes)| format!("{name}: {}", notes.join(", ")))
            .collect();
        let n = self.moves.len();
        parts.push(format!("{n} live value{}", if n == 1 { "" } else { "s" }));
        parts.join("; ")
    }
}

mod execute;

#[cfg(test)]
mod tests;
