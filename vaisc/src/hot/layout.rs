//! The program's type layouts described in words for the hot-reload manifest:
//! `struct GameState` is `{ frame: i64 @0, x: f64 @8 } size 16`. The description is what the
//! loader compares (by hash) and what a refusal message shows, so it names every field with its
//! type and offset. The numbers come from the code generator (`codegen::layouts`), the one
//! place that computes layouts; this file only writes them down.

use crate::codegen::{self, CodegenError, Layouts};
use crate::tir::Program;
use codegen_hot::Layout;

/// Every struct, enum and global layout, as the manifest lists them.
pub fn describe_all(program: &Program) -> Result<Vec<Layout>, CodegenError> {
    let layouts = codegen::layouts(program)?;
    Ok(describe(program, &layouts))
}

fn describe(program: &Program, layouts: &Layouts) -> Vec<Layout> {
    let mut out = Vec::new();
    for (id, (s, layout)) in program.structs.iter().zip(&layouts.structs).enumerate() {
        // A closure's environment is read only by that closure's own code, which travels with
        // it: a reload may change it freely.
        if program.is_closure_env(id) {
            continue;
        }
        let fields: Vec<String> = s
            .fields
            .iter()
            .zip(&layout.offsets)
            .map(|(f, o)| format!("{}: {} @{o}", f.name, program.ty_name(&f.ty)))
            .collect();
        out.push(Layout {
            name: format!("struct {}", s.name),
            description: format!("{{ {} }} size {}", fields.join(", "), layout.size),
        });
    }
    for (e, layout) in program.enums.iter().zip(&layouts.enums) {
        let described: Vec<String> = e
            .variants
            .iter()
            .zip(&layout.variants)
            .map(|(v, offsets)| {
                let fields: Vec<String> = v
                    .fields
                    .iter()
                    .zip(offsets)
                    .map(|(f, o)| format!("{}: {} @{o}", f.name, program.ty_name(&f.ty)))
                    .collect();
                if fields.is_empty() {
                    v.name.clone()
                } else {
                    format!("{}({})", v.name, fields.join(", "))
                }
            })
            .collect();
        out.push(Layout {
            name: format!("enum {}", e.name),
            description: format!("{{ {} }} size {}", described.join(", "), layout.size),
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
