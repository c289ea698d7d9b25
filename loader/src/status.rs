//! The runtime's end of the status channel (`vais_hot_abi::status`): it writes one JSON line per
//! event to the descriptor named by `VAIS_HOT_STATUS_FD`, and watches that descriptor as a
//! lifeline: end of file means whoever started the program (`vaisc watch`) is gone, and the
//! program ends with one line saying so, instead of running on with nobody to stop it.

use crate::log::{self, Level};
use parking_lot::Mutex;
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::sync::OnceLock;
use vais_hot_abi::status::{Status, STATUS_FD_ENV};

/// The channel, when the program was started with one.
static CHANNEL: OnceLock<Mutex<File>> = OnceLock::new();
/// Whether the user chose a log level: without one, and with a channel, the events the channel
/// carries are not also printed (the reader reports them itself).
static LOG_CHOSEN: OnceLock<bool> = OnceLock::new();

/// Opens the channel named in the environment, if any, and starts the lifeline thread. The
/// variable is removed so that programs this one starts do not write to a descriptor they do
/// not hold.
pub fn init() {
    let _ = LOG_CHOSEN.set(std::env::var_os("VAIS_HOT_LOG").is_some());
    let Some(value) = std::env::var_os(STATUS_FD_ENV) else {
        return;
    };
    std::env::remove_var(STATUS_FD_ENV);
    let Some(fd) = value.to_str().and_then(|v| v.parse::<RawFd>().ok()) else {
        log::line(
            Level::Info,
            &format!("ignoring {STATUS_FD_ENV}={value:?}: not a descriptor number"),
        );
        return;
    };
    // SAFETY: `fcntl` with F_GETFD only queries the descriptor table; it tells us whether `fd`
    // is open in this process before anything takes ownership of it.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        log::line(
            Level::Info,
            &format!("ignoring {STATUS_FD_ENV}={fd}: the descriptor is not open"),
        );
        return;
    }
    // SAFETY: `fd` is open (checked above) and was handed to this process for the runtime alone
    // through the environment variable, which is now removed: nothing else owns it. Marking it
    // close-on-exec keeps it out of programs this one runs, so only this process holds it.
    let file = unsafe {
        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        File::from_raw_fd(fd)
    };
    let lifeline = match file.try_clone() {
        Ok(f) => f,
        Err(e) => {
            log::line(Level::Info, &format!("status channel disabled: {e}"));
            return;
        }
    };
    if CHANNEL.set(Mutex::new(file)).is_err() {
        return;
    }
    // The fault handler writes its `faulted` events straight to the descriptor: it takes no
    // lock, and the event must be out before a process that cannot recover dies.
    crate::recover::set_status_fd(fd, LOG_CHOSEN.get().copied().unwrap_or(true));
    let _ = std::thread::Builder::new()
        .name("vais-hot-lifeline".into())
        .spawn(move || watch_lifeline(lifeline));
}

/// Blocks until the other end of the channel is closed, then ends the program.
fn watch_lifeline(mut channel: File) {
    use std::io::Read;
    let mut buf = [0u8; 64];
    loop {
        match channel.read(&mut buf) {
            // Nothing is ever sent this way; whatever arrives is ignored.
            Ok(n) if n > 0 => {}
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A pipe's write end cannot be read: it still tells us nothing about the reader,
            // so the program simply keeps running.
            Err(_) => return,
        }
    }
    eprintln!("[hot] the program's status reader (vaisc watch) is gone: ending the program");
    std::process::exit(1);
}

/// Writes `event` to the channel, if there is one.
pub fn emit(event: &Status) {
    let Some(channel) = CHANNEL.get() else {
        return;
    };
    let mut line = event.to_json();
    line.push('\n');
    let channel = channel.lock();
    let fd = channel.as_raw_fd();
    let mut rest = line.as_bytes();
    while !rest.is_empty() {
        // SAFETY: `fd` is the channel's descriptor, open for as long as `channel` (locked here)
        // lives, and `rest` is a live buffer of `rest.len()` bytes. MSG_NOSIGNAL: a reader that
        // has gone away must give an error here, not a SIGPIPE that kills the program (the
        // lifeline thread ends it with a message instead).
        let sent = unsafe { libc::send(fd, rest.as_ptr().cast(), rest.len(), libc::MSG_NOSIGNAL) };
        let sent =
            if sent < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ENOTSOCK) {
                // A pipe rather than a socket: an ordinary write.
                // SAFETY: as above.
                unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) }
            } else {
                sent
            };
        if sent > 0 {
            rest = &rest[sent as usize..];
        } else if sent == 0
            || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
        {
            return;
        }
    }
}

/// Logs an event line that the channel also carries: skipped when a channel is connected and
/// the user did not set `VAIS_HOT_LOG`, since the channel's reader reports it.
pub fn log_event(message: &str) {
    if CHANNEL.get().is_none() || LOG_CHOSEN.get().copied().unwrap_or(true) {
        log::line(Level::Info, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::os::unix::net::UnixStream;

    /// The runtime's writer and the ABI's reader agree: what `emit` writes to the descriptor
    /// named in the environment reads back as the same events, one line each. The descriptor is
    /// taken over (the variable removed, close-on-exec set).
    #[test]
    fn events_written_to_the_channel_read_back_as_sent() {
        let (reader, runtime_end) = UnixStream::pair().expect("socket pair");
        let fd = runtime_end.as_raw_fd();
        // The runtime owns this end from now on.
        std::mem::forget(runtime_end);
        std::env::set_var(STATUS_FD_ENV, fd.to_string());
        init();
        assert!(std::env::var_os(STATUS_FD_ENV).is_none());
        // SAFETY: F_GETFD only reads the descriptor's flags.
        assert_eq!(
            unsafe { libc::fcntl(fd, libc::F_GETFD) } & libc::FD_CLOEXEC,
            libc::FD_CLOEXEC
        );
        let sent = [
            Status::Applied {
                version: 2,
                functions: 3,
                patched: vec!["tick".into(), "State.step".into()],
                load_ms: 0.5,
                verify_ms: 0.25,
                publish_ms: 0.125,
                migrate_ms: 0.5,
                migrated: 2,
                migration: "State: + hp = 0; 2 live values".into(),
            },
            Status::Refused {
                version: 3,
                reason: "f: signature changed from () to (i64)\nsecond line".into(),
            },
            Status::RolledBack { from: 2, to: 1 },
        ];
        for s in &sent {
            emit(s);
        }
        let mut lines = BufReader::new(&reader).lines();
        for s in &sent {
            let line = lines.next().expect("a line").expect("read");
            assert_eq!(&Status::from_json(&line).expect("decodes"), s);
        }
        // The reading end stays open for the rest of the test binary: closing it would make the
        // lifeline end the process, as it is meant to.
        std::mem::forget(reader);
    }
}
