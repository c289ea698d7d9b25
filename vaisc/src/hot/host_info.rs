//! The host's side of the hot-reload contract, kept in a small text file beside the host
//! executable (`game.vais-hot` for `game`), so that `--patch-only` builds can use the host's
//! slots and report incompatible changes before anything is loaded.
//!
//! Format, one record per line, fields separated by tabs:
//! `vais-hot-host\t<abi version>`, `program\t<id>`, `fn\t<slot>\t<name>\t<signature>`,
//! `layout\t<name>\t<description>`, `code\t<function>\t<own hash>\t<code hash>\t<exported>`
//! (the hashes of `super::hashes`; exported `1` when the host exports the function for patches),
//! `init\t<global>\t<initial value>` (as [`super::initial_values`] writes it, tab-free).

use codegen_hot::Plan;
use std::collections::HashMap;
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

/// What the host has of one function's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCode {
    pub name: String,
    /// The function's own code hash.
    pub own: u64,
    /// The hash of its code and everything it calls short of a table slot.
    pub code: u64,
    /// The host exports it (`vais_hot_abi::HOST_FN_PREFIX`): patches call it instead of
    /// carrying a copy while its code hash is unchanged.
    pub exported: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    pub program_id: u64,
    pub functions: Vec<HostFunction>,
    pub layouts: Vec<HostLayout>,
    /// Every defined function's code in the host, in declaration order.
    pub code: Vec<HostCode>,
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
        code: Vec<HostCode>,
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

    /// The host's code records by function name, for lookups (never iterated).
    pub fn code_by_name(&self) -> HashMap<&str, &HostCode> {
        self.code.iter().map(|c| (c.name.as_str(), c)).collect()
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
        for c in &self.code {
            out.push_str(&format!(
                "code\t{}\t{}\t{}\t{}\n",
                c.name,
                c.own,
                c.code,
                u8::from(c.exported)
            ));
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
                ["code", name, own, code, exported] => info.code.push(HostCode {
                    name: name.to_string(),
                    own: own.parse().ok()?,
                    code: code.parse().ok()?,
                    exported: *exported == "1",
                }),
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
            code: vec![HostCode {
                name: "main".into(),
                own: 7,
                code: 8,
                exported: false,
            }],
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
