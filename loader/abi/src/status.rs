//! The status channel: how a running host tells `vaisc watch` (and later editors) what its
//! runtime did, as data rather than log text.
//!
//! Whoever starts the program creates a connected pair of sockets (or a pipe), leaves one end
//! open in the child and puts that descriptor's number in the environment variable
//! [`STATUS_FD_ENV`]. The runtime writes one JSON object per line per event ([`Status`]) to it.
//! The descriptor doubles as a lifeline: when the reading side is gone (the runtime reads end of
//! file), the program ends, so a killed `vaisc watch` leaves no game behind.
//!
//! The encoder and decoder are written by hand so that this crate keeps no dependencies; the
//! decoder reads the objects the encoder writes (flat objects of strings, numbers and arrays of
//! strings) and ignores fields it does not know, so new fields can be added later.

/// The environment variable holding the number of the descriptor the runtime writes status
/// lines to.
pub const STATUS_FD_ENV: &str = "VAIS_HOT_STATUS_FD";

/// One thing the runtime did. Times are in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// The runtime is running in process `pid` (the program itself, not a wrapper that
    /// started it), at code version `version`.
    Started { pid: u32, version: i64 },
    /// A patch was published as `version`: `functions` slots got new bodies, of which the
    /// functions in `patched` have new code.
    Applied {
        version: i64,
        functions: u64,
        patched: Vec<String>,
        load_ms: f64,
        verify_ms: f64,
        publish_ms: f64,
        /// Time spent moving live values to new layouts (0 when none changed).
        migrate_ms: f64,
        /// How many live values were moved.
        migrated: u64,
        /// What the migration did, in one line (`State: + speed = 2.5; 1 live value`), or
        /// empty.
        migration: String,
    },
    /// A patch was verified and waits for the program's next `hot_check` safe point, where it
    /// will become `version`.
    Pending {
        version: i64,
        load_ms: f64,
        verify_ms: f64,
    },
    /// A patch was refused; nothing changed. `version` is the number it would have had.
    Refused { version: i64, reason: String },
    /// The code returned from version `from` to version `to`.
    RolledBack { from: i64, to: i64 },
    /// A rollback was asked for and not done.
    RollbackRefused { reason: String },
    /// Code of a version faulted (see [`Fault`]).
    Faulted(Fault),
}

/// A fault in the program's code, as the runtime's signal handler saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The code version the faulting instruction belongs to (1: the host's own code).
    pub version: i64,
    /// The signal's name, e.g. `SIGSEGV`.
    pub signal: String,
    /// What it means here, e.g. `read of address 0x0` or `integer division by zero`.
    pub reason: String,
    /// The function holding the faulting instruction (empty when unknown); for a fault inside a
    /// C library function, the Vais function that called it.
    pub function: String,
    /// For a fault inside a C library function: the one the Vais code called (`puts`); else
    /// empty.
    pub c_function: String,
    /// For a fault deeper inside the library than the function called: the one that faulted
    /// (`strlen`, inside `puts`); else empty.
    pub c_faulting: String,
    /// Its source file and line (empty and 0 when unknown): for a C library fault, the call's.
    pub file: String,
    pub line: i64,
    /// The hot function whose call, made by code outside hot code, was unwound (empty when
    /// the fault was not recovered).
    pub inside: String,
    /// The version the table returned to, or 0 when the process dies of the fault.
    pub back_to: i64,
}

impl Fault {
    /// Whether the program goes on (the fault cost one call) rather than dying.
    pub fn recovered(&self) -> bool {
        self.back_to > 0
    }
}

/// A [`Fault`] by reference, as a signal handler has it: it writes the same JSON line as
/// [`Status::to_json`] into any [`std::fmt::Write`], a fixed buffer included, without allocating.
#[derive(Clone, Copy, Debug)]
pub struct FaultRef<'a> {
    pub version: i64,
    pub signal: &'a str,
    pub reason: &'a str,
    pub function: &'a str,
    pub c_function: &'a str,
    pub c_faulting: &'a str,
    pub file: &'a str,
    pub line: i64,
    pub inside: &'a str,
    pub back_to: i64,
}

impl FaultRef<'_> {
    /// Writes the event's JSON line, without the newline.
    pub fn write_json<W: std::fmt::Write>(&self, out: W) -> std::fmt::Result {
        let mut o = Object::new(out, "faulted")?;
        o.int("version", self.version)?;
        o.string("signal", self.signal)?;
        o.string("reason", self.reason)?;
        o.string("function", self.function)?;
        o.string("c_function", self.c_function)?;
        o.string("c_faulting", self.c_faulting)?;
        o.string("file", self.file)?;
        o.int("line", self.line)?;
        o.string("inside", self.inside)?;
        o.int("back_to", self.back_to)?;
        o.finish().map(drop)
    }
}

/// Why a status line could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("malformed status line at byte {at}: {what}")]
    Syntax { at: usize, what: &'static str },
    #[error("status line has no `{0}` field of the right type")]
    Field(&'static str),
    #[error("unknown status event `{0}`")]
    UnknownEvent(String),
}

impl Status {
    /// The event as one line of JSON, without the newline.
    pub fn to_json(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = self.write_json(&mut text);
        text
    }

    fn write_json(&self, out: &mut String) -> std::fmt::Result {
        if let Status::Faulted(f) = self {
            return FaultRef {
                version: f.version,
                signal: &f.signal,
                reason: &f.reason,
                function: &f.function,
                c_function: &f.c_function,
                c_faulting: &f.c_faulting,
                file: &f.file,
                line: f.line,
                inside: &f.inside,
                back_to: f.back_to,
            }
            .write_json(out);
        }
        let mut o = Object::new(out, self.event_name())?;
        match self {
            Status::Started { pid, version } => {
                o.int("pid", i64::from(*pid))?;
                o.int("version", *version)?;
            }
            Status::Applied {
                version,
                functions,
                patched,
                load_ms,
                verify_ms,
                publish_ms,
                migrate_ms,
                migrated,
                migration,
            } => {
                o.int("version", *version)?;
                o.int("functions", *functions as i64)?;
                o.strings("patched", patched)?;
                o.float("load_ms", *load_ms)?;
                o.float("verify_ms", *verify_ms)?;
                o.float("publish_ms", *publish_ms)?;
                o.float("migrate_ms", *migrate_ms)?;
                o.int("migrated", *migrated as i64)?;
                o.string("migration", migration)?;
            }
            Status::Pending {
                version,
                load_ms,
                verify_ms,
            } => {
                o.int("version", *version)?;
                o.float("load_ms", *load_ms)?;
                o.float("verify_ms", *verify_ms)?;
            }
            Status::Refused { version, reason } => {
                o.int("version", *version)?;
                o.string("reason", reason)?;
            }
            Status::RolledBack { from, to } => {
                o.int("from", *from)?;
                o.int("to", *to)?;
            }
            Status::RollbackRefused { reason } => o.string("reason", reason)?,
            Status::Faulted(_) => {}
        }
        o.finish().map(drop)
    }

    fn event_name(&self) -> &'static str {
        match self {
            Status::Started { .. } => "started",
            Status::Applied { .. } => "applied",
            Status::Pending { .. } => "pending",
            Status::Refused { .. } => "refused",
            Status::RolledBack { .. } => "rolled_back",
            Status::RollbackRefused { .. } => "rollback_refused",
            Status::Faulted(_) => "faulted",
        }
    }

    /// Reads one line written by [`Status::to_json`].
    pub fn from_json(line: &str) -> Result<Status, StatusError> {
        let fields = Parser::new(line).object()?;
        let f = Fields(&fields);
        let event = f.string("event")?;
        Ok(match event.as_str() {
            "started" => Status::Started {
                pid: u32::try_from(f.int("pid")?).map_err(|_| StatusError::Field("pid"))?,
                version: f.int("version")?,
            },
            "applied" => Status::Applied {
                version: f.int("version")?,
                functions: u64::try_from(f.int("functions")?)
                    .map_err(|_| StatusError::Field("functions"))?,
                patched: f.strings("patched")?,
                load_ms: f.float("load_ms")?,
                verify_ms: f.float("verify_ms")?,
                publish_ms: f.float("publish_ms")?,
                // Written by every runtime of this ABI version, but optional to readers.
                migrate_ms: f.float("migrate_ms").unwrap_or(0.0),
                migrated: f
                    .int("migrated")
                    .ok()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                migration: f.string("migration").unwrap_or_default(),
            },
            "pending" => Status::Pending {
                version: f.int("version")?,
                load_ms: f.float("load_ms")?,
                verify_ms: f.float("verify_ms")?,
            },
            "refused" => Status::Refused {
                version: f.int("version")?,
                reason: f.string("reason")?,
            },
            "rolled_back" => Status::RolledBack {
                from: f.int("from")?,
                to: f.int("to")?,
            },
            "rollback_refused" => Status::RollbackRefused {
                reason: f.string("reason")?,
            },
            "faulted" => Status::Faulted(Fault {
                version: f.int("version")?,
                signal: f.string("signal")?,
                reason: f.string("reason")?,
                function: f.string("function")?,
                c_function: f.string("c_function")?,
                c_faulting: f.string("c_faulting")?,
                file: f.string("file")?,
                line: f.int("line")?,
                inside: f.string("inside")?,
                back_to: f.int("back_to")?,
            }),
            _ => return Err(StatusError::UnknownEvent(event)),
        })
    }
}

/// Writes a flat JSON object, field by field, into any writer (a fixed buffer in a signal
/// handler).
struct Object<W: std::fmt::Write> {
    out: W,
    first: bool,
}

impl<W: std::fmt::Write> Object<W> {
    fn new(out: W, event: &str) -> Result<Object<W>, std::fmt::Error> {
        let mut o = Object { out, first: true };
        o.out.write_char('{')?;
        o.string("event", event)?;
        Ok(o)
    }

    fn key(&mut self, key: &str) -> std::fmt::Result {
        if !std::mem::take(&mut self.first) {
            self.out.write_char(',')?;
        }
        quote(&mut self.out, key)?;
        self.out.write_char(':')
    }

    fn int(&mut self, key: &str, value: i64) -> std::fmt::Result {
        self.key(key)?;
        write!(self.out, "{value}")
    }

    fn float(&mut self, key: &str, value: f64) -> std::fmt::Result {
        self.key(key)?;
        // JSON has no infinities or NaN; a duration is never one, but stay valid regardless.
        let value = if value.is_finite() { value } else { 0.0 };
        write!(self.out, "{value:.3}")
    }

    fn string(&mut self, key: &str, value: &str) -> std::fmt::Result {
        self.key(key)?;
        quote(&mut self.out, value)
    }

    fn strings(&mut self, key: &str, values: &[String]) -> std::fmt::Result {
        self.key(key)?;
        self.out.write_char('[')?;
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.write_char(',')?;
            }
            quote(&mut self.out, v)?;
        }
        self.out.write_char(']')
    }

    fn finish(mut self) -> Result<W, std::fmt::Error> {
        self.out.write_char('}')?;
        Ok(self.out)
    }
}

/// Writes `s` as a JSON string. Control characters are escaped, so a line never breaks.
fn quote<W: std::fmt::Write>(out: &mut W, s: &str) -> std::fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            c if u32::from(c) < 0x20 => write!(out, "\\u{:04x}", u32::from(c))?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

/// A value of a status object.
#[derive(Debug, PartialEq)]
enum Value {
    Str(String),
    /// A number, as written (parsed by the field that expects it).
    Num(String),
    Strs(Vec<String>),
}

struct Fields<'a>(&'a [(String, Value)]);

impl Fields<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn string(&self, key: &'static str) -> Result<String, StatusError> {
        match self.get(key) {
            Some(Value::Str(s)) => Ok(s.clone()),
            _ => Err(StatusError::Field(key)),
        }
    }

    fn int(&self, key: &'static str) -> Result<i64, StatusError> {
        match self.get(key) {
            Some(Value::Num(n)) => n.parse().map_err(|_| StatusError::Field(key)),
            _ => Err(StatusError::Field(key)),
        }
    }

    fn float(&self, key: &'static str) -> Result<f64, StatusError> {
        match self.get(key) {
            Some(Value::Num(n)) => n.parse().map_err(|_| StatusError::Field(key)),
            _ => Err(StatusError::Field(key)),
        }
    }

    fn strings(&self, key: &'static str) -> Result<Vec<String>, StatusError> {
        match self.get(key) {
            Some(Value::Strs(v)) => Ok(v.clone()),
            _ => Err(StatusError::Field(key)),
        }
    }
}

/// Reads the flat JSON objects [`Object`] writes.
struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn fail<T>(&self, what: &'static str) -> Result<T, StatusError> {
        Err(StatusError::Syntax { at: self.at, what })
    }

    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.at += 1;
        }
    }

    /// Consumes `b` (after any space) if it is next.
    fn eat(&mut self, b: u8) -> bool {
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8, what: &'static str) -> Result<(), StatusError> {
        if self.eat(b) {
            Ok(())
        } else {
            self.fail(what)
        }
    }

    fn object(mut self) -> Result<Vec<(String, Value)>, StatusError> {
        self.expect(b'{', "expected `{`")?;
        let mut fields = Vec::new();
        if !self.eat(b'}') {
            loop {
                let key = self.string()?;
                self.expect(b':', "expected `:`")?;
                let value = self.value()?;
                fields.push((key, value));
                if self.eat(b'}') {
                    break;
                }
                self.expect(b',', "expected `,` or `}`")?;
            }
        }
        self.skip_space();
        if self.at != self.bytes.len() {
            return self.fail("text after the object");
        }
        Ok(fields)
    }

    fn value(&mut self) -> Result<Value, StatusError> {
        self.skip_space();
        match self.bytes.get(self.at) {
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.string()?);
                        if self.eat(b']') {
                            break;
                        }
                        self.expect(b',', "expected `,` or `]`")?;
                    }
                }
                Ok(Value::Strs(items))
            }
            Some(b) if *b == b'-' || b.is_ascii_digit() => {
                let start = self.at;
                while self
                    .bytes
                    .get(self.at)
                    .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                {
                    self.at += 1;
                }
                // The slice holds only ASCII bytes, so it is valid UTF-8.
                let text = String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned();
                Ok(Value::Num(text))
            }
            _ => self.fail("expected a string, a number or a list of strings"),
        }
    }

    fn string(&mut self) -> Result<String, StatusError> {
        self.expect(b'"', "expected a string")?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return self.fail("unterminated string");
            };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.bytes.get(self.at) else {
                        return self.fail("unterminated escape");
                    };
                    self.at += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => self.unicode_escape()?,
                        _ => return self.fail("unknown escape"),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                b if b < 0x20 => return self.fail("control character in a string"),
                b => out.push(b),
            }
        }
        String::from_utf8(out).or_else(|_| self.fail("invalid UTF-8 in a string"))
    }

    /// The four hex digits after `\u` (surrogate pairs included), as one character.
    fn unicode_escape(&mut self) -> Result<char, StatusError> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            if !(self.bytes.get(self.at) == Some(&b'\\')
                && self.bytes.get(self.at + 1) == Some(&b'u'))
            {
                return self.fail("unpaired surrogate");
            }
            self.at += 2;
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return self.fail("unpaired surrogate");
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).map_or_else(|| self.fail("invalid \\u escape"), Ok)
    }

    fn hex4(&mut self) -> Result<u32, StatusError> {
        let digits = self.bytes.get(self.at..self.at + 4);
        let value = digits
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        match value {
            Some(v) => {
                self.at += 4;
                Ok(v)
            }
            None => self.fail("expected four hex digits after \\u"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_event() -> Vec<Status> {
        vec![
            Status::Started {
                pid: 4242,
                version: 1,
            },
            Status::Applied {
                version: 3,
                functions: 2,
                patched: vec!["tick".into(), "Player.step".into()],
                load_ms: 0.35,
                verify_ms: 0.012,
                publish_ms: 0.0,
                migrate_ms: 0.0,
                migrated: 0,
                migration: String::new(),
            },
            Status::Applied {
                version: 4,
                functions: 1,
                patched: vec![],
                load_ms: 1.5,
                verify_ms: 0.25,
                publish_ms: 0.125,
                migrate_ms: 0.5,
                migrated: 3,
                migration: "State: + speed = 2.5, x moved 8 -> 16; 3 live values".into(),
            },
            Status::Pending {
                version: 5,
                load_ms: 0.5,
                verify_ms: 0.25,
            },
            Status::Refused {
                version: 5,
                reason: "f: signature changed from \"()\" to (i64)\n\tsee\\here \u{1} é 😀".into(),
            },
            Status::RolledBack { from: 3, to: 2 },
            Status::RollbackRefused {
                reason: "already at the host's own code".into(),
            },
            Status::Faulted(Fault {
                version: 3,
                signal: "SIGSEGV".into(),
                reason: "read of address 0x0".into(),
                function: "risky".into(),
                c_function: "puts".into(),
                c_faulting: "strlen".into(),
                file: "game.vais".into(),
                line: 14,
                inside: "step".into(),
                back_to: 2,
            }),
        ]
    }

    /// A signal handler's fixed buffer.
    struct Fixed {
        buf: [u8; 256],
        len: usize,
    }

    impl std::fmt::Write for Fixed {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
            self.buf[self.len..end].copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    #[test]
    fn a_fault_written_into_a_fixed_buffer_reads_back_as_the_event() {
        let mut fixed = Fixed {
            buf: [0; 256],
            len: 0,
        };
        let fault = FaultRef {
            version: 1,
            signal: "SIGFPE",
            reason: "integer division by zero",
            function: "main",
            c_function: "",
            c_faulting: "",
            file: "game.vais",
            line: 3,
            inside: "",
            back_to: 0,
        };
        fault.write_json(&mut fixed).expect("fits");
        let line = std::str::from_utf8(&fixed.buf[..fixed.len]).expect("utf-8");
        match Status::from_json(line) {
            Ok(Status::Faulted(f)) => {
                assert_eq!((f.version, f.line, f.back_to), (1, 3, 0));
                assert_eq!((f.function.as_str(), f.recovered()), ("main", false));
            }
            other => panic!("{other:?} from {line}"),
        }
    }

    #[test]
    fn every_event_survives_a_round_trip_on_one_line() {
        for event in every_event() {
            let line = event.to_json();
            assert!(!line.contains('\n'), "{line}");
            assert_eq!(Status::from_json(&line), Ok(event), "{line}");
        }
    }

    #[test]
    fn the_encoding_is_plain_json_with_named_fields() {
        let line = Status::Applied {
            version: 3,
            functions: 1,
            patched: vec!["tick".into()],
            load_ms: 0.35,
            verify_ms: 0.01,
            publish_ms: 0.0,
            migrate_ms: 0.25,
            migrated: 1,
            migration: "State: + speed = 0; 1 live value".into(),
        }
        .to_json();
        assert_eq!(
            line,
            r#"{"event":"applied","version":3,"functions":1,"patched":["tick"],"load_ms":0.350,"verify_ms":0.010,"publish_ms":0.000,"migrate_ms":0.250,"migrated":1,"migration":"State: + speed = 0; 1 live value"}"#
        );
        assert_eq!(
            Status::RolledBack { from: 2, to: 1 }.to_json(),
            r#"{"event":"rolled_back","from":2,"to":1}"#
        );
    }

    #[test]
    fn readers_accept_spacing_other_field_orders_and_unknown_fields() {
        let line = r#" { "to" : 1 , "later": "ignored", "from":2, "event" : "rolled_back" } "#;
        assert_eq!(
            Status::from_json(line),
            Ok(Status::RolledBack { from: 2, to: 1 })
        );
        assert_eq!(
            Status::from_json(r#"{"event":"refused","version":2,"reason":"\u00e9\ud83d\ude00"}"#),
            Ok(Status::Refused {
                version: 2,
                reason: "é😀".into()
            })
        );
    }

    #[test]
    fn bad_lines_are_errors_not_events() {
        assert_eq!(
            Status::from_json(r#"{"event":"exploded"}"#),
            Err(StatusError::UnknownEvent("exploded".into()))
        );
        assert_eq!(
            Status::from_json(r#"{"event":"rolled_back","from":2}"#),
            Err(StatusError::Field("to"))
        );
        assert_eq!(
            Status::from_json(r#"{"event":"rolled_back","from":"2","to":1}"#),
            Err(StatusError::Field("from"))
        );
        for bad in [
            "",
            "[hot] v2 applied",
            r#"{"event":"started""#,
            r#"{"event":"started",}"#,
            r#"{"event":"refused","version":1,"reason":"open}"#,
            r#"{"event":"started","pid":1,"version":1} x"#,
            r#"{"event":"refused","version":1,"reason":"\ud83d"}"#,
        ] {
            assert!(
                matches!(Status::from_json(bad), Err(StatusError::Syntax { .. })),
                "{bad:?} was accepted"
            );
        }
    }
}
