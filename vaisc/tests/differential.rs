//! Differential testing: random well-typed Vais programs (from `diff_support`) are built with
//! `vaisc` at `-O0` and `-O2`, and (one seed in four) as a hot host (`--hot`, every generated
//! function `#[hot]`, so every call goes through the jump table), and their C translations with
//! `cc -O0 -fwrapv -lm`; all the executables must print the same text and exit with the same
//! status. A fixed-seed slice runs
//! by default; `VAIS_DIFF_CASES=N` runs N programs and `VAIS_DIFF_SEED=S` starts at seed S.
//! A mismatching program is kept, with its C translation and the three outputs, under
//! `target/differential/SEED/`, so it can be minimised into a `tests/programs/` regression.

mod diff_support;

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
    let mut child = Command::new(exe)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{} ran longer than {RUN_LIMIT:?}", exe.display()));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let out = reader.join().unwrap_or_default();
    Ok(format!("{out}-- {status}\n"))
}

/// Builds and runs one seed's program three ways; `Err` describes a mismatch or failure, and
/// the program is then kept.
fn check_seed(seed: u64, dir: &Path) -> Result<(), String> {
    let program = diff_support::generate(seed);
    let keep = kept_dir().join(seed.to_string());
    compare(seed, dir, &program, &keep).map_err(|e| {
        let _ = std::fs::create_dir_all(&keep);
        let _ = std::fs::write(keep.join("p.vais"), &program.vais);
        let _ = std::fs::write(keep.join("p.c"), &program.c);
        let _ = std::fs::write(keep.join("p_hot.vais"), all_hot(&program.vais));
        format!("{e}(program kept in {})", keep.display())
    })
}

fn compare(
    seed: u64,
    dir: &Path,
    program: &diff_support::Program,
    keep: &Path,
) -> Result<(), String> {
    let vais = dir.join(format!("p{seed}.vais"));
    let c = dir.join(format!("p{seed}.c"));
    std::fs::write(&vais, &program.vais).map_err(|e| e.to_string())?;
    std::fs::write(&c, &program.c).map_err(|e| e.to_string())?;
    let mut outputs = Vec::new();
    // Linking a hot host takes a while: one seed in four is also built with `--hot`.
    if seed.is_multiple_of(4) {
        let hot = dir.join(format!("p{seed}h.vais"));
        std::fs::write(&hot, all_hot(&program.vais)).map_err(|e| e.to_string())?;
        let hot_exe = dir.join(format!("p{seed}-hot"));
        build_output(
            Command::new(env!("CARGO_BIN_EXE_vaisc"))
                .arg("build")
                .arg("--hot")
                .arg(&hot)
                .arg("-o")
                .arg(&hot_exe)
                .output(),
            "vaisc build --hot",
        )?;
        outputs.push(("vaisc --hot".to_string(), run(&hot_exe)?));
    }
    for opt in ["0", "2"] {
        let exe = dir.join(format!("p{seed}-O{opt}"));
        build_output(
            Command::new(env!("CARGO_BIN_EXE_vaisc"))
                .arg("build")
                .arg(&vais)
                .arg(format!("-O{opt}"))
                .arg("-o")
                .arg(&exe)
                .output(),
            &format!("vaisc build -O{opt}"),
        )?;
        outputs.push((format!("vaisc -O{opt}"), run(&exe)?));
    }
    let exe = dir.join(format!("p{seed}-c"));
    build_output(
        Command::new("cc")
            .args(["-O0", "-fwrapv", "-w", "-o"])
            .arg(&exe)
            .arg(&c)
            .arg("-lm")
            .output(),
        "cc",
    )?;
    outputs.push(("cc -O0 -fwrapv".to_string(), run(&exe)?));
    let reference = &outputs[outputs.len() - 1].1;
    if outputs.iter().all(|(_, out)| out == reference) {
        return Ok(());
    }
    let _ = std::fs::create_dir_all(keep);
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
    Err(report)
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

#[test]
fn dump_seed_for_inspection() {
    if let Ok(seed) = std::env::var("VAIS_DIFF_DUMP") {
        let p = diff_support::generate(seed.parse().expect("seed"));
        std::fs::write("/tmp/h4/dump/p.vais", p.vais).unwrap();
        std::fs::write("/tmp/h4/dump/p.c", p.c).unwrap();
    }
}
