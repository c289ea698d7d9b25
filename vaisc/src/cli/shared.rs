//! What both halves of `vaisc` (`main.rs`, the front, and `codegen.rs`, the code generator)
//! do alike: their allocator, the panic hook, `check` itself, the `VAIS_TIMINGS` report and
//! how a command's outcome becomes the exit status.

use crate::args::{Command, PkgCommand};
use std::path::Path;
use std::process::ExitCode;
use vaisc::diagnostics::render;
use vaisc::driver::{self, Checked, DriverError};
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

/// Makes mimalloc keep the memory `command` frees for its own later allocations instead of
/// handing it back to the system, unless it is a watch. A build frees a great deal as it goes
/// (each unit's LLVM module, the threads' heaps); handed back, those pages come back zeroed by
/// the kernel, page fault by page fault, when the next phase allocates again. Keeping them
/// makes a 50,000-line `-O0` build about a fifth faster and a hot build a sixth (measured side
/// by side with `MIMALLOC_PURGE_DELAY=-1`). Watch keeps the default: a session lasts hours and
/// should give a full build's memory back.
pub fn keep_freed_memory_unless_watching(command: &Command) {
    if matches!(
        command,
        Command::Watch { .. }
            | Command::Pkg {
                command: PkgCommand::Watch { .. }
            }
    ) {
        return;
    }
    // SAFETY: `mi_option_set` stores a value in mimalloc's option table, which mimalloc reads
    // with atomic loads; any thread may call it at any time. The option's number is that of
    // the mimalloc linked in, which `the_purge_delay_option_is_numbered_for_the_linked_mimalloc`
    // checks.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

/// A panic is a compiler bug: it is reported as such, without a Rust backtrace, and the
/// command exits with 2.
pub fn report_panics_as_bugs() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal compiler error: {info}");
        eprintln!("note: this is a bug in vaisc; please report it with the input program");
    }));
}

/// Runs `command` on a thread with a deep stack (see `with_compiler_stack`), then prints the
/// phases `VAIS_TIMINGS=1` recorded: the exit status of the whole command.
pub fn run_command(command: impl FnOnce() -> anyhow::Result<ExitCode> + Send) -> ExitCode {
    let result = match vaisc::with_compiler_stack(command) {
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

/// `vaisc check FILE`.
pub fn check(file: &Path) -> anyhow::Result<ExitCode> {
    let mut trees = vaisc::resolve::ParseCache::new();
    let checked = driver::check_file_cached(file, &mut trees)?;
    let code = finish_check(&checked, file);
    // The process ends here. Freeing the syntax trees and the typed program node by node
    // would take a sixth of the whole check of a large program, for memory the exit gives
    // back at once.
    std::mem::forget(trees);
    std::mem::forget(checked);
    Ok(code)
}

/// Prints all diagnostics and returns exit code 1 when there were errors.
pub fn finish_check(checked: &Checked, file: &Path) -> ExitCode {
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
