//! The program's type layouts as the hot-reload manifest records them: every struct and enum
//! with its fields (name, type, offset, size, default), every global, and the locals of `main`
//! a host keeps in static storage, each with its room to grow. The numbers come from the code
//! generator (`codegen::layouts`), the one place that computes layouts; what values of a type
//! may not be migrated, and which fields code that keeps running uses, from `facts.rs`.

use super::facts::{Facts, FactsCache};
use crate::codegen::{self, CodegenError, FieldLayout as CgFields, Layouts};
use crate::source::SourceMap;
use crate::tir::{FieldDef, FloatTy, Program, Ty};
use crate::typeck::Revision;
use codegen_hot::Layout;
use vais_hot_abi::layout::{
    FieldLayout, LayoutKind, Storage, TypeLayout, ValueKind, VariantLayout, FIELD_BUILT_BY_HOST,
    FIELD_USED_BY_HOST, MAIN_LOCAL_PREFIX,
};

/// [`super::layouts`], taking from `cache` what it found in the bodies of the functions this
/// check (`revision`) did not re-check (see [`FactsCache`]).
pub fn layouts_cached(
    program: &Program,
    sources: &SourceMap,
    cache: &mut FactsCache,
    revision: Option<&Revision>,
) -> Result<Vec<Layout>, CodegenError> {
    let layouts = codegen::layouts(program)?;
    let facts = Facts::find(program, sources, cache, revision);
    Ok(describe(program, &layouts, &facts))
}

/// The element type of `ty` (arrays flattened) and how many elements it has.
fn element(ty: &Ty) -> (&Ty, u64) {
    match ty {
        Ty::Array(elem, n) => {
            let (e, m) = element(elem);
            (e, n * m)
        }
        t => (t, 1),
    }
}

fn kind_of(ty: &Ty) -> ValueKind {
    match ty {
        Ty::Int(i) => ValueKind::Int {
            bits: i.bits(),
            signed: i.signed(),
        },
        Ty::Float(FloatTy::F32) => ValueKind::Float { bits: 32 },
        Ty::Float(FloatTy::F64) => ValueKind::Float { bits: 64 },
        Ty::Bool => ValueKind::Bool,
        Ty::Str | Ty::Ptr(_) | Ty::Fn(_) => ValueKind::Ptr,
        Ty::Struct(_) => ValueKind::Struct,
        Ty::Enum(_) => ValueKind::Enum,
        _ => ValueKind::Opaque,
    }
}

/// One field's record; `default` is the bytes of its default value (`codegen::layouts`).
fn field(
    program: &Program,
    name: &str,
    ty: &Ty,
    (offset, size): (u64, u64),
    default: Option<Vec<u8>>,
) -> FieldLayout {
    let (elem, count) = element(ty);
    FieldLayout {
        name: name.to_string(),
        type_name: program.ty_name(elem),
        kind: kind_of(elem),
        offset,
        size,
        count,
        default,
        flags: 0,
    }
}

/// The records of fields `defs`, with their defaults' bytes (none for enum variants' fields).
fn fields(
    program: &Program,
    defs: &[FieldDef],
    layout: &CgFields,
    defaults: &[Option<Vec<u8>>],
) -> Vec<FieldLayout> {
    defs.iter()
        .zip(layout.offsets.iter().zip(&layout.sizes))
        .enumerate()
        .map(|(j, (f, (&offset, &size)))| {
            let default = defaults.get(j).cloned().flatten();
            field(program, &f.name, &f.ty, (offset, size), default)
        })
        .collect()
}

fn describe(program: &Program, layouts: &Layouts, facts: &Facts) -> Vec<Layout> {
    let mut out = Vec::new();
    for (i, (s, layout)) in program.structs.iter().zip(&layouts.structs).enumerate() {
        // A closure's environment is read only by that closure's own code, which travels with
        // it: a reload may change it freely.
        if program.is_closure_env(i) {
            continue;
        }
        let mut fs = fields(program, &s.fields, layout, &layouts.struct_defaults[i]);
        for (j, f) in fs.iter_mut().enumerate() {
            if facts.used_fields.contains(&(i, j)) {
                f.flags |= FIELD_USED_BY_HOST;
            }
            if facts.built_fields.contains(&(i, j)) {
                f.flags |= FIELD_BUILT_BY_HOST;
            }
        }
        out.push(Layout {
            layout: TypeLayout {
                kind: LayoutKind::Struct,
                name: s.name.clone(),
                size: layout.size,
                fields: fs,
                variants: Vec::new(),
                storage: None,
                refusal: facts.struct_refusals[i].clone(),
            },
            symbol: None,
        });
    }
    for (i, (e, layout)) in program.enums.iter().zip(&layouts.enums).enumerate() {
        let variants = e
            .variants
            .iter()
            .zip(&layout.variants)
            .enumerate()
            .map(|(tag, (v, l))| VariantLayout {
                name: v.name.clone(),
                tag: tag as u64,
                fields: fields(program, &v.fields, l, &[]),
                flags: if facts.used_variants.contains(&(i, tag)) {
                    FIELD_USED_BY_HOST
                } else {
                    0
                },
            })
            .collect();
        out.push(Layout {
            layout: TypeLayout {
                kind: LayoutKind::Enum,
                name: e.name.clone(),
                size: layout.size,
                fields: Vec::new(),
                variants,
                storage: None,
                refusal: facts.enum_refusals[i].clone(),
            },
            symbol: None,
        });
    }
    for (i, g) in program.globals.iter().enumerate() {
        let (size, room) = (layouts.globals[i], layouts.global_rooms[i]);
        out.push(value(program, &g.name, &g.name, &g.ty, size, room));
    }
    if let Some(body) = program
        .main
        .and_then(|m| program.functions[m].body.as_ref())
    {
        for id in codegen::kept_locals_given(program, facts.main_called) {
            let local = &body.locals[id];
            let name = format!("{MAIN_LOCAL_PREFIX}{}", local.name);
            let symbol = codegen::kept_local_symbol(&local.name, id);
            let (size, room) = (layouts.main_locals[id], layouts.main_local_rooms[id]);
            out.push(value(program, &name, &symbol, &local.ty, size, room));
        }
    }
    out
}

/// The record of a global (or kept local of `main`) named `name`, held by `symbol`, with the
/// `room` the code generator keeps for it.
fn value(program: &Program, name: &str, symbol: &str, ty: &Ty, size: u64, room: u64) -> Layout {
    let storage = codegen::has_layout(ty).then_some(Storage { address: 0, room });
    Layout {
        layout: TypeLayout {
            kind: LayoutKind::Global,
            name: name.to_string(),
            size,
            fields: vec![field(program, name, ty, (0, size), None)],
            variants: Vec::new(),
            storage,
            refusal: None,
        },
        symbol: Some(symbol.to_string()),
    }
}
