//! The soak: a hot host with 4 threads calling a hot function in a tight loop survives 5,000
//! reloads (`VAIS_SOAK_RELOADS` to change), every call returning a value from one complete
//! version, never a mix, while the host's resident memory is sampled every 1,000 reloads.
//! Run with `cargo bench -p vaisc --bench soak`. (CI runs the 200-reload version in
//! `vaisc/tests/hot.rs`.)

// Shared by the process-level benchmarks, each of which uses only part of it.
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;
use support::{install, patch_versions, vaisc};

/// Version `k` of the program: `value` returns `1000 * a() + b()` where the helpers `a` and `b`
/// (private copies in each patch) both return `k`, so a mixed call would show `a != b`.
fn program(k: u32) -> String {
    format!(
        r#"U std/hot
X F pthread_create(t: *u64, attr: *u8, f: fn(*u8) -> *u8, arg: *u8) -> i32
X F pthread_join(t: u64, ret: *u8) -> i32
X F fflush(f: *u8) -> i32
G stop: i64 = 0
G calls: [i64; 4] = [0; 4]
G bad: [i64; 4] = [0; 4]
F a() -> i64 = {k}
F b() -> i64 = {k}
#[hot]
F value() -> i64 = a() * 1000 + b()
F worker(arg: *u8) -> *u8 {{
    id := arg as i64
    L stop == 0 {{
        v := value()
        I v / 1000 != v % 1000 {{ bad[id] += 1 }}
        calls[id] += 1
    }}
    0 as *u8
}}
F main() -> i64 {{
    threads := mut [0 as u64; 4]
    L i: 0..4 {{ pthread_create(&threads[i], 0 as *u8, worker, i as *u8) }}
    printf("started\n")
    fflush(0 as *u8)
    L hot_version() >= 0 {{
        I getchar() < 0 {{ B }}
    }}
    stop = 1
    total := mut 0
    bad_total := mut 0
    L i: 0..4 {{
        pthread_join(threads[i], 0 as *u8)
        total += calls[i]
        bad_total += bad[i]
    }}
    printf("calls=%ld mixed=%ld\n", total, bad_total)
    0
}}
X F getchar() -> i32
"#
    )
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let reloads: usize = std::env::var("VAIS_SOAK_RELOADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let dir = std::env::temp_dir().join(format!("vaisc-bench-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let src = dir.join("game.vais");
    std::fs::write(&src, program(0)).expect("write");
    vaisc(&dir, &["build", "--hot", "game.vais", "-o", "game"]);
    // Ten versions to cycle through, so that consecutive patches always differ.
    let patches = patch_versions(&dir, (1..=10).map(program));
    let mut host = Command::new(dir.join("game"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start host");
    let pid = host.id();
    let mut out = BufReader::new(host.stdout.take().expect("stdout")).lines();
    assert_eq!(out.next().and_then(Result::ok).as_deref(), Some("started"));
    let mut log = BufReader::new(host.stderr.take().expect("stderr")).lines();
    let start = Instant::now();
    let base = rss_kib(pid);
    println!("soak: RSS at start {base} KiB");
    let mut last = base;
    for i in 0..reloads {
        install(&dir, &patches[i % patches.len()]);
        let line = log.next().and_then(Result::ok).expect("a log line");
        assert!(line.contains(&format!("v{} applied", i + 2)), "{line}");
        if (i + 1) % 1000 == 0 {
            let now = rss_kib(pid);
            println!(
                "soak: {} reloads, RSS {now} KiB (+{} KiB over the last 1000), {} patch libraries mapped",
                i + 1,
                now.saturating_sub(last),
                vais_loader::mapped_patch_libraries(pid)
            );
            last = now;
        }
    }
    let elapsed = start.elapsed();
    drop(host.stdin.take());
    let summary = out.next().and_then(Result::ok).unwrap_or_default();
    let status = host.wait().expect("wait");
    println!(
        "soak: {reloads} reloads in {:.1} s ({:.2} ms each), host {status}, {summary}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / reloads as f64
    );
    assert!(status.success());
    assert!(summary.ends_with("mixed=0"), "{summary}");
    let _ = std::fs::remove_dir_all(&dir);
}
