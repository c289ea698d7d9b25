//! The data-driven test harness: every program under `tests/programs/` is built with the real
//! `vaisc` binary and run, and its standard output and exit status are compared exactly with
//! `NAME.stdout` and `NAME.exit` (a signal counts as 128 + its number), at -O0 and, for programs
//! marked `# also: -O2`, at -O2; every program under `tests/errors/` is checked with
//! `vaisc check`, and the diagnostics it reports must be exactly the list in its header comments
//! (`# expect-error: LINE:COL: CODE: MESSAGE`, `# expect-warning: ...`), in order: an extra,
//! missing or different diagnostic fails. Programs run
//! on two worker threads, and all failures are reported together at the end.

mod run_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

fn vais_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "vais"))
        .collect();
    files.sort();
    files
}

/// A scratch directory unique to this test run, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("vaisc-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `exe` with a time limit; returns (stdout, exit code or a description of the signal).
fn run_with_timeout(exe: &Path) -> Result<(String, i32), String> {
    let mut command = Command::new(exe);
    command.stderr(Stdio::null());
    let (out, status) = run_support::run_limited(command, TIMEOUT)?;
    // A program killed by a signal gets 128 + the signal, as `vaisc run` and shells report it,
    // so a `.exit` file can expect a trap (132 is SIGILL).
    match (
        status.code(),
        std::os::unix::process::ExitStatusExt::signal(&status),
    ) {
        (Some(code), _) => Ok((out, code)),
        (None, Some(sig)) => Ok((out, 128 + sig)),
        (None, None) => Err(format!("ended without a status ({status})")),
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Builds and runs one program; compares with its `.stdout` and `.exit` files. A program whose
/// source has the line `# also: -O2` is built and checked at -O2 as well, for behaviour that
/// must not depend on the optimisation level.
fn check_program(src: &Path, scratch: &Path) -> Result<(), String> {
    check_program_at(src, scratch, "-O0")?;
    if read(src)?.lines().any(|l| l.trim() == "# also: -O2") {
        check_program_at(src, scratch, "-O2").map_err(|e| format!("at -O2: {e}"))?;
    }
    Ok(())
}

fn check_program_at(src: &Path, scratch: &Path, level: &str) -> Result<(), String> {
    let name = src
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let exe = scratch.join(format!("{name}{level}"));
    let out = Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .arg("build")
        .arg(level)
        .arg(src)
        .arg("-o")
        .arg(&exe)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "vaisc build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let expected_out = read(&src.with_extension("stdout"))?;
    let expected_exit: i32 = read(&src.with_extension("exit"))?
        .trim()
        .parse()
        .map_err(|e| format!("bad .exit file: {e}"))?;
    let (stdout, code) = run_with_timeout(&exe)?;
    if stdout != expected_out {
        return Err(format!(
            "stdout differs\n--- expected\n{expected_out}--- actual\n{stdout}---"
        ));
    }
    if code != expected_exit {
        return Err(format!("exit status {code}, expected {expected_exit}"));
    }
    Ok(())
}

/// One diagnostic, written the way an error program's header lists it:
/// `error: LINE:COL: CODE: MESSAGE` (or `warning: ...`).
type Diagnostic = String;

/// The diagnostics an error program's header comments expect, in order.
/// `# expect-error: LINE:COL: CODE: MESSAGE` becomes `error: LINE:COL: CODE: MESSAGE`.
fn expectations(src: &str) -> Vec<Diagnostic> {
    src.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix('#')?.trim();
            let (kind, spec) = rest.split_once(':')?;
            let severity = kind.strip_prefix("expect-")?;
            (severity == "error" || severity == "warning")
                .then(|| format!("{severity}: {}", spec.trim()))
        })
        .collect()
}

/// The diagnostics in `vaisc check`'s standard error, in the order reported. Each starts with a
/// header `error[CODE]: MESSAGE`; its primary location is the first `--> FILE:LINE:COL` line
/// after it. A location in a file other than `file` keeps that file's path so that a mismatch
/// shows it. Any other line starting `error:` or `warning:` (a diagnostic without a code) is
/// kept whole, so that it fails the comparison; only the final summary line is not a diagnostic.
fn reported(stderr: &str, file: &str) -> Vec<Diagnostic> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((severity, rest)) = line
            .strip_prefix("error")
            .map(|r| ("error", r))
            .or_else(|| line.strip_prefix("warning").map(|r| ("warning", r)))
        else {
            continue;
        };
        if let Some(summary) = rest.strip_prefix(": ") {
            if !summary.starts_with("could not compile") {
                out.push(format!("{severity} without a code: {summary}"));
            }
            continue;
        }
        let Some((code, message)) = rest.strip_prefix('[').and_then(|r| r.split_once("]: ")) else {
            continue;
        };
        let location = lines[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("error") && !l.starts_with("warning"))
            .find_map(|l| l.trim().strip_prefix("--> "))
            .map(|loc| {
                let mut parts = loc.rsplitn(3, ':');
                let col = parts.next().unwrap_or_default();
                let line = parts.next().unwrap_or_default();
                let path = parts.next().unwrap_or_default();
                if Path::new(path).file_name().is_some_and(|f| f == file) {
                    format!("{line}:{col}")
                } else {
                    format!("{path}:{line}:{col}")
                }
            })
            .unwrap_or_else(|| "no location".to_string());
        out.push(format!("{severity}: {location}: {code}: {message}"));
    }
    out
}

/// Checks one program of `tests/errors`: `vaisc check` must report exactly the diagnostics its
/// header lists, in that order, and exit with 1 when any is an error (0 otherwise).
fn check_errors(src: &Path, scratch: &Path) -> Result<(), String> {
    let text = read(src)?;
    let wanted = expectations(&text);
    if wanted.is_empty() {
        return Err("no `# expect-error:` or `# expect-warning:` line".to_string());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .arg("check")
        .arg(src)
        .output()
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let file = src
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let got = reported(&stderr, &file);
    if got != wanted {
        return Err(format!(
            "diagnostics differ\n--- expected\n{}\n--- reported\n{}\n--- full output\n{stderr}",
            wanted.join("\n"),
            got.join("\n")
        ));
    }
    let only_warnings = wanted.iter().all(|d| d.starts_with("warning"));
    let expected_code = if only_warnings { 0 } else { 1 };
    if out.status.code() != Some(expected_code) {
        return Err(format!(
            "vaisc check exited with {:?}, expected {expected_code}\n{stderr}",
            out.status.code()
        ));
    }
    // A program with only warnings still builds and runs as expected.
    if only_warnings && src.with_extension("stdout").exists() {
        check_program(src, scratch)?;
    }
    Ok(())
}

/// Runs `check` over `files` on two threads; returns the failures.
fn run_all(
    files: Vec<PathBuf>,
    check: fn(&Path, &Path) -> Result<(), String>,
    tag: &str,
) -> (usize, Vec<String>) {
    let scratch = Scratch::new(tag);
    let queue = Mutex::new(files);
    let failures = Mutex::new(Vec::new());
    let passed = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(file) = queue.lock().expect("queue").pop() else {
                    break;
                };
                match check(&file, &scratch.0) {
                    Ok(()) => *passed.lock().expect("count") += 1,
                    Err(e) => failures
                        .lock()
                        .expect("failures")
                        .push(format!("{}: {e}", file.display())),
                }
            });
        }
    });
    let mut failures = failures.into_inner().expect("failures");
    failures.sort();
    (passed.into_inner().expect("count"), failures)
}

fn report(what: &str, passed: usize, failures: &[String]) {
    println!("{what}: {passed} passed, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{} {what} failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn programs_produce_their_expected_output() {
    let files = vais_files(&tests_dir().join("programs"));
    assert!(files.len() >= 120, "only {} test programs", files.len());
    let (passed, failures) = run_all(files, check_program, "programs");
    report("programs", passed, &failures);
}

#[test]
fn bad_programs_get_their_expected_diagnostics() {
    let files = vais_files(&tests_dir().join("errors"));
    assert!(files.len() >= 30, "only {} error programs", files.len());
    let (passed, failures) = run_all(files, check_errors, "errors");
    report("error programs", passed, &failures);
}

#[test]
fn expectation_comments_are_parsed() {
    let e = expectations(
        "# expect-error: 3:9: E0300: mismatched types: x\n# expect-warning: 4:1: W0001: not mut\n# other\nF main() = 0",
    );
    assert_eq!(
        e,
        vec![
            "error: 3:9: E0300: mismatched types: x".to_string(),
            "warning: 4:1: W0001: not mut".to_string(),
        ]
    );
}

#[test]
fn reported_diagnostics_are_parsed_in_order() {
    let stderr = "warning[W0001]: assignment to `x`, which is not declared mut
  --> dir/t.vais:4:5
   |
 4 |     x = 2
   |     ^
  --> dir/t.vais:3:5
error[E0100]: module not found: `m`
  --> dir/m.vais:2:3
error: cannot read `q`
error: could not compile dir/t.vais due to 2 previous errors
";
    assert_eq!(
        reported(stderr, "t.vais"),
        vec![
            "warning: 4:5: W0001: assignment to `x`, which is not declared mut".to_string(),
            "error: dir/m.vais:2:3: E0100: module not found: `m`".to_string(),
            "error without a code: cannot read `q`".to_string(),
        ]
    );
}
