//! Hot builds: `vaisc build --hot` writes the host executable (with the jump table and the
//! runtime) and the patch library beside it; `--patch-only` rebuilds just the patch, for the
//! host already built at the output path, and refuses changes no reload can carry.

use super::{
    link, program_of, temp_object_path, unit_object_path, BuildOptions, Checked, DriverError,
};
use crate::codegen::{self, Part};
use crate::hot::{self, BuildCache, HashCache, HostCheck, HostInfo, Incompatible};
use crate::timings;
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

impl HotReport {
    /// Takes in the report of the patch built with a host (`build_full`): its own findings,
    /// and its time added to the host's.
    fn absorb(&mut self, patch: HotReport) {
        let (codegen, link) = (self.codegen + patch.codegen, self.link + patch.link);
        *self = HotReport {
            codegen,
            link,
            ..patch
        };
    }
}

/// Set to `1`, a patch carries every function hot code reaches, as if nothing were the
/// host's: the from-scratch patch the incremental tests compare the O(edit) patch with.
pub const FROM_SCRATCH_VAR: &str = "VAIS_HOT_PATCH_FROM_SCRATCH";

/// The `VAIS_TIMINGS` phase of a patch plan's code hashes when every function is hashed.
pub const HASHED_PHASE: &str = "patch hashes";
/// The phase when the functions whose code is the host's take their hashes from the record
/// of the host's check (`hot::patch_hashes_reusing`).
pub const REUSED_PHASE: &str = "patch hashes (host's check record)";

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
    build_hot_cached(checked, path, opts, kind, &mut BuildCache::default())
}

/// [`build_hot`], hashing and walking again only the functions that changed since the check
/// `cache` is for (`hot::code_hashes_cached`, `hot::layouts_cached`; watch keeps it between
/// saves).
pub fn build_hot_cached(
    checked: &Checked,
    path: &Path,
    opts: &BuildOptions,
    kind: HotBuild,
    cache: &mut BuildCache,
) -> Result<HotReport, DriverError> {
    let program = program_of(checked, path)?;
    refuse(program, path)?;
    let mut report = HotReport {
        patch: patch_path(&opts.output),
        ..HotReport::default()
    };
    match kind {
        HotBuild::Full => {
            let info_path = hot::path_for(&opts.output);
            build_full(checked, program, path, opts, cache, &info_path, &mut report)?;
        }
        HotBuild::PatchOnly => {
            // Without a readable record of the host's check, every function is hashed.
            let host_check = read_host_check(&opts.output);
            let target = PatchFor {
                info: &read_host_info(opts)?,
                check: host_check.as_ref(),
            };
            build_patch(checked, program, path, opts, target, cache, &mut report)?;
        }
    }
    Ok(report)
}

/// What no hot build can carry (`hot::refusals`), as the error that reports it.
fn refuse(program: &Program, path: &Path) -> Result<(), DriverError> {
    let diagnostics = hot::refusals(program);
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(DriverError::HotRefused {
            path: path.to_path_buf(),
            diagnostics,
        })
    }
}

/// The information of the host at `opts.output`, which must exist.
fn read_host_info(opts: &BuildOptions) -> Result<HostInfo, DriverError> {
    std::fs::read_to_string(hot::path_for(&opts.output))
        .ok()
        .and_then(|t| HostInfo::parse(&t))
        .filter(|_| opts.output.exists())
        .ok_or_else(|| DriverError::NoHost {
            path: opts.output.clone(),
        })
}

/// The record of the check of the host executable `exe`, if a readable one is beside it.
pub fn read_host_check(exe: &Path) -> Option<HostCheck> {
    std::fs::read_to_string(hot::check_path_for(exe))
        .ok()
        .and_then(|t| HostCheck::parse(&t))
}

/// `--patch-only` from a check that took bodies from the host's (`super::check_file_taking`
/// with `host_check`): the patch's report, or `None` when the patch would carry one of those
/// bodies, and is then to be built from a full check.
pub fn build_patch_taking(
    checked: &Checked,
    path: &Path,
    opts: &BuildOptions,
    host_check: &HostCheck,
) -> Result<Option<HotReport>, DriverError> {
    let program = program_of(checked, path)?;
    refuse(program, path)?;
    let mut report = HotReport {
        patch: patch_path(&opts.output),
        ..HotReport::default()
    };
    let target = PatchFor {
        info: &read_host_info(opts)?,
        check: Some(host_check),
    };
    let mut cache = BuildCache::default();
    match build_patch(
        checked,
        program,
        path,
        opts,
        target,
        &mut cache,
        &mut report,
    )? {
        Built::Patch => Ok(Some(report)),
        Built::NeedsHostBodies => Ok(None),
    }
}

/// Builds the host and its patch. The patch is built on a thread of its own once the host's
/// objects are written and their link has started, so that its planning and code generation
/// overlap the link and the freeing of the host units' LLVM modules (some 70 ms on a
/// 50,000-line program), which would otherwise come first. The record of the host's check
/// (`hot::HostCheck`) is written beside the host information, for later `--patch-only`
/// builds.
fn build_full(
    checked: &Checked,
    program: &Program,
    path: &Path,
    opts: &BuildOptions,
    cache: &mut BuildCache,
    info_path: &Path,
    report: &mut HotReport,
) -> Result<(), DriverError> {
    // Whatever the old host's check record says is not about the host built now.
    let check_path = hot::check_path_for(&opts.output);
    let _ = std::fs::remove_file(&check_path);
    let compiler = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "vaisc".to_string());
    let mut parts = HashCache::default();
    let (plan, host_hashes) = timings::phase(
        || "host plan".into(),
        || -> Result<_, DriverError> {
            Ok(hot::host_plan_cached(
                program,
                &checked.sources,
                path,
                &compiler,
                hot::layouts_cached(
                    program,
                    &checked.sources,
                    &mut cache.facts,
                    checked.revision.as_ref(),
                )?,
                &mut parts,
            ))
        },
    )?;
    let host_check = checked
        .record
        .as_ref()
        .and_then(|r| HostCheck::of(r, program, &parts, &cache.facts));
    let host = timings::phase(
        || "host info".into(),
        || {
            let code = hot::host_code(program, &host_hashes, &plan);
            HostInfo::from_plan(&plan, code, hot::initial_values(program))
        },
    );
    let patch_report = HotReport {
        patch: report.patch.clone(),
        ..HotReport::default()
    };
    let host = &host;
    std::thread::scope(|scope| -> Result<(), DriverError> {
        let mut patching = None;
        let linking = emit_host(checked, program, &plan, opts, report, || {
            patching = Some(scope.spawn(move || {
                let mut r = patch_report;
                let target = PatchFor {
                    info: host,
                    check: None,
                };
                build_patch(checked, program, path, opts, target, cache, &mut r).map(|_| r)
            }));
        })?;
        // Started only with the link, so there is a patch to wait for.
        let patched = match patching {
            Some(handle) => handle.join().unwrap_or_else(|_| {
                Err(DriverError::from(codegen::CodegenError::Internal(
                    "the patch's build thread panicked".into(),
                )))
            }),
            None => Err(DriverError::from(codegen::CodegenError::Internal(
                "the host's link started without its patch".into(),
            ))),
        };
        linking.wait(report)?;
        std::fs::write(info_path, host.to_text()).map_err(|e| DriverError::Write {
            path: info_path.to_path_buf(),
            message: e.to_string(),
        })?;
        if let Some(hc) = &host_check {
            std::fs::write(&check_path, hc.to_text()).map_err(|e| DriverError::Write {
                path: check_path.clone(),
                message: e.to_string(),
            })?;
        }
        report.absorb(patched?);
        Ok(())
    })
}

/// The host a patch is built for: its information, and for `--patch-only` the record of its
/// check, if one was readable.
struct PatchFor<'a> {
    info: &'a HostInfo,
    check: Option<&'a HostCheck>,
}

/// What [`build_patch`] did.
enum Built {
    Patch,
    /// Nothing: the patch would carry a body the check took from the host
    /// (`hot::needs_host_bodies`).
    NeedsHostBodies,
}

/// Builds the patch for `target` and fills in what `report` says about it. With the record
/// of the host's check, the functions whose code is the host's are not hashed again
/// (`hot::patch_hashes_reusing`).
fn build_patch(
    checked: &Checked,
    program: &Program,
    path: &Path,
    opts: &BuildOptions,
    target: PatchFor,
    cache: &mut BuildCache,
    report: &mut HotReport,
) -> Result<Built, DriverError> {
    let (host, host_check) = (target.info, target.check);
    let from_scratch = std::env::var_os(FROM_SCRATCH_VAR).is_some_and(|v| v == "1");
    let patch = timings::phase(
        || "patch plan".into(),
        || -> Result<_, DriverError> {
            // The phase's name says which way the hashes were made, for `VAIS_TIMINGS`.
            let way = std::cell::Cell::new(HASHED_PHASE);
            let code = timings::phase(
                || way.get().into(),
                || {
                    let reused = host_check.zip(checked.record.as_ref()).and_then(|(hc, r)| {
                        hot::patch_hashes_reusing(program, &checked.sources, host, hc, r)
                    });
                    match reused {
                        Some((code, _)) => {
                            way.set(REUSED_PHASE);
                            Some(code)
                        }
                        // Bodies taken from the host have no code here to hash.
                        None if hot::has_host_bodies(program) => None,
                        None => Some(hot::patch_hashes(
                            program,
                            &checked.sources,
                            host,
                            &mut cache.hashes,
                            checked.revision.as_ref(),
                        )),
                    }
                },
            );
            let Some(code) = code else {
                return Ok(None);
            };
            let layouts = hot::layouts_cached(
                program,
                &checked.sources,
                &mut cache.facts,
                checked.revision.as_ref(),
            )?;
            hot::patch_plan_hashed(program, path, host, layouts, from_scratch, code)
                .map(Some)
                .map_err(|Incompatible(problems)| DriverError::Incompatible(problems))
        },
    )?;
    let Some(patch) = patch.filter(|p| !hot::needs_host_bodies(program, &p.bodies)) else {
        return Ok(Built::NeedsHostBodies);
    };
    if !patch.migration.is_empty() {
        report.migration = Some(patch.migration.summary());
        report.migration_warnings = patch.migration.warnings.clone();
    }
    let start = Instant::now();
    let output = report.patch.clone();
    let obj = temp_object_path(&output);
    let part = Part::patch(&patch.bodies);
    let written = module_object(checked, program, &patch.plan, Some(part), opts, &obj);
    report.codegen += start.elapsed();
    let start = Instant::now();
    let linked = written
        .and_then(|()| timings::phase(|| "patch linking".into(), || link::patch(&obj, &output)));
    let _ = std::fs::remove_file(&obj);
    report.link += start.elapsed();
    linked?;
    report.carried = patch.bodies.iter().filter(|&&b| b).count();
    // Own hashes name structs and enums without their layouts, so a layout change alone is
    // no change of code that is not hot: in the host such code reads its layouts from the
    // offset table, which the migration rewrites.
    report.not_reloadable = hot::unreloadable_changes(program, host, &patch);
    let moved: Vec<&str> = patch
        .migration
        .moves
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    report.initial_values_changed = hot::changed_initial_values(program, host, &moved);
    report.hot_removed = host
        .functions
        .iter()
        .filter(|h| !patch.plan.functions.iter().any(|f| f.slot == h.slot))
        .map(|h| h.name.clone())
        .collect();
    Ok(Built::Patch)
}

/// The options of a hot build's code generation. Line tables let the runtime's fault report
/// name `file:line`, in the host and patches.
fn codegen_options(program: &Program, plan: &Plan, opts: &BuildOptions) -> codegen::Options {
    codegen::Options {
        opt_level: opts.opt_level,
        debug_info: opts.debug_info,
        line_tables: true,
        hot_host: !matches!(plan.mode, codegen_hot::Mode::Patch),
        runtime_globals: hot::runtime_globals(program, plan),
    }
}

/// Generates the host or the patch in one module (as `plan.mode` says; a patch holds `part`
/// of the program) and writes it as the object file `obj`.
fn module_object(
    checked: &Checked,
    program: &Program,
    plan: &Plan,
    part: Option<Part>,
    opts: &BuildOptions,
    obj: &Path,
) -> Result<(), DriverError> {
    let cg_opts = codegen_options(program, plan, opts);
    let context = Context::create();
    let module = timings::phase(
        || "lowering".into(),
        || codegen::lower_part(&context, program, &checked.sources, &cg_opts, part),
    )?;
    timings::phase(
        || "hot-reload pass".into(),
        || codegen_hot::apply(&context, &module, plan),
    )?;
    codegen::verify_after(&module, "the hot-reload pass")?;
    if matches!(plan.mode, codegen_hot::Mode::Patch) {
        // The patch keeps only the hot bodies and what they reach, even at -O0.
        let pm = PassManager::create(());
        pm.add_global_dce_pass();
        pm.run_on(&module);
        codegen::verify_after(&module, "dead code elimination")?;
    }
    codegen::optimize(&module, opts.opt_level)?;
    timings::phase(
        || "object".into(),
        || codegen::write_object(&module, opts.opt_level, obj),
    )?;
    Ok(())
}

/// A host's link, running in the background while the patch is built, and the objects it
/// links, removed once it is done.
struct HostLink {
    linking: link::Linking,
    objects: Vec<PathBuf>,
}

impl HostLink {
    /// The link `started`, of `objects`; if it could not start (or code generation failed
    /// before it), the objects are removed and the error returned, so that no patch is built
    /// for a host that will not exist.
    fn new(
        started: Result<link::Linking, DriverError>,
        objects: Vec<PathBuf>,
    ) -> Result<HostLink, DriverError> {
        match started {
            Ok(linking) => Ok(HostLink { linking, objects }),
            Err(e) => {
                for obj in &objects {
                    let _ = std::fs::remove_file(obj);
                }
                Err(e)
            }
        }
    }

    /// Waits for the link and removes the objects; the time waited counts as linking.
    fn wait(self, report: &mut HotReport) -> Result<(), DriverError> {
        let start = Instant::now();
        let linked = timings::phase(|| "host linking (rest)".into(), || self.linking.wait());
        for obj in &self.objects {
            let _ = std::fs::remove_file(obj);
        }
        report.link += start.elapsed();
        linked
    }
}

/// Generates the host for `plan` and starts its link to `opts.output`: in parallel units when
/// the program is large enough (`codegen::unit_count`), else in one module.
fn emit_host(
    checked: &Checked,
    program: &Program,
    plan: &Plan,
    opts: &BuildOptions,
    report: &mut HotReport,
    link_started: impl FnOnce(),
) -> Result<HostLink, DriverError> {
    let output = &opts.output;
    let count = codegen::unit_count(program, opts.opt_level);
    if count > 1 {
        return emit_host_units(checked, program, plan, opts, count, report, link_started);
    }
    let start = Instant::now();
    let obj = temp_object_path(output);
    let written = module_object(checked, program, plan, None, opts, &obj);
    report.codegen += start.elapsed();
    let started = written.and_then(|()| {
        let linking = link::start_hot_host(std::slice::from_ref(&obj), output, &opts.link)?;
        link_started();
        Ok(linking)
    });
    HostLink::new(started, vec![obj])
}

/// A host built in `count` parallel units: the first holds the table, the entry points, the
/// manifest and `main`; the others call through the table (`codegen_hot::Mode::HostUnit`).
/// `link_started` runs once the link has started, while the units free their modules.
fn emit_host_units(
    checked: &Checked,
    program: &Program,
    plan: &Plan,
    opts: &BuildOptions,
    count: usize,
    report: &mut HotReport,
    link_started: impl FnOnce(),
) -> Result<HostLink, DriverError> {
    let start = Instant::now();
    let output = &opts.output;
    let cg_opts = codegen_options(program, plan, opts);
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
    let started = codegen::write_units(
        program,
        &checked.sources,
        &cg_opts,
        &units,
        true,
        &objects,
        &finish,
        || {
            let linking = link::start_hot_host(&objects, output, &opts.link)?;
            link_started();
            Ok(linking)
        },
    );
    report.codegen += start.elapsed();
    HostLink::new(started.map_err(DriverError::from).and_then(|l| l), objects)
}
