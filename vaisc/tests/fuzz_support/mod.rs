//! The fuzz test's real pipeline: a mutated program that type-checks is built in process the
//! way `vaisc build` and `vaisc build --hot` build it, and any panic, LLVM verification failure
//! or code-generation or link error is a compiler bug. The input being compiled is written to
//! `target/fuzz-current-TEST.vais` first, so a crash inside LLVM, which no `catch_unwind`
//! survives, still leaves the input that caused it.

use std::path::{Path, PathBuf};
use vaisc::driver::{self, BuildOptions, DriverError, Emit, HotBuild};

/// How far the mutants got, for the long-run figures.
#[derive(Debug, Default)]
pub struct Stats {
    /// Mutants tried.
    pub programs: u32,
    /// Mutants that type-checked and were built to an object file.
    pub built: u32,
    /// Mutants built with `build_hot` Full (host and patch).
    pub hot_built: u32,
    /// Second mutants applied to such a host with `build_hot` PatchOnly.
    pub patched: u32,
    /// Of those, patches refused as incompatible with the host (a diagnostic, not a bug).
    pub refused: u32,
    /// Mutants a hot build refuses with diagnostics (checked to be refused, not built).
    pub hot_refused: u32,
}

/// A scratch directory for one test of this process, and the file that holds the input being
/// compiled (`target/fuzz-current-TEST.vais`); both are removed when dropped.
pub struct Scratch {
    dir: PathBuf,
    current: PathBuf,
}

impl Scratch {
    pub fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("vaisc-fuzz-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let current = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../target/fuzz-current-{test}.vais"));
        Scratch { dir, current }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(&self.current);
    }
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Checks `src` written to `path`; `None` when it does not type-check (the front-end fuzz
/// tests cover that part).
fn checked(scratch: &Scratch, src: &str) -> Result<Option<driver::Checked>, String> {
    let path = scratch.dir.join("game.vais");
    std::fs::write(&path, src).map_err(|e| e.to_string())?;
    let _ = std::fs::write(&scratch.current, src);
    let checked = driver::check_file(&path).map_err(|e| e.to_string())?;
    Ok(checked.program.is_some().then_some(checked))
}

/// Runs `src` through the pipeline, and `patch` as a patch for its hot host.
pub fn pipeline(
    scratch: &Scratch,
    src: &str,
    patch: &str,
    stats: &mut Stats,
) -> Result<(), String> {
    stats.programs += 1;
    // On the compiler's deep stack, as the CLI runs it: the corpus has expressions thousands of
    // terms long.
    let outcome = vaisc::with_compiler_stack(|| run(scratch, src, patch, stats))
        .expect("start the compiler thread");
    outcome.unwrap_or_else(|p| Err(format!("panic: {}", panic_text(p))))
}

fn run(scratch: &Scratch, src: &str, patch: &str, stats: &mut Stats) -> Result<(), String> {
    let path = scratch.dir.join("game.vais");
    let Some(program) = checked(scratch, src)? else {
        return Ok(());
    };
    stats.built += 1;
    for opt_level in [0, 2] {
        let opts = BuildOptions {
            opt_level,
            debug_info: opt_level == 0,
            emit: Emit::Object,
            output: scratch.dir.join("game.o"),
            link: Default::default(),
        };
        driver::build(&program, &path, &opts)
            .map_err(|e| format!("a well-typed program failed to build at -O{opt_level}: {e}"))?;
    }
    // What a hot build refuses with diagnostics (hot code calling `main`, say) must be
    // refused by `build_hot` too, before the hot pass sees it.
    if !vaisc::hot::refusals(program.program.as_ref().expect("checked")).is_empty() {
        stats.hot_refused += 1;
        let opts = BuildOptions {
            opt_level: 0,
            debug_info: false,
            emit: Emit::Executable,
            output: scratch.dir.join("game"),
            link: Default::default(),
        };
        return match driver::build_hot(&program, &path, &opts, HotBuild::Full) {
            Err(DriverError::HotRefused { .. }) => Ok(()),
            other => Err(format!(
                "a program with hot-build refusals was not refused: {:?}",
                other.map(|_| ())
            )),
        };
    }
    verify_hot_modules(&program, &path)?;
    // Linking a host takes a while: one mutant in eight goes the whole way.
    if stats.built % 8 != 1 {
        return Ok(());
    }
    let opts = BuildOptions {
        opt_level: 0,
        debug_info: false,
        emit: Emit::Executable,
        output: scratch.dir.join("game"),
        link: Default::default(),
    };
    driver::build_hot(&program, &path, &opts, HotBuild::Full)
        .map_err(|e| format!("a well-typed program failed to build with --hot: {e}"))?;
    stats.hot_built += 1;
    let Some(patched) = checked(scratch, patch)? else {
        return Ok(());
    };
    stats.patched += 1;
    match driver::build_hot(&patched, &path, &opts, HotBuild::PatchOnly) {
        Ok(_) => Ok(()),
        Err(DriverError::Incompatible(_) | DriverError::HotRefused { .. }) => {
            stats.refused += 1;
            Ok(())
        }
        Err(e) => Err(format!(
            "a well-typed patch failed to build with --patch-only: {e}"
        )),
    }
}

/// Lowers the program, applies the hot-reload pass for the host and for a patch of the same
/// program, and verifies both modules: the driver does not verify after the hot pass.
fn verify_hot_modules(checked: &driver::Checked, path: &Path) -> Result<(), String> {
    let program = checked.program.as_ref().expect("checked");
    let layouts = || {
        vaisc::hot::layouts(program, &checked.sources)
            .map_err(|e| format!("a well-typed program has no layout: {e}"))
    };
    let (host_plan, hashes) =
        vaisc::hot::host_plan(program, &checked.sources, path, "vaisc", layouts()?);
    let ctx = inkwell::context::Context::create();
    let host_opts = vaisc::codegen::Options {
        hot_host: true,
        ..Default::default()
    };
    let host = vaisc::codegen::lower(&ctx, program, &checked.sources, &host_opts)
        .map_err(|e| format!("a well-typed program failed to lower: {e}"))?;
    codegen_hot::apply(&ctx, &host, &host_plan)
        .map_err(|e| format!("the hot pass failed on the host: {e}"))?;
    host.verify()
        .map_err(|e| format!("the host module does not verify after the hot pass: {e}"))?;
    // The patch of the program itself for its host carries nothing and declares every hot
    // body the host's; for a host that exports nothing, it carries every function hot code
    // reaches. Both go through the pass.
    for exported in [true, false] {
        let mut info = vaisc::hot::HostInfo::from_plan(
            &host_plan,
            vaisc::hot::host_code(program, &hashes, &host_plan),
            vaisc::hot::initial_values(program),
        );
        info.code.iter_mut().for_each(|c| c.exported &= exported);
        let patch_plan =
            vaisc::hot::patch_plan(program, &checked.sources, path, &info, layouts()?, false)
                .map_err(|e| format!("a program is incompatible with its own host: {e:?}"))?;
        let part = vaisc::codegen::Part::patch(&patch_plan.bodies);
        let opts = vaisc::codegen::Options {
            runtime_globals: vaisc::hot::runtime_globals(program, &patch_plan.plan),
            ..Default::default()
        };
        let patch = vaisc::codegen::lower_part(&ctx, program, &checked.sources, &opts, Some(part))
            .map_err(|e| format!("a well-typed program failed to lower: {e}"))?;
        codegen_hot::apply(&ctx, &patch, &patch_plan.plan)
            .map_err(|e| format!("the hot pass failed on the patch: {e}"))?;
        patch.verify().map_err(|e| {
            format!(
                "the patch module does not verify after the hot pass (exported {exported}): {e}"
            )
        })?;
    }
    Ok(())
}
