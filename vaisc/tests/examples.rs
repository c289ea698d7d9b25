//! Every program in `examples/` builds and runs to completion. The hot-reload examples read
//! their frame count from `VAIS_FRAMES`, so they run only a few frames here.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn every_example_builds_and_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let scratch = std::env::temp_dir().join(format!("vaisc-examples-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let mut examples: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "vais"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 5, "expected at least 5 examples");
    let mut failures = Vec::new();
    for src in &examples {
        let exe = scratch.join(src.file_stem().unwrap_or_default());
        let build = Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .arg("build")
            .arg(src)
            .arg("-o")
            .arg(&exe)
            .output()
            .expect("run vaisc");
        if !build.status.success() {
            failures.push(format!(
                "{}: build failed\n{}",
                src.display(),
                String::from_utf8_lossy(&build.stderr)
            ));
            continue;
        }
        let start = Instant::now();
        let mut child = Command::new(&exe)
            .env("VAIS_FRAMES", "3")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start example");
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break Some(s);
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        match status {
            Some(s) if s.success() => {}
            Some(s) => failures.push(format!("{}: exited with {s}", src.display())),
            None => failures.push(format!("{}: still running after 20 s", src.display())),
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
