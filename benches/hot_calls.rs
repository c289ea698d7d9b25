//! The cost of one call under each hot-reload design, side by side in one criterion run:
//! a direct call to a non-inlined function (the baseline), vaisc's call through a jump-table
//! slot (an atomic load and an indirect call), and the two designs other tools use: taking a
//! lock and looking the symbol up by name in the loaded library on every call, and looking the
//! function's address up in a hash map on every call. Target: the table within 5% of direct.
//!
//! The Vais-level comparison (a whole program built with and without `--hot`) is in
//! `runtime.rs`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use libloading::Library;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicPtr, Ordering};

type Work = extern "C" fn(i64) -> i64;

/// The function every design calls: small, so call overhead dominates, and never inlined.
#[inline(never)]
extern "C" fn work(x: i64) -> i64 {
    x.wrapping_mul(3).wrapping_add(1)
}

/// The jump table, as generated code uses it: one mutable slot per hot function.
static TABLE: [AtomicPtr<()>; 4] = [
    AtomicPtr::new(std::ptr::null_mut()),
    AtomicPtr::new(std::ptr::null_mut()),
    AtomicPtr::new(std::ptr::null_mut()),
    AtomicPtr::new(std::ptr::null_mut()),
];

#[inline(always)]
fn call_through_table(x: i64) -> i64 {
    // Relaxed is what `load atomic ... monotonic` in the generated code compiles to.
    let p = TABLE[2].load(Ordering::Relaxed);
    // SAFETY: slot 2 holds `work`, stored before the benchmark starts.
    let f: Work = unsafe { std::mem::transmute::<*mut (), Work>(p) };
    f(x)
}

/// A shared library exporting `work`, for the by-name lookup design.
fn library() -> (Library, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("vaisc-bench-calls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let src = dir.join("work.c");
    std::fs::write(&src, "long work(long x) { return x * 3 + 1; }\n").expect("write");
    let so = dir.join("libwork.so");
    let ok = Command::new("cc")
        .args(["-O2", "-shared", "-fPIC"])
        .arg(&src)
        .arg("-o")
        .arg(&so)
        .status()
        .expect("cc");
    assert!(ok.success());
    // SAFETY: a plain C library without initialisers.
    let lib = unsafe { Library::new(&so) }.expect("load");
    (lib, dir)
}

/// Calls `call` with 0 to 999 (hidden from the optimiser) and sums the results: the loop every
/// way of calling is timed in. Inlined, so that each way's loop is compiled as if written out.
#[inline(always)]
fn thousand_calls(mut call: impl FnMut(i64) -> i64) -> i64 {
    let mut acc = 0i64;
    for i in 0..1000 {
        acc = acc.wrapping_add(call(black_box(i)));
    }
    acc
}

fn calls(c: &mut Criterion) {
    TABLE[2].store(work as *mut (), Ordering::Release);
    let (lib, dir) = library();
    let locked = Mutex::new(lib);
    let mut map: HashMap<&'static str, Work> = HashMap::new();
    for name in ["init", "update", "work", "render"] {
        map.insert(name, work as Work);
    }

    let mut g = c.benchmark_group("call");
    g.bench_function("direct", |b| b.iter(|| thousand_calls(|i| work(i))));
    g.bench_function("jump table (vaisc)", |b| {
        b.iter(|| thousand_calls(call_through_table))
    });
    g.bench_function("lock + dlsym by name", |b| {
        b.iter(|| {
            thousand_calls(|i| {
                let lib = locked.lock();
                // SAFETY: `work` has this signature.
                let f = unsafe { lib.get::<extern "C" fn(i64) -> i64>(b"work\0") }.expect("sym");
                f(i)
            })
        })
    });
    g.bench_function("hash map lookup", |b| {
        b.iter(|| thousand_calls(|i| map[black_box("work")](i)))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, calls);
criterion_main!(benches);
