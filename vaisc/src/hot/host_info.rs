//! The host's side of the hot-reload contract, kept in a small text file beside the host
//! executable (`game.vais-hot` for `game`), so that `--patch-only` builds can use the host's
//! slots and report incompatible changes before anything is loaded.
//!
//! Format, one record per line, fields separated by tabs:
//! `vais-hot-host\t<abi version>`, `program\t<id>`, `fn\t<slot>\t<name>\t<signature>`,
//! `code\t<function>\t<own hash>\t<code hash>\t<exported>` (the hashes of `super::hashes`;
//! exported `1` when the host exports the function for patches), `init\t<global>\t<initial
//! value>` (as [`super::initial_values`] writes it, tab-free), and each layout as
//! `type\t<kind>\t<name>\t<size>\t<room>\t<refusal>` followed by its
//! `variant\t<name>\t<tag>\t<flags>` and `field\t<name>\t<type>\t<kind>\t<flags>\t<offset>\t<size>\t
//! <count>\t<default>` lines (a field after a variant belongs to it; `-` for none, defaults in
//! hex). These are the manifest's records (`vais_hot_abi::layout`), which the runtime reads.

use codegen_hot::Plan;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use vais_hot_abi::layout::{
    FieldLayout, LayoutKind, Storage, TypeLayout, ValueKind, VariantLayout,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFunction {
    pub slot: u32,
    pub name: String,
    pub signature: String,
}

/// What the host has of one function's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCode {
    pub name: String,
    /// The function's own code hash.
    pub own: u64,
    /// The hash of its code, the layouts it uses and everything it calls short of a table
    /// slot.
    pub code: u64,
    /// The host exports it (`vais_hot_abi::HOST_FN_PREFIX`): patches call it instead of
    /// carrying a copy while its code hash is unchanged.
    pub exported: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    pub program_id: u64,
    pub functions: Vec<HostFunction>,
    pub layouts: Vec<TypeLayout>,
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
            layouts: plan.layouts.iter().map(|l| l.layout.clone()).collect(),
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
            write_layout(&mut out, l);
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
                ["type", kind, name, size, room, refusal] => info.layouts.push(TypeLayout {
                    kind: LayoutKind::from_code(kind.parse().ok()?)?,
                    name: name.to_string(),
                    size: size.parse().ok()?,
                    fields: Vec::new(),
                    variants: Vec::new(),
                    storage: optional(room)?.map(|room| Storage { address: 0, room }),
                    refusal: (*refusal != "-").then(|| refusal.to_string()),
                }),
                ["code", name, own, code, exported] => info.code.push(HostCode {
                    name: name.to_string(),
                    own: own.parse().ok()?,
                    code: code.parse().ok()?,
                    exported: *exported == "1",
                }),
                ["variant", name, tag, flags] => {
                    info.layouts.last_mut()?.variants.push(VariantLayout {
                        name: name.to_string(),
                        tag: tag.parse().ok()?,
                        fields: Vec::new(),
                        flags: flags.parse().ok()?,
                    })
                }
                ["field", rest @ ..] => {
                    let f = parse_field(rest)?;
                    let l = info.layouts.last_mut()?;
                    match l.variants.last_mut() {
                        Some(v) => v.fields.push(f),
                        None => l.fields.push(f),
                    }
                }
                ["init", name, value] => info
                    .initial_values
                    .push((name.to_string(), value.to_string())),
                _ => return None,
            }
        }
        Some(info)
    }
}

fn write_layout(out: &mut String, l: &TypeLayout) {
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    out.push_str(&format!(
        "type\t{}\t{}\t{}\t{}\t{}\n",
        l.kind as u32,
        l.name,
        l.size,
        opt(l.storage.map(|s| s.room)),
        l.refusal.as_deref().unwrap_or("-")
    ));
    let field = |out: &mut String, f: &FieldLayout| {
        let default = f.default.as_ref().map_or("-".to_string(), |d| {
            d.iter().map(|b| format!("{b:02x}")).collect()
        });
        out.push_str(&format!(
            "field\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{default}\n",
            f.name,
            f.type_name,
            f.kind.code(),
            f.flags,
            f.offset,
            f.size,
            f.count
        ));
    };
    for f in &l.fields {
        field(out, f);
    }
    for v in &l.variants {
        out.push_str(&format!("variant\t{}\t{}\t{}\n", v.name, v.tag, v.flags));
        for f in &v.fields {
            field(out, f);
        }
    }
}

/// `-` as `None`, else a number; `None` (outer) if it is neither.
fn optional<T: std::str::FromStr>(s: &str) -> Option<Option<T>> {
    if s == "-" {
        Some(None)
    } else {
        s.parse().ok().map(Some)
    }
}

fn parse_field(parts: &[&str]) -> Option<FieldLayout> {
    let [name, type_name, kind, flags, offset, size, count, default] = parts else {
        return None;
    };
    let default = if *default == "-" {
        None
    } else {
        let bytes: Option<Vec<u8>> = (0..default.len() / 2)
            .map(|i| u8::from_str_radix(default.get(i * 2..i * 2 + 2)?, 16).ok())
            .collect();
        Some(bytes?)
    };
    Some(FieldLayout {
        name: name.to_string(),
        type_name: type_name.to_string(),
        kind: ValueKind::from_code(kind.parse().ok()?),
        flags: flags.parse().ok()?,
        offset: offset.parse().ok()?,
        size: size.parse().ok()?,
        count: count.parse().ok()?,
        default,
    })
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
            layouts: vec![TypeLayout {
                kind: LayoutKind::Enum,
                name: "Shape".into(),
                size: 16,
                fields: Vec::new(),
                variants: vec![VariantLayout {
                    name: "Dot".into(),
                    tag: 0,
                    fields: vec![FieldLayout {
                        name: "0".into(),
                        type_name: "f64".into(),
                        kind: ValueKind::Float { bits: 64 },
                        offset: 8,
                        size: 8,
                        count: 1,
                        default: Some(vec![0, 1, 0xff]),
                        flags: 1,
                    }],
                    flags: 1,
                }],
                storage: Some(Storage {
                    address: 0,
                    room: 96,
                }),
                refusal: Some("why: at game.vais:3".into()),
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
