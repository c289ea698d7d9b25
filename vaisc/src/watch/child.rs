//! The program `vaisc watch` runs: started with the runtime's log on, its `[hot]` stderr lines
//! routed to the watch loop (which reports them with the rebuild) and everything else passed
//! through, and stopped (terminated, then killed if it lingers) on restart or Ctrl-C. Its standard
//! input is a pipe watch writes the user's lines into (watch keeps `r` for itself).

use super::events::Raw;
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

pub struct Child {
    process: std::process::Child,
    /// `None` once watch's own input has ended (the program then sees its end too).
    stdin: Option<ChildStdin>,
}

impl Child {
    /// Starts the program; `input` says whether watch still has input to pass on.
    pub fn start(
        command: &str,
        args: &[String],
        events: Sender<Raw>,
        input: bool,
    ) -> Result<Child, String> {
        let mut process = Command::new(command)
            .args(args)
            .env("VAIS_HOT_LOG", "info")
            .stdin(if input { Stdio::piped() } else { Stdio::null() })
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let pid = process.id();
        let stderr = process.stderr.take().ok_or("no stderr pipe")?;
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.starts_with("[hot] ") {
                    let _ = events.send(Raw::HotLog(line));
                } else {
                    eprintln!("{line}");
                }
            }
            let _ = events.send(Raw::Closed(pid));
        });
        let stdin = process.stdin.take();
        if let Some(pipe) = &stdin {
            // A program that never reads its input must not block watch once the pipe is full:
            // lines beyond what it holds are dropped instead.
            // SAFETY: `fcntl` on a pipe descriptor this process owns, with valid flags.
            unsafe {
                let fd = std::os::fd::AsRawFd::as_raw_fd(pipe);
                let flags = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
        Ok(Child { process, stdin })
    }

    /// Passes a line typed at watch to the program; `None` closes its input.
    pub fn send_input(&mut self, line: Option<&str>) {
        match (line, self.stdin.as_mut()) {
            (Some(line), Some(pipe)) => {
                // A program that does not read its input may have closed it or let the pipe fill:
                // the line is then dropped.
                let _ = writeln!(pipe, "{line}").and_then(|()| pipe.flush());
            }
            (None, _) => self.stdin = None,
            (Some(_), None) => {}
        }
    }

    pub fn id(&self) -> u32 {
        self.process.id()
    }

    /// How the process ended, if it has.
    pub fn status(&mut self) -> Option<String> {
        let status = self.process.try_wait().ok()??;
        Some(match status.code() {
            Some(c) => format!("status {c}"),
            None => format!("{status}"),
        })
    }

    /// Asks the program to stop (SIGTERM), and kills it if it has not after a second.
    pub fn stop(&mut self) {
        if self.status().is_some() {
            return;
        }
        // SAFETY: `kill` with a valid pid and signal has no memory-safety preconditions; the
        // pid is our own child, not yet reaped, so it cannot have been reused.
        unsafe {
            libc::kill(self.process.id() as libc::pid_t, libc::SIGTERM);
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(1) {
            if self.status().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
