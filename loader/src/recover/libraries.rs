//! The fault handler's tables for the shared libraries Vais code calls into (libc, libm, and
//! whatever else the host links or a patch pulls in): where each is mapped, the call-frame rows
//! of its code, and its exported function names. With them, a fault inside `strlen` called by
//! new code is unwound out of the library to the Vais call, and recovered like a fault there.
//!
//! The tables are built outside the handler, when the runtime starts and after it loads a
//! patch: [`refresh`] lists the loaded objects with `dl_iterate_phdr`, reads the unwind tables of
//! each new one from its mapped `.eh_frame` (found through `PT_GNU_EH_FRAME`, the
//! `.eh_frame_hdr` the dynamic loader maps), and its names from the file's `.dynsym`. The maps
//! are published in `registry.rs` like a patch's, so the handler only loads pointers and
//! searches sorted arrays.

use super::codemap::CodeMap;
use super::registry;
use crate::elf::{self, Section};
use gimli::LittleEndian;
use parking_lot::Mutex;
use std::ffi::c_void;

const PT_GNU_EH_FRAME: u32 = 0x6474_e550;
const STT_FUNC: u8 = 2;
const STT_GNU_IFUNC: u8 = 10;
const SHT_DYNSYM: u32 = 11;

/// One loaded object, as `dl_iterate_phdr` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Object {
    name: String,
    /// What its link-time addresses are moved by.
    bias: usize,
    /// The page-aligned mapped span.
    lo: usize,
    hi: usize,
    /// The run-time address and size of its `.eh_frame_hdr`, and the end of the loaded
    /// segment holding it (the `.eh_frame` it points to lies in the same segment).
    eh_frame_hdr: Option<(usize, usize, usize)>,
}

/// The objects whose maps are published now.
static KNOWN: Mutex<Vec<Object>> = Mutex::new(Vec::new());

/// Brings the published library maps in line with the objects loaded now: builds the maps of
/// objects loaded since the last call and retires those of objects unloaded since. The host
/// executable and patch libraries (which have maps of their own) are left out. Returns how
/// many maps were built.
pub fn refresh() -> usize {
    let mut known = KNOWN.lock();
    let own = refresh as *const () as usize;
    let now: Vec<Object> = loaded()
        .into_iter()
        .filter(|o| !(o.lo <= own && own < o.hi))
        .collect();
    known.retain(|k| {
        let kept = now.contains(k);
        if !kept {
            registry::remove_library((k.lo, k.hi));
        }
        kept
    });
    let mut built = 0;
    for object in now {
        if known.contains(&object) {
            continue;
        }
        if let Some(map) = build(&object) {
            registry::add_library(map);
            built += 1;
        }
        // An object without usable tables is remembered too, so it is not read again.
        known.push(object);
    }
    built
}

/// The loaded objects.
fn loaded() -> Vec<Object> {
    unsafe extern "C" fn visit(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        data: *mut c_void,
    ) -> libc::c_int {
        // SAFETY: `dl_iterate_phdr` passes a valid object description and our vector.
        let (info, out) = unsafe { (&*info, &mut *data.cast::<Vec<Object>>()) };
        // SAFETY: the object's program headers, as many as it says.
        let headers = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum.into()) };
        let bias = info.dlpi_addr as usize;
        let loads = || headers.iter().filter(|h| h.p_type == libc::PT_LOAD);
        let lo = loads().map(|h| bias + h.p_vaddr as usize).min();
        let hi = loads()
            .map(|h| bias + (h.p_vaddr + h.p_memsz) as usize)
            .max();
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return 0;
        };
        let eh_frame_hdr = headers
            .iter()
            .find(|h| h.p_type == PT_GNU_EH_FRAME)
            .and_then(|h| {
                let at = bias + h.p_vaddr as usize;
                let segment = loads().find(|l| {
                    let start = bias + l.p_vaddr as usize;
                    start <= at && at < start + l.p_memsz as usize
                })?;
                let end = bias + (segment.p_vaddr + segment.p_filesz) as usize;
                Some((at, h.p_memsz as usize, end))
            });
        let name = if info.dlpi_name.is_null() {
            String::new()
        } else {
            // SAFETY: a non-null `dlpi_name` is a NUL-terminated path the loader owns.
            unsafe { std::ffi::CStr::from_ptr(info.dlpi_name) }
                .to_string_lossy()
                .into_owned()
        };
        out.push(Object {
            name,
            bias,
            lo: lo & !0xfff,
            hi: (hi + 0xfff) & !0xfff,
            eh_frame_hdr,
        });
        0
    }
    let mut out: Vec<Object> = Vec::new();
    // SAFETY: `visit` matches the callback type and only reads what it is given.
    unsafe { libc::dl_iterate_phdr(Some(visit), (&mut out as *mut Vec<Object>).cast()) };
    out
}

/// The map of one library, or `None` when it has no unwind tables or is a patch.
fn build(object: &Object) -> Option<CodeMap> {
    let (hdr_at, hdr_len, segment_end) = object.eh_frame_hdr?;
    // A reference of our own keeps the object mapped while its tables are read, even if the
    // runtime unloads the patch that pulled it in meanwhile. Only objects the dynamic loader
    // never unloads (the vDSO) have no name to open; one that has gone already is skipped.
    let pin = open(&object.name);
    if pin.is_none() && object.name.contains('/') {
        return None;
    }
    let map = read(object, hdr_at, hdr_len, segment_end);
    if let Some(handle) = pin {
        // SAFETY: `handle` came from `dlopen`, whose reference this releases.
        unsafe { libc::dlclose(handle) };
    }
    map
}

/// Reads the tables of `object`, whose `.eh_frame_hdr` is mapped at `hdr_at`.
fn read(object: &Object, hdr_at: usize, hdr_len: usize, segment_end: usize) -> Option<CodeMap> {
    let file = std::fs::read(&object.name).ok();
    let sections = file.as_deref().map(elf::sections).unwrap_or_default();
    let dynsym = symbols(&sections);
    if dynsym
        .iter()
        .any(|s| s.name == vais_hot_abi::MANIFEST_SYMBOL)
    {
        return None;
    }
    // SAFETY: the `.eh_frame_hdr` is mapped where its program header says, and the object
    // stays loaded while it is read (`build` holds a reference to it).
    let hdr = unsafe { std::slice::from_raw_parts(hdr_at as *const u8, hdr_len) };
    let bases = gimli::BaseAddresses::default().set_eh_frame_hdr(hdr_at as u64);
    let parsed = gimli::EhFrameHdr::new(hdr, LittleEndian)
        .parse(&bases, 8)
        .ok()?;
    let eh_frame_at = parsed.eh_frame_ptr().direct().ok()? as usize;
    if eh_frame_at < object.lo || eh_frame_at >= segment_end {
        return None;
    }
    // SAFETY: the `.eh_frame` starts where the header points, inside the loaded segment that
    // holds the header, whose file-backed part runs to `segment_end`; its entries end with a
    // zero terminator before that, where gimli stops.
    let data =
        unsafe { std::slice::from_raw_parts(eh_frame_at as *const u8, segment_end - eh_frame_at) };
    let eh = Section {
        name: ".eh_frame",
        kind: 1,
        addr: eh_frame_at as u64,
        data,
        link: 0,
    };
    let mut map = CodeMap::empty(object.lo, object.hi);
    // The section is read where it is mapped: its addresses are run-time ones (bias 0).
    let functions = map.unwind_rows(&eh, 0, 0, |_| true).ok()?;
    let bias = object.bias;
    for s in &dynsym {
        match s.kind {
            STT_FUNC if s.size > 0 => {
                map.add_symbol(bias + s.value, bias + s.value + s.size, s.name)
            }
            // An indirect function's symbol is its resolver: the code that runs is the one the
            // resolver picks (`__strlen_avx2` for `strlen`), which spans what its unwind entry
            // covers. Each versioned definition has a resolver of its own (`memcpy@GLIBC_2.2.5`
            // picks a `memmove`), and an unversioned reference, as a patch makes, may bind to
            // any of them: every one is asked.
            STT_GNU_IFUNC => {
                let at = resolve(bias + s.value);
                let i = functions.partition_point(|f| f.0 <= at);
                if let Some(&(start, end)) = i.checked_sub(1).and_then(|i| functions.get(i)) {
                    if start <= at && at < end {
                        map.add_symbol(at, end, s.name);
                    }
                }
            }
            _ => {}
        }
    }
    map.sort_symbols();
    Some(map)
}

/// A `.dynsym` entry.
struct Dynamic<'a> {
    name: &'a str,
    kind: u8,
    value: usize,
    size: usize,
}

fn symbols<'a>(sections: &[Section<'a>]) -> Vec<Dynamic<'a>> {
    let Some(table) = sections.iter().find(|s| s.kind == SHT_DYNSYM) else {
        return Vec::new();
    };
    let strings = sections
        .get(table.link as usize)
        .map_or(&[][..], |s| s.data);
    table
        .data
        .chunks_exact(24)
        .filter_map(|sym| {
            let name_at = u32::from_le_bytes([sym[0], sym[1], sym[2], sym[3]]) as usize;
            let value = u64::from_le_bytes(sym[8..16].try_into().ok()?) as usize;
            let size = u64::from_le_bytes(sym[16..24].try_into().ok()?) as usize;
            let name = strings
                .get(name_at..)
                .and_then(|n| n.split(|&b| b == 0).next())
                .and_then(|n| std::str::from_utf8(n).ok())?;
            // Section index 0: an undefined symbol, which the object imports.
            let defined = u16::from_le_bytes([sym[6], sym[7]]) != 0;
            (defined && !name.is_empty()).then_some(Dynamic {
                name,
                kind: sym[4] & 0xf,
                value,
                size,
            })
        })
        .collect()
}

/// A reference to the already loaded object `name` (never loads one).
fn open(name: &str) -> Option<*mut c_void> {
    let path = std::ffi::CString::new(name).ok()?;
    // SAFETY: a NUL-terminated path; RTLD_NOLOAD only looks the object up (and counts a
    // reference when it is loaded).
    let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOLOAD | libc::RTLD_LAZY) };
    (!handle.is_null()).then_some(handle)
}

/// The implementation the resolver of an indirect function at `resolver` picks.
fn resolve(resolver: usize) -> usize {
    // SAFETY: `resolver` is the address of an STT_GNU_IFUNC symbol defined by a loaded object:
    // a function taking no arguments the x86-64 resolvers read and returning the address of
    // the implementation. The dynamic loader called it when it bound the symbol, and `dlsym`
    // calls it again on every lookup, so calling it once more, outside any handler, is what
    // the loader itself does.
    let pick: extern "C" fn() -> usize = unsafe { std::mem::transmute(resolver) };
    pick()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    /// The C library this test runs on gets a map that names its functions at the addresses
    /// the dynamic loader gives them (the implementation an indirect function resolves to
    /// included) and has an unwind row there whose return address is at the canonical frame
    /// address minus 8.
    #[test]
    fn libc_functions_are_named_and_have_unwind_rows() {
        let _ = refresh();
        for name in ["strlen", "memcpy", "memset", "puts"] {
            // SAFETY: a NUL-terminated name; RTLD_DEFAULT searches the loaded objects.
            let at =
                unsafe { libc::dlsym(libc::RTLD_DEFAULT, CString::new(name).unwrap().as_ptr()) }
                    as usize;
            assert_ne!(at, 0, "{name}");
            registry::ACTIVE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let library = registry::library_of(at + 8).expect("libc's map");
            let found = library.function(at + 8).map(str::to_owned);
            let row = library.row(at).copied();
            registry::ACTIVE.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            assert_eq!(found.as_deref(), Some(name));
            let row = row.expect("a row at the entry");
            assert_eq!((row.cfa_offset, row.saved[6]), (8, -8), "{name}");
        }
    }
}
