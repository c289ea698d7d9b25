//! Edit-to-effect latency of `vaisc watch --run`: from the moment a save completes to the first
//! output of the new code in the running program, median over the edits: 50 edits of the
//! simple example (target: median under 30 ms, 95th percentile under 60 ms), and 20 edits of
//! a generated program with 20 hot functions, each editing one function: 5,000 lines in one
//! file (target 30 ms), 50,000 lines in 10 files with the edit in one (target 100 ms) and
//! 50,000 lines in one file (target 200 ms), the last also with the edit in the middle of the
//! file, moving what follows. Prints watch's own breakdown (detect, compile
//! and the front end's part of it, link, load, apply) averaged over the edits.
//! Run with `cargo bench -p vaisc --bench latency`; `cargo bench -p vaisc --bench latency --
//! 50,000` runs the cases whose name contains the filter.

// Shared with the compile bench, which uses the plain variant this bench does not.
#[allow(dead_code)]
#[path = "gen.rs"]
mod gen;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// The simple example, printing a marker the benchmark changes on every edit.
fn simple(marker: u64) -> String {
    format!(
        r#"X F fflush(f: *u8) -> i32
S GameState {{ frame: i64, x: i64, y: i64 }}
#[hot]
F game_update(state: *GameState) -> i64 {{
    state.frame = state.frame + 1
    state.x = state.x + 1
    state.y = state.y + 2
    printf("marker={marker} frame=%ld x=%ld y=%ld\n", state.frame, state.x, state.y)
    fflush(0 as *u8)
    0
}}
F main() -> i64 {{
    state := mut GameState {{ frame: 0, x: 0, y: 0 }}
    L {{
        game_update(&state)
        usleep(1000)
    }}
}}
"#
    )
}

struct Session {
    watch: Child,
    stdout: Receiver<(Instant, String)>,
    stderr: Receiver<String>,
}

fn start(dir: &Path) -> Session {
    let mut watch = Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .args(["watch", "game.vais", "--run"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start vaisc watch");
    let (out_tx, stdout) = channel();
    let out = watch.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = out_tx.send((Instant::now(), line));
        }
    });
    let (err_tx, stderr) = channel();
    let err = watch.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    Session {
        watch,
        stdout,
        stderr,
    }
}

/// Waits for the first output line carrying `marker`; returns when it arrived.
fn first_with(rx: &Receiver<(Instant, String)>, marker: u64) -> Instant {
    let want = format!("marker={marker} ");
    loop {
        let (at, line) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the program stopped printing");
        if line.starts_with(&want) {
            return at;
        }
    }
}

/// Averages of `detect`, `compile` (and of it `check`, the front end), `link`, `load`,
/// `apply` over watch's report lines.
fn breakdown(lines: &[String]) -> String {
    let keys = ["detect", "compile", "check", "link", "load", "apply"];
    let mut sums = [0.0; 6];
    let mut n: f64 = 0.0;
    for l in lines
        .iter()
        .filter(|l| l.contains(" rebuilt in ") && l.contains("applied"))
    {
        n += 1.0;
        for (i, k) in keys.iter().enumerate() {
            // A key an older vaisc does not report counts as nothing.
            let Some(at) = l.find(&format!("{k} ")) else {
                continue;
            };
            let v: f64 = l[at + k.len() + 1..]
                .split_whitespace()
                .next()
                .and_then(|v| v.parse().ok())
                .expect("number");
            sums[i] += v;
        }
    }
    keys.iter()
        .zip(sums)
        .map(|(k, s)| format!("{k} {:.2} ms", s / n.max(1.0)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Measures `edits` saves of the program `files(marker)` gives (file name and text); each save
/// writes only the files whose text changed.
fn measure(name: &str, edits: u64, files: impl Fn(u64) -> Vec<(String, String)>) {
    let dir = std::env::temp_dir().join(format!(
        "vaisc-bench-latency-{}-{}",
        std::process::id(),
        name.replace([' ', ','], "-")
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut current = files(0);
    for (file, text) in &current {
        std::fs::write(dir.join(file), text).expect("write");
    }
    let mut s = start(&dir);
    first_with(&s.stdout, 0);
    let mut latencies = Vec::new();
    for marker in 1..=edits {
        std::thread::sleep(Duration::from_millis(150));
        let next = files(marker);
        for ((file, text), (_, old)) in next.iter().zip(&current) {
            if text != old {
                std::fs::write(dir.join(file), text).expect("save");
            }
        }
        current = next;
        let saved = Instant::now();
        let seen = first_with(&s.stdout, marker);
        latencies.push(seen.duration_since(saved).as_secs_f64() * 1000.0);
    }
    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(s.watch.id() as libc::pid_t, libc::SIGINT);
    }
    let _ = s.watch.wait();
    let log: Vec<String> = s.stderr.try_iter().collect();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    println!(
        "{name}: edit-to-effect median {:.1} ms, p95 {:.1} ms, max {:.1} ms over {edits} edits",
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
    println!("{name}: watch's breakdown (mean): {}", breakdown(&log));
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters the cases by name.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let one = |text: String| vec![("game.vais".to_string(), text)];
    if wanted("simple example") {
        measure("simple example", 50, |m| one(simple(m)));
    }
    for (name, lines, files) in [
        ("5,000 lines, 1 file, 20 hot functions", 5_000, 1),
        ("50,000 lines, 10 files, 20 hot functions", 50_000, 10),
        ("50,000 lines, 1 file, 20 hot functions", 50_000, 1),
    ] {
        if wanted(name) {
            measure(name, 20, |m| gen::hot_program_files(lines, 20, files, m));
        }
    }
    let name = "50,000 lines, 1 file, 20 hot functions, edits in the middle that move what follows";
    if wanted(name) {
        measure(name, 20, |m| one(gen::hot_program_mid(50_000, 20, m)));
    }
}
