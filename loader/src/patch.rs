//! Loading and checking one patch library.
//!
//! A patch is never opened where the compiler writes it: it is first copied to a private file
//! (a fresh name each time, so the dynamic loader never hands back an older library cached under
//! the same path, and the compiler may overwrite its output at any moment). Its manifest is then
//! checked against the host's, and only a patch that fits completely becomes a [`Prepared`]
//! set of pointers ready to publish.

use crate::error::LoadError;
use crate::recover::codemap::CodeMap;
use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
use std::collections::HashMap;
use std::ffi::c_void;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use vais_hot_abi::layout::TypeLayout;
use vais_hot_abi::{self as abi, c_str, Manifest};

/// Each private copy is `$TMPDIR/vais-hot-PID-SERIAL/patch.so`.
const COPY_DIR_PREFIX: &str = "vais-hot-";
const COPY_NAME: &str = "patch.so";

/// How many patch libraries process `pid` (a hot host) has mapped now, read from its
/// `/proc/PID/maps`: each is one private copy. For tests and benchmarks of unloading.
pub fn mapped_patch_libraries(pid: u32) -> usize {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let copy_suffix = format!("/{COPY_NAME}");
    let dir_part = format!("/{COPY_DIR_PREFIX}{pid}-");
    let mut paths: Vec<&str> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.contains(&dir_part) && p.ends_with(&copy_suffix))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths.len()
}

/// A verified patch: what to store in each table slot.
pub struct Prepared {
    /// Held, never read: dropping it would unmap the code the table may point into.
    pub _library: Library,
    /// Per slot: the new body, or `None` to keep the current one (see `deleted`).
    pub pointers: Vec<Option<*const c_void>>,
    /// Per slot: the body hash of the new body (or `None` as above).
    pub hashes: Vec<Option<u64>>,
    /// Hot functions of the host the patch has no body for (deleted, renamed or no longer
    /// `#[hot]`): their slots keep the last hot body, which the host's callers go on calling.
    pub deleted: Vec<String>,
    /// The addresses the library is mapped at, page-aligned, lowest to highest segment.
    pub image: (usize, usize),
    /// The patch hands out addresses of its own code: it must never be unloaded.
    pub keep_loaded: bool,
    /// The patch's flag set when its code creates a closure the program may keep
    /// (`abi::PINNED_SYMBOL`), if its code can.
    pub pinned: Option<*const AtomicU32>,
    /// The fault handler's tables for the library, until it is published.
    pub code_map: Option<CodeMap>,
    /// The layouts the patch's code was compiled against, which the program's values take on
    /// when it is published.
    pub layouts: Vec<TypeLayout>,
    pub load_time: Duration,
    pub verify_time: Duration,
}

// SAFETY: the raw pointers are code addresses inside `library`, which moves with them; they are
// only ever read, and code is immutable.
unsafe impl Send for Prepared {}

impl Prepared {
    /// Whether the patch's code has created a closure the program may keep: then the library
    /// must stay loaded. Read after a check found no thread inside the library, so a closure
    /// created just before is seen (the check's signal round orders it).
    pub fn pinned(&self) -> bool {
        // SAFETY: `pinned` points at the flag inside `_library`, which `self` keeps mapped; it
        // is only ever read here, atomically, while the patch's code writes it.
        self.pinned
            .is_some_and(|flag| unsafe { (*flag).load(Ordering::Acquire) } != 0)
    }
}

/// Host facts the checks compare against, read once from the host manifest.
pub struct HostInfo {
    pub program_id: u64,
    /// Name to (slot, signature hash, signature text).
    pub functions: HashMap<String, (u32, u64, String)>,
    pub slot_names: Vec<String>,
    /// The host's layouts: where its values are, and what its code relies on.
    pub layouts: Vec<TypeLayout>,
}

impl HostInfo {
    /// # Safety
    /// `host` must be the manifest the Vais compiler emitted into this executable.
    pub unsafe fn read(host: &Manifest) -> HostInfo {
        let mut functions = HashMap::new();
        // SAFETY: guaranteed by the caller.
        let entries = unsafe { host.functions() };
        let mut slot_names = vec![String::new(); entries.len()];
        for f in entries {
            // SAFETY: manifest strings live as long as the executable.
            let name = unsafe { c_str(f.name) }.into_owned();
            let sig = unsafe { c_str(f.signature) }.into_owned();
            if let Some(s) = slot_names.get_mut(f.slot as usize) {
                s.clone_from(&name);
            }
            functions.insert(name, (f.slot, f.signature_hash, sig));
        }
        // SAFETY: guaranteed by the caller; each record is the compiler's.
        let layouts = unsafe { host.layouts() }
            .iter()
            .map(|l| unsafe { TypeLayout::read(l) })
            .collect();
        HostInfo {
            program_id: host.program_id,
            functions,
            slot_names,
            layouts,
        }
    }
}

/// Opens a patch from `path` through a private copy and checks it against the host, whose
/// values have the layouts `current` now.
///
/// The copy lives in a fresh directory only this user can write, and is deleted (with its
/// directory) as soon as the library is mapped: the mapping keeps the code, and nothing is left
/// behind if the process is killed.
pub fn load(
    path: &Path,
    serial: u64,
    host: &HostInfo,
    current: &[TypeLayout],
) -> Result<Prepared, LoadError> {
    let start = Instant::now();
    let bytes = read_trusted(path)?;
    if let Err(why) = crate::elf::check(&bytes) {
        return Err(LoadError::NotALibrary {
            path: path.to_path_buf(),
            size: bytes.len(),
            why,
        });
    }
    let dir =
        std::env::temp_dir().join(format!("{COPY_DIR_PREFIX}{}-{serial}", std::process::id()));
    let copy = dir.join(COPY_NAME);
    let io = |e: std::io::Error| LoadError::Read {
        path: copy.clone(),
        message: e.to_string(),
    };
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(io)?;
    let opened = std::fs::write(&copy, &bytes).map_err(io).and_then(|()| {
        // SAFETY: opening a library runs its initialisers; Vais patches have none besides the
        // C runtime's, and the file was checked to be an ELF object.
        unsafe { Library::open(Some(&copy), RTLD_NOW | RTLD_LOCAL) }
            .map_err(|e| LoadError::Open(e.to_string()))
    });
    let _ = std::fs::remove_file(&copy);
    let _ = std::fs::remove_dir(&dir);
    let library = opened?;
    let load_time = start.elapsed();
    let verify_start = Instant::now();
    let symbol = format!("{}\0", abi::MANIFEST_SYMBOL);
    // SAFETY: the symbol is a data object; only its address is taken.
    let manifest: *const Manifest =
        match unsafe { library.get::<*const Manifest>(symbol.as_bytes()) } {
            Ok(s) => *s,
            Err(_) => return Err(LoadError::NoManifest),
        };
    // SAFETY: the symbol is the manifest the Vais compiler emits; it lives as long as `library`.
    let (pointers, hashes, deleted, layouts) = unsafe { check(&*manifest, host) }?;
    // The rules the runtime applies at publication, checked now so a patch whose values
    // cannot be migrated is refused before anything waits for a safe point (and before any
    // storage for its new globals is created).
    abi::migrate::plan(current, &layouts, &host.layouts)?;
    // SAFETY: as above; none of the library's code has run (it is not published yet).
    unsafe { crate::globals::bind(&*manifest) }?;
    // SAFETY: as above.
    let flags = unsafe { (*manifest).flags };
    let pinned_symbol = format!("{}\0", abi::PINNED_SYMBOL);
    // SAFETY: the symbol, when present, is the `u32` flag the hot pass defines (`pin.rs`), which
    // lives as long as `library`; only its address is taken.
    let pinned = unsafe { library.get::<*const AtomicU32>(pinned_symbol.as_bytes()) }
        .ok()
        .map(|s| *s);
    // The fault handler's tables for this library, built now so the handler only looks up.
    let code_map = match CodeMap::build(&bytes, manifest as usize, 0, None) {
        Ok(map) => Some(map),
        Err(e) => {
            crate::log::line(
                crate::log::Level::Info,
                &format!("a fault in this patch cannot be recovered from: {e}"),
            );
            None
        }
    };
    Ok(Prepared {
        code_map,
        layouts,
        _library: library,
        pointers,
        hashes,
        deleted,
        image: image_of(manifest as usize).ok_or(LoadError::NoManifest)?,
        keep_loaded: flags & abi::FLAG_KEEP_LOADED != 0,
        pinned,
        load_time,
        verify_time: verify_start.elapsed(),
    })
}

/// The page-aligned span of the loaded object that holds `addr`, from the loader's program
/// headers.
fn image_of(addr: usize) -> Option<(usize, usize)> {
    crate::recover::codemap::object_of(addr).map(|(_, lo, hi)| (lo, hi))
}

/// Reads the patch file, refusing one that another user could have written: it must be owned
/// by the user running the host and writable by no one else. The checks are made on the opened
/// file, so the file cannot be swapped between the check and the read.
fn read_trusted(path: &Path) -> Result<Vec<u8>, LoadError> {
    let read_error = |e: std::io::Error| LoadError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    // SAFETY: `geteuid` has no preconditions.
    let me = unsafe { libc::geteuid() };
    let unsafe_because = if meta.uid() != me {
        Some(format!(
            "it is owned by user {}, not by this process's user {me}",
            meta.uid()
        ))
    } else if meta.mode() & 0o022 != 0 {
        Some(format!(
            "other users may write to it (mode {:o})",
            meta.mode() & 0o777
        ))
    } else {
        None
    };
    if let Some(why) = unsafe_because {
        return Err(LoadError::Untrusted {
            path: path.to_path_buf(),
            why,
        });
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(read_error)?;
    Ok(bytes)
}

type Checked = (
    Vec<Option<*const c_void>>,
    Vec<Option<u64>>,
    Vec<String>,
    Vec<TypeLayout>,
);

/// Compares a patch manifest with the host's. On success, the new pointer and hash per slot,
/// the hot functions it has no body for, and its layouts (which the migration rules compare
/// with the running program's).
///
/// # Safety
/// `patch` must be a manifest emitted by the Vais compiler, alive for the duration of the call.
pub unsafe fn check(patch: &Manifest, host: &HostInfo) -> Result<Checked, LoadError> {
    if patch.abi_version != abi::ABI_VERSION {
        return Err(LoadError::AbiVersion {
            patch: patch.abi_version,
            host: abi::ABI_VERSION,
        });
    }
    if patch.kind != abi::KIND_PATCH {
        return Err(LoadError::NotAPatch);
    }
    if patch.program_id != host.program_id {
        return Err(LoadError::OtherProgram);
    }
    // SAFETY: guaranteed by the caller; each record is the compiler's.
    let layouts = unsafe { patch.layouts() }
        .iter()
        .map(|l| unsafe { TypeLayout::read(l) })
        .collect();
    let slots = host.slot_names.len();
    let mut pointers = vec![None; slots];
    let mut hashes = vec![None; slots];
    // SAFETY: guaranteed by the caller.
    for f in unsafe { patch.functions() } {
        // SAFETY: manifest strings live as long as the library.
        let name = unsafe { c_str(f.name) };
        let Some((slot, sig_hash, old_sig)) = host.functions.get(name.as_ref()) else {
            // A function that became hot after the host was built has no slot; the patch calls
            // it directly, so there is nothing to publish for it.
            continue;
        };
        if *sig_hash != f.signature_hash {
            return Err(LoadError::Signature {
                name: name.into_owned(),
                old: old_sig.clone(),
                // SAFETY: as above.
                new: unsafe { c_str(f.signature) }.into_owned(),
            });
        }
        if f.address.is_null() {
            return Err(LoadError::NoManifest);
        }
        pointers[*slot as usize] = Some(f.address);
        hashes[*slot as usize] = Some(f.body_hash);
    }
    let deleted = (0..slots)
        .filter(|&i| pointers[i].is_none())
        .map(|i| host.slot_names[i].clone())
        .collect();
    Ok((pointers, hashes, deleted, layouts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;
    use vais_hot_abi::{FunctionEntry, LayoutEntry};

    /// Owns the strings and arrays a test manifest points into.
    struct Built {
        _strings: Vec<CString>,
        _functions: Vec<FunctionEntry>,
        _layouts: Vec<LayoutEntry>,
        manifest: Manifest,
    }

    fn build(
        kind: u32,
        program: u64,
        fns: &[(&str, &str, u32)],
        layouts: &[(&str, &str)],
    ) -> Built {
        let mut strings = Vec::new();
        let mut cs = |s: &str| {
            let c = CString::new(s).expect("no NUL");
            let p = c.as_ptr();
            strings.push(c);
            p
        };
        let functions: Vec<FunctionEntry> = fns
            .iter()
            .map(|(name, sig, slot)| FunctionEntry {
                name: cs(name),
                signature: cs(sig),
                signature_hash: abi::hash(sig.as_bytes()),
                body_hash: abi::hash(name.as_bytes()),
                slot: *slot,
                reserved: 0,
                address: 0x1000 as *const c_void,
            })
            .collect();
        let layout_entries: Vec<LayoutEntry> = layouts
            .iter()
            .map(|(name, desc)| LayoutEntry {
                name: cs(name),
                layout: cs(desc),
                hash: abi::hash(desc.as_bytes()),
                kind: vais_hot_abi::layout::LayoutKind::Struct as u32,
                field_count: 0,
                size: desc.len() as u64,
                room: 0,
                fields: std::ptr::null(),
                variants: std::ptr::null(),
                variant_count: 0,
                reserved: 0,
                address: std::ptr::null_mut(),
                refusal: std::ptr::null(),
            })
            .collect();
        let manifest = Manifest {
            abi_version: abi::ABI_VERSION,
            kind,
            program_id: program,
            function_count: functions.len() as u32,
            layout_count: layout_entries.len() as u32,
            flags: 0,
            reserved: 0,
            functions: functions.as_ptr(),
            layouts: layout_entries.as_ptr(),
            new_global_count: 0,
            new_global_reserved: 0,
            new_globals: std::ptr::null(),
        };
        Built {
            _strings: strings,
            _functions: functions,
            _layouts: layout_entries,
            manifest,
        }
    }

    fn host() -> (Built, HostInfo) {
        let h = build(
            abi::KIND_HOST,
            7,
            &[("update", "(*State) -> i64", 0), ("render", "(*State)", 1)],
            &[("State", "{ frame: i64 @0 } size 8")],
        );
        // SAFETY: `h` owns everything the manifest points to.
        let info = unsafe { HostInfo::read(&h.manifest) };
        (h, info)
    }

    fn check_patch(p: &Built, host: &HostInfo) -> Result<Checked, String> {
        // SAFETY: `p` owns everything the manifest points to.
        unsafe { check(&p.manifest, host) }.map_err(|e| e.to_string())
    }

    #[test]
    fn a_matching_patch_fills_every_slot() {
        let (_h, info) = host();
        let p = build(
            abi::KIND_PATCH,
            7,
            &[("render", "(*State)", 1), ("update", "(*State) -> i64", 0)],
            &[("State", "{ frame: i64 @0 } size 8")],
        );
        let (pointers, _, deleted, _) = check_patch(&p, &info).expect("fits");
        assert!(pointers.iter().all(Option::is_some));
        assert!(deleted.is_empty());
    }

    #[test]
    fn a_changed_signature_is_refused_naming_both() {
        let (_h, info) = host();
        let p = build(
            abi::KIND_PATCH,
            7,
            &[("update", "(*State, f64) -> i64", 0)],
            &[],
        );
        assert_eq!(
            check_patch(&p, &info).err().as_deref(),
            Some("update: signature changed from (*State) -> i64 to (*State, f64) -> i64")
        );
    }

    #[test]
    fn a_changed_layout_is_left_to_the_migration_rules() {
        let (_h, info) = host();
        let p = build(
            abi::KIND_PATCH,
            7,
            &[("update", "(*State) -> i64", 0)],
            &[("State", "{ frame: i64 @0, x: i64 @8 } size 16")],
        );
        let (_, _, _, layouts) = check_patch(&p, &info).expect("fits");
        assert_eq!(layouts.len(), 1);
        assert_eq!(layouts[0].name, "State");
        assert_ne!(layouts[0].size, info.layouts[0].size);
    }

    #[test]
    fn other_programs_and_versions_are_refused() {
        let (_h, info) = host();
        let p = build(abi::KIND_PATCH, 8, &[], &[]);
        assert!(check_patch(&p, &info).is_err());
        let mut p = build(abi::KIND_PATCH, 7, &[], &[]);
        p.manifest.abi_version = abi::ABI_VERSION + 1;
        let err = check_patch(&p, &info).err().unwrap_or_default();
        assert!(err.contains("ABI version"), "{err}");
        let h = build(abi::KIND_HOST, 7, &[], &[]);
        assert!(check_patch(&h, &info).is_err());
    }

    #[test]
    fn deleted_functions_keep_their_slot() {
        let (_h, info) = host();
        let p = build(abi::KIND_PATCH, 7, &[("update", "(*State) -> i64", 0)], &[]);
        let (pointers, _, deleted, _) = check_patch(&p, &info).expect("fits");
        assert_eq!(pointers[1], None);
        assert_eq!(deleted, vec!["render".to_string()]);
    }
}
