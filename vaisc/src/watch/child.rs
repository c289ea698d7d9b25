//! The program `vaisc watch` runs, and the status channel to its runtime.
//!
//! The program starts in a process group of its own, so that stopping it (on restart, Ctrl-C,
//! SIGTERM or SIGHUP of watch) reaches everything it started too, such as a game a wrapper
//! script runs without `exec`. It inherits one end of a socket pair, whose number is in
//! `VAIS_HOT_STATUS_FD`: the runtime writes its status lines there, which a thread here decodes
//! and queues for the watch loop, and treats the socket's end of file as the sign that watch is
//! gone (killed with SIGKILL, say), ending the program. Its stderr is passed through line by
//! line (its end is how watch learns that the program exited); its standard input is a pipe
//! watch writes the user's lines into (watch keeps `r` for itself).

use super::events::Raw;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};
use vais_hot_abi::status::{Status, STATUS_FD_ENV};

pub struct Child {
    process: std::process::Child,
    /// `None` once watch's own input has ended (the program then sees its end too).
    stdin: Option<ChildStdin>,
    /// How the process ended, once it has been waited for.
    ended: Option<String>,
}

/// A connected pair of Unix stream sockets, both close-on-exec: (watch's end, the child's end).
fn socket_pair() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `socketpair` writes two descriptors into the array we pass, which has room for
    // exactly two.
    let r = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created by `socketpair` and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

impl Child {
    /// Starts the program; `input` says whether watch still has input to pass on, `patch` is
    /// the patch file watch writes (the runtime is told to watch exactly that file).
    pub fn start(
        command: &str,
        args: &[String],
        patch: &Path,
        events: Sender<Raw>,
        input: bool,
    ) -> Result<Child, String> {
        let (ours, theirs) = socket_pair().map_err(|e| format!("cannot create a socket: {e}"))?;
        let child_fd = theirs.as_raw_fd();
        let mut command = Command::new(command);
        command
            .args(args)
            .env(STATUS_FD_ENV, child_fd.to_string())
            .env("VAIS_HOT_PATCH", patch)
            .stdin(if input { Stdio::piped() } else { Stdio::null() })
            .stderr(Stdio::piped())
            .process_group(0);
        // SAFETY: the closure runs in the forked child before `exec`, where only
        // async-signal-safe calls are allowed: `fcntl` is one, and it touches only the
        // descriptor table. Clearing close-on-exec there keeps the child's end of the channel
        // open in the program, and in no other process watch starts.
        unsafe {
            command.pre_exec(move || {
                if libc::fcntl(child_fd, libc::F_SETFD, 0) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        let mut process = command.spawn().map_err(|e| e.to_string())?;
        // Only the program holds its end now: when it exits, the reader below sees end of file.
        drop(theirs);
        let pid = process.id();
        let stderr = process.stderr.take().ok_or("no stderr pipe")?;
        let exit_events = events.clone();
        let channel = std::fs::File::from(ours);
        let status_reader = std::thread::spawn(move || {
            for line in BufReader::new(channel).lines().map_while(Result::ok) {
                match Status::from_json(&line) {
                    Ok(status) => {
                        if events.send(Raw::Status { child: pid, status }).is_err() {
                            return;
                        }
                    }
                    Err(e) => eprintln!("warning: unreadable status from the program: {e}"),
                }
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
            }
            // The exit is reported after the last status line the program wrote, so that what
            // it did just before it ended is not taken for something it never got to do.
            let _ = status_reader.join();
            let _ = exit_events.send(Raw::Closed(pid));
        });
        let stdin = process.stdin.take();
        if let Some(pipe) = &stdin {
            // A program that never reads its input must not block watch once the pipe is full:
            // lines beyond what it holds are dropped instead.
            // SAFETY: `fcntl` on a pipe descriptor this process owns, with valid flags.
            unsafe {
                let fd = pipe.as_raw_fd();
                let flags = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
        Ok(Child {
            process,
            stdin,
            ended: None,
        })
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
        if self.ended.is_none() {
            let status = self.process.try_wait().ok()??;
            self.ended = Some(match status.code() {
                Some(c) => format!("status {c}"),
                None => format!("{status}"),
            });
        }
        self.ended.clone()
    }

    /// Sends `signal` to the program's whole process group.
    fn signal_group(&self, signal: libc::c_int) {
        // SAFETY: `kill` has no memory-safety preconditions. The group id is the program's pid
        // (it was started with `process_group(0)`); see `stop` for why it names our group.
        unsafe {
            libc::kill(-(self.process.id() as libc::pid_t), signal);
        }
    }

    /// Stops the program and everything in its process group: SIGTERM, then SIGKILL for what
    /// is left after a second.
    pub fn stop(&mut self) {
        if self.ended.is_some() {
            return;
        }
        // The leader is not reaped yet, so its pid, which is the group's id, cannot name
        // another process or group.
        self.signal_group(libc::SIGTERM);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(1) && self.status().is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
        // Members that outlived the leader (a game under a wrapper script that ignores SIGTERM)
        // still hold the group id, so it cannot have been given to anything else; if none is
        // left the call fails harmlessly, since the kernel hands out pids in a cycle and does
        // not reuse the leader's within this moment.
        self.signal_group(libc::SIGKILL);
        if self.ended.is_none() {
            let _ = self.process.wait();
            self.ended = Some("stopped".into());
        }
    }
}

impl Drop for Child {
    /// However watch ends, the program does not outlive it.
    fn drop(&mut self) {
        self.stop();
    }
}
