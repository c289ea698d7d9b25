//! The lexer: turns source text into tokens with spans.
//!
//! It never stops at a bad character: it reports a diagnostic, skips the offending text and goes
//! on, so that the parser still sees the rest of the file and more errors can be reported in one
//! run. Single capital letters that are keywords are lexed as keywords; the parser decides where a
//! keyword may also serve as a declared name.

use crate::diagnostics::{self as diag, Diagnostic};
use crate::name::Name;
use crate::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    Ident(Name),
    /// A single-letter keyword such as `F` or `M`.
    Keyword(char),
    /// An integer literal; larger ones than `u64::MAX` are refused here.
    Int(u64),
    Float(f64),
    Str(String),
    /// A character literal `'a'`: one byte.
    Char(u8),
    /// `#[`: the start of an attribute.
    HashBracket,
    Mut,
    SelfLower,
    SelfUpper,
    As,
    True,
    False,
    Punct(&'static str),
    /// A function body the lexer was told to pass over (`lex_skipping`), `{` to `}`: the
    /// parser makes it an `ast::ExprKind::Unparsed` body.
    Unlexed,
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// The token is the first on its line. The parser uses this so that a line starting with
    /// `*p = 1`, `-x` or `(..)` begins a new statement instead of continuing the previous one.
    pub line_start: bool,
    /// The next character is not white space: `*p` rather than `* p`.
    pub glued: bool,
    /// A string literal that the line ended before closing (already reported). It swallowed
    /// the rest of its line, so the parser does not report what is missing from that line.
    pub unterminated: bool,
}

/// Keywords that are single capital letters.
pub const KEYWORDS: &str = "FSEILMRBCUGXNPTWADO";

/// Punctuation, grouped by first byte and longest first within a group, so that the greedy
/// match (`..=` over `..` over `.`) only has to look at the group of the byte at the cursor.
const PUNCTS: &[&str] = &[
    "..=", "...", "..", ".", "<<=", "<=", "<<", "<", ">>=", ">=", ">>", ">", "->", "-=", "-", "=>",
    "==", "=", "!=", "!", "&&", "&=", "&", "||", "|=", "|", "+=", "+", "*=", "*", "/=", "/", "%=",
    "%", "^=", "^", ":=", ":", "~", "(", ")", "{", "}", "[", "]", ",", ";", "?", "@",
];

/// For every byte, the range of [`PUNCTS`] that starts with it: `(first index, count)`.
const PUNCT_GROUPS: [(u8, u8); 256] = punct_groups();

const fn punct_groups() -> [(u8, u8); 256] {
    let mut groups = [(0u8, 0u8); 256];
    let mut i = 0;
    while i < PUNCTS.len() {
        let b = PUNCTS[i].as_bytes()[0] as usize;
        if groups[b].1 == 0 {
            groups[b].0 = i as u8;
        }
        groups[b].1 += 1;
        i += 1;
    }
    groups
}

/// The longest punctuation token at the start of `rest`.
fn punct_at(rest: &[u8]) -> Option<&'static str> {
    let (first, count) = PUNCT_GROUPS[*rest.first()? as usize];
    let group = &PUNCTS[first as usize..(first + count) as usize];
    // Byte by byte: a token is one to three bytes, too short to pay for a call to `memcmp`.
    group.iter().copied().find(|p| {
        let p = p.as_bytes();
        p.len() <= rest.len() && p.iter().zip(rest).all(|(a, b)| a == b)
    })
}

/// Which bytes are single-letter keywords ([`KEYWORDS`]), by byte value.
const KEYWORD_BYTES: [bool; 256] = keyword_bytes();

const fn keyword_bytes() -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < KEYWORDS.len() {
        table[KEYWORDS.as_bytes()[i] as usize] = true;
        i += 1;
    }
    table
}

/// Files at least this long are lexed as two halves on two threads.
const SPLIT_LEN: usize = 1 << 18;

/// Lexes a whole file. The last token is always `Eof`.
///
/// A long file is cut in two at a line that starts with a letter (after a line end that is not
/// escaped), and the halves are lexed at once. That gives the same tokens and diagnostics as
/// lexing it whole: a line end ends every token and comment except a string or character
/// literal whose line ends in `\`, which the cut avoids; the next token is the first on its
/// line either way; and the only look back at earlier tokens, whether a number follows a `.`,
/// concerns a token starting with a digit, not a letter.
pub fn lex(file: FileId, text: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    lex_skipping(file, text, &[])
}

/// [`lex`], passing over the ranges `skips` (offsets in the file, in order, not overlapping):
/// a range that starts where a token may start becomes one [`TokenKind::Unlexed`] token, and
/// lexing goes on at its end. A range the lexer is inside a token or comment at the start of
/// is lexed as usual. The caller makes sure each range is a whole function body, `{` to `}`.
pub fn lex_skipping(
    file: FileId,
    text: &str,
    skips: &[(usize, usize)],
) -> (Vec<Token>, Vec<Diagnostic>) {
    let cut = if text.len() >= SPLIT_LEN {
        split_point(text)
    } else {
        None
    };
    let Some(cut) = cut else {
        return lex_part(file, text, 0, text.len() / 2 + 1, skips);
    };
    let (head, tail) = text.split_at(cut);
    // Each half passes over the ranges wholly inside it.
    let head_skips = &skips[..skips.partition_point(|&(_, hi)| hi <= cut)];
    let tail_skips = &skips[skips.partition_point(|&(lo, _)| lo < cut)..];
    let (first, second) = std::thread::scope(|scope| {
        let second = std::thread::Builder::new()
            .name("vaisc-lex".to_string())
            .spawn_scoped(scope, || {
                lex_part(file, tail, cut, tail.len() / 2 + 1, tail_skips)
            });
        // The whole file's tokens end up in the first half's vector.
        let first = lex_part(file, head, 0, text.len() / 2 + 1, head_skips);
        (first, second.map(|h| h.join()))
    });
    let (mut tokens, mut diags) = first;
    match second {
        Ok(Ok((more, mut more_diags))) => {
            tokens.pop();
            tokens.extend(more);
            diags.append(&mut more_diags);
            (tokens, diags)
        }
        // The lexer does not panic; if it did, the panic goes on as on one thread.
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        // No second thread: lex the rest here.
        Err(_) => {
            let (more, mut more_diags) = lex_part(file, tail, cut, 0, tail_skips);
            tokens.pop();
            tokens.extend(more);
            diags.append(&mut more_diags);
            (tokens, diags)
        }
    }
}

/// Where to cut a long file for [`lex`]: the start of the first line after the middle that
/// begins with a letter and follows a line end not escaped by `\`.
fn split_point(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = text.len() / 2;
    while let Some(i) = text[from..].find('\n') {
        let end = from + i;
        let escaped = end > 0 && bytes[end - 1] == b'\\';
        if !escaped && bytes.get(end + 1).is_some_and(u8::is_ascii_alphabetic) {
            return Some(end + 1);
        }
        from = end + 1;
    }
    None
}

/// Lexes `text`, which starts at byte `base` of its file, into a vector with room for
/// `capacity` tokens.
fn lex_part(
    file: FileId,
    text: &str,
    base: usize,
    capacity: usize,
    skips: &[(usize, usize)],
) -> (Vec<Token>, Vec<Diagnostic>) {
    // Fewer tokens are made when bodies are passed over; no more room is reserved than a
    // skipped file needs, so that memory is not touched for nothing.
    let skipped: usize = skips.iter().map(|&(lo, hi)| hi - lo).sum();
    let mut lexer = Lexer {
        file,
        src: text.as_bytes(),
        text,
        base: base as u32,
        skips,
        pos: 0,
        // Typical code has a token per three or four bytes; reserving for one per two bytes
        // avoids regrowing (and copying) the vector, and costs only address space.
        tokens: Vec::with_capacity(capacity.saturating_sub(skipped / 2)),
        diags: Vec::new(),
        line_ended: true,
    };
    lexer.run();
    (lexer.tokens, lexer.diags)
}

struct Lexer<'a> {
    file: FileId,
    src: &'a [u8],
    text: &'a str,
    /// Where `text` starts in its file: spans are offsets in the file.
    base: u32,
    /// The ranges to pass over not reached yet (file offsets, in order).
    skips: &'a [(usize, usize)],
    pos: usize,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
    /// A line ended since the last token (or no token was pushed yet): the next token is the
    /// first on its line. Only the white-space arm of [`Lexer::run`] counts line ends: one
    /// inside a token (escaped in a string literal) does not start a line.
    line_ended: bool,
}

impl Lexer<'_> {
    fn span(&self, lo: usize, hi: usize) -> Span {
        Span::new(self.file, self.base + lo as u32, self.base + hi as u32)
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, lo: usize) {
        let span = self.span(lo, self.pos);
        let line_start = std::mem::replace(&mut self.line_ended, false);
        let glued = !matches!(self.peek(0), b' ' | b'\t' | b'\r' | b'\n' | 0);
        self.tokens.push(Token {
            kind,
            span,
            line_start,
            glued,
            unterminated: false,
        });
    }

    /// Passes over the next range to skip if it starts here (see [`lex_skipping`]); drops
    /// the ranges the lexer went past inside a token.
    fn skip(&mut self) -> bool {
        let at = self.base as usize + self.pos;
        while let Some(&(lo, hi)) = self.skips.first() {
            if lo > at {
                return false;
            }
            self.skips = &self.skips[1..];
            if lo == at && hi <= self.base as usize + self.src.len() {
                let start = self.pos;
                self.pos = hi - self.base as usize;
                self.push(TokenKind::Unlexed, start);
                return true;
            }
        }
        false
    }

    fn run(&mut self) {
        // Some editors start UTF-8 files with a byte-order mark; it is not part of the program.
        if self.base == 0 && self.text.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
        while self.pos < self.src.len() {
            if self.skip() {
                continue;
            }
            let c = self.src[self.pos];
            let lo = self.pos;
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.line_ended = true;
                    self.pos += 1;
                }
                b'#' if self.peek(1) == b'[' => {
                    self.pos += 2;
                    self.push(TokenKind::HashBracket, lo);
                }
                b'#' => {
                    while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'0'..=b'9' => self.number(),
                b'"' => self.string(),
                b'\'' => self.char_lit(),
                c if c.is_ascii_alphabetic() || c == b'_' => self.word(),
                _ => self.punct(),
            }
        }
        let end = self.src.len();
        self.pos = end;
        self.push(TokenKind::Eof, end);
    }

    fn word(&mut self) {
        let lo = self.pos;
        let rest = &self.src[lo..];
        self.pos += rest
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or(rest.len());
        let word = &self.text[lo..self.pos];
        // By length and first byte: a word is compared with at most one keyword, as fixed-size
        // arrays (a few integer comparisons rather than calls to `memcmp`).
        let bytes = word.as_bytes();
        let kind = match (bytes.len(), bytes[0]) {
            (1, c) if KEYWORD_BYTES[usize::from(c)] => TokenKind::Keyword(c as char),
            (2, b'a') if bytes == b"as" => TokenKind::As,
            (3, b'm') if bytes == b"mut" => TokenKind::Mut,
            (4, b's') if bytes == b"self" => TokenKind::SelfLower,
            (4, b'S') if bytes == b"Self" => TokenKind::SelfUpper,
            (4, b't') if bytes == b"true" => TokenKind::True,
            (5, b'f') if bytes == b"false" => TokenKind::False,
            _ => TokenKind::Ident(Name::new(word)),
        };
        self.push(kind, lo);
    }

    fn number(&mut self) {
        let lo = self.pos;
        let radix = match (self.peek(0), self.peek(1)) {
            (b'0', b'x' | b'X') => 16,
            (b'0', b'b' | b'B') => 2,
            _ => 10,
        };
        if radix != 10 {
            self.pos += 2;
        }
        let digits_lo = self.pos;
        while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
            // A float continues at `.digit`; stop here and let the float branch take over.
            self.pos += 1;
        }
        let mut is_float = false;
        // After a `.`, digits are a tuple element (`t.0.1` is `t`, `.0`, `.1`), never a float.
        let after_dot = matches!(
            self.tokens.last(),
            Some(Token {
                kind: TokenKind::Punct("."),
                ..
            })
        );
        if radix == 10 && !after_dot && self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            is_float = true;
            self.pos += 1;
            while self.peek(0).is_ascii_digit() || self.peek(0) == b'_' {
                self.pos += 1;
            }
            if matches!(self.peek(0), b'e' | b'E') {
                let sign = usize::from(matches!(self.peek(1), b'+' | b'-'));
                if self.peek(1 + sign).is_ascii_digit() {
                    self.pos += 1 + sign;
                    while self.peek(0).is_ascii_digit() {
                        self.pos += 1;
                    }
                }
            }
        }
        // Most literals have no `_` separators and are parsed in place, without a copy.
        let written = &self.text[digits_lo..self.pos];
        // A literal is a few bytes long: a plain scan is cheaper than the call into `memchr`.
        let text: std::borrow::Cow<str> = if written.bytes().any(|b| b == b'_') {
            written
                .chars()
                .filter(|&c| c != '_')
                .collect::<String>()
                .into()
        } else {
            written.into()
        };
        let span = self.span(lo, self.pos);
        if is_float {
            match text.parse::<f64>() {
                Ok(v) => self.push(TokenKind::Float(v), lo),
                Err(_) => {
                    self.diags
                        .push(diag::bad_number(span, &self.text[lo..self.pos]));
                    self.push(TokenKind::Float(0.0), lo);
                }
            }
            return;
        }
        // Up to 19 decimal digits always fit in a `u64`: read them directly, which is much
        // cheaper than the general 128-bit parse that every other case goes through.
        if radix == 10 && !text.is_empty() && text.len() <= 19 {
            let bytes = text.as_bytes();
            if bytes.iter().all(u8::is_ascii_digit) {
                let v = bytes
                    .iter()
                    .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
                self.push(TokenKind::Int(v), lo);
                return;
            }
        }
        match u128::from_str_radix(&text, radix) {
            Ok(v) if v <= u64::MAX as u128 => self.push(TokenKind::Int(v as u64), lo),
            Ok(_) => {
                self.diags.push(diag::int_literal_too_large(span));
                self.push(TokenKind::Int(0), lo);
            }
            Err(_) => {
                self.diags
                    .push(diag::bad_number(span, &self.text[lo..self.pos]));
                self.push(TokenKind::Int(0), lo);
            }
        }
    }

    fn string(&mut self) {
        let lo = self.pos;
        self.pos += 1;
        let mut value = String::new();
        let closed = loop {
            let Some(ch) = self.text[self.pos..].chars().next() else {
                break false;
            };
            match ch {
                '"' => {
                    self.pos += 1;
                    break true;
                }
                '\n' => break false,
                '\\' => self.escape(&mut value),
                c => {
                    value.push(c);
                    self.pos += c.len_utf8();
                }
            }
        };
        if !closed {
            self.diags
                .push(diag::unterminated_string(self.span(lo, lo + 1)));
        }
        self.push(TokenKind::Str(value), lo);
        if let Some(t) = self.tokens.last_mut() {
            t.unterminated = !closed;
        }
    }

    /// `'a'`, `'\n'`, `'\x41'`, `'\''`: one byte, with the string escapes plus `\'`. A `\x`
    /// escape may give any byte here (a string keeps to ASCII so that it stays UTF-8).
    fn char_lit(&mut self) {
        let lo = self.pos;
        self.pos += 1;
        let value = match self.text[self.pos..].chars().next() {
            Some('\\') => {
                let esc_lo = self.pos;
                let next = self.peek(1);
                if next == b'\'' {
                    self.pos += 2;
                    Some(b'\'')
                } else if next == b'x' {
                    let hex = self.text.get(self.pos + 2..self.pos + 4).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) if hex.len() == 2 => {
                            self.pos += 4;
                            Some(b)
                        }
                        _ => {
                            self.pos += 2;
                            self.diags
                                .push(diag::bad_char_hex_escape(self.span(esc_lo, self.pos)));
                            None
                        }
                    }
                } else {
                    let mut s = String::new();
                    let before = self.diags.len();
                    self.escape(&mut s);
                    if self.diags.len() > before {
                        None
                    } else {
                        s.bytes().next()
                    }
                }
            }
            Some(c) if c != '\'' && c != '\n' => {
                self.pos += c.len_utf8();
                if c.is_ascii() {
                    Some(c as u8)
                } else {
                    self.diags
                        .push(diag::bad_char_literal(self.span(lo, self.pos)));
                    None
                }
            }
            _ => {
                self.diags
                    .push(diag::bad_char_literal(self.span(lo, self.pos)));
                None
            }
        };
        if self.peek(0) == b'\'' {
            self.pos += 1;
        } else {
            // `'ab'`: skip to the closing quote on this line, if there is one, so the rest is
            // not read as another literal.
            let rest = &self.src[self.pos..];
            let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            if let Some(q) = rest[..line_end].iter().position(|&b| b == b'\'') {
                self.pos += q + 1;
            }
            if value.is_some() {
                self.diags
                    .push(diag::bad_char_literal(self.span(lo, self.pos)));
            }
        }
        self.push(TokenKind::Char(value.unwrap_or(0)), lo);
    }

    fn escape(&mut self, value: &mut String) {
        let lo = self.pos;
        self.pos += 1;
        let Some(c) = self.text[self.pos..].chars().next() else {
            return;
        };
        self.pos += c.len_utf8();
        let decoded = match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '\\' => '\\',
            '"' => '"',
            '0' => '\0',
            'x' => {
                let hex = self.text.get(self.pos..self.pos + 2).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) if hex.len() == 2 && b < 0x80 => {
                        self.pos += 2;
                        b as char
                    }
                    _ => {
                        self.diags
                            .push(diag::bad_hex_escape(self.span(lo, self.pos)));
                        return;
                    }
                }
            }
            other => {
                self.diags
                    .push(diag::unknown_escape(self.span(lo, self.pos), other));
                return;
            }
        };
        value.push(decoded);
    }

    fn punct(&mut self) {
        let lo = self.pos;
        if let Some(p) = punct_at(&self.src[self.pos..]) {
            self.pos += p.len();
            self.push(TokenKind::Punct(p), lo);
            return;
        }
        let ch = self.text[self.pos..].chars().next().unwrap_or('\0');
        self.pos += ch.len_utf8().max(1);
        self.diags
            .push(diag::unexpected_char(self.span(lo, self.pos), ch));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        let (tokens, diags) = lex(FileId(0), src);
        assert!(diags.is_empty(), "unexpected diagnostics: {diags:?}");
        tokens.into_iter().map(|t| t.kind).collect()
    }

    fn check(src: &str, expected: &[TokenKind]) {
        let mut want = expected.to_vec();
        want.push(TokenKind::Eof);
        assert_eq!(kinds(src), want, "lexing {src:?}");
    }

    use TokenKind::*;

    #[test]
    fn punctuation_groups_are_contiguous_and_longest_first() {
        // `punct_at` relies on this order: a byte's group must be one run of `PUNCTS`, and a
        // token must come before every shorter token that is its prefix.
        for (i, p) in PUNCTS.iter().enumerate() {
            let (first, count) = PUNCT_GROUPS[p.as_bytes()[0] as usize];
            assert!(
                (first as usize..(first + count) as usize).contains(&i),
                "{p}"
            );
            for q in &PUNCTS[..i] {
                assert!(!p.starts_with(q), "{q} comes before the longer {p}");
            }
        }
    }

    #[test]
    fn a_long_file_lexed_in_halves_gives_what_one_pass_gives() {
        // Cut candidates that must be refused (a digit after `t.`, a string whose line ends
        // in `\`) and errors on both sides of the middle.
        let unit = "F f(t: i64) -> i64 {\n    x := t.\n0.5 + 1_0 $\n    s := \"a\\\nF b\"\n}\n";
        let text = unit.repeat(SPLIT_LEN / unit.len() + 2);
        let cut = split_point(&text).expect("a cut");
        assert!(text[cut..].starts_with('F') && text[..cut].ends_with("}\n"));
        let whole = lex_part(FileId(3), &text, 0, 0, &[]);
        assert!(!whole.1.is_empty());
        assert_eq!(lex(FileId(3), &text), whole);
    }

    /// A range that starts where a token may start is one `Unlexed` token and lexing goes on
    /// at its end, on both sides of a long file's cut; one that starts inside a token or a
    /// comment, or runs past the half it starts in, is lexed as usual.
    #[test]
    fn skipped_ranges_become_one_token() {
        let text = "F f() -> i64 { 1 + 2 }\nF g() -> i64 { \"{ }\" }\n# { }\nF h() = 3\n";
        let body = |name: &str| {
            let at = text.find(name).expect("name") + name.len() + " -> i64 ".len() - 2;
            let lo = at + text[at..].find('{').expect("body");
            (lo, lo + text[lo..].find("}\n").expect("end") + 1)
        };
        let (f, g) = (body("F f("), body("F g("));
        let comment = text.find("# {").expect("comment") + 2;
        let skips = [f, (g.0 + 3, g.1), (comment, comment + 3)];
        let (tokens, diags) = lex_skipping(FileId(0), text, &skips);
        assert!(diags.is_empty(), "{diags:?}");
        let whole = lex(FileId(0), text).0;
        let unlexed: Vec<Span> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Unlexed)
            .map(|t| t.span)
            .collect();
        assert_eq!(unlexed, [Span::new(FileId(0), f.0 as u32, f.1 as u32)]);
        // Every other token is the one lexing the whole text gives.
        let outside: Vec<&Token> = whole
            .iter()
            .filter(|t| (t.span.hi as usize) <= f.0 || (t.span.lo as usize) >= f.1)
            .collect();
        let rest: Vec<&Token> = tokens
            .iter()
            .filter(|t| t.kind != TokenKind::Unlexed)
            .collect();
        assert_eq!(rest, outside);

        let unit = "F f(t: i64) -> i64 {\n    t + 1\n}\n";
        let long = unit.repeat(SPLIT_LEN / unit.len() + 2);
        let cut = split_point(&long).expect("a cut");
        let bodies: Vec<(usize, usize)> = (0..long.len() / unit.len())
            .map(|i| (i * unit.len() + 19, (i + 1) * unit.len() - 1))
            .collect();
        assert!(long[bodies[0].0..bodies[0].1].starts_with('{'));
        assert!(long[bodies[0].0..bodies[0].1].ends_with('}'));
        let mut across = bodies.clone();
        // A range across the cut is not passed over.
        across.push((cut - 2, cut + 30));
        across.sort_unstable();
        let (tokens, diags) = lex_skipping(FileId(0), &long, &across);
        assert!(diags.is_empty(), "{diags:?}");
        let count = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Unlexed)
            .count();
        assert_eq!(count, bodies.len());
    }

    #[test]
    fn numbers() {
        check("1_000_000", &[Int(1_000_000)]);
        check("0 7 18446744073709551615", &[Int(0), Int(7), Int(u64::MAX)]);
        check("1234567890123456789", &[Int(1_234_567_890_123_456_789)]);
        check("0xFF 0b1010", &[Int(255), Int(10)]);
        check("1.5e-3", &[Float(1.5e-3)]);
        check("2.0E2", &[Float(200.0)]);
        // `1.` and `.5` are not floats, so ranges like `0..n` lex as int, `..`, ident.
        check("0..n", &[Int(0), Punct(".."), Ident("n".into())]);
        check("1.x", &[Int(1), Punct("."), Ident("x".into())]);
        check(".5", &[Punct("."), Int(5)]);
    }

    #[test]
    fn keywords_and_identifiers() {
        check(
            "F f FF",
            &[Keyword('F'), Ident("f".into()), Ident("FF".into())],
        );
        check("self Self mut as", &[SelfLower, SelfUpper, Mut, As]);
        check("Z", &[Ident("Z".into())]);
    }

    #[test]
    fn comments_and_attributes() {
        check("# comment\nx # more", &[Ident("x".into())]);
        check("#[hot]", &[HashBracket, Ident("hot".into()), Punct("]")]);
    }

    #[test]
    fn punctuation_is_greedy() {
        check(
            "..= ... <<= -> :=",
            &[
                Punct("..="),
                Punct("..."),
                Punct("<<="),
                Punct("->"),
                Punct(":="),
            ],
        );
        check(
            "a<-b",
            &[Ident("a".into()), Punct("<"), Punct("-"), Ident("b".into())],
        );
    }

    #[test]
    fn char_literals() {
        check(
            r"'a' '\n' '\x41' '\xff' '\'' '\\' '\0'",
            &[
                Char(b'a'),
                Char(b'\n'),
                Char(0x41),
                Char(0xff),
                Char(b'\''),
                Char(b'\\'),
                Char(0),
            ],
        );
        let (_, diags) = lex(FileId(0), "'ab' 'é' ''");
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0020", "E0020", "E0020"]);
    }

    #[test]
    fn digits_after_a_dot_are_a_tuple_element() {
        check(
            "t.0.1",
            &[Ident("t".into()), Punct("."), Int(0), Punct("."), Int(1)],
        );
        check("x = 0.5", &[Ident("x".into()), Punct("="), Float(0.5)]);
    }

    #[test]
    fn string_escapes() {
        check(r#""a\n\t\\\"\x41\0""#, &[Str("a\n\t\\\"A\0".into())]);
        check("\"héllo\"", &[Str("héllo".into())]);
    }

    #[test]
    fn errors_are_reported_and_lexing_goes_on() {
        let (tokens, diags) = lex(FileId(0), "\"a\\q\" $ x \"open");
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["E0003", "E0001", "E0002"]);
        assert!(tokens.iter().any(|t| t.kind == Ident("x".into())));
        let (_, diags) = lex(FileId(0), "99999999999999999999999");
        assert_eq!(diags[0].code, "E0005");
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_skipped() {
        let (tokens, diags) = lex(FileId(0), "\u{feff}F x");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(tokens[0].kind, Keyword('F'));
        assert_eq!((tokens[0].span.lo, tokens[0].line_start), (3, true));
        // Anywhere else it is an ordinary unexpected character.
        let (_, diags) = lex(FileId(0), "x \u{feff}");
        assert_eq!(diags[0].code, "E0001");
    }

    #[test]
    fn an_unterminated_string_is_marked() {
        let (tokens, _) = lex(FileId(0), "\"open\n\"closed\"");
        let strings: Vec<bool> = tokens.iter().map(|t| t.unterminated).collect();
        assert_eq!(strings, [true, false, false]);
    }
}
