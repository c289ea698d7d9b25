//! Reload speed on the simple example, with real processes: how long `vaisc build --hot
//! --patch-only` takes, and how long the running host takes to apply a patch (load, verify,
//! publish, as its `[hot]` log line reports). Targets: rebuild under 50 ms, apply under 1 ms.
//! Run with `cargo bench -p vaisc --bench reload`.

// Shared by the process-level benchmarks, each of which uses only part of it.
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::path::Path;
use std::time::Instant;
use support::{install, ms_after, patch_versions, start_host, stats, vaisc};

fn main() {
    let dir = std::env::temp_dir().join(format!("vaisc-bench-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hot_reload_simple.vais");
    let source = std::fs::read_to_string(example).expect("example");
    let src = dir.join("game.vais");
    std::fs::write(&src, &source).expect("write");
    vaisc(&dir, &["build", "--hot", "game.vais", "-o", "game"]);

    // Patch-only rebuilds, each after a real edit.
    let mut rebuild = Vec::new();
    for i in 0..30 {
        let edited = source.replace("state.x + 1", &format!("state.x + {}", i + 2));
        std::fs::write(&src, edited).expect("edit");
        let start = Instant::now();
        vaisc(
            &dir,
            &["build", "--hot", "--patch-only", "game.vais", "-o", "game"],
        );
        rebuild.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    stats("patch-only rebuild (simple example)", rebuild);

    // Two patch versions to alternate while the host runs.
    let versions = patch_versions(
        &dir,
        [2, 3].map(|k| source.replace("state.x + 1", &format!("state.x + {k}"))),
    );
    let (mut host, mut log) = start_host(&dir, ("VAIS_FRAMES", "100000000"));
    let (mut total, mut load, mut verify_publish) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..60 {
        install(&dir, &versions[i % 2]);
        let line = log.next().expect("a log line").expect("utf-8");
        assert!(line.contains("applied"), "{line}");
        total.push(ms_after(&line, "applied in"));
        load.push(ms_after(&line, "load"));
        verify_publish.push(ms_after(&line, "verify") + ms_after(&line, "publish"));
    }
    let _ = host.kill();
    let _ = host.wait();
    stats("apply: load + verify + publish", total);
    stats("apply: load (copy + dlopen)", load);
    stats("apply: verify + publish", verify_publish);
    let _ = std::fs::remove_dir_all(&dir);
}
