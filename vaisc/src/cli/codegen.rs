//! `vaisc-codegen`, the half of the `vaisc` command line that links LLVM: every command but
//! `check` (which the front, `main.rs`, runs itself) is run here, the front having passed its
//! arguments on unchanged. Exit codes: 0 success, 1 the program has errors (or `--patch-only`
//! refuses a change), 2 an internal or environment failure (bad arguments, unreadable input, an
//! output folder that does not exist, a linker failure); `run` passes on the program's status
//! (128 + N for signal N); `watch` exits with 130 when stopped by Ctrl-C, SIGTERM or SIGHUP.
//! README.md lists them all.

mod args;
mod shared;

use anyhow::Context as _;
use args::{Cli, Command, EmitArg, PkgCommand, WatchArgs};
use clap::Parser;
use shared::finish_check;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vaisc::diagnostics::render;
use vaisc::driver::{self, BuildOptions, Checked, DriverError, Emit, HotBuild};
use vaisc::timings;

fn main() -> ExitCode {
    shared::report_panics_as_bugs();
    let cli = Cli::parse();
    shared::keep_freed_memory_unless_watching(&cli.command);
    shared::run_command(move || run(cli))
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check { file } => shared::check(&file),
        Command::Build {
            file,
            output,
            codegen,
            emit,
            hot,
            patch_only,
        } => {
            let (emit, ext) = match emit {
                EmitArg::Exe => (Emit::Executable, None),
                EmitArg::Obj => (Emit::Object, Some("o")),
                EmitArg::LlvmIr => (Emit::LlvmIr, Some("ll")),
            };
            let output = output.unwrap_or_else(|| default_output(&file, ext));
            let opts = BuildOptions {
                opt_level: codegen.opt_level,
                debug_info: codegen.debug,
                emit,
                output,
                link: codegen.link.options(None),
            };
            let hot = match (hot, patch_only) {
                (false, _) => None,
                (true, false) => Some(HotBuild::Full),
                (true, true) => Some(HotBuild::PatchOnly),
            };
            build(&file, &opts, hot)
        }
        Command::Watch { file, watch } => {
            let output = watch
                .output
                .clone()
                .unwrap_or_else(|| vaisc::watch::default_output(&file));
            run_watch(file, output, watch, None)
        }
        Command::Pkg { command } => {
            let pkg = vaisc::pkg::find(Path::new("."))?;
            match command {
                PkgCommand::Build { hot, codegen } => {
                    let opts = BuildOptions {
                        opt_level: codegen.opt_level,
                        debug_info: codegen.debug,
                        emit: Emit::Executable,
                        output: pkg.output.clone(),
                        link: codegen.link.options(Some(&pkg)),
                    };
                    build(&pkg.entry, &opts, hot.then_some(HotBuild::Full))
                }
                PkgCommand::Watch { watch } => {
                    let output = watch.output.clone().unwrap_or(pkg.output.clone());
                    run_watch(pkg.entry.clone(), output, watch, Some(&pkg))
                }
            }
        }
        Command::Run {
            file,
            codegen,
            args,
        } => {
            let dir = std::env::temp_dir().join(format!("vaisc-run-{}", std::process::id()));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let exe = dir.join(file.file_stem().unwrap_or_default());
            let opts = BuildOptions {
                opt_level: codegen.opt_level,
                debug_info: codegen.debug,
                emit: Emit::Executable,
                output: exe.clone(),
                link: codegen.link.options(None),
            };
            let code = build(&file, &opts, None)?;
            let result = if code == ExitCode::SUCCESS {
                let status = std::process::Command::new(&exe)
                    .args(&args)
                    .status()
                    .with_context(|| format!("running {}", exe.display()));
                status.map(|s| exit_code_of(&s))
            } else {
                Ok(code)
            };
            let _ = std::fs::remove_dir_all(&dir);
            result
        }
    }
}

fn run_watch(
    entry: PathBuf,
    output: PathBuf,
    args: WatchArgs,
    pkg: Option<&vaisc::pkg::Package>,
) -> anyhow::Result<ExitCode> {
    use vaisc::watch::{Events, Raw, Run, WatchOptions};
    // A bare name would be looked up in PATH when run; make it a path.
    let output = if output.parent().is_some_and(|p| p.as_os_str().is_empty()) {
        Path::new(".").join(output)
    } else {
        output
    };
    check_output_folder(&output)?;
    let run = match (args.run, args.exec) {
        (true, _) => Run::Host(args.args),
        (false, Some(cmd)) => Run::Exec(cmd, args.args),
        (false, None) => Run::Nothing,
    };
    let opts = WatchOptions {
        entry,
        output,
        opt_level: args.opt_level,
        run,
        debounce: std::time::Duration::from_millis(args.debounce),
        restart_on_incompatible: args.restart_on_incompatible,
        link: args.link.options(pkg),
    };
    // A program run with `VAIS_HOT_PATCH` watches that file: patches (and the rollback request
    // beside them) must go there. This runs before any thread exists, so setting the variable
    // the driver reads races with nothing.
    if let Some(patch) = std::env::var_os("VAIS_HOT_PATCH") {
        std::env::set_var("VAIS_HOT_PATCH_OUT", patch);
    }
    let events = Events::new()?;
    let typed = events.sender();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines().map_while(Result::ok) {
            if typed.send(Raw::Input(Some(line))).is_err() {
                return;
            }
        }
        let _ = typed.send(Raw::Input(None));
    });
    let interrupt = std::sync::Mutex::new(events.sender());
    ctrlc::set_handler(move || {
        if let Ok(tx) = interrupt.lock() {
            let _ = tx.send(Raw::Interrupt);
        }
    })
    .context("installing the Ctrl-C handler")?;
    let code = vaisc::watch::watch(&opts, events)?;
    Ok(ExitCode::from(code))
}

/// `./STEM` for executables, `./STEM.EXT` otherwise.
fn default_output(file: &Path, ext: Option<&str>) -> PathBuf {
    let stem = PathBuf::from(file.file_stem().unwrap_or_default());
    match ext {
        Some(ext) => stem.with_extension(ext),
        None => stem,
    }
}

/// The front end of a build: a hot build records its check (`Checked::record`), which the
/// host keeps for later `--patch-only` builds and a patch-only build compares with it.
fn build_front_end(
    file: &Path,
    hot: bool,
    trees: &mut vaisc::resolve::ParseCache,
) -> anyhow::Result<Checked> {
    if hot {
        Ok(driver::check_file_recorded(file, trees)?)
    } else {
        Ok(driver::check_file_cached(file, trees)?)
    }
}

/// Refuses an output path in a folder that does not exist, in one plain line, before any
/// work is done (the code generator or linker would otherwise fail with its own message).
fn check_output_folder(output: &Path) -> anyhow::Result<()> {
    match output.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => anyhow::bail!(
            "cannot write {}: the folder {}/ does not exist",
            output.display(),
            dir.display()
        ),
        _ => Ok(()),
    }
}

fn build(file: &Path, opts: &BuildOptions, hot: Option<HotBuild>) -> anyhow::Result<ExitCode> {
    check_output_folder(&opts.output)?;
    let mut trees = vaisc::resolve::ParseCache::new();
    // Whether a check that took bodies from the host came first, whose patch could not be
    // built: the full front end's phase then says so.
    let mut again = false;
    if hot == Some(HotBuild::PatchOnly) {
        match build_patch_taking(file, opts)? {
            Taking::Built(code) => return Ok(code),
            Taking::NotTried => {}
            Taking::NotBuilt => again = true,
        }
    }
    let checked = timings::phase(
        || {
            let name = if again {
                driver::RECHECK_PHASE
            } else {
                "front end"
            };
            name.into()
        },
        || build_front_end(file, hot.is_some(), &mut trees),
    )?;
    let outcome = build_checked(&checked, file, opts, hot);
    // The process ends right after the build: freeing the syntax trees and the typed IR, node
    // by node, would be work for nothing (in a large program a noticeable part of a
    // `--patch-only` build's time). The operating system takes the memory back at exit.
    std::mem::forget(trees);
    std::mem::forget(checked);
    outcome
}

/// What [`build_patch_taking`] did.
enum Taking {
    /// The patch is built.
    Built(ExitCode),
    /// There is no record of the host's check, or the check could not take bodies from it.
    NotTried,
    /// The check took bodies, but the patch would carry one of them, or its build failed.
    NotBuilt,
}

/// `--patch-only` from a check that takes the bodies the patch does not carry from the host's
/// check record (`driver::check_file_taking`). Unless it built the patch, the build is to be
/// made from a full check, which reports any failure as every build does. Its syntax trees
/// are its own: a body it did not need is never handed to that check.
fn build_patch_taking(file: &Path, opts: &BuildOptions) -> anyhow::Result<Taking> {
    let Some(host) = timings::phase(
        || "host's check record".into(),
        || driver::read_host_check(&opts.output),
    ) else {
        return Ok(Taking::NotTried);
    };
    let mut trees = vaisc::resolve::ParseCache::new();
    let checked = timings::phase(
        || "front end".into(),
        || driver::check_file_taking(file, &mut trees, &host),
    )?;
    let Some(checked) = checked else {
        return Ok(Taking::NotTried);
    };
    let report = driver::build_patch_taking(&checked, file, opts, &host);
    // As in `build`: the process ends right after, so nothing is freed node by node.
    std::mem::forget(trees);
    std::mem::forget(checked);
    std::mem::forget(host);
    Ok(match report {
        Ok(Some(report)) => {
            report_hot(&report);
            Taking::Built(ExitCode::SUCCESS)
        }
        Ok(None) | Err(_) => Taking::NotBuilt,
    })
}

/// What a hot build's report tells the user, on standard error.
fn report_hot(report: &driver::HotReport) {
    if let Some(plan) = &report.migration {
        eprintln!("migration: {plan}");
    }
    for w in &report.migration_warnings {
        eprintln!("warning: {w}");
    }
    for what in report.not_applied() {
        eprintln!("warning: {what}; restart the program to apply");
    }
}

/// The build of a checked program, once the front end is done.
fn build_checked(
    checked: &Checked,
    file: &Path,
    opts: &BuildOptions,
    hot: Option<HotBuild>,
) -> anyhow::Result<ExitCode> {
    let code = finish_check(checked, file);
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let result = match hot {
        None => driver::build(checked, file, opts),
        Some(kind) => driver::build_hot(checked, file, opts, kind).map(|r| report_hot(&r)),
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // An incompatible change is a problem with the program, like a compile error.
        Err(e @ DriverError::Incompatible(_)) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e @ DriverError::HotRefused { .. }) => {
            if let DriverError::HotRefused { diagnostics, .. } = &e {
                for d in diagnostics {
                    eprint!("{}", render(d, &checked.sources));
                }
            }
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

/// The exit code to pass on for a finished child: its own, or 128 + signal like a shell.
fn exit_code_of(status: &std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => ExitCode::from(c as u8),
        (None, Some(sig)) => ExitCode::from(128u8.wrapping_add(sig as u8)),
        _ => ExitCode::from(1),
    }
}
