//! Modules that hold part of a program: a hot patch (only the functions whose code changed,
//! the host's copies of the others declared by their exported names) and the units of a full
//! build, compiled in parallel, each in its own LLVM context on its own thread, and linked
//! together.
//!
//! A part says which function bodies its module emits; every other function of the program is
//! declared, so calls across parts are plain external calls the linker resolves. Units of one
//! build share their functions and globals with hidden visibility: visible to the other units
//! of the same executable, never exported from it.

use super::{CodegenError, Options};
use crate::source::SourceMap;
use crate::timings;
use crate::tir::Program;
use inkwell::context::Context;
use inkwell::module::Module;
use std::path::PathBuf;
use std::sync::mpsc;

/// Which of the program's functions and state a module defines.
#[derive(Clone, Copy, Debug)]
pub struct Part<'a> {
    /// Per function (indexed like `Program::functions`): whether this module emits its body.
    pub bodies: &'a [bool],
    /// The symbol prefix of the functions this module only declares, and in units (`shared`)
    /// of the ones it defines too.
    pub declared_prefix: &'a str,
    /// In units (`shared`), the symbol prefix of the program's globals.
    pub global_prefix: &'a str,
    /// Whether this module defines the program's globals and the C `main` wrapper; the other
    /// parts declare the globals.
    pub owns_state: bool,
    /// Whether other modules of the same link call this module's functions and use its
    /// globals (units of a full build): they are then external with hidden visibility, not
    /// internal.
    pub shared: bool,
}

impl Part<'_> {
    /// The part for a hot patch: the `bodies` selected, every other function the host's export
    /// (`vais_hot_abi::HOST_FN_PREFIX`). The globals are defined here and turned into the
    /// host's by the hot-reload pass; a patch has no `main`.
    pub fn patch(bodies: &[bool]) -> Part<'_> {
        Part {
            bodies,
            declared_prefix: vais_hot_abi::HOST_FN_PREFIX,
            global_prefix: "",
            owns_state: false,
            shared: false,
        }
    }
}

/// Splits the defined functions of `program` into `count` units of about equal size (counted
/// in expression nodes, the measure of the code each emits), keeping declaration order within
/// each unit. Unit 0 also holds the program's state. The split depends only on the program, so
/// the same program always gives the same units.
pub fn split(program: &Program, count: usize) -> Vec<Vec<bool>> {
    let sizes: Vec<usize> = program
        .functions
        .iter()
        .map(|f| f.body.as_ref().map_or(0, |b| 1 + size(&b.body)))
        .collect();
    let total: usize = sizes.iter().sum();
    let mut units = vec![vec![false; program.functions.len()]; count.max(1)];
    let mut done = 0;
    for (f, &n) in sizes.iter().enumerate() {
        if n == 0 {
            continue;
        }
        // The unit whose share of the total this function's first node falls in.
        let unit = (done * units.len() / total.max(1)).min(units.len() - 1);
        units[unit][f] = true;
        done += n;
    }
    units
}

/// The number of expression nodes in `e`.
fn size(e: &crate::tir::Expr) -> usize {
    let mut n = 0;
    crate::hot::visit(e, &mut |_| n += 1);
    n
}

/// How many units a full build of `program` at `opt_level` is split into. Optimised builds
/// stay whole, so that LLVM sees the whole program (inlining across every function); so do
/// small programs, for which a second thread costs more than it saves. The count does not
/// depend on the machine, so the output does not either.
pub fn unit_count(program: &Program, opt_level: u8) -> usize {
    /// Expression nodes below which one unit is about as fast (some 700 lines of typical
    /// code): the second thread and object cost a few milliseconds.
    const SMALL: usize = 10_000;
    if opt_level > 0 {
        return 1;
    }
    let nodes: usize = program
        .functions
        .iter()
        .filter_map(|f| f.body.as_ref())
        .map(|b| size(&b.body))
        .sum();
    if nodes < SMALL {
        1
    } else {
        UNITS
    }
}

/// The number of units of a large unoptimised build: the machine the project targets has two
/// cores.
const UNITS: usize = 2;

/// The symbol prefix of the functions (and, outside hot hosts, the globals) that units of one
/// build share. With their Vais names they could clash with the C start-up files' own symbols
/// (`_init`, `_start`, `data_start`), which an internal symbol never does. A hot host's globals
/// keep their names: patches use them by name.
pub const UNIT_PREFIX: &str = "vais.unit.";

/// The parts of a build split into `units` (from [`split`]): unit 0 owns the program's state.
/// `hot`: the units of a hot host.
fn unit_part(units: &[Vec<bool>], i: usize, hot: bool) -> Part<'_> {
    Part {
        bodies: &units[i],
        declared_prefix: UNIT_PREFIX,
        global_prefix: if hot { "" } else { UNIT_PREFIX },
        owns_state: i == 0,
        shared: units.len() > 1,
    }
}

/// What [`write_units`] runs on each unit's module before code generation. Passing a closure
/// through this gives it the signature for modules of any context.
pub fn unit_step<F>(f: F) -> F
where
    F: for<'c> Fn(usize, &'c Context, &Module<'c>) -> Result<(), CodegenError> + Sync,
{
    f
}

/// Lowers each unit of `units` (of a hot host: `hot`) in an LLVM context of its own on a
/// thread of its own, runs `finish` on its module and index (the caller's last changes before
/// code generation), and writes it as the object file `objects[i]`. The first error, in unit
/// order, is returned. Once every object is written, `then` runs (the caller starts the link)
/// while the threads free their modules and contexts, which takes a good part of a second on a
/// large program: the linker need not wait for it.
#[allow(clippy::too_many_arguments)]
pub fn write_units<T>(
    program: &Program,
    sources: &SourceMap,
    opts: &Options,
    units: &[Vec<bool>],
    hot: bool,
    objects: &[PathBuf],
    finish: &(dyn for<'c> Fn(usize, &'c Context, &Module<'c>) -> Result<(), CodegenError> + Sync),
    then: impl FnOnce() -> T,
) -> Result<T, CodegenError> {
    let unit = Unit {
        program,
        sources,
        opts,
        units,
        hot,
        objects,
        finish,
    };
    // Target set-up registers LLVM's global tables: done once, before the threads.
    super::target_machine(opts.opt_level)?;
    timings::phase(|| "code generation".into(), || unit.write_all(then))
}

/// The error for a code generation thread that panicked.
fn panicked() -> CodegenError {
    CodegenError::Internal("a code generation thread panicked".into())
}

/// A fresh context for one unit.
fn context() -> Context {
    let ctx = Context::create();
    // Nobody reads the names of a unit's instructions (its IR is never printed), and keeping
    // them costs a string table lookup per instruction.
    // SAFETY: `ctx.raw()` is the live context created just above, owned by this thread.
    unsafe { inkwell::llvm_sys::core::LLVMContextSetDiscardValueNames(ctx.raw(), 1) };
    ctx
}

/// What every unit of one [`write_units`] shares.
#[derive(Clone, Copy)]
struct Unit<'a> {
    program: &'a Program,
    sources: &'a SourceMap,
    opts: &'a Options,
    units: &'a [Vec<bool>],
    hot: bool,
    objects: &'a [PathBuf],
    finish:
        &'a (dyn for<'c> Fn(usize, &'c Context, &Module<'c>) -> Result<(), CodegenError> + Sync),
}

impl Unit<'_> {
    /// [`write_units`] once the target is set up.
    fn write_all<T>(self, then: impl FnOnce() -> T) -> Result<T, CodegenError> {
        let (unit, units) = (self, self.units);
        std::thread::scope(|scope| {
            let (written, done) = mpsc::channel();
            let others: Vec<_> = (1..units.len())
                .map(|i| {
                    let written = written.clone();
                    // The caller only waits for the object, not for the freeing after it.
                    // It stops waiting (and the send fails) only if it panicked.
                    scope.spawn(move || {
                        unit.run(i, |r| {
                            let _ = written.send((i, r));
                        })
                    })
                })
                .collect();
            drop(written);
            let outcome = unit.run(0, |first| {
                let mut results: Vec<Result<(), CodegenError>> =
                    (0..units.len()).map(|_| Err(panicked())).collect();
                results[0] = first;
                for (i, r) in done.iter() {
                    results[i] = r;
                }
                let all: Result<Vec<()>, _> = results.into_iter().collect();
                all.map(|_| then())
            });
            let joined = others
                .into_iter()
                .map(|h| h.join().map_err(|_| panicked()))
                .collect::<Result<Vec<()>, _>>();
            joined.and(outcome)
        })
    }

    /// Lowers, finishes and writes unit `i` in `ctx`; the module is returned to be freed.
    fn write<'c>(&self, i: usize, ctx: &'c Context) -> Result<Module<'c>, CodegenError> {
        let part = Some(unit_part(self.units, i, self.hot));
        let module = timings::phase(
            || format!("unit {i}: lowering"),
            || super::lower_part(ctx, self.program, self.sources, self.opts, part),
        )?;
        timings::phase(
            || format!("unit {i}: finishing"),
            || (self.finish)(i, ctx, &module),
        )?;
        timings::phase(
            || format!("unit {i}: object"),
            || super::write_object(&module, self.opts.opt_level, &self.objects[i]),
        )?;
        Ok(module)
    }

    /// Builds unit `i` in a context of its own, passes the outcome to `written`, and then
    /// frees the module and the context; returns what `written` returned.
    fn run<R>(&self, i: usize, written: impl FnOnce(Result<(), CodegenError>) -> R) -> R {
        let ctx = context();
        let (result, module) = match self.write(i, &ctx) {
            Ok(m) => (Ok(()), Some(m)),
            Err(e) => (Err(e), None),
        };
        let out = written(result);
        timings::phase(|| format!("unit {i}: freeing the module"), || drop(module));
        timings::phase(|| format!("unit {i}: freeing the context"), || drop(ctx));
        out
    }
}
