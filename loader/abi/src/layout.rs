//! Type layouts as structured data: what the manifest's [`LayoutEntry`] records say about each
//! struct, enum and global, as owned Rust values. The code generator fills these from its one
//! layout computation (`vaisc/src/codegen/layout.rs`, LLVM's target data), `codegen-hot` writes
//! them into the manifest as `#[repr(C)]` arrays, and the runtime reads them back with
//! [`TypeLayout::read`]. The migration rules (`migrate.rs`) work on these values only, so the
//! compiler's report and the runtime's decision come from the same data.

use crate::{c_str, FieldEntry, LayoutEntry, VariantEntry};

/// What a layout record describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutKind {
    Struct = 0,
    Enum = 1,
    /// A global variable, or a local of `main` the host keeps in static storage so that it can
    /// be migrated (named `main.NAME`): one field describes its type.
    Global = 2,
}

impl LayoutKind {
    pub fn from_code(code: u32) -> Option<LayoutKind> {
        match code {
            0 => Some(LayoutKind::Struct),
            1 => Some(LayoutKind::Enum),
            2 => Some(LayoutKind::Global),
            _ => None,
        }
    }
}

/// The machine kind of a field's (or array element's) value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A signed or unsigned integer of `bits` bits.
    Int {
        bits: u32,
        signed: bool,
    },
    Float {
        bits: u32,
    },
    Bool,
    /// Any pointer: `*T`, `str`, function values. Copied as an address.
    Ptr,
    /// A struct, named by the field's `type_name`.
    Struct,
    /// An enum, named by the field's `type_name`.
    Enum,
    /// Anything else (no value, or a type the rules do not look into): copied only when its
    /// type name and size are unchanged.
    Opaque,
}

impl ValueKind {
    /// The number the manifest stores for this kind.
    pub fn code(self) -> u32 {
        match self {
            ValueKind::Int { bits, signed } => (bits << 8) | u32::from(signed) | 0x10,
            ValueKind::Float { bits } => (bits << 8) | 0x20,
            ValueKind::Bool => 0x30,
            ValueKind::Ptr => 0x40,
            ValueKind::Struct => 0x50,
            ValueKind::Enum => 0x60,
            ValueKind::Opaque => 0x70,
        }
    }

    pub fn from_code(code: u32) -> ValueKind {
        let bits = code >> 8;
        match code & 0xf0 {
            0x10 => ValueKind::Int {
                bits,
                signed: code & 1 != 0,
            },
            0x20 => ValueKind::Float { bits },
            0x30 => ValueKind::Bool,
            0x40 => ValueKind::Ptr,
            0x50 => ValueKind::Struct,
            0x60 => ValueKind::Enum,
            _ => ValueKind::Opaque,
        }
    }

    /// Whether values of this kind convert to each other as `as` would.
    pub fn is_numeric(self) -> bool {
        matches!(self, ValueKind::Int { .. } | ValueKind::Float { .. })
    }
}

/// Set on a field of a host layout when code that is not reloadable (`main` and what only it
/// runs) reads or writes the field: such code keeps running after a reload, so the field may
/// move but neither disappear nor change type. Set on an enum variant such code builds or
/// matches: it keeps its tag and payload.
pub const FIELD_USED_BY_HOST: u32 = 1;

/// Set on a field that such code only writes in struct literals: if a patch removes it (or
/// changes its type), those writes are sent to room past the value's new end.
pub const FIELD_BUILT_BY_HOST: u32 = 2;

/// One field of a struct or enum variant, or the type of a global. An array is described by
/// its element (`kind`, `type_name`) and its `count`; nested arrays are flattened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    pub name: String,
    /// The element's type as Vais writes it; for structs and enums, the type's name.
    pub type_name: String,
    pub kind: ValueKind,
    pub offset: u64,
    /// Size of the whole field (all elements of an array).
    pub size: u64,
    /// Elements: 1 unless the field is an array.
    pub count: u64,
    /// Bytes of the field's default value (`size` long), or `None` for zero.
    pub default: Option<Vec<u8>>,
    /// [`FIELD_USED_BY_HOST`].
    pub flags: u32,
}

impl FieldLayout {
    /// Size of one element.
    pub fn stride(&self) -> u64 {
        self.size.checked_div(self.count).unwrap_or(0)
    }

    /// The field's type as Vais writes it, for messages.
    pub fn type_text(&self) -> String {
        if self.count == 1 {
            self.type_name.clone()
        } else {
            format!("[{}; {}]", self.type_name, self.count)
        }
    }
}

/// One variant of an enum: its tag and its payload fields (offsets from the enum's start).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantLayout {
    pub name: String,
    pub tag: u64,
    pub fields: Vec<FieldLayout>,
    /// [`FIELD_USED_BY_HOST`].
    pub flags: u32,
}

/// Where a host keeps one of its live values, and how much room it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Storage {
    /// The value's address in the running host.
    pub address: usize,
    /// Bytes reserved there: the value's size plus room to grow (see [`room_for`]).
    pub room: u64,
}

/// The layout of one struct, enum or global.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeLayout {
    pub kind: LayoutKind,
    pub name: String,
    pub size: u64,
    /// Struct fields, or the one field describing a global's type; empty for enums.
    pub fields: Vec<FieldLayout>,
    pub variants: Vec<VariantLayout>,
    /// Host globals: where the value lives.
    pub storage: Option<Storage>,
    /// Why values of this type (or this global) cannot be migrated, with the source line that
    /// makes it so, found when the host was built; `None` if nothing stands in the way.
    pub refusal: Option<String>,
}

/// The room a hot host keeps for a value of `size` bytes: twice its size plus 64 bytes, so a
/// value may double and still gain a few fields.
pub fn room_for(size: u64) -> u64 {
    size * 2 + 64
}

/// The prefix of the names under which a host lists the locals of `main` it keeps in static
/// storage: `main.state`.
pub const MAIN_LOCAL_PREFIX: &str = "main.";

impl TypeLayout {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldLayout> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// A one-line description for messages, e.g. `{ frame: i64 @0, x: f64 @8 } size 16`.
    pub fn describe(&self) -> String {
        let fields = |fs: &[FieldLayout]| {
            fs.iter()
                .map(|f| format!("{}: {} @{}", f.name, f.type_text(), f.offset))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.kind {
            LayoutKind::Struct => format!("{{ {} }} size {}", fields(&self.fields), self.size),
            LayoutKind::Enum => {
                let variants: Vec<String> = self
                    .variants
                    .iter()
                    .map(|v| {
                        if v.fields.is_empty() {
                            v.name.clone()
                        } else {
                            format!("{}({})", v.name, fields(&v.fields))
                        }
                    })
                    .collect();
                format!("{{ {} }} size {}", variants.join(", "), self.size)
            }
            LayoutKind::Global => self
                .fields
                .first()
                .map(FieldLayout::type_text)
                .unwrap_or_default(),
        }
    }

    /// The key a layout is matched by between host and patch: kind and name.
    pub fn key(&self) -> String {
        let kind = match self.kind {
            LayoutKind::Struct => "struct",
            LayoutKind::Enum => "enum",
            LayoutKind::Global => "global",
        };
        format!("{kind} {}", self.name)
    }

    /// Reads a manifest record.
    ///
    /// # Safety
    /// `entry` must be a layout record emitted by the Vais compiler (or built to the same
    /// rules), alive for the duration of the call: its pointers and counts describe live arrays
    /// and NUL-terminated strings.
    pub unsafe fn read(entry: &LayoutEntry) -> TypeLayout {
        // SAFETY: guaranteed by the caller, for each pointer read below.
        unsafe {
            let fields = slice(entry.fields, entry.field_count)
                .iter()
                .map(|f| read_field(f))
                .collect();
            let variants = slice(entry.variants, entry.variant_count)
                .iter()
                .map(|v: &VariantEntry| VariantLayout {
                    name: c_str(v.name).into_owned(),
                    tag: v.tag,
                    flags: v.flags,
                    fields: slice(v.fields, v.field_count)
                        .iter()
                        .map(|f| read_field(f))
                        .collect(),
                })
                .collect();
            TypeLayout {
                kind: LayoutKind::from_code(entry.kind).unwrap_or(LayoutKind::Global),
                name: c_str(entry.name).into_owned(),
                size: entry.size,
                fields,
                variants,
                storage: (!entry.address.is_null()).then_some(Storage {
                    address: entry.address as usize,
                    room: entry.room,
                }),
                refusal: (!entry.refusal.is_null()).then(|| c_str(entry.refusal).into_owned()),
            }
        }
    }
}

/// The exported `u64` holding the offset of field `field` of struct `name` in a hot host.
pub fn offset_symbol(name: &str, field: &str) -> String {
    format!("{}{name}.{field}", crate::OFFSET_PREFIX)
}

/// The exported `u64` holding the size of struct `name` in a hot host.
pub fn size_symbol(name: &str) -> String {
    format!("{}{name}", crate::SIZE_PREFIX)
}

/// # Safety
/// `p` must be null or point at `n` live values.
unsafe fn slice<'a, T>(p: *const T, n: u32) -> &'a [T] {
    if p.is_null() || n == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(p, n as usize) }
}

/// # Safety
/// As for [`TypeLayout::read`].
unsafe fn read_field(f: &FieldEntry) -> FieldLayout {
    // SAFETY: guaranteed by the caller.
    unsafe {
        FieldLayout {
            name: c_str(f.name).into_owned(),
            type_name: c_str(f.type_name).into_owned(),
            kind: ValueKind::from_code(f.kind),
            offset: f.offset,
            size: f.size,
            count: f.count,
            default: (!f.default.is_null())
                .then(|| std::slice::from_raw_parts(f.default, f.size as usize).to_vec()),
            flags: f.flags,
        }
    }
}
