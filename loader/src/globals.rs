//! Globals that patches add: the runtime owns their storage.
//!
//! A patch whose hot code uses a global the host does not have lists it in its manifest
//! ([`abi::NewGlobalEntry`]) and reaches it through a pointer variable of its own. Before any
//! of the patch's code can run, [`bind`] fills that variable: the first patch with the global
//! gets fresh storage, set to the patch's initial value; every later patch with a global of
//! that name gets the same storage, so the value carries across reloads. The storage is never
//! freed: unloading the patch that introduced the global (`reclaim.rs`) leaves it in place,
//! and it lives until the process ends (a full rebuild of the host then owns the global).

use crate::error::LoadError;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::ffi::c_void;
use vais_hot_abi::{self as abi, c_str, Manifest};

/// One global the runtime created.
struct Owned {
    /// The hash of its type description, which every later patch's must equal.
    hash: u64,
    /// The type description, for the refusal message.
    layout: String,
    /// The storage's address (as an integer, so the registry is `Send`).
    address: usize,
}

/// Every global the runtime created this run, by name.
static OWNED: Mutex<BTreeMap<String, Owned>> = Mutex::new(BTreeMap::new());

/// Gives each global `patch` adds its storage, creating what no earlier patch created, and
/// stores the address in the patch's pointer variable. A global whose type differs from the
/// one it was created with refuses the whole patch, before anything is created or stored.
///
/// # Safety
/// `patch` must be the manifest of a patch library the Vais compiler emitted, loaded for the
/// duration of the call, none of whose code has run yet: each entry's `init` points at `size`
/// readable bytes and its `slot` at a writable pointer variable of that library.
pub unsafe fn bind(patch: &Manifest) -> Result<(), LoadError> {
    // SAFETY: guaranteed by the caller.
    let entries = unsafe { patch.new_globals() };
    let mut owned = OWNED.lock();
    for e in entries {
        // SAFETY: manifest strings live as long as the library.
        let name = unsafe { c_str(e.name) };
        if let Some(o) = owned.get(name.as_ref()) {
            if o.hash != e.hash {
                return Err(LoadError::NewGlobalType {
                    name: name.into_owned(),
                    old: o.layout.clone(),
                    // SAFETY: as above.
                    new: unsafe { c_str(e.layout) }.into_owned(),
                });
            }
        } else if storage_layout(e).is_none() || e.init.is_null() || e.slot.is_null() {
            // Not what the compiler emits: the manifest is not a Vais one.
            return Err(LoadError::NoManifest);
        }
    }
    for e in entries {
        // SAFETY: as above.
        let name = unsafe { c_str(e.name) }.into_owned();
        let address = match owned.get(&name) {
            Some(o) => o.address,
            None => {
                let layout = storage_layout(e).ok_or(LoadError::NoManifest)?;
                // SAFETY: `init` holds `size` bytes (the caller's guarantee), which `layout`
                // covers.
                let address = unsafe { create(e.init, e.size as usize, layout) };
                owned.insert(
                    name,
                    Owned {
                        hash: e.hash,
                        // SAFETY: as above.
                        layout: unsafe { c_str(e.layout) }.into_owned(),
                        address,
                    },
                );
                address
            }
        };
        // SAFETY: `slot` is the patch's writable pointer variable (the caller's guarantee),
        // and no code of the patch runs yet, so nothing reads it concurrently; publishing the
        // patch later (a release store) makes the store visible to the threads that call in.
        unsafe { *e.slot = address as *mut c_void };
    }
    Ok(())
}

/// The allocation for a new global: its size (at least one byte, so that the address is
/// unique) and alignment, if they make a valid layout.
fn storage_layout(e: &abi::NewGlobalEntry) -> Option<std::alloc::Layout> {
    let size = usize::try_from(e.size.max(1)).ok()?;
    let align = usize::try_from(e.align).ok()?;
    std::alloc::Layout::from_size_align(size, align).ok()
}

/// Fresh storage of `layout`, holding a copy of the `size` bytes at `init`; never freed.
///
/// # Safety
/// `init` points at `size` readable bytes, and `layout` has at least `size` bytes.
unsafe fn create(init: *const c_void, size: usize, layout: std::alloc::Layout) -> usize {
    // SAFETY: `layout` has a non-zero size (`storage_layout`).
    let storage = unsafe { std::alloc::alloc(layout) };
    if storage.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    // SAFETY: `init` has `size` bytes and `storage` at least as many (the caller's guarantee),
    // and the two do not overlap (the storage is fresh).
    unsafe { std::ptr::copy_nonoverlapping(init.cast::<u8>(), storage, size) };
    storage as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;
    use vais_hot_abi::NewGlobalEntry;

    /// A patch manifest with one new global `name` of type `layout`, initial value `init`, and
    /// the pointer variable `slot`.
    fn manifest(name: &CString, layout: &CString, init: &i64, slot: &mut *mut c_void) -> Manifest {
        let entry = Box::leak(Box::new(NewGlobalEntry {
            name: name.as_ptr(),
            layout: layout.as_ptr(),
            hash: abi::hash(layout.as_bytes()),
            size: 8,
            align: 8,
            init: (init as *const i64).cast(),
            slot: slot as *mut *mut c_void,
        }));
        Manifest {
            abi_version: abi::ABI_VERSION,
            kind: abi::KIND_PATCH,
            program_id: 1,
            function_count: 0,
            layout_count: 0,
            flags: 0,
            reserved: 0,
            functions: std::ptr::null(),
            layouts: std::ptr::null(),
            new_global_count: 1,
            new_global_reserved: 0,
            new_globals: entry,
        }
    }

    #[test]
    fn the_first_patch_creates_later_ones_share_and_a_new_type_is_refused() {
        let name = CString::new("bind_test_score").expect("no NUL");
        let (i64_ty, f64_ty) = (
            CString::new("i64").expect(""),
            CString::new("f64").expect(""),
        );
        let (five, six) = (5i64, 6i64);
        let mut first: *mut c_void = std::ptr::null_mut();
        // SAFETY: the manifest's entry points at live locals of this test.
        unsafe { bind(&manifest(&name, &i64_ty, &five, &mut first)) }.expect("created");
        assert!(!first.is_null());
        // SAFETY: `first` is the storage just created, holding an i64.
        unsafe { *first.cast::<i64>() += 10 };
        let mut second: *mut c_void = std::ptr::null_mut();
        // SAFETY: as above.
        unsafe { bind(&manifest(&name, &i64_ty, &six, &mut second)) }.expect("shared");
        assert_eq!(first, second);
        // SAFETY: as above; the second patch's initial value (6) is not applied.
        assert_eq!(unsafe { *second.cast::<i64>() }, 15);
        let mut third: *mut c_void = std::ptr::null_mut();
        // SAFETY: as above.
        let err = unsafe { bind(&manifest(&name, &f64_ty, &six, &mut third)) }
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("global `bind_test_score` changed type from i64 to f64 since the patch that added it: restart the program to apply it")
        );
        assert!(third.is_null());
    }
}
