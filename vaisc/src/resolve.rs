//! Module loading: follows `U` imports from the entry file, parsing each module once.
//!
//! `U std/x` is looked up in the standard library directory, any other path relative to the
//! importing file. Modules are returned in a deterministic order (the entry file first, then in
//! order of first import), which later stages rely on for deterministic output.

use crate::ast::{ItemKind, Module};
use crate::diagnostics::{self as diag, Diagnostic};
use crate::parser::{parse_file, Parsed};
use crate::source::{FileId, SourceMap, Span};
use std::path::{Path, PathBuf};

/// A parsed module and the file it came from.
#[derive(Debug)]
pub struct LoadedModule {
    pub file: FileId,
    pub module: Module,
}

/// Where to find things while loading.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The directory `U std/...` refers to; `None` for the standard library embedded in vaisc.
    pub std_dir: Option<PathBuf>,
}

/// Loads `entry` (already added to `sources`) and everything it imports, transitively.
pub fn load_program(
    sources: &mut SourceMap,
    entry: FileId,
    opts: &LoadOptions,
) -> (Vec<LoadedModule>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut modules = Vec::new();
    // The canonical path of every file loaded from disk. The entry keeps the user's spelling
    // for messages (`main.vais`), so a cycle back to it (`a.vais` importing `main`) is caught
    // by this list rather than by comparing paths as spelt.
    let mut loaded: Vec<PathBuf> = sources
        .file(entry)
        .path
        .canonicalize()
        .into_iter()
        .collect();
    let mut queue = vec![entry];
    // Whether a module loaded since the last look names a formatting built-in.
    let mut wants_fmt = false;
    while let Some(file) = queue.pop() {
        let Parsed {
            module,
            diags: mut d,
            names_fmt,
        } = parse_file(file, &sources.file(file).text);
        diags.append(&mut d);
        wants_fmt |= names_fmt;
        let dir = sources
            .file(file)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        // Imports are pushed in reverse so that they are loaded in source order.
        let mut imports = Vec::new();
        for item in &module.items {
            if let ItemKind::Use(path, span) = &item.kind {
                let segs: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
                match import(sources, &mut loaded, &dir, &segs, *span, opts) {
                    Ok(Some(id)) => imports.push(id),
                    Ok(None) => {}
                    Err(d) => diags.push(d),
                }
            }
        }
        queue.extend(imports.into_iter().rev());
        modules.push(LoadedModule { file, module });
        if queue.is_empty() {
            // `print`, `println` and `format` are lowered to calls of `std/fmt`'s functions:
            // a program that names them gets that module, once, after its own.
            if std::mem::take(&mut wants_fmt) {
                match import(
                    sources,
                    &mut loaded,
                    &dir,
                    &["std", "fmt"],
                    Span::default(),
                    opts,
                ) {
                    Ok(Some(id)) => queue.push(id),
                    Ok(None) => {}
                    Err(d) => diags.push(d),
                }
            }
        }
    }
    (modules, diags)
}

/// Resolves and reads one import; `None` when that file is already loaded.
fn import(
    sources: &mut SourceMap,
    loaded: &mut Vec<PathBuf>,
    dir: &Path,
    segs: &[&str],
    span: Span,
    opts: &LoadOptions,
) -> Result<Option<FileId>, Diagnostic> {
    let (base, rest) = match (segs.split_first(), &opts.std_dir) {
        (Some((&"std", rest)), Some(dir)) if !rest.is_empty() => (dir.clone(), rest),
        (Some((&"std", rest)), None) if !rest.is_empty() => {
            let name = rest.join("/");
            let virtual_path = PathBuf::from(format!("<std>/{name}.vais"));
            if sources.find(&virtual_path).is_some() {
                return Ok(None);
            }
            let text = crate::stdlib::module(&name)
                .ok_or_else(|| diag::module_not_found(span, &segs.join("/")))?;
            return Ok(Some(sources.add(virtual_path, text.to_string())));
        }
        _ => (dir.to_path_buf(), segs),
    };
    let mut path = base;
    for seg in rest {
        path.push(seg);
    }
    path.set_extension("vais");
    let display = segs.join("/");
    let canonical = path
        .canonicalize()
        .map_err(|_| diag::module_not_found(span, &display))?;
    if loaded.contains(&canonical) {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&canonical).map_err(|_| diag::module_not_found(span, &display))?;
    loaded.push(canonical.clone());
    Ok(Some(sources.add(canonical, text)))
}
