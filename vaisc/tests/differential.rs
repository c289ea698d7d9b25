//! Differential testing: random well-typed Vais programs (from `diff_support`) are built with
//! `vaisc` at `-O0` and `-O2`, and (one seed in four) as a hot host (`--hot`, every generated
//! function `#[hot]`, so every call goes through the jump table), and their C translations with
//! `cc -O0 -fwrapv -lm`; all the executables must print the same text and exit with the same
//! status. A fixed-seed slice runs by default; `VAIS_DIFF_CASES=N` runs N programs and
//! `VAIS_DIFF_SEED=S` starts at seed S.
//! A mismatching program is kept, with its C translation and the outputs, under
//! `target/differential/SEED/`, together with a minimised pair (`min.vais`, `min.c`: generated
//! lines deleted from both while the same builds still disagree with C), to be turned into a
//! `tests/programs/` regression.

mod diff_support;

mod run_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const DEFAULT_CASES: u64 = 24;
const DEFAULT_SEED: u64 = 1;
const RUN_LIMIT: Duration = Duration::from_secs(20);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn kept_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/differential")
}

fn build_output(out: std::io::Result<Output>, what: &str) -> Result<(), String> {
    let out = out.map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Runs `exe` with a time limit; returns its output and exit status as text.
fn run(exe: &Path) -> Result<String, String> {
    let mut command = Command::new(exe);
    command.stderr(Stdio::null());
    let (out, status) = run_support::run_limited(command, RUN_LIMIT)?;
    Ok(format!("{out}-- {status}\n"))
}

/// What building and running a program every way gave.
enum Outcome {
    Agree,
    /// The outputs, by build, the C program's last.
    Differ(Vec<(String, String)>),
    /// A build failed or a program hung.
    Failed(String),
}

/// Builds and runs one seed's program every way; `Err` describes a mismatch or failure, and
/// the program is then kept (a mismatching one also minimised).
fn check_seed(seed: u64, dir: &Path) -> Result<(), String> {
    let program = diff_support::generate(seed);
    let keep = kept_dir().join(seed.to_string());
    let hot = seed.is_multiple_of(4);
    let tag = format!("p{seed}");
    let error = match outcome(dir, &tag, &program.vais, &program.c, hot) {
        Outcome::Agree => return Ok(()),
        Outcome::Failed(e) => e,
        Outcome::Differ(outputs) => {
            let _ = std::fs::create_dir_all(&keep);
            let reference = &outputs[outputs.len() - 1].1;
            let mut report = "outputs differ\n".to_string();
            for (what, out) in &outputs {
                let _ = std::fs::write(keep.join(format!("{}.out", what.replace(' ', "_"))), out);
                let first_diff = out
                    .lines()
                    .zip(reference.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(out.lines().count().min(reference.lines().count()));
                report.push_str(&format!(
                    "  {what}: first difference from C at line {}\n",
                    first_diff + 1
                ));
            }
            let (vais, c) = minimise(dir, &format!("{tag}m"), &program, hot);
            let _ = std::fs::write(keep.join("min.vais"), vais);
            let _ = std::fs::write(keep.join("min.c"), c);
            report.push_str("  minimised: min.vais, min.c\n");
            report
        }
    };
    let _ = std::fs::create_dir_all(&keep);
    let _ = std::fs::write(keep.join("p.vais"), &program.vais);
    let _ = std::fs::write(keep.join("p.c"), &program.c);
    let _ = std::fs::write(keep.join("p_hot.vais"), all_hot(&program.vais));
    Err(format!("{error}(program kept in {})", keep.display()))
}

/// Builds `vais` and `c` every way and runs them (files `TAG*` in `dir`).
fn outcome(dir: &Path, tag: &str, vais: &str, c: &str, hot: bool) -> Outcome {
    match outputs(dir, tag, vais, c, hot) {
        Err(e) => Outcome::Failed(e),
        Ok(outputs) => {
            let reference = &outputs[outputs.len() - 1].1;
            if outputs.iter().all(|(_, out)| out == reference) {
                Outcome::Agree
            } else {
                Outcome::Differ(outputs)
            }
        }
    }
}

/// The outputs of `vais` built with vaisc at -O0 and -O2 (first with `--hot` if `hot`) and of
/// `c` built with cc, the C program's last.
fn outputs(
    dir: &Path,
    tag: &str,
    vais: &str,
    c: &str,
    hot: bool,
) -> Result<Vec<(String, String)>, String> {
    let vais_path = dir.join(format!("{tag}.vais"));
    let c_path = dir.join(format!("{tag}.c"));
    std::fs::write(&vais_path, vais).map_err(|e| e.to_string())?;
    std::fs::write(&c_path, c).map_err(|e| e.to_string())?;
    let mut outputs = Vec::new();
    if hot {
        let hot_src = dir.join(format!("{tag}h.vais"));
        std::fs::write(&hot_src, all_hot(vais)).map_err(|e| e.to_string())?;
        let hot_exe = dir.join(format!("{tag}-hot"));
        build_output(
            Command::new(env!("CARGO_BIN_EXE_vaisc"))
                .arg("build")
                .arg("--hot")
                .arg(&hot_src)
                .arg("-o")
                .arg(&hot_exe)
                .output(),
            "vaisc build --hot",
        )?;
        outputs.push(("vaisc --hot".to_string(), run(&hot_exe)?));
    }
    for opt in ["0", "2"] {
        let exe = dir.join(format!("{tag}-O{opt}"));
        build_output(
            Command::new(env!("CARGO_BIN_EXE_vaisc"))
                .arg("build")
                .arg(&vais_path)
                .arg(format!("-O{opt}"))
                .arg("-o")
                .arg(&exe)
                .output(),
            &format!("vaisc build -O{opt}"),
        )?;
        outputs.push((format!("vaisc -O{opt}"), run(&exe)?));
    }
    let exe = dir.join(format!("{tag}-c"));
    build_output(
        Command::new("cc")
            .args(["-O0", "-fwrapv", "-w", "-o"])
            .arg(&exe)
            .arg(&c_path)
            .arg("-lm")
            .output(),
        "cc",
    )?;
    outputs.push(("cc -O0 -fwrapv".to_string(), run(&exe)?));
    Ok(outputs)
}

/// Most builds one minimisation tries.
const MINIMISE_TRIES: usize = 300;

/// Which builds agree with C: the shape of a mismatch, kept while minimising it.
fn agreement(outputs: &[(String, String)]) -> Vec<bool> {
    let reference = &outputs[outputs.len() - 1].1;
    outputs.iter().map(|(_, out)| out == reference).collect()
}

/// Lines at the end of `main` that minimising keeps: the checksum line, `0` and `}`.
const KEPT_TAIL: usize = 3;

/// Shrinks a mismatching program by deleting runs of generated lines from both languages at
/// once (each generated line has its counterpart at the same offset in the other language),
/// keeping a deletion when the same builds still disagree with C. Returns the smallest pair
/// found.
fn minimise(dir: &Path, tag: &str, program: &diff_support::Program, hot: bool) -> (String, String) {
    let mut v: Vec<&str> = program.vais.lines().collect();
    let mut c: Vec<&str> = program.c.lines().collect();
    let (vs, cs) = (program.vais_body, program.c_body);
    let shape = match outcome(dir, tag, &program.vais, &program.c, hot) {
        Outcome::Differ(outputs) => agreement(&outputs),
        _ => return (program.vais.clone(), program.c.clone()),
    };
    if v.len() - vs != c.len() - cs || v.len() - vs <= KEPT_TAIL {
        return (program.vais.clone(), program.c.clone());
    }
    let join = |lines: &[&str]| lines.join("\n") + "\n";
    let mut tries = 0;
    let mut chunk = (v.len() - vs - KEPT_TAIL).div_ceil(2).max(1);
    loop {
        let mut start = 0;
        while start < v.len() - vs - KEPT_TAIL && tries < MINIMISE_TRIES {
            let end = (start + chunk).min(v.len() - vs - KEPT_TAIL);
            let mut tv = v.clone();
            let mut tc = c.clone();
            tv.drain(vs + start..vs + end);
            tc.drain(cs + start..cs + end);
            tries += 1;
            match outcome(dir, tag, &join(&tv), &join(&tc), hot) {
                Outcome::Differ(outputs) if agreement(&outputs) == shape => (v, c) = (tv, tc),
                _ => start = end,
            }
        }
        if chunk == 1 || tries >= MINIMISE_TRIES {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    (join(&v), join(&c))
}

/// The program with every generated function and method marked `#[hot]` (the prelude's
/// helpers stay normal).
fn all_hot(vais: &str) -> String {
    let mut out = String::new();
    for line in vais.lines() {
        let code = line.trim_start();
        let generated = code
            .strip_prefix("F ")
            .is_some_and(|rest| rest.starts_with("fn") || rest.starts_with('m'));
        if generated && !code.starts_with("F main(") {
            out.push_str(&line[..line.len() - code.len()]);
            out.push_str("#[hot]\n");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn random_programs_agree_with_c() {
    let cases = env_u64("VAIS_DIFF_CASES", DEFAULT_CASES);
    let first = env_u64("VAIS_DIFF_SEED", DEFAULT_SEED);
    let dir = std::env::temp_dir().join(format!("vaisc-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let next = Mutex::new(first);
    let failures = Mutex::new(Vec::new());
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let seed = {
                    let mut n = next.lock().expect("seed counter");
                    if *n >= first + cases {
                        break;
                    }
                    *n += 1;
                    *n - 1
                };
                let result = check_seed(seed, &dir);
                // Everything this seed wrote: `pSEED*` and the hot build's `libpSEED-hot.so`.
                let mine = [format!("p{seed}"), format!("libp{seed}-")];
                let entries = std::fs::read_dir(&dir).into_iter().flatten().flatten();
                for entry in entries {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let ours = mine.iter().any(|m| {
                        name.strip_prefix(m.as_str())
                            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_digit()))
                    });
                    if ours {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
                if let Err(e) = result {
                    failures
                        .lock()
                        .expect("failures")
                        .push(format!("seed {seed}: {e}"));
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    let mut failures = failures.into_inner().expect("failures");
    failures.sort();
    println!(
        "differential: {cases} programs from seed {first} in {:.1?}, {} mismatches",
        start.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn generation_is_deterministic() {
    let a = diff_support::generate(7);
    let b = diff_support::generate(7);
    assert_eq!(a.vais, b.vais);
    assert_eq!(a.c, b.c);
    assert_ne!(a.vais, diff_support::generate(8).vais);
}

/// Minimising deletes the same generated lines from both texts, so they must line up.
#[test]
fn generated_lines_line_up_in_both_languages() {
    for seed in 0..50 {
        let p = diff_support::generate(seed);
        assert_eq!(
            p.vais.lines().count() - p.vais_body,
            p.c.lines().count() - p.c_body,
            "seed {seed}"
        );
        assert!(p
            .vais
            .lines()
            .nth(p.vais_body)
            .is_some_and(|l| l.starts_with("S St0")));
        assert!(p
            .c
            .lines()
            .nth(p.c_body)
            .is_some_and(|l| l.starts_with("typedef struct")));
    }
}
