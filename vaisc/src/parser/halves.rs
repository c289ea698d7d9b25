//! Parsing a long file as two halves on two threads.
//!
//! A large file's parse is a long stretch of single-threaded work in every check (a 50,000-line
//! file spends about a third of its front end there), and the machines we target have two
//! cores. The token stream is cut where one top-level item ends and the next begins, and each
//! half is parsed by a parser of its own.
//!
//! That gives exactly the module a single parser gives whenever both halves parse without a
//! diagnostic: at the cut the single parser would stand at the start of an item with every
//! piece of its state at rest (nesting depth 0, nothing muted, not in a trait, a struct literal
//! allowed), because the cut follows the `}` that closes a body at bracket depth 0 and comes
//! before a keyword that can only start an item, first on its line. The parser never looks
//! back, and no item reads on past such a keyword, so the tokens after the cut cannot change
//! how the tokens before it parse. When either half reports anything, the file is parsed again
//! whole, so that recovery and its diagnostics are those of one parser.

use super::Parser;
use crate::ast::Module;
use crate::diagnostics::Diagnostic;
use crate::lexer::{lex, Token, TokenKind};
use crate::source::{FileId, Span};

/// Token streams at least this long are parsed as two halves (some 7,500 lines of typical
/// code). A 50,000-line file is lexed and parsed in 19 ms this way instead of 24 ms; far below
/// this size the saving is not worth a thread.
pub(super) const SPLIT_TOKENS: usize = 1 << 16;

/// Parses `tokens` (ending in `Eof`), lexed from `text` of `file` with the diagnostics
/// `diags`, in two halves on two threads when the stream has at least `split_at_least` tokens
/// and a cut (see the module comment), else whole. The module and every diagnostic, lexing's
/// first.
pub(super) fn parse_tokens(
    file: FileId,
    text: &str,
    (tokens, diags): (Vec<Token>, Vec<Diagnostic>),
    split_at_least: usize,
) -> (Module, Vec<Diagnostic>) {
    // Lexing errors make the parser mute parts of lines; those files are parsed whole.
    let cut = if tokens.len() >= split_at_least && diags.is_empty() {
        cut_point(&tokens)
    } else {
        None
    };
    let Some(cut) = cut else {
        return whole(tokens, diags);
    };
    let mut head = tokens;
    let tail = head.split_off(cut);
    // The first half ends where the second begins, as the whole stream ends at its `Eof`.
    head.push(Token {
        kind: TokenKind::Eof,
        span: Span {
            hi: tail[0].span.lo,
            ..tail[0].span
        },
        line_start: true,
        glued: false,
        unterminated: false,
    });
    let mut pending = tail;
    let (first, spawned) = std::thread::scope(|scope| {
        let slot = &mut pending;
        let spawned = std::thread::Builder::new()
            .name("vaisc-parse".to_string())
            // The second half may nest as deeply as any code: it gets the compiler's stack.
            .stack_size(crate::COMPILER_STACK)
            .spawn_scoped(scope, move || whole(std::mem::take(slot), Vec::new()));
        let first = whole(head, Vec::new());
        (first, spawned.map(|h| h.join()))
    });
    let second = match spawned {
        Ok(Ok(done)) => done,
        // The parser does not panic; if it did, the panic goes on as on one thread.
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        // No second thread: its closure never ran, so the second half is still here.
        Err(_) => whole(pending, Vec::new()),
    };
    let (mut module, first_diags) = first;
    let (rest, rest_diags) = second;
    if !first_diags.is_empty() || !rest_diags.is_empty() {
        // The parsers took the identifiers' names out of the tokens, so the file is lexed
        // again (without a diagnostic, as the first time) for the one parser.
        return whole(lex(file, text).0, Vec::new());
    }
    module.items.extend(rest.items);
    (module, Vec::new())
}

/// Parses `tokens` with one parser (which takes the identifiers' names out of them).
fn whole(tokens: Vec<Token>, diags: Vec<Diagnostic>) -> (Module, Vec<Diagnostic>) {
    let mut parser = Parser {
        tokens,
        pos: 0,
        diags,
        no_struct: false,
        depth: 0,
        too_deep: false,
        muted: false,
        in_trait: false,
    };
    let module = parser.module();
    (module, parser.diags)
}

/// The first token from the middle on that can start a half (see the module comment): first on
/// its line, an item keyword, right after a `}` at bracket depth 0. `None` if there is none or
/// the brackets do not balance up to it.
fn cut_point(tokens: &[Token]) -> Option<usize> {
    let middle = tokens.len() / 2;
    let mut depth: i64 = 0;
    for (i, t) in tokens.iter().enumerate() {
        if i >= middle && depth == 0 && i > 0 && starts_item(t) && closes_body(&tokens[i - 1]) {
            return Some(i);
        }
        match &t.kind {
            TokenKind::Punct(p) if matches!(*p, "{" | "(" | "[") => depth += 1,
            TokenKind::Punct(p) if matches!(*p, "}" | ")" | "]") => depth -= 1,
            TokenKind::HashBracket => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    None
}

/// Whether `t` is a keyword that can only start an item, first on its line. Not taken: an
/// attribute's `#[` (it belongs to the item after it, which must stay in the same half) and
/// `E`, which after a `}` may be the `E` (else) of an `I` in a global's initialiser.
fn starts_item(t: &Token) -> bool {
    t.line_start
        && matches!(
            t.kind,
            TokenKind::Keyword('F' | 'S' | 'X' | 'G' | 'C' | 'T' | 'U' | 'N' | 'P' | 'A' | 'W')
        )
}

fn closes_body(t: &Token) -> bool {
    matches!(t.kind, TokenKind::Punct("}") | TokenKind::Unlexed)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::path::Path;

    /// The module and diagnostics of `text` parsed whole and split wherever a cut exists, as
    /// text (the trees have no `PartialEq`; their debug form shows every node and span).
    fn both(text: &str) -> (String, String, bool) {
        let (tokens, diags) = lex(FileId::default(), text);
        let split = cut_point(&tokens).is_some() && diags.is_empty();
        let whole_parse = whole(tokens.clone(), diags.clone());
        let halves = parse_tokens(FileId::default(), text, (tokens, diags), 0);
        (format!("{whole_parse:?}"), format!("{halves:?}"), split)
    }

    /// Every `.vais` file under `dir`, for the tests that parse all the repository's programs.
    pub(in crate::parser) fn vais_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                vais_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "vais") {
                out.push(path);
            }
        }
    }

    #[test]
    fn halves_parse_every_program_as_one_parser_does() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["tests", "examples", "std", "benches"] {
            vais_files(&root.join(dir), &mut files);
        }
        files.sort();
        let mut split = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).expect("read program");
            // Some programs nest to the parser's limit, as deep as the compiler's stack allows.
            let (one, two, was_split) = crate::with_compiler_stack(|| both(&text))
                .expect("start the compiler's thread")
                .expect("parse");
            assert_eq!(one, two, "{} parses differently in halves", file.display());
            split += usize::from(was_split);
        }
        // Many programs have a cut (most of the others have too few items after their middle):
        // the comparison above is not vacuous.
        assert!(
            split >= files.len() / 10,
            "{split} of {} files split",
            files.len()
        );
    }

    #[test]
    fn an_error_in_either_half_is_reported_as_by_one_parser() {
        let good = "F a() -> i64 {\n    1\n}\n";
        let bad = "F b() -> i64 {\n    1 +\n}\n";
        for text in [
            format!("{bad}{good}{good}{good}"),
            format!("{good}{good}{good}{bad}"),
            format!("{good}{good}S P {{ x: }}\n{good}"),
        ] {
            let (one, two, was_split) = both(&text);
            assert!(was_split);
            assert_eq!(one, two);
            assert!(one.contains("Diagnostic"), "{one}");
        }
    }

    #[test]
    fn an_else_on_the_line_after_a_global_if_stays_with_it() {
        let text = "F a() -> i64 {\n    1\n}\nG x: i64 = I true {\n    1\n}\nE {\n    2\n}\nF main() -> i64 {\n    x\n}\n";
        let (one, two, _) = both(text);
        assert_eq!(one, two);
        assert!(!one.contains("Diagnostic"), "{one}");
    }
}
