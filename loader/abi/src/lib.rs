//! The hot-reload ABI: the one place that defines what generated code and the loader runtime
//! agree on. The jump table and manifest layouts, the symbol names, the ABI version and the hash
//! used for signatures and layouts all live here, with no LLVM dependency, so that the compiler
//! side (`codegen-hot`, which builds these structures as LLVM constants) and the runtime side
//! (`loader`, which reads them through these `#[repr(C)]` types) cannot drift apart. The field
//! lists below describe each struct to the code generator; `codegen-hot` tests that the LLVM
//! layout it builds from them equals the Rust layout here.

use std::ffi::{c_char, c_void, CStr};

mod trap;

pub use trap::{
    trap_kind, trap_meaning, trap_prefix, TRAP_DIVISION_BY_ZERO, TRAP_DIVISION_OVERFLOW, TRAP_LEN,
};
// The status channel from a running host to `vaisc watch` and editors lives in its own module.
pub mod status;
// Type layouts as structured data, and the rules for migrating live values between them.
pub mod layout;
pub mod migrate;

/// Bumped whenever anything in this file changes meaning. A patch built for another ABI
/// version is refused. Version 3: division traps, layouts described with the code
/// generator's offsets (enum variants included), hosts record their initial values. Version 4:
/// patches may add globals ([`NewGlobalEntry`]). Version 5: layouts as structured records
/// (fields, variants, storage), the offset table and live data migration. Version 6: a patch
/// carries only the code that changed and calls the host's own functions, which the host
/// exports under [`HOST_FN_PREFIX`]; a patch's manifest entry for a hot function it does not
/// carry is the host's body.
pub const ABI_VERSION: u32 = 6;

/// The host's jump table: a mutable, exported array of code pointers, one slot per `#[hot]`
/// function, initialised with the host's own bodies.
pub const TABLE_SYMBOL: &str = "__vais_hot_table";

/// The manifest, present in both the host and every patch.
pub const MANIFEST_SYMBOL: &str = "__vais_hot_manifest";

/// A patch exports the new body of hot function `f` as `__vais_hot_body.f`.
pub const PATCH_BODY_PREFIX: &str = "__vais_hot_body.";

/// The host exports the entry point of hot function `f` (load the slot, call through it) as
/// `__vais_hot_entry.f`. A function pointer a patch takes to `f` is this host address, so it stays
/// valid after the patch is unloaded and compares equal to the host's own.
pub const ENTRY_PREFIX: &str = "__vais_hot_entry.";

/// The host exports every function a patch may call (hot bodies and the ordinary functions hot
/// code reaches) as `__vais_hot_fn.f`. A patch carries only the functions whose code changed
/// and calls the host's copy of every other one by this name; the runtime's fault recovery
/// counts these host functions as hot code, so a fault in one called from a patch is the
/// patch's to undo.
pub const HOST_FN_PREFIX: &str = "__vais_hot_fn.";

/// The runtime function a patch calls the first time each of its string literals is used:
/// `const char *vais_hot_literal(const char **cache, const char *bytes, uint64_t len)`. It
/// returns a copy owned by the runtime (one per distinct content, never freed) and stores it in
/// `cache`, so a string a patch hands out stays valid after the patch is unloaded.
pub const LITERAL_SYMBOL: &str = "vais_hot_literal";

/// The runtime function the host's `main` calls before running any Vais code:
/// `void vais_hot_runtime_init(const Manifest *host, void **table, const char *argv0)`.
pub const RUNTIME_INIT_SYMBOL: &str = "vais_hot_runtime_init";

/// A file named like the patch library plus this suffix (`libgame.so.rollback`), created beside
/// it, asks the running host to return to its previous code version; the host deletes it.
/// `vaisc watch` creates it when the user types `r`.
pub const ROLLBACK_REQUEST_SUFFIX: &str = ".rollback";

/// The host's offset table is one mutable, exported `u64` per struct field and per struct
/// size, named [`layout::offset_symbol`] and [`layout::size_symbol`]. Code that is not
/// reloadable reads field offsets and array strides from them, so that after the runtime
/// migrated the program's values to a new layout and rewrote them, that code reaches each
/// field at its new place. Named by struct and field rather than numbered, so that adding a
/// field changes nothing in the code that does not use it.
pub const OFFSET_PREFIX: &str = "__vais_hot_offset.";
pub const SIZE_PREFIX: &str = "__vais_hot_size.";

/// A `u32` the runtime defines and sets to 1 while a patch that migrates data waits to be
/// applied. The host's `main` tests it before each call to a hot function and then calls
/// [`SAFE_POINT_SYMBOL`]: that moment, with only `main` on the stack, is when values move.
/// Other code that is not reloadable tests it too before its calls of hot functions, and calls
/// [`NESTED_SAFE_POINT_SYMBOL`].
pub const PENDING_SYMBOL: &str = "__vais_hot_pending";

/// A `u32` the runtime defines and sets to 1, for the rest of the run, once a migration has
/// rewritten the offset table: until then the table holds the host's own layouts, and the
/// host's code that makes no call which could migrate runs a version of itself with those
/// layouts as constants (the table version runs after the flag is set).
pub const LAYOUTS_MOVED_SYMBOL: &str = "__vais_hot_layouts_moved";

/// The runtime's functions the standard library binds (`vais_hot_check`, `vais_hot_reload`,
/// ...) begin with this; any of them may apply a patch, and so migrate values.
pub const RUNTIME_FN_PREFIX: &str = "vais_hot_";

/// `void vais_hot_safe_point(void)`: applies a waiting patch (and its migration) now.
pub const SAFE_POINT_SYMBOL: &str = "vais_hot_safe_point";
/// `void vais_hot_nested_safe_point(void)`: the safe point of code that is not reloadable
/// other than `main` (which hot code may have called): it applies a waiting patch only when
/// no hot code has frames on the calling thread's stack, and leaves it waiting otherwise.
pub const NESTED_SAFE_POINT_SYMBOL: &str = "vais_hot_nested_safe_point";
/// A patch that adds global `g` (one the host does not have) reaches it through the pointer
/// variable `__vais_hot_global.g`, which the runtime fills before any of the patch's code runs
/// with the address of storage it owns. The storage outlives the patch: every later patch
/// that has `g` gets the same address, and unloading the patch that added it frees nothing.
pub const NEW_GLOBAL_SLOT_PREFIX: &str = "__vais_hot_global.";

/// The initial value of a new global `g` in the patch that has it, `__vais_hot_global_init.g`:
/// the runtime copies it into the storage it creates (only the first patch with `g` does).
pub const NEW_GLOBAL_INIT_PREFIX: &str = "__vais_hot_global_init.";

/// Which side a manifest describes.
pub const KIND_HOST: u32 = 0;
pub const KIND_PATCH: u32 = 1;

/// Set in a host manifest when the program calls `hot_check` (or `hot_loop`): patches are then
/// applied only at those safe points, never from the watcher thread.
pub const FLAG_SAFE_POINTS: u32 = 1;

/// Set in a patch manifest when the patch hands out the address of one of its own functions (a
/// non-hot helper used as a function value): such a pointer may live anywhere, so the loader
/// keeps the library mapped for the rest of the run instead of reclaiming it.
pub const FLAG_KEEP_LOADED: u32 = 2;

/// The LLVM function attribute (a string attribute without value) the code generator puts on
/// code whose address is only ever held in the stack frame that takes it: the body of a closure
/// that does not escape, and the thunk of a function pointer used as such a closure. A patch
/// that uses such code as a value still hands nothing out, because the frame holding the
/// address is inside the patch, which the loader's stack check sees (`unload.rs` in
/// `codegen-hot`).
pub const LOCAL_CODE_ATTRIBUTE: &str = "vais-local-code";

/// The LLVM function attribute the code generator puts on the code of a closure that may
/// escape (and on the thunk of a function pointer used as such a closure). A patch does not
/// hand such code out when it is built, only when it runs: each place that takes its address
/// first sets the patch's [`PINNED_SYMBOL`] flag, so only a patch that has really created a
/// closure the program may keep stays loaded.
pub const PIN_ON_USE_ATTRIBUTE: &str = "vais-pin-on-use";

/// An exported `u32` in a patch whose code may create escaping closures: zero until that code
/// first runs, then non-zero for good. The loader reads it (after checking no thread is inside
/// the patch) and never unloads a patch whose flag is set.
pub const PINNED_SYMBOL: &str = "__vais_hot_pinned";

/// Describes a hot build's contents to the loader.
#[repr(C)]
#[derive(Debug)]
pub struct Manifest {
    pub abi_version: u32,
    /// [`KIND_HOST`] or [`KIND_PATCH`].
    pub kind: u32,
    /// Identifies the program (a hash of its entry file name), so a patch of another program
    /// is refused.
    pub program_id: u64,
    pub function_count: u32,
    pub layout_count: u32,
    /// [`FLAG_SAFE_POINTS`] (hosts), [`FLAG_KEEP_LOADED`] (patches).
    pub flags: u32,
    pub reserved: u32,
    pub functions: *const FunctionEntry,
    /// Struct, enum and global layouts the module relies on.
    pub layouts: *const LayoutEntry,
    /// Globals a patch has and its host does not (always 0 in a host).
    pub new_global_count: u32,
    pub new_global_reserved: u32,
    pub new_globals: *const NewGlobalEntry,
}

/// A global a patch adds (see [`NEW_GLOBAL_SLOT_PREFIX`]).
#[repr(C)]
#[derive(Debug)]
pub struct NewGlobalEntry {
    /// NUL-terminated Vais name, e.g. `score`.
    pub name: *const c_char,
    /// NUL-terminated type, followed by the layout of each struct and enum it holds by value,
    /// e.g. `i64` or `[P; 4]; struct P { x: i64 @0 } size 8`.
    pub layout: *const c_char,
    /// Hash of `layout`: a later patch whose global of the same name has another type, or a
    /// struct in it another layout, is refused.
    pub hash: u64,
    /// Size and alignment of the value in bytes, from the code generator's layout.
    pub size: u64,
    pub align: u64,
    /// `size` bytes: the initial value, in the patch (pointer-free: strings and function
    /// addresses in it would point into the patch).
    pub init: *const c_void,
    /// The patch's pointer variable the runtime stores the storage's address in.
    pub slot: *mut *mut c_void,
}

/// One `#[hot]` function.
#[repr(C)]
#[derive(Debug)]
pub struct FunctionEntry {
    /// NUL-terminated Vais name (`update`, or `Type.method`).
    pub name: *const c_char,
    /// NUL-terminated signature as Vais writes it, e.g. `(*GameState, f64) -> i64`, for
    /// messages.
    pub signature: *const c_char,
    pub signature_hash: u64,
    /// Hash of the function's code and of every non-hot function it reaches, so the loader
    /// can tell which functions a patch really changes.
    pub body_hash: u64,
    /// Index of the function's slot in the jump table.
    pub slot: u32,
    pub reserved: u32,
    /// The function's body in this module.
    pub address: *const c_void,
}

/// The layout of one struct, enum or global that the module shares with the other side, as
/// structured data (read into a [`layout::TypeLayout`] by [`layout::TypeLayout::read`]).
#[repr(C)]
#[derive(Debug)]
pub struct LayoutEntry {
    /// NUL-terminated name: `GameState`, `score`, or `main.state` for a local of `main`.
    pub name: *const c_char,
    /// NUL-terminated description, e.g. `{ frame: i64 @0, x: i64 @8 } size 16`, for messages.
    pub layout: *const c_char,
    /// Hash of the description: equal hashes, equal layouts.
    pub hash: u64,
    /// A [`layout::LayoutKind`].
    pub kind: u32,
    pub field_count: u32,
    pub size: u64,
    /// Host globals: the bytes kept at `address` (size plus room to grow).
    pub room: u64,
    /// Struct fields, or the one field describing a global's type.
    pub fields: *const FieldEntry,
    pub variants: *const VariantEntry,
    pub variant_count: u32,
    pub reserved: u32,
    /// Host globals: the value's address; null otherwise.
    pub address: *mut c_void,
    /// NUL-terminated reason values of this type cannot be migrated (with its source line), or
    /// null.
    pub refusal: *const c_char,
}

/// One field of a struct or enum variant, or a global's type.
#[repr(C)]
#[derive(Debug)]
pub struct FieldEntry {
    pub name: *const c_char,
    /// The element type's name (`i64`, `Vec2`, ...).
    pub type_name: *const c_char,
    /// A [`layout::ValueKind`] code.
    pub kind: u32,
    /// [`layout::FIELD_USED_BY_HOST`].
    pub flags: u32,
    pub offset: u64,
    pub size: u64,
    /// Array elements, 1 for a single value.
    pub count: u64,
    /// `size` bytes of the field's default, or null for zero.
    pub default: *const u8,
}

/// One enum variant.
#[repr(C)]
#[derive(Debug)]
pub struct VariantEntry {
    pub name: *const c_char,
    pub tag: u64,
    pub fields: *const FieldEntry,
    pub field_count: u32,
    /// [`layout::FIELD_USED_BY_HOST`].
    pub flags: u32,
}

/// The machine types the fields of the ABI structs are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    U32,
    U64,
    Ptr,
}

/// One field of an ABI struct: its name in the Rust struct, and its machine type. The code
/// generator fills the fields of a manifest constant by these names, never by position, and
/// this crate's tests check each name's offset against the Rust struct's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldKind,
}

const fn field(name: &'static str, kind: FieldKind) -> Field {
    Field { name, kind }
}

/// The fields of [`Manifest`], in order.
pub const MANIFEST_FIELDS: &[Field] = &[
    field("abi_version", FieldKind::U32),
    field("kind", FieldKind::U32),
    field("program_id", FieldKind::U64),
    field("function_count", FieldKind::U32),
    field("layout_count", FieldKind::U32),
    field("flags", FieldKind::U32),
    field("reserved", FieldKind::U32),
    field("functions", FieldKind::Ptr),
    field("layouts", FieldKind::Ptr),
    field("new_global_count", FieldKind::U32),
    field("new_global_reserved", FieldKind::U32),
    field("new_globals", FieldKind::Ptr),
];

/// The fields of [`NewGlobalEntry`], in order.
pub const NEW_GLOBAL_ENTRY_FIELDS: &[Field] = &[
    field("name", FieldKind::Ptr),
    field("layout", FieldKind::Ptr),
    field("hash", FieldKind::U64),
    field("size", FieldKind::U64),
    field("align", FieldKind::U64),
    field("init", FieldKind::Ptr),
    field("slot", FieldKind::Ptr),
];

/// The fields of [`FunctionEntry`], in order.
pub const FUNCTION_ENTRY_FIELDS: &[Field] = &[
    field("name", FieldKind::Ptr),
    field("signature", FieldKind::Ptr),
    field("signature_hash", FieldKind::U64),
    field("body_hash", FieldKind::U64),
    field("slot", FieldKind::U32),
    field("reserved", FieldKind::U32),
    field("address", FieldKind::Ptr),
];

/// The fields of [`LayoutEntry`], in order.
pub const LAYOUT_ENTRY_FIELDS: &[Field] = &[
    field("name", FieldKind::Ptr),
    field("layout", FieldKind::Ptr),
    field("hash", FieldKind::U64),
    field("kind", FieldKind::U32),
    field("field_count", FieldKind::U32),
    field("size", FieldKind::U64),
    field("room", FieldKind::U64),
    field("fields", FieldKind::Ptr),
    field("variants", FieldKind::Ptr),
    field("variant_count", FieldKind::U32),
    field("reserved", FieldKind::U32),
    field("address", FieldKind::Ptr),
    field("refusal", FieldKind::Ptr),
];

/// The fields of [`FieldEntry`], in order.
pub const FIELD_ENTRY_FIELDS: &[Field] = &[
    field("name", FieldKind::Ptr),
    field("type_name", FieldKind::Ptr),
    field("kind", FieldKind::U32),
    field("flags", FieldKind::U32),
    field("offset", FieldKind::U64),
    field("size", FieldKind::U64),
    field("count", FieldKind::U64),
    field("default", FieldKind::Ptr),
];

/// The fields of [`VariantEntry`], in order.
pub const VARIANT_ENTRY_FIELDS: &[Field] = &[
    field("name", FieldKind::Ptr),
    field("tag", FieldKind::U64),
    field("fields", FieldKind::Ptr),
    field("field_count", FieldKind::U32),
    field("flags", FieldKind::U32),
];

/// 64-bit FNV-1a: the hash of signatures, layouts, bodies and program ids. Stable across
/// compiler versions and platforms, which `std`'s hasher does not promise.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Manifest {
    /// The manifest's function entries.
    ///
    /// # Safety
    /// `self` must be a manifest emitted by the Vais code generator (or built to the same
    /// rules): `functions` points at `function_count` valid entries for as long as the module
    /// that holds it stays loaded.
    pub unsafe fn functions(&self) -> &[FunctionEntry] {
        if self.function_count == 0 || self.functions.is_null() {
            return &[];
        }
        // SAFETY: the caller guarantees the pointer and count describe a live array.
        unsafe { std::slice::from_raw_parts(self.functions, self.function_count as usize) }
    }

    /// The manifest's layout entries.
    ///
    /// # Safety
    /// As for [`Manifest::functions`], for `layouts` and `layout_count`.
    pub unsafe fn layouts(&self) -> &[LayoutEntry] {
        if self.layout_count == 0 || self.layouts.is_null() {
            return &[];
        }
        // SAFETY: the caller guarantees the pointer and count describe a live array.
        unsafe { std::slice::from_raw_parts(self.layouts, self.layout_count as usize) }
    }

    /// The globals a patch adds.
    ///
    /// # Safety
    /// As for [`Manifest::functions`], for `new_globals` and `new_global_count`.
    pub unsafe fn new_globals(&self) -> &[NewGlobalEntry] {
        if self.new_global_count == 0 || self.new_globals.is_null() {
            return &[];
        }
        // SAFETY: the caller guarantees the pointer and count describe a live array.
        unsafe { std::slice::from_raw_parts(self.new_globals, self.new_global_count as usize) }
    }
}

/// Reads a NUL-terminated string of a manifest, replacing invalid UTF-8.
///
/// # Safety
/// `p` must be null or point at a NUL-terminated string that outlives the returned value.
pub unsafe fn c_str<'a>(p: *const c_char) -> std::borrow::Cow<'a, str> {
    if p.is_null() {
        return std::borrow::Cow::Borrowed("");
    }
    // SAFETY: the caller guarantees `p` is a live NUL-terminated string.
    unsafe { CStr::from_ptr(p) }.to_string_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    /// The offsets a C compiler gives a struct made of `fields`.
    fn c_layout(fields: &[Field]) -> (Vec<usize>, usize) {
        let mut offsets = Vec::new();
        let mut at: usize = 0;
        let mut align: usize = 1;
        for f in fields {
            let size: usize = match f.kind {
                FieldKind::U32 => 4,
                FieldKind::U64 | FieldKind::Ptr => 8,
            };
            at = at.next_multiple_of(size);
            offsets.push(at);
            at += size;
            align = align.max(size);
        }
        (offsets, at.next_multiple_of(align))
    }

    /// `(name, offset)` of each named field of a Rust struct.
    macro_rules! offsets {
        ($ty:ty: $($f:ident),*) => { vec![$((stringify!($f), offset_of!($ty, $f))),*] };
    }

    /// Every field of the list is the Rust struct's field of the same name, at its offset, and
    /// the list covers the whole struct.
    fn check(fields: &[Field], rust: Vec<(&str, usize)>, size: usize) {
        let (off, total) = c_layout(fields);
        assert_eq!(total, size);
        assert_eq!(fields.len(), rust.len());
        for (name, offset) in rust {
            let i = fields
                .iter()
                .position(|f| f.name == name)
                .unwrap_or_else(|| panic!("no field {name}"));
            assert_eq!(off[i], offset, "field {name}");
        }
    }

    #[test]
    fn field_lists_describe_the_repr_c_structs_by_name() {
        check(
            MANIFEST_FIELDS,
            offsets!(Manifest: abi_version, kind, program_id, function_count, layout_count,
                flags, reserved, functions, layouts, new_global_count, new_global_reserved,
                new_globals),
            size_of::<Manifest>(),
        );
        check(
            NEW_GLOBAL_ENTRY_FIELDS,
            offsets!(NewGlobalEntry: name, layout, hash, size, align, init, slot),
            size_of::<NewGlobalEntry>(),
        );
        check(
            FUNCTION_ENTRY_FIELDS,
            offsets!(FunctionEntry: name, signature, signature_hash, body_hash, slot, reserved,
                address),
            size_of::<FunctionEntry>(),
        );
        check(
            LAYOUT_ENTRY_FIELDS,
            offsets!(LayoutEntry: name, layout, hash, kind, field_count, size, room, fields,
                variants, variant_count, reserved, address, refusal),
            size_of::<LayoutEntry>(),
        );
        check(
            FIELD_ENTRY_FIELDS,
            offsets!(FieldEntry: name, type_name, kind, flags, offset, size, count, default),
            size_of::<FieldEntry>(),
        );
        check(
            VARIANT_ENTRY_FIELDS,
            offsets!(VariantEntry: name, tag, fields, field_count, flags),
            size_of::<VariantEntry>(),
        );
        assert_eq!(align_of::<LayoutEntry>(), 8);
    }

    #[test]
    fn fnv1a_known_values() {
        assert_eq!(hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
