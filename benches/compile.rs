//! Compile-speed benchmark: `vaisc build -O0` (the whole CLI, linking included) of a
//! generated 5,000-line Tier 1 program. Target: under 0.5 s wall on the project's machines.

// Shared with the latency bench, which uses the hot variant this bench does not.
#[allow(dead_code)]
#[path = "gen.rs"]
mod gen;

use criterion::{criterion_group, criterion_main, Criterion};
use std::process::Command;
use std::time::Duration;

fn compile_5000_lines(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("vaisc-bench-compile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create bench dir");
    let src = dir.join("big.vais");
    let source = gen::program(5000);
    println!("generated {} lines", source.lines().count());
    std::fs::write(&src, source).expect("write program");
    let exe = dir.join("big");
    let build = |opt: &str| {
        let status = Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args([
                "build",
                &src.to_string_lossy(),
                "-o",
                &exe.to_string_lossy(),
                opt,
            ])
            .status()
            .expect("run vaisc");
        assert!(status.success(), "vaisc build failed");
    };
    // The generated program must compile and run, or the figure would mean nothing.
    build("-O0");
    let out = Command::new(&exe).output().expect("run program");
    assert!(out.status.success(), "generated program failed");

    let mut group = c.benchmark_group("compile");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("vaisc build -O0, 5000 lines", |b| b.iter(|| build("-O0")));
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, compile_5000_lines);
criterion_main!(benches);
