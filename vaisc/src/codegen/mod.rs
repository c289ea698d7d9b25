//! LLVM code generation: typed IR to an LLVM module, optimisation, and object or IR output.
//!
//! `lower` builds the module: `types.rs` maps Vais types to LLVM types (C layout), `func.rs`
//! emits function bodies, `control.rs` their control flow, `expr.rs` expressions and places,
//! `arith.rs` the defined forms of division, remainder and shifts, `block_order.rs` the order of
//! each function's blocks, `debug.rs` DWARF line tables for `-g`, `closure.rs` closure values
//! and calls, `builtins.rs` keeps LLVM from taking the program's own functions for C library
//! ones, `registers.rs` which locals need no stack slot, `task.rs` the tasks of async
//! functions.
//! `layout.rs` reads the sizes and offsets of the types back from LLVM: the one layout
//! computation, which the hot-reload manifest describes. Everything is emitted by walking the
//! program's vectors in order, so the same program always gives byte-identical IR. The module
//! targets the host (x86-64 Linux) with position-independent code, so the same object can go
//! into an executable or a shared library.

mod arith;
mod block_order;
mod builtins;
mod closure;
mod control;
mod debug;
mod expr;
mod func;
mod hot_layout;
mod layout;
mod layout_versions;
mod registers;
mod task;
mod types;
mod units;

#[cfg(test)]
mod closure_tests;
#[cfg(test)]
mod mono_tests;
#[cfg(test)]
mod tests;

pub use hot_layout::{has_layout, kept_local_symbol, kept_locals, kept_locals_given};
pub use layout::{layouts, EnumLayout, FieldLayout, Layouts};
pub use units::{split, unit_count, unit_step, write_units, Part, UNIT_PREFIX};

use crate::source::SourceMap;
use crate::tir::{GlobalId, Program};
use inkwell::builder::BuilderError;
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::passes::{PassManager, PassManagerBuilder};
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::OptimizationLevel;
use std::path::Path;

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub opt_level: u8,
    pub debug_info: bool,
    /// Line tables only (no subprogram details beyond names), even without `debug_info`: hot
    /// builds carry them so that the runtime's fault report can name `file:line`.
    pub line_tables: bool,
    /// A hot host: code that is not hot reads layouts from the offset table, and values it
    /// keeps have room to grow (`hot_layout.rs`).
    pub hot_host: bool,
    /// Globals whose storage the hot-reload runtime owns (a patch's globals the host does not
    /// have): code reaches each through a pointer variable the runtime fills, and the module
    /// keeps only its initial value (`vais_hot_abi::NEW_GLOBAL_SLOT_PREFIX`).
    pub runtime_globals: Vec<GlobalId>,
}

#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// A bug in vaisc: the typed IR asked for something LLVM rejects.
    #[error("internal code generation error: {0}")]
    Internal(String),
    #[error("cannot set up the LLVM target: {0}")]
    Target(String),
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

impl From<BuilderError> for CodegenError {
    fn from(e: BuilderError) -> CodegenError {
        CodegenError::Internal(e.to_string())
    }
}

fn level(opt_level: u8) -> OptimizationLevel {
    match opt_level {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Less,
        2 => OptimizationLevel::Default,
        _ => OptimizationLevel::Aggressive,
    }
}

/// The machine for the host: generic x86-64, position-independent.
fn target_machine(opt_level: u8) -> Result<TargetMachine, CodegenError> {
    Target::initialize_native(&InitializationConfig::default()).map_err(CodegenError::Target)?;
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| CodegenError::Target(e.to_string()))?;
    target
        .create_target_machine(
            &triple,
            "x86-64",
            "",
            level(opt_level),
            RelocMode::PIC,
            CodeModel::Default,
        )
        .ok_or_else(|| CodegenError::Target(format!("no target machine for {triple}")))
}

/// Builds and verifies the LLVM module for `program`. Does not optimise.
pub fn lower<'ctx>(
    ctx: &'ctx Context,
    program: &Program,
    sources: &SourceMap,
    opts: &Options,
) -> Result<Module<'ctx>, CodegenError> {
    lower_part(ctx, program, sources, opts, None)
}

/// Like [`lower`], for the module holding `part` of the program (`None`: all of it).
pub fn lower_part<'ctx>(
    ctx: &'ctx Context,
    program: &Program,
    sources: &SourceMap,
    opts: &Options,
    part: Option<Part>,
) -> Result<Module<'ctx>, CodegenError> {
    let tm = target_machine(opts.opt_level)?;
    let module = ctx.create_module("vais");
    module.set_triple(&tm.get_triple());
    module.set_data_layout(&tm.get_target_data().get_data_layout());
    let mut gen = func::Gen::new(
        ctx,
        &module,
        program,
        tm.get_target_data(),
        sources,
        opts,
        part,
    )?;
    gen.emit_program()?;
    gen.finish_debug_info();
    block_order::order_blocks(&module);
    module
        .verify()
        .map_err(|e| CodegenError::Internal(format!("invalid LLVM module after lowering: {e}")))?;
    Ok(module)
}

/// In test builds (`debug_assertions`), checks `module` with LLVM's verifier after the stage
/// `after` transformed it, so that a stage that breaks the module is an internal error naming
/// the stage rather than a crash (or a miscompile) in a later one. Release builds verify once,
/// after lowering.
pub fn verify_after(module: &Module, after: &str) -> Result<(), CodegenError> {
    if cfg!(debug_assertions) {
        module.verify().map_err(|e| {
            CodegenError::Internal(format!("invalid LLVM module after {after}: {e}"))
        })?;
    }
    Ok(())
}

/// Runs LLVM's standard optimisation pipeline for the level (nothing at 0).
pub fn optimize(module: &Module, opt_level: u8) -> Result<(), CodegenError> {
    if opt_level == 0 {
        return Ok(());
    }
    let pmb = PassManagerBuilder::create();
    pmb.set_optimization_level(level(opt_level));
    pmb.set_inliner_with_threshold(if opt_level >= 3 { 275 } else { 225 });
    let fpm = PassManager::create(module);
    pmb.populate_function_pass_manager(&fpm);
    fpm.initialize();
    let mut f = module.get_first_function();
    while let Some(func) = f {
        fpm.run_on(&func);
        f = func.get_next_function();
    }
    fpm.finalize();
    let mpm = PassManager::create(());
    pmb.populate_module_pass_manager(&mpm);
    mpm.run_on(module);
    verify_after(module, "optimisation")
}

/// Writes a native object file. The object is produced in memory and written by Rust, because
/// LLVM aborts the whole process when its own file output fails (a full disk, say).
pub fn write_object(module: &Module, opt_level: u8, path: &Path) -> Result<(), CodegenError> {
    let tm = target_machine(opt_level)?;
    let buffer = tm
        .write_to_memory_buffer(module, FileType::Object)
        .map_err(|e| CodegenError::Internal(e.to_string()))?;
    write_file(path, buffer.as_slice())
}

/// Writes the module as textual LLVM IR.
pub fn write_ir(module: &Module, path: &Path) -> Result<(), CodegenError> {
    write_file(path, module.print_to_string().to_bytes())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CodegenError> {
    std::fs::write(path, bytes).map_err(|e| {
        // Leave no partial file behind.
        let _ = std::fs::remove_file(path);
        CodegenError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    })
}
