//! Hot builds: `vaisc build --hot` writes the host executable (with the jump table and the
//! runtime) and the patch library beside it; `--patch-only` rebuilds just the patch, for the
//! host already built at the output path, and refuses changes no reload can carry.

use super::{
    link, program_of, temp_object_path, unit_object_path, BuildOptions, Checked, DriverError,
};
use crate::codegen::{self, Part};
use crate::hot::{self, HashCache, HostInfo, Incompatible};
use crate::tir::Program;
use codegen_hot::Plan;
use inkwell::context::Context;
use inkwell::passes::PassManager;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HotBuild {
    /// Host and patch.
    Full,
    /// Only the patch, for the existing host.
    PatchOnly,
}

/// What a hot build did, for `vaisc watch` to report.
#[derive(Debug, Default)]
pub struct HotReport {
    /// The patch library written.
    pub patch: PathBuf,
    /// Code generation and object emission of everything built.
    pub codegen: Duration,
    /// Linking of everything built.
    pub link: Duration,
    /// Functions whose edits no patch carries: only `main` reaches them.
    pub not_reloadable: Vec<String>,
    /// Globals whose initial value changed: the running program keeps its current value.
    pub initial_values_changed: Vec<String>,
    /// How many functions the patch carries a body of (the others are the host's).
    pub carried: usize,
    /// Hot functions of the host the patch has no body for (deleted, renamed or no longer
    /// `#[hot]`): the running program's calls keep reaching their last hot body.
    pub hot_removed: Vec<String>,
    /// What the patch does to the running program's values, in one line (`State: + speed =
    /// 2.5, x moved 8 -> 16; 3 live values`), if it changes any layout.
    pub migration: Option<String>,
    /// Fields the migration resets because their type changed beyond what `as` converts.
    pub migration_warnings: Vec<String>,
}

impl HotReport {
    /// What the patch does not carry to the running program, one sentence each (empty when
    /// it carries everything): a restart would apply these.
    pub fn not_applied(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.not_reloadable.is_empty() {
            let names: Vec<String> = self
                .not_reloadable
                .iter()
                .map(|n| format!("`{n}`"))
                .collect();
            out.push(format!(
                "{} changed, but only `main` runs it",
                names.join(", ")
            ));
        }
        for f in &self.hot_removed {
            out.push(format!(
                "hot function `{f}` is not in the patch (deleted, renamed or no longer #[hot]); the running program's calls to it keep reaching its last hot body"
            ));
        }
        for g in &self.initial_values_changed {
            out.push(format!(
                "global `{g}`: initial value changed; the running program keeps its current value"
            ));
        }
        out
    }
}

/// Set to `1`, a patch carries every function hot code reaches, as if nothing were the
/// host's: the from-scratch patch the incremental tests compare the O(edit) patch with.
pub const FROM_SCRATCH_VAR: &str = "VAIS_HOT_PATCH_FROM_SCRATCH";

/// The patch library for the executable `exe`: `$VAIS_HOT_PATCH_OUT`, else `lib<stem>.so`
/// beside it (where the host looks for it by default).
pub fn patch_path(exe: &Path) -> PathBuf {
    if let Some(p) = std::env::var_os("VAIS_HOT_PATCH_OUT") {
        return PathBuf::from(p);
    }
    let stem = exe.file_stem().unwrap_or_default().to_string_lossy();
    exe.with_file_name(format!("lib{stem}.so"))
}

/// Builds what `kind` says.
pub fn build_hot(
    checked: &Checked,
    path: &Path,
    opts: &BuildOptions,
    kind: HotBuild,
) -> Result<HotReport, DriverError> {
    build_hot_cached(checked, path, opts, kind, &mut HashCache::default())
}

/// [`build_hot`], hashing again only the functions that changed since the check `hashes`
/// is for (`hot::code_hashes_cached`; watch keeps it between saves).
pub fn build_hot_cached(
    checked: &Checked,
    path: &Path,
    opts: &BuildOptions,
    kind: HotBuild,
    hashes: &mut HashCache,
) -> Result<HotReport, DriverError> {
    let program = program_of(checked, path)?;
    let diagnostics = hot::refusals(program);
    if !diagnostics.is_empty() {
        return Err(DriverError::HotRefused {
            path: path.to_path_buf(),
            diagnostics,
        });
    }
    let mut report = HotReport {
        patch: patch_path(&opts.output),
        ..HotReport::default()
    };
    let info_path = hot::path_for(&opts.output);
    let host = match kind {
        HotBuild::Full => {
            let compiler = std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| "vaisc".to_string());
            let (plan, hashes) = hot::host_plan(
                program,
                &checked.sources,
                path,
                &compiler,
                hot::layouts(program, &checked.sources)?,
            );
            emit(
                checked,
                program,
                &plan,
                None,
                opts,
                &opts.output,
                &mut report,
            )?;
            let code = hot::host_code(program, &hashes, &plan);
            let info = HostInfo::from_plan(&plan, code, hot::initial_values(program));
            std::fs::write(&info_path, info.to_text()).map_err(|e| DriverError::Write {
                path: info_path.clone(),
                message: e.to_string(),
            })?;
            info
        }
        HotBuild::PatchOnly => std::fs::read_to_string(&info_path)
            .ok()
            .and_then(|t| HostInfo::parse(&t))
            .filter(|_| opts.output.exists())
            .ok_or_else(|| DriverError::NoHost {
                path: opts.output.clone(),
            })?,
    };
    let from_scratch = std::env::var_os(FROM_SCRATCH_VAR).is_some_and(|v| v == "1");
    let code = hot::patch_hashes(
        program,
        &checked.sources,
        &host,
        hashes,
        checked.revision.as_ref(),
    );
    let patch = hot::patch_plan_hashed(
        program,
        path,
        &host,
        hot::layouts(program, &checked.sources)?,
        from_scratch,
        code,
    )
    .map_err(|Incompatible(problems)| DriverError::Incompatible(problems))?;
    if !patch.migration.is_empty() {
        report.migration = Some(patch.migration.summary());
        report.migration_warnings = patch.migration.warnings.clone();
    }
    let output = report.patch.clone();
    let part = Part::patch(&patch.bodies);
    emit(
        checked,
        program,
        &patch.plan,
        Some(part),
        opts,
        &output,
        &mut report,
    )?;
    report.carried = patch.bodies.iter().filter(|&&b| b).count();
    // Own hashes name structs and enums without their layouts, so a layout change alone is
    // no change of code that is not hot: in the host such code reads its layouts from the
    // offset table, which the migration rewrites.
    report.not_reloadable = hot::unreloadable_changes(program, &host, &patch.hashes.own);
    let moved: Vec<&str> = patch
        .migration
        .moves
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    report.initial_values_changed = hot::changed_initial_values(program, &host, &moved);
    report.hot_removed = host
        .functions
        .iter()
        .filter(|h| !patch.plan.functions.iter().any(|f| f.slot == h.slot))
        .map(|h| h.name.clone())
        .collect();
    Ok(report)
}

/// Generates the host or the patch (as `plan.mode` says; a patch holds `part` of the program)
/// and links it to `output`.
fn emit(
    checked: &Checked,
    program: &Program,
    plan: &Plan,
    part: Option<Part>,
    opts: &BuildOptions,
    output: &Path,
    report: &mut HotReport,
) -> Result<(), DriverError> {
    let start = Instant::now();
    // Line tables let the runtime's fault report name `file:line`, in the host and patches.
    let is_patch = matches!(plan.mode, codegen_hot::Mode::Patch);
    let cg_opts = codegen::Options {
        opt_level: opts.opt_level,
        debug_info: opts.debug_info,
        line_tables: true,
        hot_host: !is_patch,
        runtime_globals: hot::runtime_globals(program, plan),
    };
    if part.is_none() {
        let count = codegen::unit_count(program, opts.opt_level);
        if count > 1 {
            return emit_host_units(checked, program, plan, opts, count, output, report);
        }
    }
    let context = Context::create();
    let module = codegen::lower_part(&context, program, &checked.sources, &cg_opts, part)?;
    codegen_hot::apply(&context, &module, plan)?;
    codegen::verify_after(&module, "the hot-reload pass")?;
    if is_patch {
        // The patch keeps only the hot bodies and what they reach, even at -O0.
        let pm = PassManager::create(());
        pm.add_global_dce_pass();
        pm.run_on(&module);
        codegen::verify_after(&module, "dead code elimination")?;
    }
    codegen::optimize(&module, opts.opt_level)?;
    let obj = temp_object_path(output);
    codegen::write_object(&module, opts.opt_level, &obj)?;
    report.codegen += start.elapsed();
    let start = Instant::now();
    let linked = if is_patch {
        link::patch(&obj, output)
    } else {
        link::hot_host(std::slice::from_ref(&obj), output, &opts.link)
    };
    let _ = std::fs::remove_file(&obj);
    report.link += start.elapsed();
    linked
}

/// A host built in `count` parallel units: the first holds the table, the entry points, the
/// manifest and `main`; the others call through the table (`codegen_hot::Mode::HostUnit`).
fn emit_host_units(
    checked: &Checked,
    program: &Program,
    plan: &Plan,
    opts: &BuildOptions,
    count: usize,
    output: &Path,
    report: &mut HotReport,
) -> Result<(), DriverError> {
    let start = Instant::now();
    let cg_opts = codegen::Options {
        opt_level: opts.opt_level,
        debug_info: opts.debug_info,
        line_tables: true,
        hot_host: true,
        runtime_globals: Vec::new(),
    };
    let units = codegen::split(program, count);
    let objects: Vec<PathBuf> = (0..count).map(|i| unit_object_path(output, i)).collect();
    let first = Plan {
        symbol_prefix: codegen::UNIT_PREFIX.to_string(),
        ..plan.clone()
    };
    let further = Plan {
        mode: codegen_hot::Mode::HostUnit,
        ..first.clone()
    };
    let finish = codegen::unit_step(|unit, ctx, module| {
        let unit_plan = if unit == 0 { &first } else { &further };
        codegen_hot::apply(ctx, module, unit_plan)
            .map_err(|e| codegen::CodegenError::Internal(e.to_string()))?;
        codegen::verify_after(module, "the hot-reload pass")
    });
    let written = codegen::write_units(
        program,
        &checked.sources,
        &cg_opts,
        &units,
        true,
        &objects,
        &finish,
    );
    report.codegen += start.elapsed();
    let start = Instant::now();
    let linked = written
        .map_err(DriverError::from)
        .and_then(|()| link::hot_host(&objects, output, &opts.link));
    for obj in &objects {
        let _ = std::fs::remove_file(obj);
    }
    report.link += start.elapsed();
    linked
}
