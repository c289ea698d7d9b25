//! Migration speed, with a real process: a hot host keeps 1 MB of live values (a global array
//! of 65,536 structs of 16 bytes), and patches alternately insert a field into the struct and
//! take it out again, so every reload moves the whole megabyte. Reports the time the runtime
//! spent migrating, as its `[hot]` log line gives it (target: at most 5 ms). Run with
//! `cargo bench -p vaisc --bench migrate`.

// Shared by the process-level benchmarks, each of which uses only part of it.
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use support::{install, ms_after, patch_versions, start_host, stats, vaisc};

const GAME: &str = "S P { a: i64, b: i64 }
G ps: [P; 65536] = [P { a: 1, b: 2 }; 65536]
#[hot]
F tick(i: i64) -> i64 {
    ps[i % 65536].a += 1
    0
}
F main() -> i64 {
    L i: 0..100000000000 {
        tick(i)
        usleep(1000)
    }
    0
}
";

fn main() {
    let dir = std::env::temp_dir().join(format!("vaisc-bench-migrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("game.vais"), GAME).expect("write");
    vaisc(&dir, &["build", "--hot", "game.vais", "-o", "game"]);
    let wide = GAME
        .replace("S P { a: i64, b: i64 }", "S P { a: i64, c: i64, b: i64 }")
        .replace("P { a: 1, b: 2 }", "P { a: 1, c: 0, b: 2 }");
    let versions = patch_versions(&dir, [wide, GAME.replace("+= 1", "+= 2")]);
    let (mut host, mut log) = start_host(&dir, ("VAIS_HOT_LOG", "info"));
    let mut times = Vec::new();
    for i in 0..40 {
        install(&dir, &versions[i % 2]);
        let line = loop {
            let line = log.next().expect("a log line").expect("utf-8");
            if line.contains("applied") || line.contains("refused") {
                break line;
            }
        };
        assert!(line.contains("applied"), "{line}");
        times.push(ms_after(&line, "migrate"));
    }
    let _ = host.kill();
    let _ = host.wait();
    stats("migrate 1 MB (65,536 structs)", times);
    let _ = std::fs::remove_dir_all(&dir);
}
