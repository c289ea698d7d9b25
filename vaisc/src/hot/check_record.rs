//! What a hot host build keeps of its check for later `--patch-only` builds, in a file beside
//! the host executable (`game.vais-check` for `game`): the check's record of every loaded
//! file and plain function body (`typeck::CheckRecord`), the parts of every such function's
//! code hashes (`FunctionParts`), and for the clean bodies what hot builds read of them
//! (`tir::HostBody`). A patch build whose check differs from the host's only inside some plain
//! function bodies (the rule of `typeck::CheckRecord`) takes the other functions' parts from
//! here instead of hashing their code again, and the bodies it need not lower it does not
//! check at all (`typeck::check_taking_host_bodies`).
//!
//! Format: a header line `vais-hot-check\t<format version>`; per file a line
//! `file\t<file id>\t<length in bytes>\t<path>`, the file's text (that many bytes) and a
//! newline, then its items as `item\t<start>\t<line>\t<end>\t<body start or ->`; per plain
//! function body, in check order, `body\t<module>\t<item>\t<clean 0/1>\t<function id>\t<functions
//! before its check>\t<after>\t<name>` (the ids are the host's), then `made` and the names of
//! the functions its check made, one more tab-separated field each; `parts\t<own hash>\t<hash
//! with layouts>\t<embeds lines 0/1>` and its callees' names the same way; and for a clean one the lines of its
//! `tir::HostBody` (`body_record.rs`). Names and numbers hold no tab or newline; a path that
//! does makes the file unreadable, and `--patch-only` then checks and hashes every function.

use super::body_record;
use super::{FactsCache, FunctionParts, HashCache};
use crate::source::FileId;
use crate::tir::{HostBody, Program};
use crate::typeck::{BodyMark, CheckRecord, FileRecord, ItemRecord};
use std::path::{Path, PathBuf};

/// The version of the format above; a file of another version is not read.
const FORMAT: u32 = 2;

/// A host's check, as [`super::check_record`] keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCheck {
    pub record: CheckRecord,
    /// Per body of the record, in its order.
    pub bodies: Vec<HostBodyRecord>,
}

/// What the host's check kept of one plain function body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostBodyRecord {
    pub name: String,
    /// The functions its check made (built-ins on first use, instances), in order.
    pub made: Vec<String>,
    pub parts: FunctionParts,
    /// For a clean body: what hot builds read of it.
    pub body: Option<HostBody>,
}

/// Where the check record of the host executable `exe` is kept.
pub fn check_path_for(exe: &Path) -> PathBuf {
    let mut name = exe.as_os_str().to_os_string();
    name.push(".vais-check");
    PathBuf::from(name)
}

impl HostCheck {
    /// The record of the host's check `record`, with the hash parts `hashes` holds for its
    /// bodies (the host's, [`super::host_plan_cached`]) and what `facts` found in the clean
    /// ones (brought up to this check by [`super::layouts_cached`]).
    pub fn of(
        record: &CheckRecord,
        program: &Program,
        hashes: &HashCache,
        facts: &FactsCache,
    ) -> Option<HostCheck> {
        let bodies = record
            .bodies
            .iter()
            .map(|b| {
                let (first, end) = b.functions;
                let made = program.functions.get(first..end)?;
                let body = if b.clean {
                    Some(facts.host_body(program, b.func)?)
                } else {
                    None
                };
                Some(HostBodyRecord {
                    name: program.functions.get(b.func)?.name.clone(),
                    made: made.iter().map(|f| f.name.clone()).collect(),
                    parts: hashes.parts(program, b.func)?,
                    body,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(HostCheck {
            record: record.clone(),
            bodies,
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
        for (b, r) in self.record.bodies.iter().zip(&self.bodies) {
            out.push_str(&format!(
                "body\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                b.module,
                b.item,
                u8::from(b.clean),
                b.func,
                b.functions.0,
                b.functions.1,
                r.name
            ));
            let names = |key: &str, names: &[String], out: &mut String| {
                out.push_str(key);
                for n in names {
                    out.push('\t');
                    out.push_str(n);
                }
                out.push('\n');
            };
            names("made", &r.made, &mut out);
            out.push_str(&format!(
                "parts\t{}\t{}\t{}",
                r.parts.own,
                r.parts.with_layouts,
                u8::from(r.parts.lines)
            ));
            for c in &r.parts.callees {
                out.push('\t');
                out.push_str(c);
            }
            out.push('\n');
            if let Some(body) = &r.body {
                body_record::write(body, &mut out);
            }
        }
        out
    }

    /// Parses the text form; `None` if it is not a check record of this format.
    pub fn parse(text: &str) -> Option<HostCheck> {
        let mut rest = text.strip_prefix(&format!("vais-hot-check\t{FORMAT}\n"))?;
        let mut files: Vec<FileRecord> = Vec::new();
        let mut marks = Vec::new();
        // Per body: the record so far, and whether its `made` and `parts` lines were read.
        let mut bodies: Vec<(HostBodyRecord, bool, bool)> = Vec::new();
        while !rest.is_empty() {
            let (line, after) = rest.split_once('\n')?;
            rest = after;
            let (kind, line) = line.split_once('\t').unwrap_or((line, ""));
            match kind {
                "file" => {
                    let [id, len, path] = fields(line)?;
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
                "item" => {
                    let [start, line, end, body] = fields(line)?;
                    files.last_mut()?.items.push(ItemRecord {
                        start: start.parse().ok()?,
                        line: line.parse().ok()?,
                        end: end.parse().ok()?,
                        body: match body {
                            "-" => None,
                            b => Some(b.parse().ok()?),
                        },
                    });
                }
                "body" => {
                    let [module, item, clean, func, first, end, name] = fields(line)?;
                    let clean = clean == "1";
                    marks.push(BodyMark {
                        func: func.parse().ok()?,
                        module: module.parse().ok()?,
                        item: item.parse().ok()?,
                        clean,
                        functions: (first.parse().ok()?, end.parse().ok()?),
                    });
                    let record = HostBodyRecord {
                        name: name.to_string(),
                        made: Vec::new(),
                        parts: FunctionParts {
                            own: 0,
                            with_layouts: 0,
                            callees: Vec::new(),
                            lines: false,
                        },
                        body: clean.then(HostBody::default),
                    };
                    bodies.push((record, false, false));
                }
                "made" => {
                    let (last, made, _) = bodies.last_mut()?;
                    if std::mem::replace(made, true) {
                        return None;
                    }
                    last.made = line
                        .split('\t')
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .collect();
                }
                "parts" => {
                    let (last, _, parts) = bodies.last_mut()?;
                    if std::mem::replace(parts, true) {
                        return None;
                    }
                    let mut it = line.split('\t');
                    let own = it.next()?.parse().ok()?;
                    let with_layouts = it.next()?.parse().ok()?;
                    let lines = it.next()? == "1";
                    last.parts = FunctionParts {
                        own,
                        with_layouts,
                        callees: it.map(str::to_string).collect(),
                        lines,
                    };
                }
                _ => {
                    let body = bodies.last_mut()?.0.body.as_mut()?;
                    body_record::read_line(kind, line, body)?;
                }
            }
        }
        // Every body has its `made` and `parts` lines.
        if bodies.iter().any(|(_, made, parts)| !made || !parts) {
            return None;
        }
        Some(HostCheck {
            record: CheckRecord {
                files,
                bodies: marks,
            },
            bodies: bodies.into_iter().map(|(b, _, _)| b).collect(),
        })
    }
}

/// The tab-separated fields of `line`, if there are exactly `N`.
fn fields<const N: usize>(line: &str) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut it = line.split('\t');
    for slot in &mut out {
        *slot = it.next()?;
    }
    it.next().is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;
    use crate::resolve::LoadedModule;
    use crate::source::SourceMap;
    use crate::typeck::check_recorded;

    /// A program with a helper chain (`a` calls `b`), recursion (`r`), a method, a generic
    /// instance, a hot function and one body the record marks unclean (a closure).
    const HOST: &str = r#"S P { x: i64 }
X P {
    F get(&self) -> i64 = self.x
}
F pick<T>(v: T) -> T = v
F b(n: i64) -> i64 = n * 2
F a(n: i64) -> i64 = b(n) + 10
F r(n: i64) -> i64 = I n <= 0 { 0 } E { r(n - 1) + 1 }
F c(n: i64) -> i64 {
    f := |x: i64| x + n
    f(1)
}
F g(n: i64) -> i64 = pick(n) + 1
#[hot]
F tick(n: i64) -> i64 {
    p := P { x: a(n) }
    p.get() + r(3) + c(1) + g(2)
}
F main() -> i64 = tick(1)
"#;

    fn checked(src: &str) -> (crate::tir::Program, SourceMap, CheckRecord) {
        let mut sources = SourceMap::new();
        let file = sources.add("game.vais", src.to_string());
        let (module, diags) = parse(file, src);
        assert!(diags.is_empty(), "{diags:?}");
        let (program, diags, record) = check_recorded(&[LoadedModule { file, module }], &sources);
        let program = program.unwrap_or_else(|| panic!("{diags:?}"));
        (program, sources, record.expect("a record of a clean check"))
    }

    /// The host's information and its check record, through their text forms as a later
    /// `--patch-only` reads them.
    fn host(src: &str) -> (crate::hot::HostInfo, HostCheck) {
        let (p, sources, record) = checked(src);
        let mut facts = FactsCache::default();
        let layouts = crate::hot::layouts_cached(&p, &sources, &mut facts, None).expect("layouts");
        let mut parts = HashCache::default();
        let entry = Path::new("game.vais");
        let (plan, hashes) =
            crate::hot::host_plan_cached(&p, &sources, entry, "vaisc", layouts, &mut parts);
        let code = crate::hot::host_code(&p, &hashes, &plan);
        let info = crate::hot::HostInfo::from_plan(&plan, code, crate::hot::initial_values(&p));
        let hc = HostCheck::of(&record, &p, &parts, &facts).expect("host check");
        let text = hc.to_text();
        assert_eq!(HostCheck::parse(&text).as_ref(), Some(&hc));
        (info, HostCheck::parse(&hc.to_text()).expect("parse"))
    }

    /// The code hashes of `src` for the host of `HOST` both ways: from the record (if the
    /// rule holds) and by hashing everything.
    fn both(
        src: &str,
    ) -> (
        Option<(crate::hot::CodeHashes, usize)>,
        crate::hot::CodeHashes,
    ) {
        let (info, hc) = host(HOST);
        let (p, sources, record) = checked(src);
        let reused = crate::hot::patch_hashes_reusing(&p, &sources, &info, &hc, &record);
        let fresh = crate::hot::patch_hashes(&p, &sources, &info, &mut HashCache::default(), None);
        (reused, fresh)
    }

    #[test]
    fn reused_hashes_are_the_fresh_ones() {
        // Unchanged, a helper at the bottom of a chain, and a hot body: the functions whose
        // code is the host's are the clean ones outside the edit.
        let edits = [
            (HOST.to_string(), 5),
            (HOST.replace("n * 2", "n * 3"), 4),
            (HOST.replace("r(3) + c(1)", "r(4) + c(2)"), 4),
        ];
        for (src, taken) in edits {
            let (reused, fresh) = both(&src);
            let (hashes, n) = reused.expect("the rule holds");
            assert_eq!(n, taken, "{src}");
            assert_eq!(hashes, fresh, "{src}");
        }
    }

    #[test]
    fn the_record_is_refused_beyond_bodies() {
        for src in [
            // An item moves.
            HOST.replace("n * 2", "n * 20"),
            // A signature.
            HOST.replace("F b(n: i64) -> i64 = n * 2", "F b(n: i32) -> i64 = 2 * 2"),
            // A struct.
            HOST.replace("S P { x: i64 }", "S P { x: i64, y: i8 }")
                .replace("P { x: a(n) }", "P { x: a(n), y: 0 }"),
            // A changed body that makes an instance (`pick::<i64>`, which `g` made after it
            // before), at the same width.
            HOST.replace("b(n) + 10", "pick(n)+1"),
        ] {
            let (reused, _) = both(&src);
            assert!(reused.is_none(), "{src}");
        }
    }
}
