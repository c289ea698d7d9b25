//! Differential test of O(edit) patches (issue 12): over a sequence of random edits to a
//! generated program, the patch that carries only the functions whose code changed and the
//! from-scratch patch that carries every function hot code reaches
//! (`VAIS_HOT_PATCH_FROM_SCRATCH=1`) give the running program the same behaviour. Two hosts of
//! the same program run side by side, each in its own folder; after every edit each gets its
//! kind of patch, and then both compute one frame for the same input, which must print the
//! same line. The program's helpers call each other (recursion and mutual recursion
//! included), use a constant, a struct and a global, and the edits change a helper's
//! arithmetic, a hot function's, the constant, or add a new helper that a hot function calls.
//! The numbers the first two kinds of edit change keep their width, so that such an edit
//! changes only the inside of a plain function's body: the O(edit) side's `--patch-only`
//! then takes the code hashes of the other functions from the record of its host's check
//! (`driver::REUSED_PHASE`, checked), as long as every edit so far was of those kinds; the
//! first edits are, so that both ways are compared, and such a patch must be the same bytes
//! as the one built without the record. Those patches are also built from a check that took
//! the bodies they do not carry from the host's record (`driver::TAKING_PHASE`): an edit of
//! these kinds adds no call, so no taken body is needed. The from-scratch side has no such record and hashes
//! everything. `VAIS_INCREMENTAL_SEED=S` runs another sequence.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

mod rng_support;

use hot_support::{Host, Project};
use rng_support::Rng;
use std::process::{Command, Stdio};
use vaisc::driver::{HASHED_PHASE, RECHECK_PHASE, REUSED_PHASE, TAKING_PHASE};

/// One generated function: its arithmetic and what it calls (lower-numbered helpers only, so
/// the only recursion is the bounded one `rec`, `even` and `odd` have).
#[derive(Clone)]
struct Func {
    mul: i64,
    add: i64,
    calls: Vec<usize>,
    uses_const: bool,
}

struct Model {
    helpers: Vec<Func>,
    hot: Vec<Func>,
    constant: i64,
}

impl Model {
    fn new(rng: &mut Rng, helpers: usize, hot: usize) -> Model {
        let mut m = Model {
            helpers: Vec::new(),
            hot: Vec::new(),
            constant: 7,
        };
        for i in 0..helpers {
            let f = random_func(rng, i);
            m.helpers.push(f);
        }
        for _ in 0..hot {
            let f = random_func(rng, helpers);
            m.hot.push(f);
        }
        m
    }

    fn source(&self) -> String {
        let mut out = String::from(
            "X F fflush(f: *u8) -> i32\nX F getchar() -> i32\nS Acc { a: i64, b: i64 }\nG total: i64 = 0\n",
        );
        out.push_str(&format!("C K: i64 = {}\n", self.constant));
        out.push_str("F rec(n: i64) -> i64 = I n <= 0 { 1 } E { n % 7 + rec(n - 1) }\n");
        out.push_str("F even(n: i64) -> bool = I n == 0 { true } E { odd(n - 1) }\n");
        out.push_str("F odd(n: i64) -> bool = I n == 0 { false } E { even(n - 1) }\n");
        for (i, f) in self.helpers.iter().enumerate() {
            out.push_str(&body(&format!("F h{i}"), f));
        }
        for (i, f) in self.hot.iter().enumerate() {
            out.push_str(&body(&format!("#[hot]\nF hot{i}"), f));
        }
        out.push_str("#[hot]\nF frame(n: i64) -> i64 {\n    total += 1\n    s := mut 0\n");
        for i in 0..self.hot.len() {
            out.push_str(&format!("    s = s * 31 % 1000003 + hot{i}(n + {i})\n"));
        }
        out.push_str(
            "    printf(\"frame=%ld total=%ld sum=%ld\\n\", n, total, s)\n    fflush(0 as *u8)\n    0\n}\n",
        );
        out.push_str(
            "F main() -> i64 {\n    n := mut 0\n    L {\n        c := getchar()\n        I c < 0 { B }\n        I c == 10 {\n            frame(n)\n            n += 1\n        }\n    }\n    0\n}\n",
        );
        out
    }
}

fn random_func(rng: &mut Rng, callable: usize) -> Func {
    let calls = if callable == 0 {
        Vec::new()
    } else {
        (0..rng.below(3)).map(|_| rng.below(callable)).collect()
    };
    Func {
        mul: 10 + rng.below(90) as i64,
        add: 100 + rng.below(900) as i64,
        calls,
        uses_const: rng.below(3) == 0,
    }
}

/// `NAME(x: i64) -> i64` computing with a struct, the constant, the recursive helpers and its
/// callees, kept small so no arithmetic overflows.
fn body(head: &str, f: &Func) -> String {
    let mut out = format!(
        "{head}(x: i64) -> i64 {{\n    a := mut Acc {{ a: x % 1009, b: {} }}\n",
        f.add
    );
    out.push_str(&format!("    a.a = a.a * {} + a.b\n", f.mul));
    if f.uses_const {
        out.push_str("    a.b += K\n");
    }
    out.push_str("    I even(x % 9) { a.b += rec(x % 5) }\n");
    for c in &f.calls {
        out.push_str(&format!("    a.b += h{c}(a.a % 997)\n"));
    }
    out.push_str("    (a.a + a.b) % 1000003\n}\n");
    out
}

/// Applies one random edit, of the first `kinds` kinds (the first two change only a plain
/// function's body, keeping its width); returns what it did, for failure messages, and
/// whether it was of those two.
fn edit(rng: &mut Rng, m: &mut Model, kinds: usize) -> (String, bool) {
    let kind = rng.below(kinds);
    let what = match kind {
        0 => {
            let i = rng.below(m.helpers.len());
            m.helpers[i].mul = 10 + rng.below(90) as i64;
            format!("h{i}: new multiplier")
        }
        1 => {
            let i = rng.below(m.hot.len());
            m.hot[i].add = 100 + rng.below(900) as i64;
            format!("hot{i}: new constant")
        }
        2 => {
            m.constant = rng.below(100) as i64;
            format!("K = {}", m.constant)
        }
        _ => {
            let n = m.helpers.len();
            let f = random_func(rng, n);
            m.helpers.push(f);
            let i = rng.below(m.hot.len());
            m.hot[i].calls.push(n);
            format!("new helper h{n}, called by hot{i}")
        }
    };
    (what, kind < 2)
}

fn start(p: &Project) -> Host {
    Host::spawn(
        Command::new(&p.exe)
            .current_dir(&p.dir)
            .env("VAIS_HOT_LOG", "info")
            .stdin(Stdio::piped()),
    )
}

/// Builds the patch of `p` (from scratch, without the record of the host's check, or not)
/// and waits for `host` to apply version `v`; the name of the phase that made the code
/// hashes, and whether the patch was built from a check that took bodies from the host.
fn patch(p: &Project, host: &Host, from_scratch: bool, v: usize, what: &str) -> (String, bool) {
    let mut command = p.patch_command();
    command.env("VAIS_TIMINGS", "1");
    if from_scratch {
        command.env("VAIS_HOT_PATCH_FROM_SCRATCH", "1");
        let _ = std::fs::remove_file(p.dir.join("game.vais-check"));
    }
    let out = command.output().expect("run vaisc");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{what}: patch build failed:\n{err}");
    let want = format!("v{v} applied");
    host.wait_stderr(&want, |l| l.contains(&want));
    // `timing: <length> ms at <start> ms  <name>`.
    let phases: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("timing:")?.split_once(" ms  "))
        .map(|(_, name)| name)
        .collect();
    let hashes = phases
        .iter()
        .find(|&&name| name == HASHED_PHASE || name == REUSED_PHASE)
        .unwrap_or_else(|| panic!("{what}: no phase made the code hashes:\n{err}"))
        .to_string();
    let taking = phases.contains(&TAKING_PHASE) && !phases.contains(&RECHECK_PHASE);
    (hashes, taking)
}

/// The line frame `n` prints.
fn frame(host: &mut Host, n: usize) -> String {
    host.type_line("");
    let want = format!("frame={n} ");
    host.wait_stdout(&want, |l| l.starts_with(&want))
}

#[test]
fn o_edit_patches_behave_like_from_scratch_patches() {
    let mut rng = Rng::from_env(0x5eed_1212_u64);
    // The state it starts from is the seed that names this sequence.
    let seed = rng.0;
    let mut model = Model::new(&mut rng, 24, 4);
    let source = model.source();
    let small = Project::new("incremental-edit", &source);
    let full = Project::new("incremental-scratch", &source);
    small.build();
    full.build();
    let mut a = start(&small);
    let mut b = start(&full);
    assert_eq!(frame(&mut a, 0), frame(&mut b, 0), "the hosts differ");
    let mut sizes = Vec::new();
    // Every edit so far changed only the inside of a plain function's body.
    let mut bodies_only = true;
    for step in 1..=8 {
        let (what, body_only) = edit(&mut rng, &mut model, if step <= 4 { 2 } else { 4 });
        bodies_only &= body_only;
        let source = model.source();
        std::fs::write(&small.src, &source).expect("write");
        std::fs::write(&full.src, &source).expect("write");
        let way = patch(&small, &a, false, step + 1, &what);
        let want = if bodies_only {
            REUSED_PHASE
        } else {
            HASHED_PHASE
        };
        let (hashes, taking) = way;
        assert_eq!(hashes, want, "seed {seed:#x}, step {step} ({what})");
        // Other edits may be checked taking bodies too (a constant of another width moves
        // the items after it, whose bodies are then checked again), or not.
        assert!(
            taking || !bodies_only,
            "seed {seed:#x}, step {step} ({what})"
        );
        if bodies_only || taking {
            hot_support::same_patch_without_record(&small, &what);
        }
        let scratch = (HASHED_PHASE.to_string(), false);
        assert_eq!(patch(&full, &b, true, step + 1, &what), scratch);
        let size = |p: &Project| std::fs::metadata(p.patch_path()).map_or(0, |m| m.len());
        sizes.push((size(&small), size(&full)));
        let (x, y) = (frame(&mut a, step), frame(&mut b, step));
        assert_eq!(x, y, "seed {seed:#x}, step {step} ({what}):\n{source}");
    }
    // The point of the O(edit) patch: it carries less than the from-scratch one.
    let (edit_total, scratch_total) = sizes.iter().fold((0, 0), |(x, y), (a, b)| (x + a, y + b));
    assert!(
        edit_total < scratch_total,
        "O(edit) patches {sizes:?} are not smaller than from-scratch ones"
    );
}
