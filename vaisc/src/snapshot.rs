//! Snapshot tests of generated IR: a test's output is compared exactly with a reviewed file
//! under `vaisc/tests/snapshots/NAME.ll`. `VAIS_UPDATE_SNAPSHOTS=1 cargo test -p vaisc --lib`
//! rewrites every snapshot from the current output instead; review the diff before committing.

use std::path::PathBuf;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.ll"))
}

/// Fails unless `actual` equals the snapshot `name` (or rewrites it when updating).
pub(crate) fn assert_snapshot(name: &str, actual: &str) {
    let file = path(name);
    if std::env::var_os("VAIS_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(file.parent().expect("snapshot dir")).expect("snapshot dir");
        std::fs::write(&file, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "no snapshot {} ({e}): run `VAIS_UPDATE_SNAPSHOTS=1 cargo test -p vaisc --lib` and review it",
            file.display()
        )
    });
    if expected == actual {
        return;
    }
    let (exp, act): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = exp
        .iter()
        .zip(&act)
        .position(|(a, b)| a != b)
        .unwrap_or(exp.len().min(act.len()));
    let window =
        |lines: &[&str]| lines[first.saturating_sub(3)..(first + 6).min(lines.len())].join("\n");
    panic!(
        "{name}: output differs from snapshot {} at line {}\n--- snapshot\n{}\n--- actual\n{}\n\
         If the change is intended: `VAIS_UPDATE_SNAPSHOTS=1 cargo test -p vaisc --lib`, then review the diff.",
        file.display(),
        first + 1,
        window(&exp),
        window(&act)
    );
}
