//! C layouts of the program's types, described in words for the hot-reload manifest:
//! `struct GameState` is `{ frame: i64 @0, x: f64 @8 } size 16`. The description is what the
//! loader compares (by hash) and what a refusal message shows, so it names every field with its
//! type and offset.

use crate::tir::{Program, Ty};
use codegen_hot::Layout;

/// Size and alignment of a type as the code generator lays it out (C rules).
pub fn size_align(program: &Program, ty: &Ty) -> (u64, u64) {
    match ty {
        // The error type never reaches a built program; it is grouped with the empty types.
        Ty::Unit | Ty::Never | Ty::Error => (0, 1),
        Ty::Bool => (1, 1),
        Ty::Int(i) => {
            let b = u64::from(i.bits() / 8);
            (b, b)
        }
        Ty::Float(crate::tir::FloatTy::F32) => (4, 4),
        Ty::Float(crate::tir::FloatTy::F64) | Ty::Str | Ty::Ptr(_) | Ty::Fn(_) => (8, 8),
        Ty::Array(elem, n) => {
            let (s, a) = size_align(program, elem);
            (s * n, a)
        }
        Ty::Struct(id) => {
            let fields: Vec<&Ty> = program.structs[*id].fields.iter().map(|f| &f.ty).collect();
            let (_, size, align) = offsets(program, &fields);
            (size, align)
        }
        Ty::Enum(id) => {
            // `{ i32 tag, [k x i64] payload }`: the payload is a whole number of 8-byte words.
            let payload = program.enums[*id]
                .variants
                .iter()
                .map(|v| {
                    let fields: Vec<&Ty> = v.fields.iter().map(|f| &f.ty).collect();
                    offsets(program, &fields).1
                })
                .max()
                .unwrap_or(0);
            (8 + payload.next_multiple_of(8), 8)
        }
    }
}

/// Field offsets, total size and alignment of a C struct with these field types.
fn offsets(program: &Program, fields: &[&Ty]) -> (Vec<u64>, u64, u64) {
    let mut at: u64 = 0;
    let mut align: u64 = 1;
    let mut out = Vec::new();
    for ty in fields {
        let (s, a) = size_align(program, ty);
        at = at.next_multiple_of(a);
        out.push(at);
        at += s;
        align = align.max(a);
    }
    (out, at.next_multiple_of(align), align)
}

pub fn describe_all(program: &Program) -> Vec<Layout> {
    let mut out = Vec::new();
    for (id, s) in program.structs.iter().enumerate() {
        let tys: Vec<&Ty> = s.fields.iter().map(|f| &f.ty).collect();
        let (offs, _, _) = offsets(program, &tys);
        let fields: Vec<String> = s
            .fields
            .iter()
            .zip(offs)
            .map(|(f, o)| format!("{}: {} @{o}", f.name, program.ty_name(&f.ty)))
            .collect();
        let (size, _) = size_align(program, &Ty::Struct(id));
        out.push(Layout {
            name: format!("struct {}", s.name),
            description: format!("{{ {} }} size {size}", fields.join(", ")),
        });
    }
    for (id, e) in program.enums.iter().enumerate() {
        let variants: Vec<String> = e
            .variants
            .iter()
            .map(|v| {
                let fields: Vec<String> = v
                    .fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name, program.ty_name(&f.ty)))
                    .collect();
                if fields.is_empty() {
                    v.name.clone()
                } else {
                    format!("{}({})", v.name, fields.join(", "))
                }
            })
            .collect();
        let (size, _) = size_align(program, &Ty::Enum(id));
        out.push(Layout {
            name: format!("enum {}", e.name),
            description: format!("{{ {} }} size {size}", variants.join(", ")),
        });
    }
    for g in &program.globals {
        out.push(Layout {
            name: format!("global {}", g.name),
            description: program.ty_name(&g.ty),
        });
    }
    out
}
