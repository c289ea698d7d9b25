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
/// re-checking only what changed, and how many of those moved functions' typed IR.
fn session(
    rng: &mut Rng,
    dir: &Path,
    entry: &str,
    files: &[(String, String)],
    steps: usize,
) -> (usize, usize) {
    let path = |name: &str| dir.join(name);
    for (name, text) in files {
        std::fs::write(path(name), text).expect("write");
    }
    let mut current: Vec<String> = files.iter().map(|(_, t)| t.clone()).collect();
    let mut kept = Kept::default();
    let (mut reused, mut moved) = (0, 0);
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
        let (r, m) = kept.save(&path(entry), step, &current.join("\n---\n"));
        reused += usize::from(r);
        moved += usize::from(m);
    }
    (reused, moved)
}

/// What a watch session keeps between saves: the front end and the hot build's caches.
#[derive(Default)]
struct Kept {
    front: FrontEnd,
    hashes: hot::HashCache,
    facts: hot::FactsCache,
}

impl Kept {
    /// Checks the save `step` of the program `entry` (whose files are `shown` in a failure)
    /// in the session and afresh, and compares the two, and the hot build's kept parts with
    /// fresh ones. Returns whether the session re-checked only what changed, and whether it
    /// moved the typed IR of functions an edit moved.
    fn save(&mut self, entry: &Path, step: usize, shown: &str) -> (bool, bool) {
        let incremental = driver::check_file_incremental(entry, &mut self.front).expect("read");
        let fresh = driver::check_file(entry).expect("read");
        let entry = entry.display();
        let (a, b) = (outcome(&incremental), outcome(&fresh));
        assert!(
            a == b,
            "{entry}, save {step}: the session's check differs from a fresh one\n{shown}\nsession diagnostics: {}\nfresh diagnostics: {}",
            a.0,
            b.0
        );
        let reused = self.front.session.rechecked.is_some();
        let moved = incremental
            .revision
            .as_ref()
            .and_then(|r| r.since.as_ref())
            .is_some_and(|s| !s.moved.is_empty());
        // What the hot build keeps between saves, too: the code hashes.
        if let (Some(program), Some(fresh_program)) = (&incremental.program, &fresh.program) {
            let slotted = slots(program);
            let kept = hot::code_hashes_cached(
                program,
                &incremental.sources,
                &slotted,
                &mut self.hashes,
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
                &mut self.facts,
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
        self.front.keep(incremental);
        (reused, moved)
    }
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
    let (mut reused, mut moved) = (0, 0);
    for n in &names {
        let text = std::fs::read_to_string(programs.join(n)).expect("read");
        let (r, m) = session(&mut rng, &dir, n, &[(n.clone(), text.clone())], 4);
        reused += r;
        moved += m;
        std::fs::write(dir.join(n), text).expect("restore");
    }
    // The comparison means something only if the session did reuse, and moved functions.
    assert!(
        reused > names.len() / 4 && moved > names.len() / 20,
        "only {reused} saves reused checks, {moved} moved functions"
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
    let (reused, moved) = session(&mut rng, &dir, "game.vais", &files, 40);
    assert!(
        reused > 40 / 4 && moved > 0,
        "only {reused} saves reused checks, {moved} moved functions"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bodies of `f` for [`a_body_edit_changes_what_it_tells_of_the_layouts`], each two lines (so
/// that nothing else moves and the session re-checks only `f`): a field used, another one, a
/// struct on the stack across a call of hot code, a variant built and matched, a pointer cast.
const BODIES: &[[&str; 2]] = &[
    ["q := g.x", "q + n"],
    ["q := g.y", "q + n"],
    ["q := P { x: n, y: 2 }", "q.x + frame(n)"],
    ["q := M K.B(n) { K.A => 0, K.B(v) => v }", "q + n"],
    ["q := n as *P", "n"],
];

/// The program around body `b` of `f`.
fn facts_program(b: &[&str; 2]) -> String {
    format!(
        "S P {{ x: i64, y: i64 }}\nE K {{ A, B(i64) }}\nG g: P = P {{ x: 1, y: 2 }}\nF f(n: i64) -> i64 {{\n    {}\n    {}\n}}\n#[hot]\nF frame(n: i64) -> i64 {{\n    n + 1\n}}\nF main() -> i64 {{\n    frame(f(1))\n}}\n",
        b[0], b[1]
    )
}

/// Edits that change what a re-checked body tells of the layouts (fields and variants code
/// that keeps running uses, refusals) give the layouts of a fresh build, in every order.
#[test]
fn a_body_edit_changes_what_it_tells_of_the_layouts() {
    on_compiler_stack(body_facts_edits);
}

fn body_facts_edits() {
    let dir = scratch("incremental-check-facts");
    let entry = dir.join("game.vais");
    let mut kept = Kept::default();
    let mut step = 0;
    let mut reused = 0;
    for from in BODIES {
        for to in BODIES {
            for b in [from, to] {
                let text = facts_program(b);
                std::fs::write(&entry, &text).expect("save");
                reused += usize::from(kept.save(&entry, step, &text).0);
                step += 1;
            }
        }
    }
    assert!(
        reused > step / 2,
        "only {reused} of {step} saves reused checks"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The program for [`functions_an_edit_moves_keep_what_does_not_name_their_place`]: `f`'s body
/// has `lines` lines, and the items after it are of every kind: functions that embed their
/// line (`assert`) or tell of the layouts with a refusal that names it (a pointer cast), a
/// struct with a method, a generic function and its instance, a closure, an extern function
/// and a global.
fn moving_program(lines: usize) -> String {
    let body = "    m += 1\n".repeat(lines);
    format!(
        "S P {{ x: i64, y: i64 }}\nF f(n: i64) -> i64 {{\n    m := mut n\n{body}    m\n}}\n\
         F checked(n: i64) -> i64 {{\n    assert(n > 0)\n    n\n}}\n\
         F refused(n: i64) -> i64 {{\n    q := n as *P\n    n + frame(n)\n}}\n\
         S Q {{ a: i64 }}\nX Q {{\n    F get(&self) -> i64 = self.a\n}}\n\
         F pick<T>(a: T, b: T) -> T = b\n\
         F twice(n: i64) -> i64 {{\n    g := |x: i64| x * 2\n    g(n)\n}}\n\
         X F abs(n: i32) -> i32\nG start: i64 = 3\n\
         #[hot]\nF frame(n: i64) -> i64 {{\n    n + 1\n}}\n\
         F main() -> i64 {{\n    q := Q {{ a: pick(1, 2) }}\n    refused(checked(f(start))) + q.get() + twice(abs(-1) as i64)\n}}\n"
    )
}

/// Saves that add and remove lines of `f` move the functions after it: the session keeps
/// their typed IR, moved, and of their hashes and facts redoes exactly those that name where
/// they are, as a fresh build finds them.
#[test]
fn functions_an_edit_moves_keep_what_does_not_name_their_place() {
    on_compiler_stack(moving_edits);
}

fn moving_edits() {
    let dir = scratch("incremental-check-moves");
    let entry = dir.join("game.vais");
    let mut kept = Kept::default();
    let (mut reused, mut moved) = (0, 0);
    for (step, lines) in [1, 3, 2, 5, 1, 4].into_iter().enumerate() {
        let text = moving_program(lines);
        std::fs::write(&entry, &text).expect("save");
        let (r, m) = kept.save(&entry, step, &text);
        reused += usize::from(r);
        moved += usize::from(m);
    }
    assert_eq!(
        (reused, moved),
        (5, 5),
        "every save after the first re-checks `f` and moves the rest"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
