//! The data-driven test harness: every program under `tests/programs/` is built with the real
//! `vaisc` binary and run, and its standard output and exit status are compared exactly with
//! `NAME.stdout` and `NAME.exit` (a signal counts as 128 + its number), at -O0 and, for programs
//! marked `# also: -O2`, at -O2; every program under `tests/errors/` is checked with
//! `vaisc check`, and the diagnostics its header comments expect
//! (`# expect-error: LINE:COL: TEXT`, `# expect-warning: ...`) must all be reported. Programs run
//! on two worker threads, and all failures are reported together at the end.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = reader.join().unwrap_or_default();
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

/// `(kind, line, col, text)` for each expectation comment in the file's header.
fn expectations(src: &str) -> Vec<(String, u32, u32, String)> {
    let mut out = Vec::new();
    for line in src.lines() {
        let Some(rest) = line.trim().strip_prefix('#') else {
            continue;
        };
        let rest = rest.trim();
        let Some((kind, spec)) = rest.split_once(':') else {
            continue;
        };
        if kind != "expect-error" && kind != "expect-warning" {
            continue;
        }
        let mut parts = spec.trim().splitn(3, ':');
        let (Some(l), Some(c), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if let (Ok(l), Ok(c)) = (l.trim().parse(), c.trim().parse()) {
            out.push((kind.to_string(), l, c, text.trim().to_lowercase()));
        }
    }
    out
}

/// Checks one program of `tests/errors`: the expected diagnostics, at the expected places.
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
    let only_warnings = wanted.iter().all(|(k, ..)| k == "expect-warning");
    let expected_code = if only_warnings { 0 } else { 1 };
    if out.status.code() != Some(expected_code) {
        return Err(format!(
            "vaisc check exited with {:?}, expected {expected_code}\n{stderr}",
            out.status.code()
        ));
    }
    let file = src
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    // Each diagnostic is a header line followed by its location line.
    let diags: Vec<(String, String)> = {
        let lines: Vec<&str> = stderr.lines().collect();
        let mut v = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if l.starts_with("error[") || l.starts_with("warning[") {
                let loc = lines.get(i + 1).copied().unwrap_or_default().to_string();
                v.push((l.to_lowercase(), loc));
            }
        }
        v
    };
    for (kind, line, col, want) in &wanted {
        let severity = if kind == "expect-error" {
            "error["
        } else {
            "warning["
        };
        let place = format!("{file}:{line}:{col}");
        let found = diags.iter().any(|(head, loc)| {
            head.starts_with(severity) && head.contains(want.as_str()) && loc.ends_with(&place)
        });
        if !found {
            return Err(format!(
                "expected {kind} at {place} containing {want:?}; got:\n{stderr}"
            ));
        }
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
    let e = expectations("# expect-error: 3:9: Mismatched Types\n# expect-warning: 4:1: not declared mut\nF main() = 0");
    assert_eq!(
        e,
        vec![
            (
                "expect-error".to_string(),
                3,
                9,
                "mismatched types".to_string()
            ),
            (
                "expect-warning".to_string(),
                4,
                1,
                "not declared mut".to_string()
            ),
        ]
    );
}
