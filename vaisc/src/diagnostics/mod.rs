//! Diagnostics as data, and the one place they are rendered.
//!
//! Every stage reports problems as [`Diagnostic`] values built by the named constructors in
//! `catalog.rs`; nothing prints directly. The driver collects them and calls [`render`], which
//! produces the rustc-like `file:line:col` form with the source line and a caret underline.

mod catalog;

pub use catalog::*;

use crate::source::{SourceMap, Span};
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location that helps explain the primary one (e.g. the first definition of a
/// duplicate name).
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable code such as `E0308`, so tests and users can refer to the kind of problem.
    pub code: &'static str,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub notes: Vec<Note>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            span,
            message: message.into(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.notes.push(Note {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Renders one diagnostic in the rustc style:
///
/// ```text
/// error[E0308]: mismatched types: expected i64, found f64
///   --> game.vais:3:9
///    |
///  3 |     x := y + 1.5
///    |         ^^^^^^^^
///    = help: ...
/// ```
pub fn render(diag: &Diagnostic, sources: &SourceMap) -> String {
    let mut out = String::new();
    let label = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{label}[{}]: {}", diag.code, diag.message);
    render_snippet(&mut out, diag.span, None, sources);
    for note in &diag.notes {
        render_snippet(&mut out, note.span, Some(&note.message), sources);
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(out, "   = help: {help}");
    }
    out
}

fn render_snippet(out: &mut String, span: Span, note: Option<&str>, sources: &SourceMap) {
    let file = sources.file(span.file);
    let (line, col) = file.line_col(span.lo);
    let (end_line, end_col) = file.line_col(span.hi.max(span.lo));
    let _ = writeln!(out, "  --> {}:{line}:{col}", file.path.display());
    let text = file.line_text(line);
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, " {pad} |");
    let _ = writeln!(out, " {line} | {}", text.replace('\t', " "));
    let width = if end_line == line && end_col > col {
        (end_col - col) as usize
    } else {
        1
    };
    let indent = " ".repeat(col as usize - 1);
    let carets = "^".repeat(width);
    match note {
        Some(note) => {
            let _ = writeln!(out, " {pad} | {indent}{carets} {note}");
        }
        None => {
            let _ = writeln!(out, " {pad} | {indent}{carets}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    #[test]
    fn renders_location_line_and_caret() {
        let mut map = SourceMap::new();
        let file = map.add("t.vais", "F main() {\n    x := y + 1\n}\n".to_string());
        let diag = Diagnostic::error("E0425", Span::new(file, 20, 21), "unknown variable `y`")
            .with_help("declare it first");
        let text = render(&diag, &map);
        assert_eq!(
            text,
            "error[E0425]: unknown variable `y`\n  --> t.vais:2:10\n   |\n 2 |     x := y + 1\n   |          ^\n   = help: declare it first\n"
        );
    }
}
