//! `Name`: the text of an identifier in tokens and in the syntax tree.
//!
//! Almost every identifier is short, and a program has hundreds of thousands of them. Stored as
//! a `String`, each costs a heap allocation when it is lexed and another whenever a later stage
//! copies it; a `Name` of up to [`INLINE`] bytes keeps its text inside itself instead, so making
//! and cloning one never allocates. Longer names fall back to a boxed string. A `Name` behaves
//! like a `str` (it dereferences to one, and compares, hashes and orders as one), so tables keyed
//! by `String` or `str` can be searched with it.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The longest name kept inline: the inline form is then as large as the boxed one plus its tag
/// (24 bytes, the size of a `String`).
const INLINE: usize = 22;

/// The text of an identifier (see the module documentation).
#[derive(Clone)]
pub struct Name(Repr);

#[derive(Clone)]
enum Repr {
    /// The first `len` bytes of `bytes` are the name, copied from a `str`.
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Boxed(Box<str>),
}

impl Name {
    /// A name with the text `s`.
    pub fn new(s: &str) -> Name {
        if s.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Name(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            Name(Repr::Boxed(s.into()))
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // SAFETY: an inline name's first `len` bytes were copied whole from a `str` (in
            // `Name::new`, the only place that makes one), so they are valid UTF-8.
            Repr::Inline { len, bytes } => unsafe {
                std::str::from_utf8_unchecked(&bytes[..usize::from(*len)])
            },
            Repr::Boxed(s) => s,
        }
    }
}

impl Default for Name {
    fn default() -> Name {
        Name::new("")
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name::new(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name::new(&s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.as_str().to_string()
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// Hashes as the `str` does, as `Borrow<str>` requires.
impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::Name;
    use std::collections::HashMap;

    #[test]
    fn short_and_long_names_read_back_and_compare_as_their_text() {
        for text in [
            "",
            "x",
            "exactly_twenty_two_b22",
            "a_name_longer_than_twenty_two",
        ] {
            let name = Name::new(text);
            assert_eq!(name.as_str(), text);
            assert_eq!(name, Name::from(text.to_string()));
            assert_eq!(format!("{name}"), text);
            assert_eq!(format!("{name:?}"), format!("{text:?}"));
        }
        assert!(Name::new("a") < Name::new("b"));
    }

    #[test]
    fn a_name_finds_its_text_in_a_table_keyed_by_str() {
        let mut table: HashMap<Name, u32> = HashMap::new();
        table.insert(Name::new("speed"), 1);
        assert_eq!(table.get("speed"), Some(&1));
    }
}
