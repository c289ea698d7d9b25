//! The host's side of the hot-reload contract, kept in a small text file beside the host
//! executable (`game.vais-hot` for `game`), so that `--patch-only` builds can use the host's
//! slots and report incompatible changes before anything is loaded.
//!
//! Format, one record per line, fields separated by tabs:
//! `vais-hot-host\t<abi version>`, `program\t<id>`, `fn\t<slot>\t<name>\t<signature>`,
//! `layout\t<name>\t<description>`, `code\t<function>\t<hash>`,
//! `init\t<global>\t<initial value>` (as [`super::initial_values`] writes it, tab-free).

use codegen_hot::Plan;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFunction {
    pub slot: u32,
    pub name: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLayout {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    pub program_id: u64,
    pub functions: Vec<HostFunction>,
    pub layouts: Vec<HostLayout>,
    /// Hash of every function's code in the host, by symbol name.
    pub code: Vec<(String, u64)>,
    /// Each global's initial value in the host, by name.
    pub initial_values: Vec<(String, String)>,
}

/// Where the host information of executable `exe` is kept.
pub fn path_for(exe: &Path) -> PathBuf {
    let mut name = exe.as_os_str().to_os_string();
    name.push(".vais-hot");
    PathBuf::from(name)
}

impl HostInfo {
    pub fn from_plan(
        plan: &Plan,
        code: Vec<(String, u64)>,
        initial_values: Vec<(String, String)>,
    ) -> HostInfo {
        HostInfo {
            program_id: plan.program_id,
            functions: plan
                .functions
                .iter()
                .map(|f| HostFunction {
                    slot: f.slot,
                    name: f.name.clone(),
                    signature: f.signature.clone(),
                })
                .collect(),
            layouts: plan
                .layouts
                .iter()
                .map(|l| HostLayout {
                    name: l.name.clone(),
                    description: l.description.clone(),
                })
                .collect(),
            code,
            initial_values,
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = format!("vais-hot-host\t{}\n", vais_hot_abi::ABI_VERSION);
        out.push_str(&format!("program\t{}\n", self.program_id));
        for f in &self.functions {
            out.push_str(&format!("fn\t{}\t{}\t{}\n", f.slot, f.name, f.signature));
        }
        for l in &self.layouts {
            out.push_str(&format!("layout\t{}\t{}\n", l.name, l.description));
        }
        for (name, hash) in &self.code {
            out.push_str(&format!("code\t{name}\t{hash}\n"));
        }
        for (name, value) in &self.initial_values {
            out.push_str(&format!("init\t{name}\t{value}\n"));
        }
        out
    }

    /// Parses the text form; `None` if it is not a host file of this ABI version.
    pub fn parse(text: &str) -> Option<HostInfo> {
        let mut lines = text.lines();
        let header = lines.next()?;
        if header != format!("vais-hot-host\t{}", vais_hot_abi::ABI_VERSION) {
            return None;
        }
        let mut info = HostInfo {
            program_id: 0,
            functions: Vec::new(),
            layouts: Vec::new(),
            code: Vec::new(),
            initial_values: Vec::new(),
        };
        for line in lines {
            let parts: Vec<&str> = line.split('\t').collect();
            match parts.as_slice() {
                ["program", id] => info.program_id = id.parse().ok()?,
                ["fn", slot, name, sig] => info.functions.push(HostFunction {
                    slot: slot.parse().ok()?,
                    name: name.to_string(),
                    signature: sig.to_string(),
                }),
                ["layout", name, desc] => info.layouts.push(HostLayout {
                    name: name.to_string(),
                    description: desc.to_string(),
                }),
                ["code", name, hash] => info.code.push((name.to_string(), hash.parse().ok()?)),
                ["init", name, value] => info
                    .initial_values
                    .push((name.to_string(), value.to_string())),
                _ => return None,
            }
        }
        Some(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        let info = HostInfo {
            program_id: 42,
            functions: vec![HostFunction {
                slot: 0,
                name: "update".into(),
                signature: "(*State) -> i64".into(),
            }],
            layouts: vec![HostLayout {
                name: "struct State".into(),
                description: "{ frame: i64 @0 } size 8".into(),
            }],
            code: vec![("main".into(), 7)],
            initial_values: vec![("greeting".into(), "\"a\\tb\"".into())],
        };
        assert_eq!(HostInfo::parse(&info.to_text()), Some(info));
        assert_eq!(HostInfo::parse("garbage"), None);
        assert_eq!(
            path_for(Path::new("/a/game")),
            PathBuf::from("/a/game.vais-hot")
        );
    }
}
