//! Module loading: follows `U` imports from the entry file, parsing each module once.
//!
//! `U std/x` is looked up in the standard library directory, any other path relative to the
//! importing file. Modules are returned in a deterministic order (the entry file first, then in
//! order of first import), which later stages rely on for deterministic output. It also owns
//! the [`ParseCache`], with which watch keeps the trees of unchanged files between saves.

use crate::ast::{ItemKind, Module};
use crate::diagnostics::{self as diag, Diagnostic};
use crate::parser::{parse_file_skipping, reparse, Parsed};
use crate::source::{FileId, SourceMap, Span};
use std::collections::HashMap;
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

/// Parsed files kept from one load of a program to the next (by `vaisc watch`), so that a
/// file that did not change is not lexed and parsed again.
///
/// The rule: a file's syntax tree is reused when its path and its whole text are the same as
/// last time, it parsed without any diagnostic then, and it gets the same [`FileId`] (its
/// spans carry the id; imports that change the load order give later files other ids, and
/// those are parsed again). Parsing is a function of the text and the id alone, so the reused
/// tree, and the empty diagnostic list, are what parsing again would give. A file whose text
/// changed is parsed again, taking from its last clean tree (with the same id) the function
/// bodies the edit left alone, under `parser::reparse`'s rule.
#[derive(Debug, Default)]
pub struct ParseCache {
    files: HashMap<PathBuf, CachedFile>,
    /// How many files the last load parsed.
    pub parsed: usize,
    /// How many files the last load took from the cache.
    pub reused: usize,
    /// How many function bodies the last load's parses took from the files' last trees
    /// (`parser::reparse`).
    pub bodies_taken: usize,
}

#[derive(Debug)]
struct CachedFile {
    file: FileId,
    text: String,
    names_fmt: bool,
    /// The file parsed without diagnostics: only then is its tree kept.
    clean: bool,
    /// The tree, while the cache holds it: a load takes it out for the type checker, and
    /// [`ParseCache::keep`] puts it back.
    module: Option<Module>,
}

impl ParseCache {
    pub fn new() -> ParseCache {
        ParseCache::default()
    }

    /// Takes the tree of `file` if it can be reused under the rule above.
    fn take(&mut self, file: FileId, path: &Path, text: &str) -> Option<(Module, bool)> {
        let entry = self.files.get_mut(path)?;
        if entry.file != file || entry.text != text {
            return None;
        }
        let module = entry.module.take()?;
        Some((module, entry.names_fmt))
    }

    /// Takes the last text and clean tree of `file` if it was read last time with the same
    /// id but its text changed since, for `parser::reparse` to take the bodies it shares.
    fn take_edited(&mut self, file: FileId, path: &Path) -> Option<(String, Module)> {
        let entry = self
            .files
            .get_mut(path)
            .filter(|e| e.file == file && e.clean)?;
        let module = entry.module.take()?;
        Some((std::mem::take(&mut entry.text), module))
    }

    /// Records what the load of `file` found, before its tree goes to the type checker.
    fn record(&mut self, file: FileId, path: &Path, text: &str, names_fmt: bool, clean: bool) {
        let entry = CachedFile {
            file,
            text: text.to_string(),
            names_fmt,
            clean,
            module: None,
        };
        let replaced = self.files.insert(path.to_path_buf(), entry);
        if let Some(module) = replaced.and_then(|e| e.module) {
            free_elsewhere(module);
        }
    }

    /// Keeps `file`'s tree out of the cache after this load (its tree was changed after
    /// parsing).
    fn forget(&mut self, file: FileId) {
        for entry in self.files.values_mut().filter(|e| e.file == file) {
            entry.clean = false;
        }
    }

    /// Puts back the trees of a finished load. A file that the load did not read, or that
    /// had syntax errors, is forgotten.
    pub fn keep(&mut self, modules: Vec<LoadedModule>) {
        let mut by_file: HashMap<FileId, &mut CachedFile> = self
            .files
            .values_mut()
            .filter(|e| e.clean)
            .map(|e| (e.file, e))
            .collect();
        for m in modules {
            if let Some(entry) = by_file.get_mut(&m.file) {
                entry.module = Some(m.module);
            }
        }
        self.files.retain(|_, e| e.module.is_some());
    }
}

/// Frees the tree of a file that changed on a thread of its own. The tree of a large file takes
/// milliseconds to free (some 15 ms for 50,000 lines), and the load that replaced it lies on
/// watch's way from a save to the running program's new code. Freeing walks the tree as deeply
/// as it nests, so the thread gets the compiler's stack. If no thread can be started, the
/// closure, and with it the tree, is freed here instead.
fn free_elsewhere(module: Module) {
    let _ = std::thread::Builder::new()
        .name("vaisc-free".to_string())
        .stack_size(crate::COMPILER_STACK)
        .spawn(move || drop(module));
}

/// Loads `entry` (already added to `sources`) and everything it imports, transitively.
pub fn load_program(
    sources: &mut SourceMap,
    entry: FileId,
    opts: &LoadOptions,
) -> (Vec<LoadedModule>, Vec<Diagnostic>) {
    load_program_cached(sources, entry, opts, &mut ParseCache::new())
}

/// [`load_program`], reusing the trees in `cache` where its rule allows and recording in it
/// what this load read. Give the modules back with [`ParseCache::keep`] after checking them.
pub fn load_program_cached(
    sources: &mut SourceMap,
    entry: FileId,
    opts: &LoadOptions,
    cache: &mut ParseCache,
) -> (Vec<LoadedModule>, Vec<Diagnostic>) {
    load_program_skipping(sources, entry, opts, cache, &|_, _| Vec::new())
}

/// For a file's path and text, the function bodies to pass over in it (offsets, `{` to `}`,
/// in order).
pub type BodySkipsFor<'a> = &'a dyn Fn(&Path, &str) -> Vec<(usize, usize)>;

/// [`load_program_cached`], passing over the function bodies `skips` names for a file (by
/// its path and text; see `parser::parse_file_skipping`): for `--patch-only`'s check that
/// takes those bodies from the host's record. Such trees are of no use to any other check, so
/// `cache` is to be one of their own.
pub fn load_program_skipping(
    sources: &mut SourceMap,
    entry: FileId,
    opts: &LoadOptions,
    cache: &mut ParseCache,
    skips: BodySkipsFor,
) -> (Vec<LoadedModule>, Vec<Diagnostic>) {
    let mut previous = std::mem::take(cache);
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
    // Whether a module loaded since the last look names a formatting built-in.
    let mut wants_fmt = false;
    while let Some(file) = queue.pop() {
        let source = sources.file(file);
        let (module, names_fmt, clean) = match previous.take(file, &source.path, &source.text) {
            Some((module, names_fmt)) => {
                cache.reused += 1;
                (module, names_fmt, true)
            }
            None => {
                let skipped = skips(&source.path, &source.text);
                // A check that passes over bodies has trees of its own (see above).
                let edited = skipped
                    .is_empty()
                    .then(|| previous.take_edited(file, &source.path))
                    .flatten();
                let reparsed = edited.and_then(|(old_text, mut old)| {
                    let again = reparse(file, &old_text, &mut old, &source.text);
                    free_elsewhere(old);
                    again
                });
                let Parsed {
                    module,
                    diags: mut d,
                    names_fmt,
                } = match reparsed {
                    Some(again) => {
                        cache.bodies_taken += again.taken;
                        again.parsed
                    }
                    None => parse_file_skipping(file, &source.text, &skipped),
                };
                let clean = d.is_empty();
                diags.append(&mut d);
                cache.parsed += 1;
                (module, names_fmt, clean)
            }
        };
        cache.record(file, &source.path, &source.text, names_fmt, clean);
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
        if prelude.contains(&file) {
            prelude.extend(imports.iter().copied());
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
    // A pruned prelude tree depends on the program's names, not only on its own text, so
    // the cache must not hand it out again.
    for file in yield_prelude(&mut modules, &prelude) {
        cache.forget(file);
    }
    (modules, diags)
}

/// The prelude's items yield to the program's own: an item of the prelude modules whose name
/// the program also declares (a program's own `S Vec`, say) is dropped, with its impls.
/// Returns the files whose trees lost items.
fn yield_prelude(modules: &mut [LoadedModule], prelude: &[FileId]) -> Vec<FileId> {
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
    let mut pruned = Vec::new();
    for m in modules.iter_mut().filter(|m| prelude.contains(&m.file)) {
        let before = m.module.items.len();
        m.module
            .items
            .retain(|i| declared(&i.kind).is_none_or(|n| !own.contains(n)));
        if m.module.items.len() != before {
            pruned.push(m.file);
        }
    }
    pruned
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `main.vais` from `dir` with `cache` and gives the trees back, as a check does:
    /// the syntax trees (as text) and the diagnostic codes.
    fn load(dir: &Path, cache: &mut ParseCache) -> (Vec<String>, Vec<&'static str>) {
        let mut sources = SourceMap::new();
        let text = std::fs::read_to_string(dir.join("main.vais")).expect("read main");
        let entry = sources.add(dir.join("main.vais"), text);
        let (modules, diags) =
            load_program_cached(&mut sources, entry, &LoadOptions::default(), cache);
        let trees = modules.iter().map(|m| format!("{:?}", m.module)).collect();
        cache.keep(modules);
        (trees, diags.iter().map(|d| d.code).collect())
    }

    #[test]
    fn unchanged_clean_files_are_reused_and_give_what_parsing_gives() {
        let dir = std::env::temp_dir().join(format!("vaisc-parse-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("main.vais"), "U b\nF main() -> i64 = g()\n").expect("main");
        std::fs::write(dir.join("b.vais"), "F g() -> i64 = 1\n").expect("b");
        // Every program also loads the prelude's files: count them on a program without
        // imports of its own.
        let bare = dir.join("bare");
        std::fs::create_dir_all(&bare).expect("bare dir");
        std::fs::write(bare.join("main.vais"), "F main() -> i64 = 0\n").expect("bare main");
        let mut bare_cache = ParseCache::new();
        load(&bare, &mut bare_cache);
        let prelude = bare_cache.parsed - 1;
        let mut cache = ParseCache::new();
        let first = load(&dir, &mut cache);
        assert_eq!((cache.parsed, cache.reused), (2 + prelude, 0));
        let again = load(&dir, &mut cache);
        assert_eq!((cache.parsed, cache.reused), (0, 2 + prelude));
        assert_eq!(again, first);

        // An edited file is parsed again, the other one is not.
        std::fs::write(dir.join("b.vais"), "F g() -> i64 = 2\n").expect("b");
        let edited = load(&dir, &mut cache);
        assert_eq!((cache.parsed, cache.reused), (1, 1 + prelude));
        assert_eq!(edited, load(&dir, &mut ParseCache::new()));

        // A file with a syntax error is never kept: its diagnostics come from parsing it.
        std::fs::write(dir.join("b.vais"), "F g() -> i64 = (\n").expect("b");
        let broken = load(&dir, &mut cache);
        assert!(!broken.1.is_empty());
        assert_eq!(load(&dir, &mut cache), broken);
        assert_eq!((cache.parsed, cache.reused), (1, 1 + prelude));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_edited_file_takes_the_bodies_the_edit_left_from_its_last_tree() {
        let dir = std::env::temp_dir().join(format!("vaisc-reparse-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let text = |n: i64| {
            format!("F g() -> i64 {{\n    {n}\n}}\nF h() -> i64 {{\n    3\n}}\nF main() -> i64 {{\n    g() + h()\n}}\n")
        };
        std::fs::write(dir.join("main.vais"), text(1)).expect("main");
        let mut cache = ParseCache::new();
        load(&dir, &mut cache);
        // A longer body moves the two after it: both are taken, moved, as parsing gives them.
        std::fs::write(dir.join("main.vais"), text(100)).expect("main");
        let edited = load(&dir, &mut cache);
        assert_eq!((cache.parsed, cache.bodies_taken), (1, 2));
        assert_eq!(edited, load(&dir, &mut ParseCache::new()));
        // A file with a syntax error is parsed whole, for its diagnostics.
        std::fs::write(dir.join("main.vais"), text(1).replace("    3", "    3 +")).expect("main");
        let broken = load(&dir, &mut cache);
        assert_eq!(cache.bodies_taken, 0);
        assert_eq!(broken, load(&dir, &mut ParseCache::new()));
        assert!(!broken.1.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
