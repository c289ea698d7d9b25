//! Vais packages: a folder with a `vais.toml` naming the package and its entry file, for
//! `vaisc pkg build` and `vaisc pkg watch`.
//!
//! ```toml
//! [package]
//! name = "game"
//! entry = "src/main.vais"
//! ```
//!
//! Only string keys are read, so the file is parsed here rather than with a TOML library;
//! unknown keys are ignored, and anything else is an error naming its line.

use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    /// The entry file, resolved against the package folder.
    pub entry: PathBuf,
    /// Where the executable goes: `<folder>/<name>`.
    pub output: PathBuf,
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
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() || (line.starts_with('[') && line.ends_with(']')) {
            continue;
        }
        let syntax = |message: &str| PackageError::Syntax {
            path: path.to_path_buf(),
            line: i + 1,
            message: message.to_string(),
        };
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| syntax("expected `key = \"value\"`"))?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| syntax("expected a quoted string value"))?;
        match key.trim() {
            "name" => name = Some(value.to_string()),
            "entry" => entry = Some(value.to_string()),
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
    })
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
            })
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
