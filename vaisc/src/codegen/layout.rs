//! Where the code generator puts things in memory: the size of each struct and enum and the
//! offset of each field, read from LLVM's target data for the very LLVM types `types.rs` builds.
//! This is the only layout computation in vaisc; the hot-reload manifest describes layouts from
//! these numbers, so what it compares is what the code does.

use super::func::Gen;
use super::{target_machine, CodegenError, Options};
use crate::source::SourceMap;
use crate::tir::{Program, Ty};
use inkwell::context::Context;
use inkwell::types::StructType;

/// Field offsets and sizes, and the total size, of one struct (or enum variant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// Byte offset of each field, in declaration order.
    pub offsets: Vec<u64>,
    /// Size of each field.
    pub sizes: Vec<u64>,
    /// Size of the struct, padding included.
    pub size: u64,
}

/// The layout of one enum: its size, and the offsets of each variant's fields from the start
/// of the enum value (the payload follows the tag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumLayout {
    pub size: u64,
    pub variants: Vec<FieldLayout>,
}

/// The layouts of every struct and enum of a program, indexed like `Program::structs` and
/// `Program::enums`, and the sizes of its globals and of `main`'s locals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layouts {
    pub structs: Vec<FieldLayout>,
    pub enums: Vec<EnumLayout>,
    pub globals: Vec<u64>,
    pub main_locals: Vec<u64>,
    /// The room a hot host keeps for each global and each local of `main`
    /// (`hot_layout.rs`).
    pub global_rooms: Vec<u64>,
    pub main_local_rooms: Vec<u64>,
}

/// Lays out the program's types as code generation does, for the host target.
pub fn layouts(program: &Program) -> Result<Layouts, CodegenError> {
    let tm = target_machine(0)?;
    let ctx = Context::create();
    let module = ctx.create_module("layout");
    let sources = SourceMap::new();
    let gen = Gen::new(
        &ctx,
        &module,
        program,
        tm.get_target_data(),
        &sources,
        &Options::default(),
    )?;
    let structs = gen
        .struct_types
        .iter()
        .zip(&program.structs)
        .map(|(st, def)| {
            let tys: Vec<Ty> = def.fields.iter().map(|f| f.ty.clone()).collect();
            gen.field_layout(*st, &tys, 0, gen.target.get_abi_size(st))
        })
        .collect::<Result<_, _>>()?;
    let mut enums = Vec::new();
    for (def, et) in program.enums.iter().zip(&gen.enum_types) {
        let size = gen.target.get_abi_size(et);
        let payload = gen
            .target
            .offset_of_element(et, 1)
            .ok_or_else(|| CodegenError::Internal(format!("enum {} has no payload", def.name)))?;
        let variants = def
            .variants
            .iter()
            .map(|v| {
                let fields: Vec<Ty> = v.fields.iter().map(|f| f.ty.clone()).collect();
                gen.field_layout(gen.variant_type(&fields), &fields, payload, size)
            })
            .collect::<Result<_, _>>()?;
        enums.push(EnumLayout { size, variants });
    }
    let globals = program.globals.iter().map(|g| gen.size_of(&g.ty)).collect();
    let global_rooms = program
        .globals
        .iter()
        .map(|g| gen.room_size(&g.ty))
        .collect();
    let main_body = program
        .main
        .and_then(|m| program.functions[m].body.as_ref());
    let main_locals = main_body
        .map(|b| b.locals.iter().map(|l| gen.size_of(&l.ty)).collect())
        .unwrap_or_default();
    let main_local_rooms = main_body
        .map(|b| b.locals.iter().map(|l| gen.room_size(&l.ty)).collect())
        .unwrap_or_default();
    Ok(Layouts {
        structs,
        enums,
        globals,
        main_locals,
        global_rooms,
        main_local_rooms,
    })
}

impl Gen<'_, '_> {
    /// The offsets of `st`'s fields (of types `tys`) plus `base`, with `size` as the size.
    fn field_layout(
        &self,
        st: StructType,
        tys: &[Ty],
        base: u64,
        size: u64,
    ) -> Result<FieldLayout, CodegenError> {
        let offsets = (0..st.count_fields())
            .map(|i| {
                self.target
                    .offset_of_element(&st, i)
                    .map(|o| base + o)
                    .ok_or_else(|| CodegenError::Internal(format!("no offset for field {i}")))
            })
            .collect::<Result<_, _>>()?;
        let sizes = tys.iter().map(|t| self.size_of(t)).collect();
        Ok(FieldLayout {
            offsets,
            sizes,
            size,
        })
    }
}
