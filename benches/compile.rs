//! Compile-speed benchmarks (the whole CLI, linking included), on generated Tier 1 programs:
//! `vaisc build -O0` of 5,000 lines (target: under 0.5 s wall), `vaisc build -O0` and
//! `vaisc build --hot` of 50,000 lines (targets 0.8 s and 1.5 s: both use two cores), and
//! `vaisc build --hot --patch-only` after a one-function edit in 5,000 and in 50,000 lines,
//! side by side (target: 50,000 lines at most twice 5,000).
//! Run with `cargo bench -p vaisc --bench compile [-- FILTER]`.

// Shared with the latency bench, which uses the split variant this bench does not.
#[allow(dead_code)]
#[path = "gen.rs"]
mod gen;

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `vaisc ARGS` in `dir`, which must succeed.
fn vaisc(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run vaisc");
    assert!(
        out.status.success(),
        "vaisc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh folder holding `game.vais` with `source`.
fn project(name: &str, source: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("vaisc-bench-compile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create bench dir");
    std::fs::write(dir.join("game.vais"), source).expect("write program");
    dir
}

fn full_builds(c: &mut Criterion) {
    let small = project("5000", &gen::program(5000));
    let big = project("50000", &gen::hot_program(50_000, 20, 0));
    // The generated program must compile and run, or the figure would mean nothing.
    vaisc(&small, &["build", "game.vais", "-o", "game", "-O0"]);
    let out = Command::new(small.join("game"))
        .output()
        .expect("run program");
    assert!(out.status.success(), "generated program failed");

    let mut group = c.benchmark_group("compile");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("vaisc build -O0, 5000 lines", |b| {
        b.iter(|| vaisc(&small, &["build", "game.vais", "-o", "game", "-O0"]))
    });
    group.bench_function("vaisc build -O0, 50000 lines", |b| {
        b.iter(|| vaisc(&big, &["build", "game.vais", "-o", "game", "-O0"]))
    });
    group.bench_function("vaisc build --hot, 50000 lines", |b| {
        b.iter(|| vaisc(&big, &["build", "--hot", "game.vais", "-o", "game"]))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&small);
    let _ = std::fs::remove_dir_all(&big);
}

/// `--patch-only` after editing the hot function `frame` of a host built from the original:
/// the same edit in 5,000 and in 50,000 lines. Each run rebuilds the same patch (a patch is
/// always built against the host, so every run does the work of that one edit).
fn patch_only(c: &mut Criterion) {
    let mut group = c.benchmark_group("patch-only");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    for lines in [5_000, 50_000] {
        let dir = project(&format!("patch-{lines}"), &gen::hot_program(lines, 20, 0));
        vaisc(&dir, &["build", "--hot", "game.vais", "-o", "game"]);
        std::fs::write(dir.join("game.vais"), gen::hot_program(lines, 20, 1)).expect("edit");
        let args = ["build", "--hot", "--patch-only", "game.vais", "-o", "game"];
        group.bench_function(format!("one-function edit, {lines} lines"), |b| {
            b.iter(|| vaisc(&dir, &args))
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
    group.finish();
}

criterion_group!(benches, full_builds, patch_only);
criterion_main!(benches);
