//! What the process-level benchmarks share: running the `vaisc` under test, building and
//! installing patches, and reading times from the runtime's `[hot]` log lines.

use std::path::Path;
use std::process::Command;

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
