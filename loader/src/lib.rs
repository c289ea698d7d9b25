//! The in-process hot-reload runtime, linked into every host that `vaisc build --hot` makes.
//!
//! The host's `main` calls [`vais_hot_runtime_init`] before any Vais code runs. From then on the
//! runtime watches the patch library (`lib<stem>.so` beside the executable, or
//! `$VAIS_HOT_PATCH`), and each time it changes, loads it through a private copy, checks it
//! against the host's manifest and publishes the new bodies into the jump table: at once, or at
//! the next `hot_check()` when the program uses safe points. What it does is also written, as
//! data, to the status channel when the program was started with one (`status.rs`; `vaisc watch`
//! does), whose closing ends the program. The `vais_hot_*` functions are the
//! C interface that `std/hot.vais` wraps. This crate never depends on the compiler: everything
//! it knows about generated code comes from `vais-hot-abi`.

mod elf;
mod error;
mod globals;
mod literals;
mod log;
mod migration;
mod patch;
mod reclaim;
mod recover;
mod runtime;
mod status;
mod watch;

pub use error::LoadError;
pub use patch::{check, mapped_patch_libraries, HostInfo};

use runtime::{Outcome, Runtime};
use std::ffi::{c_char, c_void};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::OnceLock;
use vais_hot_abi::{c_str, Manifest};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static COMPILER: OnceLock<PathBuf> = OnceLock::new();

/// The patch library this host loads: `$VAIS_HOT_PATCH`, else `lib<stem>.so` beside the
/// executable.
fn patch_path() -> PathBuf {
    if let Some(p) = std::env::var_os("VAIS_HOT_PATCH") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let stem = exe
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    exe.with_file_name(format!("lib{stem}.so"))
}

/// Starts the runtime. Called once by the generated `main` of a hot host.
///
/// # Safety
/// `host` and `table` must be the manifest and jump table emitted by vaisc into this
/// executable, and `compiler` null or a NUL-terminated path.
#[no_mangle]
pub unsafe extern "C" fn vais_hot_runtime_init(
    host: *const Manifest,
    table: *mut *const c_void,
    compiler: *const c_char,
) {
    if host.is_null() || table.is_null() || RUNTIME.get().is_some() {
        return;
    }
    // SAFETY: guaranteed by the caller.
    let compiler_path = unsafe { c_str(compiler) }.into_owned();
    let compiler_path =
        std::env::var_os("VAISC").map_or(PathBuf::from(compiler_path), PathBuf::from);
    let _ = COMPILER.set(compiler_path);
    status::init();
    recover::install(|fault| {
        if let Some(rt) = RUNTIME.get() {
            rt.after_fault(fault);
        }
    });
    let path = patch_path();
    // SAFETY: guaranteed by the caller; the manifest is a static of this executable.
    let runtime = unsafe { Runtime::new(&*host, table, path.clone()) };
    if RUNTIME.set(runtime).is_err() {
        return;
    }
    status::emit(&vais_hot_abi::status::Status::Started {
        pid: std::process::id(),
        version: 1,
    });
    if let Err(e) = watch::watch_file(&path, || {
        if let Some(rt) = RUNTIME.get() {
            // The watcher thread runs no Vais code: no frames of its own to check.
            rt.offer_patch(false, 0);
        }
    }) {
        log::line(log::Level::Info, &format!("hot reload disabled: {e}"));
        return;
    }
    let mut request = path.into_os_string();
    request.push(vais_hot_abi::ROLLBACK_REQUEST_SUFFIX);
    let request = PathBuf::from(request);
    let seen = request.clone();
    let _ = watch::watch_file(&request, move || {
        // Removing it first means one request is one rollback, however many events it makes.
        if std::fs::remove_file(&seen).is_ok() {
            if let Some(rt) = RUNTIME.get() {
                rt.request_rollback();
            }
        }
    });
}

/// The safe point: publishes a verified patch waiting since the last call. Returns 1 if new
/// code was applied, else 0.
#[no_mangle]
pub extern "C" fn vais_hot_check() -> i64 {
    let caller = caller_frames();
    RUNTIME
        .get()
        .and_then(|rt| rt.apply_pending(caller))
        .map_or(0, |_| 1)
}

/// Where `main` applies a patch that moves values: called by the generated code before a call
/// of a hot function when the runtime's pending flag is set (`vais_hot_abi::SAFE_POINT_SYMBOL`).
#[no_mangle]
pub extern "C" fn vais_hot_safe_point() {
    if let Some(rt) = RUNTIME.get() {
        rt.safe_point();
    }
}

/// The safe point of a function that is not reloadable other than `main`, called like
/// [`vais_hot_safe_point`] (`vais_hot_abi::NESTED_SAFE_POINT_SYMBOL`). Hot code may have
/// called that function, and its frames would resume on moved values, so the waiting change
/// stays waiting (the flag set) while any hot code is on the stack.
#[no_mangle]
pub extern "C" fn vais_hot_nested_safe_point() {
    let caller = caller_frames();
    if let Some(rt) = RUNTIME.get() {
        rt.nested_safe_point(caller);
    }
}

/// Loads the patch file now and applies it. Returns 1 if applied, 0 if refused or not a hot
/// build.
#[no_mangle]
pub extern "C" fn vais_hot_reload() -> i64 {
    let caller = caller_frames();
    match RUNTIME.get().map(|rt| rt.offer_patch(true, caller)) {
        Some(Outcome::Applied(_)) => 1,
        _ => 0,
    }
}

/// The version of the code now published: 1 for the host's own, then one more per patch.
#[no_mangle]
pub extern "C" fn vais_hot_version() -> i64 {
    RUNTIME.get().map_or(1, Runtime::version)
}

/// Registers a function called with the new version number after each reload.
#[no_mangle]
pub extern "C" fn vais_hot_on_reload(callback: Option<extern "C" fn(i64)>) -> i64 {
    match (RUNTIME.get(), callback) {
        (Some(rt), Some(cb)) => {
            rt.on_reload(cb);
            0
        }
        _ => -1,
    }
}

/// Returns to the previous version. Returns its number, or 0 if there is none.
#[no_mangle]
pub extern "C" fn vais_hot_rollback() -> i64 {
    RUNTIME.get().and_then(Runtime::rollback).unwrap_or(0)
}

/// Forgets the rollback history and unloads every old patch library no thread is running.
/// Returns how many were unloaded.
#[no_mangle]
pub extern "C" fn vais_hot_cleanup() -> i64 {
    let caller = caller_frames();
    RUNTIME.get().map_or(0, |rt| rt.cleanup(caller) as i64)
}

/// An address in the frame of the exported `vais_hot_*` function this is inlined into: where the
/// stack check of the calling thread starts. Everything above is the Vais code that called in;
/// the runtime's own frames, which hold the addresses being checked, are all below.
#[inline(always)]
fn caller_frames() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// A patch's string literal: the runtime's copy of the `len` bytes at `bytes` (NUL included),
/// also stored in `cache`, where the patch looks first next time.
///
/// # Safety
/// `cache` must point at a pointer-sized cell only ever accessed atomically, and `bytes` at
/// `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn vais_hot_literal(
    cache: *const AtomicPtr<u8>,
    bytes: *const u8,
    len: u64,
) -> *const u8 {
    // SAFETY: guaranteed by the caller.
    let copy = literals::copy_of(unsafe { std::slice::from_raw_parts(bytes, len as usize) });
    // SAFETY: guaranteed by the caller.
    unsafe { (*cache).store(copy.cast_mut(), Ordering::Release) };
    copy
}

/// `hot_init(source)`: rebuilds the patch with vaisc whenever `source` changes. Returns 0, or
/// -1 if the file cannot be watched.
///
/// # Safety
/// `source` must be null or a NUL-terminated path.
#[no_mangle]
pub unsafe extern "C" fn vais_hot_watch_source(source: *const c_char) -> i64 {
    // SAFETY: guaranteed by the caller.
    let source = PathBuf::from(unsafe { c_str(source) }.into_owned());
    let Some(rt) = RUNTIME.get() else {
        return -1;
    };
    // Watching works on directories, so a missing file would be watched without complaint and
    // never rebuilt: say so and return the documented -1 instead.
    if !source.is_file() {
        log::line(
            log::Level::Info,
            &format!("cannot watch the source {}: no such file", source.display()),
        );
        return -1;
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let patch = rt.patch_path.clone();
    let src = source.clone();
    match watch::watch_file(&source, move || rebuild(&src, &exe, &patch)) {
        Ok(()) => 0,
        Err(e) => {
            log::line(log::Level::Info, &format!("cannot watch the source: {e}"));
            -1
        }
    }
}

/// Runs `vaisc build --hot --patch-only` for the source; its diagnostics go to stderr.
fn rebuild(source: &Path, exe: &Path, patch: &Path) {
    let compiler = COMPILER
        .get()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("vaisc"));
    let status = Command::new(&compiler)
        .arg("build")
        .arg("--hot")
        .arg("--patch-only")
        .arg(source)
        .arg("-o")
        .arg(exe)
        .env("VAIS_HOT_PATCH_OUT", patch)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(_) => log::line(
            log::Level::Info,
            "rebuild failed; the program keeps its code",
        ),
        Err(e) => log::line(
            log::Level::Info,
            &format!("cannot run {}: {e}", compiler.display()),
        ),
    }
}
