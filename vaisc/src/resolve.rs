//! Module loading: follows `U` imports from the entry file, parsing each module once.
//!
//! `U std/x` is looked up in the standard library directory, any other path relative to the
//! importing file. Modules are returned in a deterministic order (the entry file first, then in
//! order of first import), which later stages rely on for deterministic output.

use crate::ast::{ItemKind, Module};
use crate::diagnostics::{self as diag, Diagnostic};
use crate::parser::parse;
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
    // The prelude (traits `Display` and `Eq`, `Option`, `Result`, `Vec`) is in every program,
    // loaded after the program's own modules. It holds only generic items and traits, so a
    // program that uses none of it gets no code from it.
    match import(
        sources,
        &mut loaded,
        Path::new("."),
        &["std", "prelude"],
        Span::default(),
        opts,
    ) {
        Ok(Some(id)) => queue.insert(0, id),
        Ok(None) => {}
        Err(d) => diags.push(d),
    }
    let mut prelude: Vec<FileId> = queue
        .first()
        .copied()
        .filter(|&f| f != entry)
        .into_iter()
        .collect();
    while let Some(file) = queue.pop() {
        let (module, mut d) = parse(file, &sources.file(file).text);
        diags.append(&mut d);
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
        if prelude.contains(&file) {
            prelude.extend(imports.iter().copied());
        }
        queue.extend(imports.into_iter().rev());
        modules.push(LoadedModule { file, module });
        if queue.is_empty() {
            // `print`, `println` and `format` are lowered to calls of `std/fmt`'s functions:
            // a program that names them gets that module, once, after its own.
            let wants_fmt = modules
                .iter()
                .any(|m| names_fmt(&sources.file(m.file).text));
            if wants_fmt {
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
    yield_prelude(&mut modules, &prelude);
    (modules, diags)
}

/// The prelude's items yield to the program's own: an item of the prelude modules whose name
/// the program also declares (a program's own `S Vec`, say) is dropped, with its impls.
fn yield_prelude(modules: &mut [LoadedModule], prelude: &[FileId]) {
    fn declared(kind: &ItemKind) -> Option<&str> {
        Some(match kind {
            ItemKind::Fn(f) => &f.name.name,
            ItemKind::Struct(s) => &s.name.name,
            ItemKind::Enum(e) => &e.name.name,
            ItemKind::Trait(t) => &t.name.name,
            ItemKind::Alias(a) => &a.name.name,
            ItemKind::Impl(i) => &i.target.name,
            ItemKind::Global(g) | ItemKind::Const(g) => &g.name.name,
            _ => return None,
        })
    }
    let own: std::collections::HashSet<String> = modules
        .iter()
        .filter(|m| !prelude.contains(&m.file))
        .flat_map(|m| m.module.items.iter())
        .filter(|i| !matches!(i.kind, ItemKind::Impl(_)))
        .filter_map(|i| declared(&i.kind).map(str::to_string))
        .collect();
    for m in modules.iter_mut().filter(|m| prelude.contains(&m.file)) {
        m.module
            .items
            .retain(|i| declared(&i.kind).is_none_or(|n| !own.contains(n)));
    }
}

/// Whether a source file names one of the formatting built-ins (as a word, outside strings
/// and comments).
fn names_fmt(text: &str) -> bool {
    let (tokens, _) = crate::lexer::lex(crate::source::FileId::default(), text);
    tokens.iter().any(|t| {
        matches!(&t.kind, crate::lexer::TokenKind::Ident(n)
            if n == "print" || n == "println" || n == "format")
    })
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
