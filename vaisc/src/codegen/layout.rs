//! Where the code generator puts things in memory: the size of each struct and enum and the
//! offset of each field, read from LLVM's target data for the very LLVM types `types.rs` builds.
//! This is the only layout computation in vaisc; the hot-reload manifest describes layouts from
//! these numbers, so what it compares is what the code does. Field defaults are encoded here
//! too, into the bytes a value of the field's type holds, by the same offsets and sizes.

use super::func::Gen;
use super::{target_machine, CodegenError, Options};
use crate::source::SourceMap;
use crate::tir::{Const, FloatTy, Program, Ty};
use inkwell::context::Context;
use inkwell::targets::ByteOrdering;
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
    /// Per struct, per field: the bytes of the field's default as a value of its type, or
    /// `None` when it has none or it cannot be written as bytes (see [`Gen::const_bytes`]).
    pub struct_defaults: Vec<Vec<Option<Vec<u8>>>>,
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
    let struct_defaults = program
        .structs
        .iter()
        .map(|def| {
            def.fields
                .iter()
                .map(|f| {
                    let c = f.default.as_ref()?;
                    let mut bytes = vec![0; gen.size_of(&f.ty) as usize];
                    gen.const_bytes(c, &f.ty, &mut bytes).then_some(bytes)
                })
                .collect()
        })
        .collect();
    Ok(Layouts {
        structs,
        struct_defaults,
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

impl Gen<'_, '_> {
    /// Writes constant `c`, a value of type `ty`, into `out` (zeroed, `size_of(ty)` long) as the
    /// generated code lays the value out. False when it cannot be bytes: a string or a
    /// function holds an address the compiler does not know, which the migration cannot
    /// store (such a default migrates as zero).
    fn const_bytes(&self, c: &Const, ty: &Ty, out: &mut [u8]) -> bool {
        let little = matches!(self.target.get_byte_ordering(), ByteOrdering::LittleEndian);
        // A scalar's low `out.len()` bytes, in the target's byte order.
        let scalar = |out: &mut [u8], le: &[u8]| {
            let n = out.len().min(le.len());
            out[..n].copy_from_slice(&le[..n]);
            if !little {
                out[..n].reverse();
            }
            true
        };
        match (c, ty) {
            (Const::Zero, _) => true,
            (Const::Int(v), _) => scalar(out, &v.to_le_bytes()),
            (Const::Bool(b), _) => scalar(out, &[u8::from(*b)]),
            (Const::Float(v), Ty::Float(FloatTy::F32)) => scalar(out, &(*v as f32).to_le_bytes()),
            (Const::Float(v), _) => scalar(out, &v.to_le_bytes()),
            (Const::Struct(items), Ty::Struct(id)) => {
                let st = self.struct_types[*id];
                let defs = &self.program.structs[*id].fields;
                items.iter().zip(defs).enumerate().all(|(i, (item, f))| {
                    let Some(at) = self.target.offset_of_element(&st, i as u32) else {
                        return false;
                    };
                    let (at, size) = (at as usize, self.size_of(&f.ty) as usize);
                    out.get_mut(at..at + size)
                        .is_some_and(|slot| self.const_bytes(item, &f.ty, slot))
                })
            }
            (Const::Array(items), Ty::Array(elem, _)) => {
                let stride = self.size_of(elem) as usize;
                items.iter().enumerate().all(|(i, item)| {
                    out.get_mut(i * stride..(i + 1) * stride)
                        .is_some_and(|slot| self.const_bytes(item, elem, slot))
                })
            }
            _ => false,
        }
    }
}
