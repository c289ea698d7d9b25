//! The runtime's one-line event log on stderr, e.g.
//! `[hot] v3 applied in 0.21 ms (load 0.15 ms, verify 0.01 ms, publish 0.00 ms): update (1 patched)`.
//! `VAIS_HOT_LOG=off|info|debug` chooses how much is printed (default `info`).

use std::sync::OnceLock;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Debug,
}

/// The most detailed level printed, or `None` when logging is off.
fn max_level() -> Option<Level> {
    static LEVEL: OnceLock<Option<Level>> = OnceLock::new();
    *LEVEL.get_or_init(|| match std::env::var("VAIS_HOT_LOG").as_deref() {
        Ok("off") => None,
        Ok("debug") => Some(Level::Debug),
        _ => Some(Level::Info),
    })
}

pub fn line(level: Level, message: &str) {
    if max_level().is_some_and(|max| level <= max) {
        // One write per line: the fault handler writes its report with its own `write(2)`,
        // and `eprintln!` would write the prefix and the message separately, so a report
        // could land between them.
        use std::io::Write as _;
        let text = format!("[hot] {message}\n");
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

/// A duration in milliseconds with two decimals, as the log prints it.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
