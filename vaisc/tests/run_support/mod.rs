//! Running a built test program with a time limit while collecting its standard output: shared
//! by the harnesses of `tests/programs`, `examples/` and differential testing.

use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Runs `command` (its stdout piped, its stderr as the caller set it) for at most `limit`;
/// returns its standard output and exit status, or why it could not finish.
pub fn run_limited(mut command: Command, limit: Duration) -> Result<(String, ExitStatus), String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    // Read while it runs, so a program printing more than a pipe holds does not block.
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{:?} ran longer than {limit:?}",
                command.get_program()
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Ok((reader.join().unwrap_or_default(), status))
}
