//! The grammar of `print`/`println`/`format` format strings: literal text, `{{` and `}}`, and
//! placeholders `{}` or `{:SPEC}` where SPEC is `[<|>][0][WIDTH][.PRECISION][x|X|b|e]`.

/// One part of a format string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Piece {
    Lit(String),
    Hole(Spec),
}

/// How one placeholder formats its argument.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Spec {
    /// The placeholder as written (`{:08x}`), for messages.
    pub text: String,
    /// `<`: left-aligned in the width (the default is right-aligned, for every type).
    pub left: bool,
    /// `0`: zero-padded after the sign.
    pub zero: bool,
    pub width: Option<u32>,
    pub precision: Option<u32>,
    pub kind: Kind,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Kind {
    #[default]
    Plain,
    LowerHex,
    UpperHex,
    Binary,
    Exp,
}

/// Why a format string cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum FormatError {
    /// A `{` without its `}`.
    Unclosed,
    /// A `}` that closes nothing (write `}}` for a brace).
    StrayClose,
    /// A placeholder whose spec does not follow the grammar.
    BadSpec(String),
}

/// Widths and precisions above this are refused: the text is built in stack buffers.
pub(super) const MAX_WIDTH: u32 = 4096;

pub(super) fn parse(text: &str) -> Result<Vec<Piece>, FormatError> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '}' => return Err(FormatError::StrayClose),
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => inner.push(ch),
                        None => return Err(FormatError::Unclosed),
                    }
                }
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Hole(spec(&inner)?));
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Ok(pieces)
}

fn spec(inner: &str) -> Result<Spec, FormatError> {
    let text = format!("{{{inner}}}");
    let bad = || FormatError::BadSpec(text.clone());
    let mut s = Spec {
        text: text.clone(),
        ..Spec::default()
    };
    if inner.is_empty() {
        return Ok(s);
    }
    let rest = inner.strip_prefix(':').ok_or_else(bad)?;
    let mut rest = rest.as_bytes();
    match rest.first() {
        Some(b'<') => {
            s.left = true;
            rest = &rest[1..];
        }
        Some(b'>') => rest = &rest[1..],
        _ => {}
    }
    if rest.first() == Some(&b'0') {
        s.zero = true;
        rest = &rest[1..];
    }
    let (width, r) = number(rest);
    s.width = width;
    rest = r;
    if rest.first() == Some(&b'.') {
        let (prec, r) = number(&rest[1..]);
        s.precision = Some(prec.ok_or_else(bad)?);
        rest = r;
    }
    s.kind = match rest {
        [] => Kind::Plain,
        [b'x'] => Kind::LowerHex,
        [b'X'] => Kind::UpperHex,
        [b'b'] => Kind::Binary,
        [b'e'] => Kind::Exp,
        _ => return Err(bad()),
    };
    let too_big = |n: Option<u32>| n.is_some_and(|n| n > MAX_WIDTH);
    if too_big(s.width) || too_big(s.precision) {
        return Err(bad());
    }
    Ok(s)
}

/// Leading decimal digits, if any, and what follows them.
fn number(b: &[u8]) -> (Option<u32>, &[u8]) {
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return (None, b);
    }
    let v = std::str::from_utf8(&b[..n])
        .ok()
        .and_then(|t| t.parse::<u32>().ok())
        .unwrap_or(u32::MAX);
    (Some(v), &b[n..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hole(p: &Piece) -> &Spec {
        match p {
            Piece::Hole(s) => s,
            Piece::Lit(l) => panic!("literal {l:?}"),
        }
    }

    #[test]
    fn literal_text_and_braces() {
        let p = parse("a{{b}}c").expect("parses");
        assert_eq!(p, vec![Piece::Lit("a{b}c".into())]);
    }

    #[test]
    fn specs() {
        let p = parse("{} {:<5} {:08.3} {:X} {:.2e}").expect("parses");
        let holes: Vec<&Spec> = p
            .iter()
            .filter(|p| matches!(p, Piece::Hole(_)))
            .map(hole)
            .collect();
        assert_eq!(holes.len(), 5);
        assert!(holes[1].left && holes[1].width == Some(5));
        assert!(holes[2].zero && holes[2].width == Some(8) && holes[2].precision == Some(3));
        assert_eq!(holes[3].kind, Kind::UpperHex);
        assert_eq!(holes[4].kind, Kind::Exp);
        assert_eq!(holes[4].precision, Some(2));
    }

    #[test]
    fn errors() {
        assert_eq!(parse("{"), Err(FormatError::Unclosed));
        assert_eq!(parse("}"), Err(FormatError::StrayClose));
        assert_eq!(parse("{:q}"), Err(FormatError::BadSpec("{:q}".into())));
        assert_eq!(parse("{x}"), Err(FormatError::BadSpec("{x}".into())));
        assert_eq!(parse("{:.}"), Err(FormatError::BadSpec("{:.}".into())));
    }
}
