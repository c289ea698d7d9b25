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

/// Field offsets and total size of one struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// Byte offset of each field, in declaration order.
    pub offsets: Vec<u64>,
    /// Size of the struct, padding included.
    pub size: u64,
}

/// The layout of one enum: its size, and the offsets of each variant's fields from the start
/// of the enum value (the payload follows the tag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumLayout {
    pub size: u64,
    pub variants: Vec<Vec<u64>>,
}

/// The layouts of every struct and enum of a program, indexed like `Program::structs` and
/// `Program::enums`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layouts {
    pub structs: Vec<FieldLayout>,
    pub enums: Vec<EnumLayout>,
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
        None,
    )?;
    let structs = gen
        .struct_types
        .iter()
        .map(|st| gen.field_layout(*st, 0, gen.target.get_abi_size(st)))
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
                gen.field_layout(gen.variant_type(&fields), payload, size)
                    .map(|l| l.offsets)
            })
            .collect::<Result<_, _>>()?;
        enums.push(EnumLayout { size, variants });
    }
    Ok(Layouts { structs, enums })
}

impl Gen<'_, '_> {
    /// The offsets of `st`'s fields plus `base`, with `size` as the size.
    fn field_layout(
        &self,
        st: StructType,
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
        Ok(FieldLayout { offsets, size })
    }
}
