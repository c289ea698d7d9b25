//! Differential test of checking across saves (issue 12): in one watch-like session
//! (`driver::check_file_incremental`, which re-checks only changed function bodies where
//! `typeck::Session` allows), a sequence of random edits gives after every save exactly the
//! diagnostics and the typed program (ids and spans included) that a fresh check of the same
//! files gives. The edits run over every program of `tests/programs` and over a generated
//! program in several files; they change a number, add a line (moving what follows), add a
//! mistake, or go back to the original text. `VAIS_INCREMENTAL_SEED=S` runs another sequence.

// The generator of the benchmarks, whose other parts this test does not use.
#[allow(dead_code)]
#[path = "../../benches/gen.rs"]
mod gen;

mod rng_support;

use rng_support::Rng;
use std::path::{Path, PathBuf};
use vaisc::driver::{self, Checked, FrontEnd};
use vaisc::hot;
use vaisc::tir::Program;

/// The name a mistake adds, which no program declares.
const MISTAKE: &str = "zz_unknown";

/// One random edit of `text`, or the original text back.
fn edit(rng: &mut Rng, text: &str, original: &str) -> String {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect();
    match rng.below(6) {
        // A number changes: most are in bodies, some in sizes and initial values.
        0..=2 => {
            let digits: Vec<usize> = text
                .char_indices()
                .filter(|&(i, c)| {
                    c.is_ascii_digit()
                        && !text[..i].ends_with(|p: char| p.is_ascii_alphanumeric() || p == '_')
                })
                .map(|(i, _)| i)
                .collect();
            if digits.is_empty() {
                return original.to_string();
            }
            let at = digits[rng.below(digits.len())];
            let end = text[at..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(text.len(), |n| at + n);
            let number = ["1", "7", "42", "1000", "3"][rng.below(5)];
            format!("{}{number}{}", &text[..at], &text[end..])
        }
        // A line moves everything after it.
        3 => {
            let at = starts[rng.below(starts.len())];
            format!("{}# moved\n{}", &text[..at], &text[at..])
        }
        // A mistake: an unknown name at the start of a line inside a block.
        4 => {
            let inside: Vec<usize> = starts
                .iter()
                .copied()
                .filter(|&i| text[i..].starts_with("    "))
                .collect();
            if inside.is_empty() {
                return original.to_string();
            }
            let at = inside[rng.below(inside.len())];
            format!("{}    {MISTAKE}\n{}", &text[..at], &text[at..])
        }
        _ => original.to_string(),
    }
}

/// A check's outcome, as compared: the diagnostics and the typed program, in full.
fn outcome(checked: &Checked) -> (String, String) {
    (
        format!("{:?}", checked.diagnostics),
        format!("{:?}", checked.program),
    )
}

/// Runs `steps` saves of random edits to `files` (in `dir`, entry `entry`) in one session,
/// comparing each with a fresh check. Returns how many saves the session answered by
/// re-checking only what changed.
fn session(
    rng: &mut Rng,
    dir: &Path,
    entry: &str,
    files: &[(String, String)],
    steps: usize,
) -> usize {
    let path = |name: &str| dir.join(name);
    for (name, text) in files {
        std::fs::write(path(name), text).expect("write");
    }
    let mut current: Vec<String> = files.iter().map(|(_, t)| t.clone()).collect();
    let mut front = FrontEnd::new();
    let mut hashes = hot::HashCache::default();
    let mut facts = hot::FactsCache::default();
    let mut reused = 0;
    let mut fix = None;
    for step in 0..=steps {
        if step > 0 {
            // A mistake is fixed at the next save, as a user would, going back to the text
            // before it.
            let k = match fix.take() {
                Some((k, text)) => {
                    current[k] = text;
                    k
                }
                None => {
                    let k = rng.below(files.len());
                    let edited = edit(rng, &current[k], &files[k].1);
                    if edited.contains(MISTAKE) && !current[k].contains(MISTAKE) {
                        fix = Some((k, std::mem::replace(&mut current[k], edited)));
                    } else {
                        current[k] = edited;
                    }
                    k
                }
            };
            std::fs::write(path(&files[k].0), &current[k]).expect("save");
        }
        let incremental = driver::check_file_incremental(&path(entry), &mut front).expect("read");
        let fresh = driver::check_file(&path(entry)).expect("read");
        let (a, b) = (outcome(&incremental), outcome(&fresh));
        assert!(
            a == b,
            "{entry}, save {step}: the session's check differs from a fresh one\n{}\nsession diagnostics: {}\nfresh diagnostics: {}",
            current.join("\n---\n"),
            a.0,
            b.0
        );
        reused += usize::from(front.session.rechecked.is_some());
        // What the hot build keeps between saves, too: the code hashes.
        if let (Some(program), Some(fresh_program)) = (&incremental.program, &fresh.program) {
            let slotted = slots(program);
            let kept = hot::code_hashes_cached(
                program,
                &incremental.sources,
                &slotted,
                &mut hashes,
                incremental.revision.as_ref(),
            );
            let again = hot::code_hashes(fresh_program, &fresh.sources, &slots(fresh_program));
            assert_eq!(
                kept, again,
                "{entry}, save {step}: the kept code hashes differ"
            );
            // And what the functions' bodies tell of the layouts (refusals, fields used).
            let kept = hot::layouts_cached(
                program,
                &incremental.sources,
                &mut facts,
                incremental.revision.as_ref(),
            )
            .map(|l| format!("{l:?}"))
            .map_err(|e| e.to_string());
            let again = hot::layouts(fresh_program, &fresh.sources)
                .map(|l| format!("{l:?}"))
                .map_err(|e| e.to_string());
            assert_eq!(
                kept, again,
                "{entry}, save {step}: the kept layout facts differ"
            );
        }
        front.keep(incremental);
    }
    reused
}

/// Calls through the table stop at the hot functions, as in a patch of a host with all of them.
fn slots(program: &Program) -> Vec<bool> {
    let mut out = vec![false; program.functions.len()];
    for f in hot::hot_functions(program) {
        out[f] = true;
    }
    out
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vaisc-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `f` on the compiler's own stack (some programs nest deeply), passing on its panic.
fn on_compiler_stack(f: impl FnOnce() + Send) {
    if let Err(panic) = vaisc::with_compiler_stack(f).expect("start the compiler thread") {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn every_test_program_rechecks_as_a_fresh_check_does() {
    on_compiler_stack(every_test_program);
}

fn every_test_program() {
    let programs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/programs");
    let dir = scratch("incremental-check-programs");
    let mut names: Vec<String> = std::fs::read_dir(&programs)
        .expect("tests/programs")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".vais"))
        .collect();
    names.sort();
    // Imports are looked up beside the importing file: every program is there.
    for n in &names {
        std::fs::copy(programs.join(n), dir.join(n)).expect("copy");
    }
    let mut rng = Rng::from_env(12);
    let mut reused = 0;
    for n in &names {
        let text = std::fs::read_to_string(programs.join(n)).expect("read");
        reused += session(&mut rng, &dir, n, &[(n.clone(), text.clone())], 4);
        std::fs::write(dir.join(n), text).expect("restore");
    }
    // The comparison means something only if the session did reuse.
    assert!(
        reused > names.len() / 4,
        "only {reused} saves reused checks"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_program_in_several_files_rechecks_as_a_fresh_check_does() {
    on_compiler_stack(several_files);
}

fn several_files() {
    let dir = scratch("incremental-check-files");
    let files = gen::hot_program_files(3_000, 5, 3, 0);
    let mut rng = Rng::from_env(12);
    let reused = session(&mut rng, &dir, "game.vais", &files, 40);
    assert!(reused > 40 / 4, "only {reused} saves reused checks");
    let _ = std::fs::remove_dir_all(&dir);
}
