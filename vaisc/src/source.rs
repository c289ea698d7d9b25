//! Source files and spans: owns the table of loaded files and the mapping from byte offsets to
//! line and column numbers that diagnostics and debug info need.

use std::path::{Path, PathBuf};

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A half-open byte range `lo..hi` inside one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    pub fn new(file: FileId, lo: u32, hi: u32) -> Span {
        Span { file, lo, hi }
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }

    /// The span `offset` bytes further on (back, if negative), as the same code has once an
    /// edit before it added or removed that many bytes; `None` if that leaves the `u32` range.
    pub fn moved(self, offset: i64) -> Option<Span> {
        Some(Span {
            lo: u32::try_from(i64::from(self.lo) + offset).ok()?,
            hi: u32::try_from(i64::from(self.hi) + offset).ok()?,
            ..self
        })
    }
}

/// The lengths of the longest common start and the longest common end of two versions of a
/// text that do not overlap in either: an edit changed only what lies between them.
pub fn common_ends(old: &[u8], new: &[u8]) -> (usize, usize) {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    (prefix, suffix)
}

/// One loaded source file with a precomputed table of line starts.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    fn new(path: PathBuf, text: String) -> SourceFile {
        // `memchr_iter` finds the line ends with a vectorised search, not byte by byte (and
        // without the per-match overhead of `str::match_indices`).
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// One-based line and column (in characters) of a byte offset. A byte-order mark at the
    /// start of the file is not a column.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.text.len() as u32);
        let line = self.line_index(offset);
        let start = self.line_starts[line] as usize;
        let text = &self.text[start..offset as usize];
        let col = text
            .strip_prefix('\u{feff}')
            .unwrap_or(text)
            .chars()
            .count();
        (line as u32 + 1, col as u32 + 1)
    }

    /// One-based line of a byte offset: [`SourceFile::line_col`] without counting the
    /// column's characters, for line tables, which have no columns.
    pub fn line(&self, offset: u32) -> u32 {
        self.line_index(offset.min(self.text.len() as u32)) as u32 + 1
    }

    /// Zero-based line of a byte offset within the text.
    fn line_index(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The text of a one-based line, without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let idx = (line.max(1) - 1) as usize;
        let Some(&start) = self.line_starts.get(idx) else {
            return "";
        };
        let end = self
            .line_starts
            .get(idx + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        let text = self.text[start as usize..end].trim_end_matches(['\n', '\r']);
        text.strip_prefix('\u{feff}').unwrap_or(text)
    }
}

/// All files of one compilation, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, path: impl Into<PathBuf>, text: String) -> FileId {
        self.files.push(SourceFile::new(path.into(), text));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The file already loaded from `path`, if any.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_of_offsets() {
        let mut map = SourceMap::new();
        let id = map.add("a.vais", "ab\ncd\n\nxé y".to_string());
        let f = map.file(id);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_col(6), (3, 1));
        assert_eq!(f.line_col(11), (4, 4));
        assert_eq!(f.line(11), 4);
        assert_eq!(f.line(6), 3);
        assert_eq!(f.line_text(2), "cd");
        assert_eq!(f.line_text(9), "");
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let mut map = SourceMap::new();
        let id = map.add("a.vais", "\u{feff}F x\nG".to_string());
        let f = map.file(id);
        assert_eq!(f.line_col(3), (1, 1));
        assert_eq!(f.line_col(5), (1, 3));
        assert_eq!(f.line_text(1), "F x");
    }
}
