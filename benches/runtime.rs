//! Generated-code speed: Vais programs built with `vaisc build -O2` against their C twins built
//! with `cc -O2`, run side by side (target: within 1.2x of C on compute-bound code); and the
//! particle system built with and without `--hot`, to show what the jump table costs a whole
//! program whose hot function would otherwise be inlined; n-body built with and without
//! `--hot`, to show what a hot build costs code that is not hot (the attributes crash recovery
//! needs: unwind tables everywhere, valid null pointers only in hot code); a program whose
//! non-hot `main` (and an ordinary function) does the field work, with and without `--hot`, to
//! show what the offset table costs code that keeps running (target: within 1.10x; the programs
//! report their loop's CPU time, which is what is compared); and `println` of
//! 10^6 formatted lines written to a file against C's `printf` (target: within 1.2x). `closures`
//! is a fold through a closure that does not escape against the plain C loop: its call is
//! inlined, so the two should run alike. `vec_push` pushes 10^7 elements onto a `Vec<i64>` and
//! sums them, against a `realloc`-grown C array.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/programs")
}

fn build_pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let src = programs_dir();
    let vais = dir.join(format!("{name}_vais"));
    let c = dir.join(format!("{name}_c"));
    let status = Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .arg("build")
        .arg(src.join(format!("{name}.vais")))
        .arg("-o")
        .arg(&vais)
        .arg("-O2")
        .status()
        .expect("run vaisc");
    assert!(status.success(), "vaisc build of {name} failed");
    let status = Command::new("cc")
        .arg("-O2")
        .arg(src.join(format!("{name}.c")))
        .arg("-o")
        .arg(&c)
        .arg("-lm")
        .status()
        .expect("run cc");
    assert!(status.success(), "cc build of {name} failed");
    // Both must print the same thing, or the comparison would be meaningless.
    let a = Command::new(&vais).output().expect("run vais program");
    let b = Command::new(&c).output().expect("run c program");
    assert_eq!(a.stdout, b.stdout, "{name}: Vais and C outputs differ");
    (vais, c)
}

/// Program `name` built normally and as a hot host.
fn build_hot_pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let src = programs_dir().join(format!("{name}.vais"));
    let normal = dir.join(name);
    let hot = dir.join(format!("{name}_hot"));
    for (exe, extra) in [(&normal, None), (&hot, Some("--hot"))] {
        let status = Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .arg("build")
            .args(extra)
            .arg(&src)
            .arg("-o")
            .arg(exe)
            .arg("-O2")
            .status()
            .expect("run vaisc");
        assert!(status.success(), "vaisc build of {name} failed");
    }
    let a = Command::new(&normal).output().expect("run normal build");
    let b = Command::new(&hot).output().expect("run hot build");
    assert_eq!(a.stdout, b.stdout, "hot and normal builds disagree");
    (normal, hot)
}

fn run(exe: &Path) {
    let status = Command::new(exe).status().expect("run");
    assert!(status.success());
}

/// Runs `exe` `n` times and adds up the times of its main loop, which it reports on stderr as
/// `loop_ns=N`: the loop alone, without the process's start (a hot host's runtime start
/// included), in the thread's CPU time, so that other work on the machine counts less.
fn loop_time(exe: &Path, n: u64) -> Duration {
    (0..n)
        .map(|_| {
            let out = Command::new(exe).output().expect("run");
            assert!(out.status.success());
            let err = String::from_utf8_lossy(&out.stderr);
            let ns = err
                .lines()
                .find_map(|l| l.strip_prefix("loop_ns="))
                .and_then(|v| v.trim().parse().ok())
                .expect("the program reports loop_ns=N");
            Duration::from_nanos(ns)
        })
        .sum()
}

/// Runs `exe` with its standard output going to `out`, as a program writing a log file would.
fn run_to_file(exe: &Path, out: &Path) {
    let file = std::fs::File::create(out).expect("create output file");
    let status = Command::new(exe).stdout(file).status().expect("run");
    assert!(status.success());
}

fn runtime(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("vaisc-bench-runtime-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create bench dir");
    // Whole runs, and (for the offset table) the reported loop times.
    for (name, title, loop_only) in [
        ("particles", "particles 10^7 updates", false),
        ("nbody", "nbody, no hot function", false),
        (
            "fields",
            "fields: 10^8 updates in main's loop (offset table)",
            true,
        ),
        (
            "fields_nested",
            "fields_nested: 10^8 updates in an ordinary function's loop (offset table, safe point)",
            true,
        ),
    ] {
        let pair = build_hot_pair(&dir, name);
        let mut group = c.benchmark_group(title);
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(8));
        for (label, exe) in [("vaisc -O2", &pair.0), ("vaisc --hot -O2", &pair.1)] {
            group.bench_function(label, |b| {
                if loop_only {
                    b.iter_custom(|n| loop_time(exe, n));
                } else {
                    b.iter(|| run(exe));
                }
            });
        }
        group.finish();
    }
    for name in ["fib", "nbody", "closures", "vec_push"] {
        let (vais, cexe) = build_pair(&dir, name);
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(8));
        group.bench_function("vaisc -O2", |b| b.iter(|| run(&vais)));
        group.bench_function("cc -O2", |b| b.iter(|| run(&cexe)));
        group.finish();
    }
    let (vais, cexe) = build_pair(&dir, "println");
    let out = dir.join("println.out");
    let mut group = c.benchmark_group("println 10^6 lines to a file");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("vaisc -O2", |b| b.iter(|| run_to_file(&vais, &out)));
    group.bench_function("cc -O2", |b| b.iter(|| run_to_file(&cexe, &out)));
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, runtime);
criterion_main!(benches);
