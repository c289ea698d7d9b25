//! The `vaisc` command: the front of the command line. It runs `check` itself and hands every
//! other command to `vaisc-codegen` (`cli/codegen.rs`, installed beside it) by executing it in
//! its place with the same arguments, so the process, its exit status and its signals stay the
//! command's own. The front does not link LLVM: loading LLVM's shared library (relocating it and
//! running its start-up code) costs about 20 ms, more than the whole check of a 5,000-line
//! program, and `check` never generates code.

// The front parses the whole command line (to give the same help and errors as the code
// generator), but reads only `check`'s arguments: the others are for `vaisc-codegen`.
#[allow(dead_code)]
#[path = "cli/args.rs"]
mod args;
#[path = "cli/shared.rs"]
mod shared;

use args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

/// The code generator's executable, beside this one.
const CODEGEN: &str = "vaisc-codegen";

fn main() -> ExitCode {
    shared::report_panics_as_bugs();
    let cli = Cli::parse();
    shared::keep_freed_memory_unless_watching(&cli.command);
    match cli.command {
        Command::Check { file } => shared::run_command(move || shared::check(&file)),
        _ => run_codegen(),
    }
}

/// Executes `vaisc-codegen` in this process's place with this command's arguments; returns
/// only if that cannot be done.
fn run_codegen() -> ExitCode {
    use std::os::unix::process::CommandExt;
    let exe = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(CODEGEN),
        Err(e) => {
            eprintln!("error: cannot find vaisc's own executable, beside which {CODEGEN} is: {e}");
            return ExitCode::from(2);
        }
    };
    let e = std::process::Command::new(&exe)
        .args(std::env::args_os().skip(1))
        .exec();
    eprintln!("error: cannot run {}: {e}", exe.display());
    ExitCode::from(2)
}
