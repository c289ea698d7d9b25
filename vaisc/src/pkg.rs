//! Vais packages: a folder with a `vais.toml` naming the package, its entry file and the C
//! libraries it links, for `vaisc pkg build` and `vaisc pkg watch`.
//!
//! ```toml
//! [package]
//! name = "game"
//! entry = "src/main.vais"
//! links = ["SDL2"]        # optional: -l for each
//! lib-dirs = ["lib"]      # optional: -L for each, relative to the package folder
//! ```
//!
//! Only strings and one-line arrays of strings are read, so the file is parsed here rather
//! than with a TOML library; unknown keys are ignored, and anything else is an error naming
//! its line.

use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    /// The entry file, resolved against the package folder.
    pub entry: PathBuf,
    /// Where the executable goes: `<folder>/<name>`.
    pub output: PathBuf,
    /// The C libraries to link (`links`).
    pub links: Vec<String>,
    /// Directories to find them in (`lib-dirs`), resolved against the package folder.
    pub lib_dirs: Vec<PathBuf>,
}

/// A value in the manifest.
enum Value {
    Str(String),
    List(Vec<String>),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PackageError {
    #[error("no vais.toml in {} or any folder above it", dir.display())]
    NotFound { dir: PathBuf },
    #[error("cannot read {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: missing `{key}`", path.display())]
    Missing { path: PathBuf, key: &'static str },
}

/// Finds `vais.toml` in `dir` or the nearest folder above it and reads it.
pub fn find(dir: &Path) -> Result<Package, PackageError> {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut here = Some(start.as_path());
    while let Some(d) = here {
        let manifest = d.join("vais.toml");
        if manifest.is_file() {
            let text = std::fs::read_to_string(&manifest).map_err(|e| PackageError::Read {
                path: manifest.clone(),
                message: e.to_string(),
            })?;
            return parse(&manifest, &text);
        }
        here = d.parent();
    }
    Err(PackageError::NotFound { dir: start })
}

/// Parses the text of the manifest at `path`.
pub fn parse(path: &Path, text: &str) -> Result<Package, PackageError> {
    let mut name = None;
    let mut entry = None;
    let mut links = Vec::new();
    let mut lib_dirs = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let syntax = |message: &str| PackageError::Syntax {
            path: path.to_path_buf(),
            line: i + 1,
            message: message.to_string(),
        };
        let line = strip_comment(raw).trim();
        if line.is_empty() || (line.starts_with('[') && line.ends_with(']')) {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| syntax("expected `key = \"value\"`"))?;
        let value = parse_value(value.trim()).map_err(syntax)?;
        match (key.trim(), value) {
            ("name", Value::Str(v)) => name = Some(v),
            ("entry", Value::Str(v)) => entry = Some(v),
            ("links", Value::List(v)) => links = v,
            ("lib-dirs", Value::List(v)) => lib_dirs = v,
            ("name" | "entry", Value::List(_)) => {
                return Err(syntax("expected a quoted string value"))
            }
            ("links" | "lib-dirs", Value::Str(_)) => {
                return Err(syntax("expected a list of quoted strings, like [\"SDL2\"]"))
            }
            _ => {}
        }
    }
    let missing = |key| PackageError::Missing {
        path: path.to_path_buf(),
        key,
    };
    let name = name.ok_or_else(|| missing("name"))?;
    let entry = entry.ok_or_else(|| missing("entry"))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    Ok(Package {
        output: dir.join(&name),
        entry: dir.join(entry),
        name,
        links,
        lib_dirs: lib_dirs.iter().map(|d| dir.join(d)).collect(),
    })
}

/// The line without its `#` comment; a `#` inside a quoted string is kept.
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// A quoted string, or a list of them: `["a", "b"]` (a trailing comma is allowed).
fn parse_value(text: &str) -> Result<Value, &'static str> {
    const STRING: &str = "expected a quoted string value";
    let quoted = |t: &str| {
        t.strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .filter(|v| !v.contains('"'))
            .map(str::to_string)
    };
    let Some(inner) = text.strip_prefix('[') else {
        return quoted(text).map(Value::Str).ok_or(STRING);
    };
    let inner = inner
        .strip_suffix(']')
        .ok_or("expected `]` at the end of the list")?
        .trim();
    let inner = inner.strip_suffix(',').unwrap_or(inner);
    if inner.trim().is_empty() {
        return Ok(Value::List(Vec::new()));
    }
    inner
        .split(',')
        .map(|item| quoted(item.trim()).ok_or("expected a list of quoted strings, like [\"SDL2\"]"))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::List)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_and_entry() {
        let p = parse(
            Path::new("/p/vais.toml"),
            "[package]\nname = \"game\" # the name\nentry = \"src/main.vais\"\nversion = \"1\"\n",
        );
        assert_eq!(
            p,
            Ok(Package {
                name: "game".into(),
                entry: PathBuf::from("/p/src/main.vais"),
                output: PathBuf::from("/p/game"),
                links: Vec::new(),
                lib_dirs: Vec::new(),
            })
        );
    }

    #[test]
    fn reads_links_and_lib_dirs() {
        let p = parse(
            Path::new("/p/vais.toml"),
            "name = \"g\"\nentry = \"g.vais\"\nlinks = [\"SDL2\", \"m\",] # libs\nlib-dirs = [\"lib\"]\n",
        )
        .expect("parses");
        assert_eq!(p.links, vec!["SDL2".to_string(), "m".to_string()]);
        assert_eq!(p.lib_dirs, vec![PathBuf::from("/p/lib")]);
        let e = parse(Path::new("vais.toml"), "links = \"SDL2\"\n").err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("vais.toml:1: expected a list of quoted strings, like [\"SDL2\"]")
        );
        let e = parse(Path::new("vais.toml"), "links = [\"SDL2\"\n").err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("vais.toml:1: expected `]` at the end of the list")
        );
    }

    #[test]
    fn errors_name_the_line_or_key() {
        let e = parse(Path::new("vais.toml"), "name = game\n").err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("vais.toml:1: expected a quoted string value")
        );
        let e = parse(Path::new("vais.toml"), "name = \"g\"\n").err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("vais.toml: missing `entry`")
        );
    }
}
