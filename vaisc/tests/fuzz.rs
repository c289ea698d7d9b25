//! Fuzzing the front end and code generation: the compiler must never panic, whatever it is
//! given. Two proptest generators feed the lexer, parser, type checker and, for inputs that
//! check, LLVM lowering (which must then succeed and verify): soups of Vais tokens, and valid
//! programs from the test corpus mutated by deleting, duplicating, swapping and inserting
//! pieces. Every diagnostic is also rendered, so its span must point inside the file.
//!
//! Mutated programs that check also go through the real pipeline in process (`fuzz_support/`):
//! `driver::build` to an object file at -O0 and -O2, the hot-reload pass on the host and the
//! patch (whose modules must verify), and `driver::build_hot` Full and then PatchOnly for a
//! further mutation.
//!
//! The seed is fixed, so a run is reproducible; CI runs a bounded slice. A longer run:
//! `VAIS_FUZZ_CASES=200000 cargo test -p vaisc --release --test fuzz` (the pipeline test runs a
//! fifteenth of that many programs). Inputs that ever broke the compiler are kept in
//! `tests/fuzz_regressions/` and checked on every run, in process and with the real `vaisc`
//! (`build -O2 --emit obj` and `build --hot`, which must never crash).

mod fuzz_support;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use vaisc::resolve::LoadedModule;
use vaisc::source::SourceMap;

/// Runs every stage on `src`, on the deep stack the `vaisc` command gives the compiler (the
/// corpus has a 10,000-term expression); an `Err` describes a compiler bug.
fn compile(src: &str) -> Result<(), String> {
    vaisc::with_compiler_stack(|| compile_here(src))
        .expect("start the compiler thread")
        .unwrap_or_else(|_| Err("panic in the compiler thread".to_string()))
}

fn compile_here(src: &str) -> Result<(), String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut sources = SourceMap::new();
        let file = sources.add("fuzz.vais", src.to_string());
        let (module, diags) = vaisc::parser::parse(file, src);
        for d in &diags {
            vaisc::diagnostics::render(d, &sources);
        }
        if diags.iter().any(|d| d.is_error()) {
            return Ok(());
        }
        let (program, diags) = vaisc::typeck::check(&[LoadedModule { file, module }]);
        for d in &diags {
            vaisc::diagnostics::render(d, &sources);
        }
        let Some(program) = program else {
            return Ok(());
        };
        let ctx = inkwell::context::Context::create();
        vaisc::codegen::lower(&ctx, &program, &sources, &Default::default())
            .map(|_| ())
            .map_err(|e| format!("a well-typed program failed to lower: {e}"))
    }));
    match outcome {
        Ok(r) => r,
        Err(p) => Err(format!(
            "panic: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

const VOCAB: &[&str] = &[
    "F", "S", "E", "I", "L", "M", "R", "B", "C", "U", "G", "X", "N", "P", "T", "W", "A", "D", "O",
    "main", "x", "y", "p", "f", "Point", "self", "Self", "mut", "as", "true", "false", "i64",
    "i32", "u8", "f64", "f32", "bool", "str", "fn", "0", "1", "42", "-7", "0xFF", "0b1", "1.5",
    "2e3", "\"s\"", "\"\\n\"", "\"\\q\"", "\"", "#[hot]", "#[", "#", "(", ")", "{", "}", "[", "]",
    ",", ";", ":", ":=", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "&", "&&",
    "|", "||", "^", "!", "~", "<<", ">>", "+=", "->", "=>", ".", "..", "..=", "...", "?", "@", "_",
    "printf", "malloc", "\n",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(VOCAB),
            prop::sample::select(&[" ", "", "\n"][..]),
        ),
        0..120,
    )
    .prop_map(|toks| toks.into_iter().map(|(t, s)| format!("{t}{s}")).collect())
}

/// The valid programs of the test corpus, to mutate.
fn corpus() -> Vec<String> {
    corpus_of(&["../tests/programs"])
}

/// The `.vais` files of the given directories (relative to this crate), sorted.
fn corpus_of(dirs: &[&str]) -> Vec<String> {
    let mut files: Vec<_> = dirs
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(d))
                .expect("corpus")
                .filter_map(|e| e.ok().map(|e| e.path()))
        })
        .filter(|p| p.extension().is_some_and(|x| x == "vais"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

#[derive(Clone, Debug)]
enum Mutation {
    /// Marks the function declared on the line nearest this fraction of the file `#[hot]`.
    MakeHot(f64),
    /// Replaces the digit nearest this fraction of the file: an edit that usually still checks.
    ChangeDigit(f64, u8),
    Delete(f64, usize),
    Duplicate(f64, usize),
    Insert(f64, &'static str),
    SwapLines(f64, f64),
    Truncate(f64),
}

/// Edits a program usually survives, as a user's edit of a running game: for hot patches.
fn gentle_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0).prop_map(Mutation::MakeHot),
        (0.0..1.0, 0u8..10).prop_map(|(a, d)| Mutation::ChangeDigit(a, d)),
        (0.0..1.0, 0u8..10).prop_map(|(a, d)| Mutation::ChangeDigit(a, d)),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0).prop_map(Mutation::MakeHot),
        (0.0..1.0, 1usize..12).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (0.0..1.0, 1usize..30).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (0.0..1.0, prop::sample::select(VOCAB)).prop_map(|(a, t)| Mutation::Insert(a, t)),
        (0.0..1.0, 0.0..1.0).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (0.0..1.0).prop_map(Mutation::Truncate),
    ]
}

/// A char boundary near fraction `at` of `s`.
fn boundary(s: &str, at: f64) -> usize {
    let mut i = ((s.len() as f64) * at) as usize;
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

fn apply(src: &str, m: &Mutation) -> String {
    let mut s = src.to_string();
    match *m {
        Mutation::MakeHot(at) => {
            let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
            let functions: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].trim_start().starts_with("F "))
                .collect();
            if !functions.is_empty() {
                let i =
                    functions[((at * functions.len() as f64) as usize).min(functions.len() - 1)];
                lines.insert(i, "#[hot]".to_string());
            }
            s = lines.join("\n");
        }
        Mutation::ChangeDigit(at, d) => {
            let a = boundary(&s, at);
            let digit = s[a..]
                .find(|c: char| c.is_ascii_digit())
                .map(|k| a + k)
                .or_else(|| s[..a].rfind(|c: char| c.is_ascii_digit()));
            if let Some(k) = digit {
                s.replace_range(k..k + 1, &d.to_string());
            }
        }
        Mutation::Delete(at, n) => {
            let a = boundary(&s, at);
            let b = boundary(&s, (a + n) as f64 / s.len().max(1) as f64);
            s.replace_range(a..b.max(a), "");
        }
        Mutation::Duplicate(at, n) => {
            let a = boundary(&s, at);
            let b = boundary(&s, (a + n) as f64 / s.len().max(1) as f64).max(a);
            let piece = s[a..b].to_string();
            s.insert_str(b, &piece);
        }
        Mutation::Insert(at, t) => {
            let a = boundary(&s, at);
            s.insert_str(a, t);
        }
        Mutation::SwapLines(a, b) => {
            let mut lines: Vec<&str> = s.lines().collect();
            if !lines.is_empty() {
                let (i, j) = (
                    (a * lines.len() as f64) as usize % lines.len(),
                    (b * lines.len() as f64) as usize % lines.len(),
                );
                lines.swap(i, j);
            }
            s = lines.join("\n");
        }
        Mutation::Truncate(at) => {
            let a = boundary(&s, at);
            s.truncate(a);
        }
    }
    s
}

fn fuzz_cases() -> u32 {
    std::env::var("VAIS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

fn runner() -> (TestRunner, u32) {
    runner_for(fuzz_cases())
}

fn runner_for(cases: u32) -> (TestRunner, u32) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    (TestRunner::new_with_rng(config, rng), cases)
}

fn check(src: &str) -> Result<(), TestCaseError> {
    compile(src).map_err(|e| TestCaseError::fail(format!("{e}\ninput:\n{src}")))
}

#[test]
fn token_soups_never_break_the_compiler() {
    let (mut runner, cases) = runner();
    let ran = std::sync::atomic::AtomicU32::new(0);
    runner
        .run(&token_soup(), |src| {
            ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            check(&src)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ran.into_inner() >= cases, "every case ran");
}

#[test]
fn mutated_programs_never_break_the_compiler() {
    let programs = corpus();
    let (mut runner, cases) = runner();
    let strategy = (0..programs.len(), prop::collection::vec(mutation(), 1..4));
    let (ran, checked) = (
        std::sync::atomic::AtomicU32::new(0),
        std::sync::atomic::AtomicU32::new(0),
    );
    runner
        .run(&strategy, |(i, ms)| {
            let src = ms.iter().fold(programs[i].clone(), |s, m| apply(&s, m));
            ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if src != programs[i] {
                checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            check(&src)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (ran, checked) = (ran.into_inner(), checked.into_inner());
    println!("{ran} mutated programs, {checked} of them changed by their mutations");
    assert!(ran >= cases, "every case ran");
}

/// Runs the real `vaisc` on `path` with `args`: it may refuse the program (exit 1) but must
/// never crash, whatever the input (a crash inside LLVM would kill an in-process test).
fn vaisc_survives(path: &Path, args: &[&str], out: &Path) -> Result<(), String> {
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .args(args)
        .arg(path)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| format!("cannot run vaisc: {e}"))?;
    match result.status.code() {
        Some(0 | 1) => Ok(()),
        _ => Err(format!(
            "`vaisc {}` ended with {}:\n{}",
            args.join(" "),
            result.status,
            String::from_utf8_lossy(&result.stderr)
        )),
    }
}

#[test]
fn past_crashers_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz_regressions");
    let scratch = fuzz_support::Scratch::new("crashers");
    let out = scratch.path().join("crasher");
    let mut n = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("regressions")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let src = std::fs::read_to_string(&path).expect("read");
        if let Err(e) = compile(&src) {
            failures.push(format!("{}: {e}", path.display()));
        }
        let mut survived = true;
        for args in [
            &["build", "-O2", "--emit", "obj"][..],
            &["build", "--hot"][..],
        ] {
            if let Err(e) = vaisc_survives(&path, args, &out) {
                failures.push(format!("{}: {e}", path.display()));
                survived = false;
            }
        }
        // In process (module verification included) only once the real vaisc survived it:
        // a crash inside LLVM would end this whole test binary.
        let mut stats = fuzz_support::Stats::default();
        if survived {
            if let Err(e) = fuzz_support::pipeline(&scratch, &src, &src, &mut stats) {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
        n += 1;
    }
    assert!(n > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn mutated_programs_never_break_the_pipeline() {
    let programs = corpus_of(&["../tests/programs", "../examples"]);
    let cases = (fuzz_cases() / 15).max(1);
    let (mut runner, _) = runner_for(cases);
    let scratch = fuzz_support::Scratch::new("pipeline");
    let mut stats = fuzz_support::Stats::default();
    // Mostly edits that keep the program well typed, so that most mutants reach codegen.
    let strategy = (
        0..programs.len(),
        prop::collection::vec(gentle_mutation(), 1..4),
        prop::collection::vec(mutation(), 0..2),
        prop::collection::vec(gentle_mutation(), 1..3),
    );
    let stats_cell = std::cell::RefCell::new(&mut stats);
    runner
        .run(&strategy, |(i, gentle, ms, patch_ms)| {
            let src = gentle
                .iter()
                .chain(&ms)
                .fold(programs[i].clone(), |s, m| apply(&s, m));
            let patch = patch_ms.iter().fold(src.clone(), |s, m| apply(&s, m));
            let mut stats = stats_cell.borrow_mut();
            fuzz_support::pipeline(&scratch, &src, &patch, &mut stats).map_err(|e| {
                TestCaseError::fail(format!("{e}\ninput:\n{src}\npatch input:\n{patch}"))
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));
    println!("{stats:?}");
    assert!(stats.programs >= cases, "every case ran");
    assert!(
        stats.built > 0 && stats.hot_built > 0,
        "some mutants reached code generation"
    );
}
