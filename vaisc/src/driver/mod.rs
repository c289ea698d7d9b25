//! The compilation pipeline: source file to checked program to object file to executable.
//!
//! The driver owns the order of the stages and the hand-off to the system C compiler for
//! linking. It never prints: diagnostics are returned for the caller to render, and failures
//! are [`DriverError`] values.

use crate::codegen;
use crate::diagnostics::Diagnostic;
use crate::resolve::{load_program_skipping, LoadOptions, ParseCache};
use crate::source::SourceMap;
use crate::timings;
use crate::tir::Program;
use crate::typeck;
use inkwell::context::Context;
use std::path::{Path, PathBuf};

mod hot;
mod libs;
mod link;

pub use hot::{
    build_hot, build_hot_cached, build_patch_taking, patch_path, read_host_check, HotBuild,
    HotReport, HASHED_PHASE, REUSED_PHASE,
};
pub use libs::LinkOptions;
pub use link::fast_linker_args;

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("could not compile {path} due to {count} previous error{}", if *count == 1 { "" } else { "s" })]
    Diagnostics { path: PathBuf, count: usize },
    #[error("code generation failed: {0}")]
    Codegen(String),
    #[error("linking failed: {0}")]
    Link(String),
    #[error(
        "cannot find C library `{name}` (-l{name}): {}",
        missing_library_detail(name, dirs)
    )]
    MissingLibrary { name: String, dirs: Vec<PathBuf> },
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
    #[error("{0}")]
    Runtime(String),
    #[error("no hot host at {}: build it first with `vaisc build --hot`", path.display())]
    NoHost { path: PathBuf },
    /// The program checked, but a hot build cannot carry it; the diagnostics say where.
    #[error("could not build {} for hot reload due to {} previous error{}", path.display(), diagnostics.len(), if diagnostics.len() == 1 { "" } else { "s" })]
    HotRefused {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("this change cannot be applied to the running program:\n  {}", .0.join("\n  "))]
    Incompatible(Vec<String>),
}

/// Where a missing library was looked for, for its one-line error.
fn missing_library_detail(name: &str, dirs: &[PathBuf]) -> String {
    let files = match name.strip_prefix(':') {
        Some(file) => format!("no {file}"),
        None => format!("no lib{name}.so or lib{name}.a"),
    };
    let user: Vec<String> = dirs.iter().map(|d| format!("-L {}", d.display())).collect();
    if user.is_empty() {
        format!("{files} in the C compiler's library path")
    } else {
        format!(
            "{files} in {} or the C compiler's library path",
            user.join(", ")
        )
    }
}

impl From<codegen::CodegenError> for DriverError {
    fn from(e: codegen::CodegenError) -> DriverError {
        DriverError::Codegen(e.to_string())
    }
}

impl From<codegen_hot::HotError> for DriverError {
    fn from(e: codegen_hot::HotError) -> DriverError {
        DriverError::Codegen(e.to_string())
    }
}

/// What `vaisc build` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    Executable,
    Object,
    LlvmIr,
}

#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub opt_level: u8,
    pub debug_info: bool,
    pub emit: Emit,
    pub output: PathBuf,
    /// The C libraries executables and hot hosts link.
    pub link: LinkOptions,
}

/// The result of the front end: all sources, all diagnostics, and the program if it checked.
pub struct Checked {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub program: Option<Program>,
    /// Which check of a [`FrontEnd`] this is, and what it changed of the one before (`None`
    /// outside one).
    pub revision: Option<typeck::Revision>,
    /// The check's record of the program's items and bodies ([`check_file_recorded`]): a
    /// hot host keeps it for `--patch-only`, which compares its own with the host's.
    pub record: Option<typeck::CheckRecord>,
}

impl Checked {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// The standard library directory if `$VAIS_STD` names one; otherwise the library embedded
/// in vaisc is used.
pub fn std_dir() -> Option<PathBuf> {
    std::env::var_os("VAIS_STD")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// Reads, parses, resolves and type-checks `path` and everything it imports.
pub fn check_file(path: &Path) -> Result<Checked, DriverError> {
    check_file_cached(path, &mut ParseCache::new())
}

/// [`check_file`], reusing the syntax trees of unchanged files from `cache` (see
/// [`ParseCache`] for the rule) and leaving this check's trees in it for the next one.
pub fn check_file_cached(path: &Path, cache: &mut ParseCache) -> Result<Checked, DriverError> {
    check_with(path, cache, &no_skips, |modules, _| {
        let (program, diags) = typeck::check(modules);
        (program, diags, None)
    })
}

/// [`check_file_cached`], also recording the check ([`Checked::record`]) for a hot build.
pub fn check_file_recorded(path: &Path, cache: &mut ParseCache) -> Result<Checked, DriverError> {
    check_with(path, cache, &no_skips, typeck::check_recorded)
}

/// `--patch-only`'s front end, given the record of the host's check: checks only the bodies
/// the patch may carry, and takes the others from the host's check (`hot::check_taking`).
/// `None` if that check cannot be made (the program changed beyond plain function bodies, or
/// it has something to report); the caller then checks it in full.
pub fn check_file_taking(
    path: &Path,
    cache: &mut ParseCache,
    host: &crate::hot::HostCheck,
) -> Result<Option<Checked>, DriverError> {
    let took = std::cell::Cell::new(false);
    let skips = crate::hot::BodySkips::predict(host);
    let skip = |file: &Path, text: &str| skips.for_file(file, text);
    let checked = check_with(path, cache, &skip, |modules, sources| {
        // The phase is named once it is over, for what it did.
        let taken = timings::phase(
            || {
                let name = if took.get() {
                    TAKING_PHASE
                } else {
                    "check (taking no bodies from the host's)"
                };
                name.into()
            },
            || {
                let taken = crate::hot::check_taking(modules, sources, host);
                took.set(taken.is_some());
                taken
            },
        );
        match taken {
            Some((program, record)) => (Some(program), Vec::new(), Some(record)),
            None => (None, Vec::new(), None),
        }
    })?;
    Ok(took.get().then_some(checked))
}

/// The `VAIS_TIMINGS` phase of [`check_file_taking`]'s check.
pub const TAKING_PHASE: &str = "check (bodies taken from the host's)";
/// The phase of the full front end `vaisc build --hot --patch-only` runs when the patch cannot
/// be built from [`check_file_taking`]'s check.
pub const RECHECK_PHASE: &str = "front end (in full, after taking bodies)";

/// What the front end keeps from one check of a program to the next (`vaisc watch`): the
/// syntax trees of the files and the checker of the last check.
#[derive(Default)]
pub struct FrontEnd {
    pub trees: ParseCache,
    pub session: typeck::Session,
}

impl FrontEnd {
    pub fn new() -> FrontEnd {
        FrontEnd::default()
    }

    /// Gives back a check's program once the caller is done with it, for the next check to
    /// reuse what did not change.
    pub fn keep(&mut self, checked: Checked) {
        if let Some(program) = checked.program {
            self.session.keep(program);
        }
    }
}

/// [`check_file_cached`] that also re-checks only the function bodies that changed since the
/// last check of `front`, where `typeck::Session` shows that gives what a fresh check gives.
/// Give the result back with [`FrontEnd::keep`] after using it.
pub fn check_file_incremental(path: &Path, front: &mut FrontEnd) -> Result<Checked, DriverError> {
    let session = &mut front.session;
    let mut checked = check_with(path, &mut front.trees, &no_skips, |modules, sources| {
        let (program, diags) = session.check(modules, sources);
        (program, diags, None)
    })?;
    checked.revision = front.session.revision().cloned();
    Ok(checked)
}

/// Reads, parses (reusing `cache`'s trees, and passing over the function bodies `skips`
/// names for each file: `resolve::load_program_skipping`) and resolves `path`, and checks it
/// with `check`.
fn check_with(
    path: &Path,
    cache: &mut ParseCache,
    skips: crate::resolve::BodySkipsFor,
    check: impl FnOnce(
        &[crate::resolve::LoadedModule],
        &SourceMap,
    ) -> (
        Option<Program>,
        Vec<Diagnostic>,
        Option<typeck::CheckRecord>,
    ),
) -> Result<Checked, DriverError> {
    let text = std::fs::read_to_string(path).map_err(|e| DriverError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut sources = SourceMap::new();
    // Import lookups compare canonical paths; the user's spelling is kept for messages.
    let entry = sources.add(path, text);
    let opts = LoadOptions { std_dir: std_dir() };
    let (modules, mut diagnostics) = timings::phase(
        || "load".into(),
        || load_program_skipping(&mut sources, entry, &opts, cache, skips),
    );
    let syntax_ok = !diagnostics.iter().any(Diagnostic::is_error);
    let mut program = None;
    let mut record = None;
    if syntax_ok {
        let (p, mut d, r) = timings::phase(|| "check".into(), || check(&modules, &sources));
        diagnostics.append(&mut d);
        program = p;
        record = r;
    }
    cache.keep(modules);
    Ok(Checked {
        sources,
        diagnostics,
        program,
        revision: None,
        record,
    })
}

/// No function body to pass over, in any file: every check but `--patch-only`'s.
fn no_skips(_: &Path, _: &str) -> Vec<(usize, usize)> {
    Vec::new()
}

/// The checked program, or the error that it has errors.
fn program_of<'a>(checked: &'a Checked, path: &Path) -> Result<&'a Program, DriverError> {
    checked
        .program
        .as_ref()
        .ok_or_else(|| DriverError::Diagnostics {
            path: path.to_path_buf(),
            count: checked.error_count(),
        })
}

/// The unoptimised LLVM module of a checked program; with `line_tables` (hot builds), with
/// DWARF line tables even without `-g`; with `hot_host`, as a hot host's (layouts read from
/// the offset table by code that is not hot); `runtime_globals` are a patch's globals whose
/// storage the runtime owns.
fn lower<'ctx>(
    context: &'ctx Context,
    checked: &Checked,
    program: &Program,
    opts: &BuildOptions,
    line_tables: bool,
    hot_host: bool,
    runtime_globals: Vec<crate::tir::GlobalId>,
) -> Result<inkwell::module::Module<'ctx>, DriverError> {
    let cg_opts = codegen::Options {
        opt_level: opts.opt_level,
        debug_info: opts.debug_info,
        line_tables,
        hot_host,
        runtime_globals,
    };
    Ok(codegen::lower(
        context,
        program,
        &checked.sources,
        &cg_opts,
    )?)
}

/// Generates code for a checked program and writes the requested output.
pub fn build(checked: &Checked, path: &Path, opts: &BuildOptions) -> Result<(), DriverError> {
    let program = program_of(checked, path)?;
    let units = codegen::unit_count(program, opts.opt_level);
    if opts.emit == Emit::Executable && units > 1 {
        return build_units(checked, program, opts, units);
    }
    let context = Context::create();
    let module = lower(&context, checked, program, opts, false, false, Vec::new())?;
    // A normal build has no runtime: std/hot's functions become no-ops.
    codegen_hot::provide_fallbacks(&context, &module)?;
    codegen::verify_after(&module, "adding the hot-reload fallbacks")?;
    codegen::optimize(&module, opts.opt_level)?;
    match opts.emit {
        Emit::LlvmIr => Ok(codegen::write_ir(&module, &opts.output)?),
        Emit::Object => Ok(codegen::write_object(
            &module,
            opts.opt_level,
            &opts.output,
        )?),
        Emit::Executable => {
            let obj = temp_object_path(&opts.output);
            codegen::write_object(&module, opts.opt_level, &obj)?;
            let linked = link::executable(std::slice::from_ref(&obj), &opts.output, &opts.link);
            let _ = std::fs::remove_file(&obj);
            linked
        }
    }
}

/// An executable built from `count` units in parallel (`codegen::units`), linked together.
fn build_units(
    checked: &Checked,
    program: &Program,
    opts: &BuildOptions,
    count: usize,
) -> Result<(), DriverError> {
    let units = codegen::split(program, count);
    let objects: Vec<PathBuf> = (0..count)
        .map(|i| unit_object_path(&opts.output, i))
        .collect();
    let cg_opts = codegen::Options {
        opt_level: opts.opt_level,
        debug_info: opts.debug_info,
        line_tables: false,
        hot_host: false,
        runtime_globals: Vec::new(),
    };
    let started = codegen::write_units(
        program,
        &checked.sources,
        &cg_opts,
        &units,
        false,
        &objects,
        &fallbacks,
        || link::start_executable(&objects, &opts.output, &opts.link),
    );
    let linked = started
        .map_err(DriverError::from)
        .and_then(|linking| linking)
        .and_then(|linking| timings::phase(|| "linking (rest)".into(), || linking.wait()));
    for obj in &objects {
        let _ = std::fs::remove_file(obj);
    }
    linked
}

/// A normal build has no runtime: std/hot's functions become no-ops in each unit.
fn fallbacks<'ctx>(
    _unit: usize,
    ctx: &'ctx Context,
    module: &inkwell::module::Module<'ctx>,
) -> Result<(), codegen::CodegenError> {
    codegen_hot::provide_fallbacks(ctx, module)
        .map_err(|e| codegen::CodegenError::Internal(e.to_string()))?;
    codegen::verify_after(module, "adding the hot-reload fallbacks")
}

/// The temporary object file of unit `i` next to the output, unique to this process.
pub(crate) fn unit_object_path(output: &Path, i: usize) -> PathBuf {
    let obj = temp_object_path(output);
    obj.with_extension(format!("{i}.o"))
}

/// A temporary object file next to the output, unique to this process.
pub(crate) fn temp_object_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    output.with_file_name(format!(".{name}.{}.o", std::process::id()))
}
