//! Hot builds: `vaisc build --hot` writes the host executable (with the jump table and the
//! runtime) and the patch library beside it; `--patch-only` rebuilds just the patch, for the
//! host already built at the output path, and refuses changes no reload can carry.

use super::{link, lower, program_of, temp_object_path, BuildOptions, Checked, DriverError};
use crate::codegen;
use crate::hot::{self, HostInfo, Incompatible};
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
            let layouts = hot::layouts(program, &checked.sources)?;
            let plan = hot::host_plan(program, path, &compiler, layouts);
            let code = emit(checked, program, &plan, opts, &opts.output, &mut report)?;
            HostInfo::from_plan(&plan, code, hot::initial_values(program))
        }
        HotBuild::PatchOnly => std::fs::read_to_string(&info_path)
            .ok()
            .and_then(|t| HostInfo::parse(&t))
            .filter(|_| opts.output.exists())
            .ok_or_else(|| DriverError::NoHost {
                path: opts.output.clone(),
            })?,
    };
    let hot::PatchPlan { plan, migration } = hot::patch_plan(
        program,
        path,
        &host,
        hot::layouts(program, &checked.sources)?,
    )
    .map_err(|Incompatible(problems)| DriverError::Incompatible(problems))?;
    if !migration.is_empty() {
        report.migration = Some(migration.summary());
        report.migration_warnings = migration.warnings.clone();
    }
    let patch = report.patch.clone();
    let code = emit(checked, program, &plan, opts, &patch, &mut report)?;
    if kind == HotBuild::Full {
        // The host file records the code of both builds, for later patch builds to compare.
        let info = HostInfo {
            patch_code: code,
            ..host.clone()
        };
        std::fs::write(&info_path, info.to_text()).map_err(|e| DriverError::Write {
            path: info_path.clone(),
            message: e.to_string(),
        })?;
        return Ok(report);
    }
    // Code that is not hot is built with constant layouts in a patch and reads them from the
    // offset table in the host; after a layout change only the host's form of the new
    // program says whether such code changed.
    report.not_reloadable = if migration.is_empty() {
        hot::unreloadable_changes(program, &host.patch_code, &code)
    } else {
        let start = Instant::now();
        let context = Context::create();
        let module = lower(&context, checked, program, opts, true, true, Vec::new())?;
        let host_form = codegen_hot::code_hashes(&module);
        report.codegen += start.elapsed();
        hot::unreloadable_changes(program, &host.code, &host_form)
    };
    let moved: Vec<&str> = migration.moves.iter().map(|m| m.name.as_str()).collect();
    report.initial_values_changed = hot::changed_initial_values(program, &host, &moved);
    report.hot_removed = host
        .functions
        .iter()
        .filter(|h| !plan.functions.iter().any(|f| f.slot == h.slot))
        .map(|h| h.name.clone())
        .collect();
    Ok(report)
}

/// Generates the host or the patch (as `plan.mode` says) and links it to `output`. Returns the
/// code hash of every function, taken before the hot-reload pass.
fn emit(
    checked: &Checked,
    program: &Program,
    plan: &Plan,
    opts: &BuildOptions,
    output: &Path,
    report: &mut HotReport,
) -> Result<Vec<(String, u64)>, DriverError> {
    let start = Instant::now();
    let context = Context::create();
    // Line tables let the runtime's fault report name `file:line`, in the host and patches.
    let is_patch = matches!(plan.mode, codegen_hot::Mode::Patch);
    let runtime_globals = hot::runtime_globals(program, plan);
    let module = lower(
        &context,
        checked,
        program,
        opts,
        true,
        !is_patch,
        runtime_globals,
    )?;
    let code = codegen_hot::apply(&context, &module, plan)?.code;
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
        link::hot_host(&obj, output, &opts.link)
    };
    let _ = std::fs::remove_file(&obj);
    report.link += start.elapsed();
    linked.map(|()| code)
}
