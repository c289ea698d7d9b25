//! What the process-level benchmarks share: running the `vaisc` under test.

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
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
