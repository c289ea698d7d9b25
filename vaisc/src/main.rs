//! The `vaisc` command-line interface: argument parsing, rendering diagnostics to stderr, and
//! exit codes: 0 success, 1 the program has errors (or `--patch-only` refuses a change), 2 an
//! internal or environment failure (bad arguments, unreadable input, an output folder that does
//! not exist, a linker failure); `run` passes on the program's status (128 + N for signal N);
//! `watch` exits with 130 when stopped by Ctrl-C, SIGTERM or SIGHUP. README.md lists them all.

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vaisc::diagnostics::render;
use vaisc::driver::{self, BuildOptions, Checked, DriverError, Emit, HotBuild, LinkOptions};
use vaisc::timings;

/// The compiler allocates many small, short-lived values: mimalloc serves them faster than the
/// system allocator. Its `override` feature also makes it the process's `malloc`, so LLVM's
/// C++ objects come from it too: with glibc's allocator, each code generation thread's arena
/// grows by a few pages at a time (an `mprotect` call and page faults each time), which cost
/// about a tenth of a large `-O0` build's CPU time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, as `include/mimalloc.h` of the mimalloc that
/// `libmimalloc-sys` builds numbers it ([`MIMALLOC_VERSION`]); the Rust binding does not name
/// it.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
/// The mimalloc version [`MI_OPTION_PURGE_DELAY`] was read from (`MI_MALLOC_VERSION`).
#[cfg(test)]
const MIMALLOC_VERSION: std::ffi::c_int = 30302;

extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_version() -> std::ffi::c_int;
}

/// Makes mimalloc keep the memory a one-shot command frees for its own later allocations
/// instead of handing it back to the system. A build frees a great deal as it goes (each
/// unit's LLVM module, the threads' heaps); handed back, those pages come back zeroed by the
/// kernel, page fault by page fault, when the next phase allocates again. Keeping them makes a
/// 50,000-line `-O0` build about a fifth faster and a hot build a sixth (measured side by side
/// with `MIMALLOC_PURGE_DELAY=-1`). Watch keeps the default: a session lasts hours and should
/// give a full build's memory back.
fn keep_freed_memory() {
    // SAFETY: `mi_option_set` stores a value in mimalloc's option table, which mimalloc reads
    // with atomic loads; any thread may call it at any time. The option's number is that of
    // the mimalloc linked in, which `the_purge_delay_option_is_numbered_for_the_linked_mimalloc`
    // checks.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

#[derive(Parser)]
#[command(name = "vaisc", version, about = "The Vais compiler")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum EmitArg {
    Exe,
    Obj,
    LlvmIr,
}

#[derive(clap::Args)]
struct CodegenArgs {
    /// Optimisation level.
    #[arg(short = 'O', default_value = "0", value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,
    /// Emit debug information (DWARF line tables).
    #[arg(short = 'g')]
    debug: bool,
    #[command(flatten)]
    link: LinkArgs,
}

/// C libraries to link, spelled as `cc` spells them.
#[derive(clap::Args)]
struct LinkArgs {
    /// Link the C library NAME (libNAME.so or libNAME.a); repeatable.
    #[arg(short = 'l', value_name = "NAME")]
    libs: Vec<String>,
    /// Look for -l libraries in DIR first; repeatable.
    #[arg(short = 'L', value_name = "DIR")]
    lib_dirs: Vec<PathBuf>,
}

impl LinkArgs {
    /// These libraries, then the package's (a package adds its `links` and `lib-dirs`).
    fn options(self, pkg: Option<&vaisc::pkg::Package>) -> LinkOptions {
        let mut link = LinkOptions {
            libs: self.libs,
            dirs: self.lib_dirs,
        };
        if let Some(p) = pkg {
            link.libs.extend(p.links.iter().cloned());
            link.dirs.extend(p.lib_dirs.iter().cloned());
        }
        link
    }
}

#[derive(Subcommand)]
enum Command {
    /// Compile a Vais program to a native executable.
    Build {
        file: PathBuf,
        /// Output path (default: ./STEM, or STEM.ll / STEM.o for other --emit kinds).
        #[arg(short = 'o')]
        output: Option<PathBuf>,
        #[command(flatten)]
        codegen: CodegenArgs,
        /// What to write.
        #[arg(long, value_enum, default_value = "exe")]
        emit: EmitArg,
        /// Hot build: a host executable plus the patch library `lib<stem>.so` beside it.
        #[arg(long)]
        hot: bool,
        /// With --hot: rebuild only the patch library, for the host already at the output path.
        #[arg(long, requires = "hot")]
        patch_only: bool,
    },
    /// Compile and run a program; vaisc exits with the program's exit status.
    Run {
        file: PathBuf,
        #[command(flatten)]
        codegen: CodegenArgs,
        /// Arguments passed to the program.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Check a program for errors without generating code.
    Check { file: PathBuf },
    /// Rebuild on every save; with --run, run the program and hot-reload it.
    Watch {
        file: PathBuf,
        #[command(flatten)]
        watch: WatchArgs,
    },
    /// Build or watch the package described by vais.toml (here or in a folder above).
    Pkg {
        #[command(subcommand)]
        command: PkgCommand,
    },
}

#[derive(clap::Args)]
struct WatchArgs {
    /// Output path of the host (default: ./STEM).
    #[arg(short = 'o')]
    output: Option<PathBuf>,
    /// Optimisation level.
    #[arg(short = 'O', default_value = "0", value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,
    /// Run the program and apply each rebuild to it while it runs.
    #[arg(long, conflicts_with = "exec")]
    run: bool,
    /// Run this command instead of the program (the host is still kept up to date).
    #[arg(long, value_name = "CMD")]
    exec: Option<String>,
    /// Quiet time after a file event before rebuilding, in milliseconds.
    #[arg(long, value_name = "MS", default_value = "3")]
    debounce: u64,
    /// Rebuild and restart the program when a change cannot be hot-applied.
    #[arg(long)]
    restart_on_incompatible: bool,
    #[command(flatten)]
    link: LinkArgs,
    /// Arguments for the program (or the --exec command).
    #[arg(last = true)]
    args: Vec<String>,
}

#[derive(Subcommand)]
enum PkgCommand {
    /// Build the package's executable (`--hot`: host and patch).
    Build {
        #[arg(long)]
        hot: bool,
        #[command(flatten)]
        codegen: CodegenArgs,
    },
    /// Watch the package: `vaisc watch` on its entry file.
    Watch {
        #[command(flatten)]
        watch: WatchArgs,
    },
}

fn main() -> ExitCode {
    // A panic is a compiler bug: report it as such, without a Rust backtrace, and exit 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal compiler error: {info}");
        eprintln!("note: this is a bug in vaisc; please report it with the input program");
    }));
    let cli = Cli::parse();
    let watching = matches!(
        cli.command,
        Command::Watch { .. }
            | Command::Pkg {
                command: PkgCommand::Watch { .. }
            }
    );
    if !watching {
        keep_freed_memory();
    }
    // All work, watch included, runs on a thread with a deep stack: see `with_compiler_stack`.
    let result = match vaisc::with_compiler_stack(move || run(cli)) {
        Ok(result) => result,
        Err(e) => {
            eprintln!("error: cannot start the compiler thread: {e}");
            return ExitCode::from(2);
        }
    };
    print_timings();
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}

/// The phases `VAIS_TIMINGS=1` recorded (`vaisc::timings`), one a line.
fn print_timings() {
    for p in timings::take() {
        eprintln!(
            "timing: {:>7.1} ms at {:>7.1} ms  {}",
            p.length.as_secs_f64() * 1e3,
            p.start.as_secs_f64() * 1e3,
            p.name
        );
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check { file } => {
            let mut trees = vaisc::resolve::ParseCache::new();
            let checked = driver::check_file_cached(&file, &mut trees)?;
            let code = finish_check(&checked, &file);
            // The process ends here. Freeing the syntax trees and the typed program node by
            // node would take a sixth of the whole check of a large program, for memory the
            // exit gives back at once.
            std::mem::forget(trees);
            std::mem::forget(checked);
            Ok(code)
        }
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

/// Prints all diagnostics and returns exit code 1 when there were errors.
fn finish_check(checked: &Checked, file: &Path) -> ExitCode {
    for d in &checked.diagnostics {
        eprint!("{}", render(d, &checked.sources));
    }
    let errors = checked.error_count();
    if errors > 0 {
        let e = DriverError::Diagnostics {
            path: file.to_path_buf(),
            count: errors,
        };
        eprintln!("error: {e}");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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

#[cfg(test)]
mod tests {
    use super::{mi_version, MIMALLOC_VERSION};

    /// `MI_OPTION_PURGE_DELAY` is a number from mimalloc's header, not from the Rust binding:
    /// another mimalloc may number its options otherwise, and must be looked at again.
    #[test]
    fn the_purge_delay_option_is_numbered_for_the_linked_mimalloc() {
        // SAFETY: `mi_version` only returns a constant.
        assert_eq!(unsafe { mi_version() }, MIMALLOC_VERSION);
    }
}
