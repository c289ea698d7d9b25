//! What the process-level benchmarks share: running the `vaisc` under test, building and
//! installing patches, and reading times from the runtime's `[hot]` log lines.

use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

/// Runs `vaisc ARGS` in `dir`; it must succeed.
pub fn vaisc(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run vaisc");
    assert!(
        out.status.success(),
        "vaisc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds one patch per source text, for the host built from `dir/game.vais`, and returns
/// the patch libraries' bytes, to be installed later without recompiling.
pub fn patch_versions(dir: &Path, sources: impl IntoIterator<Item = String>) -> Vec<Vec<u8>> {
    sources
        .into_iter()
        .map(|text| {
            std::fs::write(dir.join("game.vais"), text).expect("write source");
            vaisc(
                dir,
                &["build", "--hot", "--patch-only", "game.vais", "-o", "game"],
            );
            std::fs::read(dir.join("libgame.so")).expect("patch")
        })
        .collect()
}

/// Puts a patch in place the way the compiler does: written aside, then renamed.
pub fn install(dir: &Path, bytes: &[u8]) {
    let tmp = dir.join("next.tmp");
    std::fs::write(&tmp, bytes).expect("write patch");
    std::fs::rename(&tmp, dir.join("libgame.so")).expect("install patch");
}

/// The milliseconds after `key` in a `[hot]` log line: `0.21` from `... load 0.21 ms ...`.
pub fn ms_after(line: &str, key: &str) -> f64 {
    let rest = &line[line.find(key).expect("key in log line") + key.len()..];
    rest.split_whitespace()
        .next()
        .and_then(|v| v.trim_end_matches([',', ')']).parse().ok())
        .expect("a number")
}

/// Starts the host built in `dir` with the environment variable `env` set, its stdout
/// discarded and its stderr (the runtime's log) returned line by line; waits 200 ms for it to
/// settle before the bench installs patches.
pub fn start_host(dir: &Path, env: (&str, &str)) -> (Child, Lines<BufReader<ChildStderr>>) {
    let mut host = Command::new(dir.join("game"))
        .env(env.0, env.1)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start host");
    let log = BufReader::new(host.stderr.take().expect("stderr")).lines();
    std::thread::sleep(Duration::from_millis(200));
    (host, log)
}

/// Prints the median, 95th percentile and minimum of `xs`, milliseconds, under `name`.
pub fn stats(name: &str, mut xs: Vec<f64>) {
    xs.sort_by(f64::total_cmp);
    let pct = |p: f64| xs[((xs.len() - 1) as f64 * p).round() as usize];
    println!(
        "{name:<34} median {:>8.3} ms   p95 {:>8.3} ms   min {:>8.3} ms   ({} runs)",
        pct(0.5),
        pct(0.95),
        xs[0],
        xs.len()
    );
}
