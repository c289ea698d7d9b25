//! Globals a patch adds: which globals hot code uses that the host lacks, how the runtime
//! tells their types apart between patches, and which of them a patch cannot carry (an initial
//! value holding an address inside the patch). The runtime side is `loader/src/globals.rs`.

use super::HostInfo;
use crate::tir::{Const, GlobalId, Program, Ty};
use codegen_hot::{Layout, NewGlobal, Plan};
use std::collections::BTreeSet;

/// The globals among `reached` (those hot code uses) that the host does not have, each created
/// by the runtime once, with its initial value; and, as problems, those whose initial value
/// would point into the patch, which may be unloaded.
pub(super) fn plan(
    program: &Program,
    host: &HostInfo,
    reached: &BTreeSet<GlobalId>,
    layouts: &[Layout],
) -> (Vec<NewGlobal>, Vec<String>) {
    let (mut new, mut problems) = (Vec::new(), Vec::new());
    for &g in reached {
        let def = &program.globals[g];
        let layout_name = format!("global {}", def.name);
        if host.layouts.iter().any(|h| h.key() == layout_name) {
            continue;
        }
        match pointer_in(&def.init) {
            Some(what) => problems.push(format!(
                "global `{}` is new and its initial value holds {what}, which would point into the patch: restart the program to add it",
                def.name
            )),
            None => new.push(NewGlobal {
                name: def.name.clone(),
                description: type_description(program, &def.ty, layouts),
            }),
        }
    }
    (new, problems)
}

/// The globals whose storage the runtime owns in the module `plan` describes (a patch's new
/// globals), for `codegen::Options::runtime_globals`.
pub fn runtime_globals(program: &Program, plan: &Plan) -> Vec<GlobalId> {
    plan.new_globals
        .iter()
        .filter_map(|ng| program.globals.iter().position(|g| g.name == ng.name))
        .collect()
}

/// A new global's type as the runtime compares it between patches: its name, then the layout
/// of every struct and enum it holds by value (`[P; 3]; struct P { x: i64 @0 } size 8`), so
/// that a struct that changes between two patches (one the host does not have either) changes
/// the description too.
fn type_description(program: &Program, ty: &Ty, layouts: &[Layout]) -> String {
    fn held(program: &Program, ty: &Ty, out: &mut Vec<String>) {
        let (name, inner): (String, Vec<&Ty>) = match ty {
            Ty::Array(elem, _) => return held(program, elem, out),
            Ty::Struct(id) => (
                format!("struct {}", program.structs[*id].name),
                program.structs[*id].fields.iter().map(|f| &f.ty).collect(),
            ),
            Ty::Enum(id) => (
                format!("enum {}", program.enums[*id].name),
                program.enums[*id]
                    .variants
                    .iter()
                    .flat_map(|v| v.fields.iter().map(|f| &f.ty))
                    .collect(),
            ),
            _ => return,
        };
        if !out.contains(&name) {
            out.push(name);
            for t in inner {
                held(program, t, out);
            }
        }
    }
    let mut names = Vec::new();
    held(program, ty, &mut names);
    let mut text = program.ty_name(ty);
    for name in names {
        if let Some(l) = layouts.iter().find(|l| l.layout.key() == name) {
            text.push_str(&format!("; {name} {}", l.layout.describe()));
        }
    }
    text
}

/// What in an initial value would be an address inside the module that holds it: a string
/// literal's or a function's. `None` when the value is plain bytes (null pointers included).
fn pointer_in(c: &Const) -> Option<&'static str> {
    match c {
        Const::Str(_) => Some("a string"),
        Const::Func(_) => Some("a function address"),
        Const::Struct(items) | Const::Array(items) => items.iter().find_map(pointer_in),
        Const::Int(_) | Const::Float(_) | Const::Bool(_) | Const::Zero => None,
    }
}
