//! DWARF debug information for `-g`: a compile unit, one subprogram per function and a line
//! and column on every instruction, so debuggers can set breakpoints at `file.vais:LINE` and
//! show where a crash happened. Variables and types are not described yet. Hot builds without
//! `-g` get the line tables alone (DWARF's line-tables-only kind), which the hot-reload
//! runtime reads to name the `file:line` of a fault; their locations have no columns.

use crate::source::{SourceMap, Span};
use crate::tir::FuncDef;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::debug_info::{
    AsDIScope, DICompileUnit, DIFile, DIFlags, DIFlagsConstants, DIScope, DWARFEmissionKind,
    DWARFSourceLanguage, DebugInfoBuilder,
};
use inkwell::module::{FlagBehavior, Module};
use inkwell::values::FunctionValue;
use std::cell::Cell;

pub(super) struct DebugInfo<'ctx> {
    builder: DebugInfoBuilder<'ctx>,
    unit: DICompileUnit<'ctx>,
    /// One DIFile per source file, indexed like the source map.
    files: Vec<DIFile<'ctx>>,
    optimized: bool,
    /// The subprogram of the function being emitted.
    scope: Option<DIScope<'ctx>>,
    /// Full debug information (`-g`), not only line tables: locations then carry columns.
    full: bool,
    /// The line and column last set as the builder's location in this function: an
    /// expression on the same spot needs no new location.
    last: Cell<Option<(u32, u32)>>,
}

impl<'ctx> DebugInfo<'ctx> {
    pub fn new(
        ctx: &'ctx Context,
        module: &Module<'ctx>,
        sources: &SourceMap,
        optimized: bool,
        full: bool,
    ) -> DebugInfo<'ctx> {
        let version = ctx.i32_type().const_int(3, false);
        module.add_basic_value_flag("Debug Info Version", FlagBehavior::Warning, version);
        let (main_name, main_dir) = sources
            .files()
            .next()
            .map(|(_, f)| split(&f.path))
            .unwrap_or_default();
        let (builder, unit) = module.create_debug_info_builder(
            true,
            DWARFSourceLanguage::C,
            &main_name,
            &main_dir,
            concat!("vaisc ", env!("CARGO_PKG_VERSION")),
            optimized,
            "",
            0,
            "",
            if full {
                DWARFEmissionKind::Full
            } else {
                DWARFEmissionKind::LineTablesOnly
            },
            0,
            false,
            false,
            "",
            "",
        );
        let files = sources
            .files()
            .map(|(_, f)| {
                let (name, dir) = split(&f.path);
                builder.create_file(&name, &dir)
            })
            .collect();
        DebugInfo {
            builder,
            unit,
            files,
            optimized,
            scope: None,
            full,
            last: Cell::new(None),
        }
    }

    pub fn enter_function(
        &mut self,
        func: FunctionValue<'ctx>,
        def: &FuncDef,
        sources: &SourceMap,
    ) {
        let file = self.files[def.span.file.0 as usize];
        let line = sources.file(def.span.file).line(def.span.lo);
        let ty = self
            .builder
            .create_subroutine_type(file, None, &[], DIFlags::PUBLIC);
        let sp = self.builder.create_function(
            self.unit.as_debug_info_scope(),
            &def.name,
            None,
            file,
            line,
            ty,
            true,
            true,
            line,
            DIFlags::PUBLIC,
            self.optimized,
        );
        func.set_subprogram(sp);
        self.scope = Some(sp.as_debug_info_scope());
        self.last.set(None);
    }

    pub fn set_location(
        &self,
        ctx: &'ctx Context,
        builder: &Builder<'ctx>,
        sources: &SourceMap,
        span: Span,
    ) {
        let Some(scope) = self.scope else {
            return;
        };
        let file = sources.file(span.file);
        // Line tables name a fault's line, never its column. Without columns, the expressions
        // of one line share a location, which saves creating one per expression and gives
        // the line table a row per line instead of one per expression: a large part of a hot
        // build's code generation time. Nor is the column counted then.
        let (line, col) = if self.full {
            file.line_col(span.lo)
        } else {
            (file.line(span.lo), 0)
        };
        if self.last.get() == Some((line, col)) {
            return;
        }
        self.last.set(Some((line, col)));
        let loc = self
            .builder
            .create_debug_location(ctx, line, col, scope, None);
        builder.set_current_debug_location(loc);
    }

    pub fn finish(&self) {
        self.builder.finalize();
    }
}

/// File name and directory of a path, as DWARF wants them.
fn split(path: &std::path::Path) -> (String, String) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = path
        .parent()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    (name, dir)
}
