//! Compile-speed benchmarks (the whole CLI, linking included, unless said otherwise), on
//! generated Tier 1 programs:
//! - `vaisc build -O0` of 5,000 lines (target: under 0.5 s wall), `vaisc build -O0` and
//!   `vaisc build --hot` of 50,000 lines (targets 0.8 s and 1.5 s: both use two cores).
//! - `vaisc build --hot --patch-only` after a one-function edit in 5,000 and in 50,000 lines,
//!   side by side (target: 50,000 lines at most twice 5,000).
//! - `vaisc check` of generated 5,000- and 50,000-line programs, as the whole CLI (process
//!   start included) and as the front end in process (`driver::check_file`), with the lines
//!   per second printed. Target: at least 500,000 lines per second.
//! - Watch's front-end re-check after a one-function edit (`driver::check_file_incremental`:
//!   the trees of unchanged files and the re-check of only the changed bodies), for 50,000
//!   lines in one file and in ten files, side by side with a check from scratch of the same
//!   program.
//!
//! Run with `cargo bench -p vaisc --bench compile [-- FILTER]`.

// Shared with the latency bench, which uses the split variant this bench does not.
#[allow(dead_code)]
#[path = "gen.rs"]
mod gen;
// Shared by the process-level benchmarks, each of which uses only part of it.
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::vaisc;
use vaisc::driver;
use vaisc::resolve::ParseCache;

/// The allocator the `vaisc` binary uses (`vaisc/src/main.rs`), so that the front end measured
/// in process allocates as the command does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A fresh directory for one bench, removed by the bench when it is done.
fn bench_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vaisc-bench-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create bench dir");
    dir
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

/// Runs `vaisc check` on `file`, which must check without errors.
fn cli_check(file: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .arg("check")
        .arg(file)
        .status()
        .expect("run vaisc");
    assert!(status.success(), "vaisc check failed");
}

/// Checks `file` in process; it must check without errors. Returns how long the check took
/// (without freeing its result, which watch does after building) and the result.
fn front_end(file: &Path, trees: &mut ParseCache) -> (Duration, driver::Checked) {
    let start = Instant::now();
    let checked = driver::check_file_cached(file, trees).expect("read program");
    let took = start.elapsed();
    assert_eq!(checked.error_count(), 0, "generated program has errors");
    (took, checked)
}

/// Checks `file` as `vaisc watch` does between saves (`driver::check_file_incremental`: the
/// kept trees of unchanged files and the re-check of only the changed function bodies), then
/// gives the result back for the next check, as watch does after building: how long the
/// check took.
fn watch_check(file: &Path, front: &mut driver::FrontEnd) -> Duration {
    let start = Instant::now();
    let checked = driver::check_file_incremental(file, front).expect("read program");
    let took = start.elapsed();
    assert_eq!(checked.error_count(), 0, "generated program has errors");
    front.keep(checked);
    took
}

/// A check from scratch in process: how long it took.
fn scratch(file: &Path) -> Duration {
    front_end(file, &mut ParseCache::new()).0
}

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| f()).collect();
    times.sort();
    times[runs / 2]
}

fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn check_throughput(c: &mut Criterion) {
    let dir = bench_dir("check");
    let mut group = c.benchmark_group("check");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for size in [5000, 50000] {
        let src = dir.join(format!("p{size}.vais"));
        let source = gen::program(size);
        let lines = source.lines().count();
        std::fs::write(&src, source).expect("write program");
        cli_check(&src);
        let cli = median(11, || timed(|| cli_check(&src)));
        let inproc = median(11, || scratch(&src));
        let rate = |d: Duration| lines as f64 / d.as_secs_f64();
        println!(
            "check {lines} lines: vaisc check {:.1} ms ({:.0} lines/s); front end in process {:.1} ms ({:.0} lines/s)",
            cli.as_secs_f64() * 1e3,
            rate(cli),
            inproc.as_secs_f64() * 1e3,
            rate(inproc),
        );
        group.bench_function(format!("vaisc check, {size} lines"), |b| {
            b.iter(|| cli_check(&src))
        });
        group.bench_function(format!("front end in process, {size} lines"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| scratch(&src)).sum())
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The generated program of about `lines` lines written as `parts` files: `main.vais` keeps
/// the declarations and `main` and imports `part1` .. `partN`, which hold the functions in
/// order. Returns the entry file and every file of the program.
fn write_program(dir: &Path, lines: usize, parts: usize) -> (PathBuf, Vec<PathBuf>) {
    let source = gen::program(lines);
    let entry = dir.join("main.vais");
    if parts == 1 {
        std::fs::write(&entry, &source).expect("write program");
        return (entry.clone(), vec![entry]);
    }
    let first = source.find("\nF f0(").expect("first function") + 1;
    let main = source.rfind("\nF main(").expect("main") + 1;
    let (head, functions, tail) = (&source[..first], &source[first..main], &source[main..]);
    // Cut the functions into `parts` runs of about equal size, at function starts.
    let mut cuts = vec![0];
    for k in 1..parts {
        let at = functions.len() * k / parts;
        let cut = functions[at..]
            .find("\nF ")
            .map_or(functions.len(), |i| at + i + 1);
        cuts.push(cut);
    }
    cuts.push(functions.len());
    let mut files = vec![entry.clone()];
    let mut main_text = String::new();
    for k in 0..parts {
        let name = format!("part{}", k + 1);
        main_text.push_str(&format!("U {name}\n"));
        let path = dir.join(format!("{name}.vais"));
        std::fs::write(&path, &functions[cuts[k]..cuts[k + 1]]).expect("write part");
        files.push(path);
    }
    main_text.push_str(head);
    main_text.push_str(tail);
    std::fs::write(&entry, main_text).expect("write main");
    (entry, files)
}

/// Edits one function in the middle of the program (its loop's divisor goes between 2 and 3,
/// a change of code that keeps every signature), alternating at every call.
struct Edit {
    file: PathBuf,
    text: String,
    at: usize,
}

impl Edit {
    fn new(files: &[PathBuf]) -> Edit {
        let file = files[files.len() / 2 + usize::from(files.len() > 1)].clone();
        let text = std::fs::read_to_string(&file).expect("read part");
        let middle = text[text.len() / 2..].find("\nF f").expect("a function") + text.len() / 2;
        let at = text[middle..].find("acc / 2").expect("the divisor") + middle + "acc / ".len();
        Edit { file, text, at }
    }

    fn toggle(&mut self) {
        let digit = if self.text.as_bytes()[self.at] == b'2' {
            "3"
        } else {
            "2"
        };
        self.text.replace_range(self.at..self.at + 1, digit);
        std::fs::write(&self.file, &self.text).expect("write edit");
    }
}

fn watch_recheck(c: &mut Criterion) {
    let mut group = c.benchmark_group("watch front end");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    for (parts, what) in [(1, "one file"), (10, "10 files")] {
        let dir = bench_dir(&format!("recheck{parts}"));
        let (entry, files) = write_program(&dir, 50000, parts);
        let mut front = driver::FrontEnd::new();
        watch_check(&entry, &mut front);
        let mut edit = Edit::new(&files);
        let mut recheck = |front: &mut driver::FrontEnd| {
            edit.toggle();
            watch_check(&entry, front)
        };
        let warm = median(11, || recheck(&mut front));
        let from_scratch = median(11, || scratch(&entry));
        println!(
            "re-check after a one-function edit, 50000 lines in {what}: {:.1} ms as watch does it ({} of {} files parsed again, taking {} bodies from their last trees, {:?} bodies checked again), {:.1} ms from scratch",
            warm.as_secs_f64() * 1e3,
            front.trees.parsed,
            front.trees.parsed + front.trees.reused,
            front.trees.bodies_taken,
            front.session.rechecked,
            from_scratch.as_secs_f64() * 1e3,
        );
        group.bench_function(
            format!("re-check after an edit, 50000 lines in {what}"),
            |b| b.iter_custom(|iters| (0..iters).map(|_| recheck(&mut front)).sum()),
        );
        group.bench_function(format!("check from scratch, 50000 lines in {what}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| scratch(&entry)).sum())
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
    group.finish();
}

criterion_group!(
    benches,
    full_builds,
    patch_only,
    check_throughput,
    watch_recheck
);
criterion_main!(benches);
