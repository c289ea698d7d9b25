//! What a hot host build keeps of its check for later `--patch-only` builds, in a file beside
//! the host executable (`game.vais-check` for `game`): the check's record of every loaded
//! file and plain function body (`typeck::CheckRecord`), and the parts of the code hashes of
//! its clean plain functions (`FunctionParts`). A patch build whose check differs from the
//! host's only inside some plain function bodies (the rule of `typeck::CheckRecord`) takes the
//! other functions' parts from here instead of hashing their code again.
//!
//! Format: a header line `vais-hot-check\t<format version>`; per file a line
//! `file\t<file id>\t<length in bytes>\t<path>`, the file's text (that many bytes) and a
//! newline, then its items as `item\t<start>\t<line>\t<end>\t<body start or ->`; per plain
//! function body, in check order, `body\t<module>\t<item>\t<clean 0/1>\t<name>`, followed
//! for a clean one by `parts\t<own hash>\t<hash with layouts>` and its callees' names, one
//! more tab-separated field each. Names and numbers hold no tab or newline.

use super::{FunctionParts, HashCache};
use crate::source::FileId;
use crate::tir::Program;
use crate::typeck::{BodyMark, CheckRecord, FileRecord, ItemRecord};
use std::path::{Path, PathBuf};

/// The version of the format above; a file of another version is not read.
const FORMAT: u32 = 1;

/// A host's check, as [`super::check_record`] keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCheck {
    pub record: CheckRecord,
    /// Per body of the record, in its order: the function's name and, if its check was
    /// clean, the parts of its code hashes.
    pub parts: Vec<(String, Option<FunctionParts>)>,
}

/// Where the check record of the host executable `exe` is kept.
pub fn check_path_for(exe: &Path) -> PathBuf {
    let mut name = exe.as_os_str().to_os_string();
    name.push(".vais-check");
    PathBuf::from(name)
}

impl HostCheck {
    /// The record of the host's check `record`, with the hash parts `hashes` holds for its
    /// clean bodies (the host's, [`super::host_plan_cached`]).
    pub fn of(record: &CheckRecord, program: &Program, hashes: &HashCache) -> Option<HostCheck> {
        let parts = record
            .bodies
            .iter()
            .map(|b| {
                let name = program.functions.get(b.func)?.name.clone();
                let parts = if b.clean {
                    Some(hashes.parts(program, b.func)?)
                } else {
                    None
                };
                Some((name, parts))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(HostCheck {
            record: record.clone(),
            parts,
        })
    }

    pub fn to_text(&self) -> String {
        let mut out = format!("vais-hot-check\t{FORMAT}\n");
        for f in &self.record.files {
            out.push_str(&format!(
                "file\t{}\t{}\t{}\n{}\n",
                f.file.0,
                f.text.len(),
                f.path.to_string_lossy(),
                f.text
            ));
            for i in &f.items {
                let body = i.body.map_or("-".to_string(), |b| b.to_string());
                out.push_str(&format!(
                    "item\t{}\t{}\t{}\t{body}\n",
                    i.start, i.line, i.end
                ));
            }
        }
        for (b, (name, parts)) in self.record.bodies.iter().zip(&self.parts) {
            out.push_str(&format!(
                "body\t{}\t{}\t{}\t{name}\n",
                b.module,
                b.item,
                u8::from(b.clean)
            ));
            if let Some(p) = parts {
                out.push_str(&format!("parts\t{}\t{}", p.own, p.with_layouts));
                for c in &p.callees {
                    out.push('\t');
                    out.push_str(c);
                }
                out.push('\n');
            }
        }
        out
    }

    /// Parses the text form; `None` if it is not a check record of this format.
    pub fn parse(text: &str) -> Option<HostCheck> {
        let mut rest = text.strip_prefix(&format!("vais-hot-check\t{FORMAT}\n"))?;
        let mut files: Vec<FileRecord> = Vec::new();
        let mut bodies = Vec::new();
        let mut parts = Vec::new();
        while !rest.is_empty() {
            let (line, after) = rest.split_once('\n')?;
            rest = after;
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["file", id, len, path] => {
                    let len: usize = len.parse().ok()?;
                    let text = rest.get(..len)?;
                    rest = rest.get(len..)?.strip_prefix('\n')?;
                    files.push(FileRecord {
                        file: FileId(id.parse().ok()?),
                        path: PathBuf::from(path),
                        text: text.to_string(),
                        items: Vec::new(),
                    });
                }
                ["item", start, line, end, body] => files.last_mut()?.items.push(ItemRecord {
                    start: start.parse().ok()?,
                    line: line.parse().ok()?,
                    end: end.parse().ok()?,
                    body: match *body {
                        "-" => None,
                        b => Some(b.parse().ok()?),
                    },
                }),
                ["body", module, item, clean, name] => {
                    bodies.push(BodyMark {
                        // The host's function ids mean nothing to a later check: bodies are
                        // matched by their declarations' places.
                        func: usize::MAX,
                        module: module.parse().ok()?,
                        item: item.parse().ok()?,
                        clean: *clean == "1",
                    });
                    parts.push((name.to_string(), None));
                }
                ["parts", own, with_layouts, callees @ ..] => {
                    let last = parts.last_mut()?;
                    if last.1.is_some() {
                        return None;
                    }
                    last.1 = Some(FunctionParts {
                        own: own.parse().ok()?,
                        with_layouts: with_layouts.parse().ok()?,
                        callees: callees.iter().map(|c| c.to_string()).collect(),
                    });
                }
                _ => return None,
            }
        }
        // A clean body has its parts, and only a clean one.
        if bodies
            .iter()
            .zip(&parts)
            .any(|(b, (_, p))| b.clean != p.is_some())
        {
            return None;
        }
        Some(HostCheck {
            record: CheckRecord { files, bodies },
            parts,
        })
    }
}
