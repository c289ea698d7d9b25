//! Every program in `examples/` builds, runs to completion and prints exactly the text of the
//! `NAME.stdout` beside it (exit status 0). The hot-reload examples read their frame count from
//! `VAIS_FRAMES`, so they run three frames here; they are also built with `--hot` and must print
//! the same text as a hot host (with the runtime loaded and no patch).

mod run_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const FRAMES: &str = "3";
const LIMIT: Duration = Duration::from_secs(30);

/// Runs `exe` with `VAIS_FRAMES` set; returns its standard output, or why it failed.
fn run(exe: &Path) -> Result<String, String> {
    let mut command = Command::new(exe);
    command.env("VAIS_FRAMES", FRAMES);
    let (out, status) = run_support::run_limited(command, LIMIT)?;
    if status.success() {
        Ok(out)
    } else {
        Err(format!("exited with {status}\nstdout:\n{out}"))
    }
}

/// Builds `src` (with `--hot` if `hot`) and checks its output against `expected`.
fn check(src: &Path, exe: &Path, hot: bool, expected: &str) -> Result<(), String> {
    let mut build = Command::new(env!("CARGO_BIN_EXE_vaisc"));
    build.arg("build").arg(src).arg("-o").arg(exe);
    if hot {
        build.arg("--hot");
    }
    let out = build
        .output()
        .map_err(|e| format!("cannot run vaisc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "build failed\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = run(exe)?;
    if stdout != expected {
        return Err(format!(
            "stdout differs\n--- expected\n{expected}--- actual\n{stdout}---"
        ));
    }
    Ok(())
}

#[test]
fn every_example_prints_its_expected_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let scratch = std::env::temp_dir().join(format!("vaisc-examples-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let mut examples: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "vais"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 5, "expected at least 5 examples");
    let mut failures = Vec::new();
    let mut hot_examples = 0;
    for src in &examples {
        let stem = src.file_stem().unwrap_or_default().to_string_lossy();
        let expected = match std::fs::read_to_string(src.with_extension("stdout")) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{}: no expected output: {e}", src.display()));
                continue;
            }
        };
        let exe = scratch.join(&*stem);
        if let Err(e) = check(src, &exe, false, &expected) {
            failures.push(format!("{}: {e}", src.display()));
        }
        let text = std::fs::read_to_string(src).unwrap_or_default();
        if text.contains("#[hot]") {
            hot_examples += 1;
            let exe = scratch.join(format!("{stem}-hot"));
            if let Err(e) = check(src, &exe, true, &expected) {
                failures.push(format!("{} (--hot): {e}", src.display()));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(hot_examples >= 3, "only {hot_examples} hot examples");
}
