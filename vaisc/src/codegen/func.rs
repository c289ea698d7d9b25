//! Module-level emission (globals, function declarations, the C `main` wrapper) and function
//! bodies; their control flow is in `control.rs`.
//!
//! Every local gets one stack slot in the entry block, which LLVM's mem2reg turns into
//! registers when optimising, except the ones that are defined once and never written or
//! addressed (`registers.rs`): those are SSA values from the start.

use super::debug::DebugInfo;
use super::units::Part;
use super::{CodegenError, Options};
use crate::source::SourceMap;
use crate::tir::{Const, Program, Ty};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::targets::TargetData;
use inkwell::types::StructType;
use inkwell::values::{BasicValueEnum, FunctionValue, GlobalValue, PointerValue};
use std::collections::HashMap;

pub(super) type Res<T> = Result<T, CodegenError>;

/// State for emitting one module.
pub(super) struct Gen<'a, 'ctx> {
    pub ctx: &'ctx Context,
    pub module: &'a Module<'ctx>,
    pub builder: Builder<'ctx>,
    pub program: &'a Program,
    pub sources: &'a SourceMap,
    pub target: TargetData,
    pub struct_types: Vec<StructType<'ctx>>,
    pub enum_types: Vec<StructType<'ctx>>,
    pub functions: Vec<FunctionValue<'ctx>>,
    pub globals: Vec<GlobalValue<'ctx>>,
    /// Per global: the pointer variable through which code reaches it, for the globals whose
    /// storage the hot-reload runtime owns (`Options::runtime_globals`).
    pub global_slots: Vec<Option<GlobalValue<'ctx>>>,
    runtime_globals: Vec<crate::tir::GlobalId>,
    /// String literals already emitted, by contents (lookup only; emission order is the
    /// order of first use).
    strings: HashMap<String, PointerValue<'ctx>>,
    pub debug: Option<DebugInfo<'ctx>>,
    /// The thunks making function pointers closures, by code type and whether they escape
    /// (`closure.rs`), in creation order.
    pub thunks: Vec<(
        inkwell::types::FunctionType<'ctx>,
        bool,
        FunctionValue<'ctx>,
    )>,
    /// The function being emitted.
    pub f: Option<FnState<'ctx>>,
    /// The part of the program this module holds; `None`: all of it.
    part: Option<Part<'a>>,
    /// In a hot host: the offset table and the runtime's safe point (`hot_layout.rs`).
    pub hot: Option<super::hot_layout::HotHost<'ctx>>,
    hot_host: bool,
    /// The module will be optimised (`-O1` and up), which decides what code a hot host
    /// emits in two versions (`layout_versions.rs`).
    pub optimized: bool,
}

pub(super) struct FnState<'ctx> {
    pub func: FunctionValue<'ctx>,
    /// Per local: its stack slot, or `None` for one that lives in an SSA value
    /// (`registers.rs`).
    pub locals: Vec<Option<PointerValue<'ctx>>>,
    /// Per local living in an SSA value: its value (see `emit_function`).
    pub values: Vec<Option<BasicValueEnum<'ctx>>>,
    /// `(continue target, break target)` of each enclosing loop.
    pub loops: Vec<(BasicBlock<'ctx>, BasicBlock<'ctx>)>,
    pub entry: BasicBlock<'ctx>,
    /// The function reads layouts from the offset table (`hot_layout.rs`).
    pub dynamic: bool,
    /// The function is the user's `main`.
    pub is_main: bool,
    /// Offset-table entries the function uses, and the stack slot holding each
    /// (`hot_layout.rs`).
    pub layout_slots: Vec<(GlobalValue<'ctx>, PointerValue<'ctx>)>,
    /// Inside one version of layout-dependent code (`layout_versions.rs`): `Some(true)` in
    /// the one with the host's constant layouts, `Some(false)` in the one reading the table.
    pub version: Option<bool>,
}

impl<'a, 'ctx> Gen<'a, 'ctx> {
    pub fn new(
        ctx: &'ctx Context,
        module: &'a Module<'ctx>,
        program: &'a Program,
        target: TargetData,
        sources: &'a SourceMap,
        opts: &Options,
        part: Option<Part<'a>>,
    ) -> Res<Gen<'a, 'ctx>> {
        let debug = if opts.debug_info || opts.line_tables {
            Some(DebugInfo::new(
                ctx,
                module,
                sources,
                opts.opt_level > 0,
                opts.debug_info,
            ))
        } else {
            None
        };
        let mut gen = Gen {
            ctx,
            module,
            builder: ctx.create_builder(),
            program,
            sources,
            target,
            struct_types: Vec::new(),
            enum_types: Vec::new(),
            functions: Vec::new(),
            globals: Vec::new(),
            global_slots: Vec::new(),
            runtime_globals: opts.runtime_globals.clone(),
            strings: HashMap::new(),
            debug,
            thunks: Vec::new(),
            f: None,
            part,
            hot: None,
            hot_host: opts.hot_host,
            optimized: opts.opt_level > 0,
        };
        gen.declare_types()?;
        Ok(gen)
    }

    /// Whether this module is one of several units of one program, which share its symbols.
    pub(super) fn in_units(&self) -> bool {
        self.part.is_some_and(|p| p.shared)
    }

    /// Whether this module emits the body of function `id`.
    fn emits_body(&self, id: usize) -> bool {
        self.program.functions[id].body.is_some()
            && self
                .part
                .is_none_or(|p| p.bodies.get(id).copied().unwrap_or(false))
    }

    pub fn emit_program(&mut self) -> Res<()> {
        let shared = self.part.is_some_and(|p| p.shared);
        let owns_state = self.part.is_none_or(|p| p.owns_state);
        if self.hot_host {
            self.declare_hot_host()?;
        }
        for (id, def) in self.program.functions.iter().enumerate() {
            let fty = self.fn_type(&def.ty);
            let is_main = self.program.main == Some(id);
            let symbol = if is_main { "vais_main" } else { &def.name };
            // A body taken from the host (`FuncDef::host_body`) is defined there: declared as
            // any body another part defines.
            let (name, linkage) = match (def.is_defined(), self.emits_body(id), self.part) {
                (false, _, _) => (def.name.clone(), Linkage::External),
                (true, true, Some(p)) if shared => {
                    (format!("{}{symbol}", p.declared_prefix), Linkage::External)
                }
                (true, true, _) => (symbol.to_string(), Linkage::Internal),
                // Defined in another part: declared under the name that part gives it, except
                // `main`, which no part exports (the hot-reload pass refuses a patch using it).
                (true, false, Some(_)) if is_main && !shared => {
                    (symbol.to_string(), Linkage::External)
                }
                (true, false, Some(p)) => {
                    (format!("{}{symbol}", p.declared_prefix), Linkage::External)
                }
                (true, false, None) => (symbol.to_string(), Linkage::Internal),
            };
            let f = match self.module.get_function(&name) {
                Some(existing) if !def.is_defined() => existing,
                _ => self.module.add_function(&name, fty, Some(linkage)),
            };
            if shared && def.is_defined() {
                f.as_global_value()
                    .set_visibility(inkwell::GlobalVisibility::Hidden);
            }
            if def.attrs.inline {
                let kind = inkwell::attributes::Attribute::get_named_enum_kind_id("alwaysinline");
                f.add_attribute(
                    inkwell::attributes::AttributeLoc::Function,
                    self.ctx.create_enum_attribute(kind, 0),
                );
            }
            self.functions.push(f);
        }
        super::builtins::shadow(self.ctx, self.program, &self.functions);
        self.note_quiet_functions();
        self.declare_tasks();
        // A patch defines the globals too: the hot-reload pass turns each into the host's.
        let defines_globals = owns_state || !shared;
        let global_prefix = self
            .part
            .map_or("", |p| if shared { p.global_prefix } else { "" });
        for (id, g) in self.program.globals.iter().enumerate() {
            let ty = self.llvm(&g.ty);
            if self.runtime_globals.contains(&id) {
                // The module holds only the initial value, which the runtime copies into the
                // storage it creates, and the pointer variable it stores that storage's
                // address in.
                let init_name = format!("{}{}", vais_hot_abi::NEW_GLOBAL_INIT_PREFIX, g.name);
                let global = self.module.add_global(ty, None, &init_name);
                global.set_linkage(Linkage::Internal);
                self.globals.push(global);
                let ptr =
                    inkwell::types::BasicType::ptr_type(&ty, inkwell::AddressSpace::default());
                let slot_name = format!("{}{}", vais_hot_abi::NEW_GLOBAL_SLOT_PREFIX, g.name);
                let slot = self.module.add_global(ptr, None, &slot_name);
                slot.set_linkage(Linkage::Internal);
                slot.set_initializer(&ptr.const_null());
                self.global_slots.push(Some(slot));
            } else {
                let global = self.global_storage(&g.ty, &format!("{global_prefix}{}", g.name));
                if shared {
                    global.set_linkage(Linkage::External);
                    global.set_visibility(inkwell::GlobalVisibility::Hidden);
                } else {
                    global.set_linkage(Linkage::Internal);
                }
                self.globals.push(global);
                self.global_slots.push(None);
            }
        }
        if defines_globals {
            for (i, g) in self.program.globals.iter().enumerate() {
                let init = self.constant(&g.init, &g.ty)?;
                let init = self.global_init(&g.init, &g.ty, init)?;
                self.globals[i].set_initializer(&init);
            }
        }
        for id in 0..self.program.functions.len() {
            if self.emits_body(id) {
                self.emit_function(id)?;
            }
        }
        self.emit_tasks()?;
        if let (Some(main), true) = (self.program.main, owns_state) {
            self.emit_c_main(main)?;
        }
        Ok(())
    }

    /// `int main(int argc, char **argv)`: records the arguments in `vais_argc`/`vais_argv`,
    /// runs the Vais `main` and returns its result as the exit status.
    fn emit_c_main(&mut self, main: usize) -> Res<()> {
        let i32t = self.ctx.i32_type();
        let argv_ty = self.i8_ptr().ptr_type(inkwell::AddressSpace::default());
        let fty = i32t.fn_type(&[i32t.into(), argv_ty.into()], false);
        let f = self
            .module
            .add_function("main", fty, Some(Linkage::External));
        let argc_g = self.module.add_global(i32t, None, "vais_argc");
        argc_g.set_initializer(&i32t.const_zero());
        let argv_g = self.module.add_global(argv_ty, None, "vais_argv");
        argv_g.set_initializer(&argv_ty.const_null());
        let entry = self.ctx.append_basic_block(f, "entry");
        self.builder.position_at_end(entry);
        if self.debug.is_some() {
            self.builder.unset_current_debug_location();
        }
        let (Some(argc), Some(argv)) = (f.get_nth_param(0), f.get_nth_param(1)) else {
            return Err(CodegenError::Internal("main without parameters".into()));
        };
        self.builder.build_store(argc_g.as_pointer_value(), argc)?;
        self.builder.build_store(argv_g.as_pointer_value(), argv)?;
        let call = self
            .builder
            .build_call(self.functions[main], &[], "status")?;
        let status = match call.try_as_basic_value().basic() {
            Some(BasicValueEnum::IntValue(v)) => self
                .builder
                .build_int_cast_sign_flag(v, i32t, true, "exit")?,
            _ => i32t.const_zero(),
        };
        self.builder.build_return(Some(&status))?;
        Ok(())
    }

    fn emit_function(&mut self, id: usize) -> Res<()> {
        let def = &self.program.functions[id];
        let Some(body) = &def.body else {
            return Ok(());
        };
        let func = self.functions[id];
        let entry = self.ctx.append_basic_block(func, "entry");
        self.builder.position_at_end(entry);
        if let Some(d) = &mut self.debug {
            // The builder still carries the previous function's location; replace it before
            // emitting anything, or LLVM rejects the attachment.
            d.enter_function(func, def, self.sources);
            d.set_location(self.ctx, &self.builder, self.sources, def.span);
        }
        let mut locals = Vec::new();
        let dynamic = self.is_dynamic_fn(id);
        let is_main = self.program.main == Some(id);
        let kept = if is_main && self.hot.is_some() {
            super::hot_layout::kept_locals(self.program)
        } else {
            Vec::new()
        };
        let params = def.ty.params.len();
        let registers = super::registers::register_locals(body, params, |i| kept.contains(&i));
        let mut values = vec![None; body.locals.len()];
        for (i, local) in body.locals.iter().enumerate() {
            if registers[i] {
                // A `let` sets its local's value; until then (only in dead code after an
                // initialiser that diverges, as in `x: i64 = R 9`) it reads as zero.
                values[i] = if i < params {
                    func.get_nth_param(i as u32)
                } else {
                    Some(self.llvm(&local.ty).const_zero())
                };
                locals.push(None);
                continue;
            }
            let slot = if kept.contains(&i) {
                self.kept_slot(i, &local.name, &local.ty)
            } else {
                self.slot(&self.builder, &local.ty, dynamic, &local.name)?
            };
            if i < params {
                if let Some(p) = func.get_nth_param(i as u32) {
                    self.builder.build_store(slot, p)?;
                }
            }
            locals.push(Some(slot));
        }
        self.f = Some(FnState {
            func,
            locals,
            values,
            loops: Vec::new(),
            entry,
            dynamic,
            is_main,
            layout_slots: Vec::new(),
            version: None,
        });
        let value = match self.version_body(id) {
            Some(moved) => self.versioned(moved, |g| g.expr(&body.body), &body.body.ty)?,
            None => self.expr(&body.body)?,
        };
        if !self.terminated() {
            match (value, &def.ty.ret) {
                (Some(v), ret) if Self::has_value(ret) => {
                    self.builder.build_return(Some(&v))?;
                }
                (_, Ty::Unit) => {
                    self.builder.build_return(None)?;
                }
                _ => {
                    self.builder.build_unreachable()?;
                }
            }
        }
        for bb in func.get_basic_blocks() {
            if bb.get_terminator().is_none() {
                self.builder.position_at_end(bb);
                self.builder.build_unreachable()?;
            }
        }
        self.reload_layouts_after_calls(id)?;
        self.f = None;
        Ok(())
    }

    /// The stack slot of local `id`.
    pub(super) fn local_slot(&mut self, id: usize) -> Res<PointerValue<'ctx>> {
        self.state()?.locals[id].ok_or_else(|| {
            CodegenError::Internal(format!("local {id} lives in a value, not in memory"))
        })
    }

    pub(super) fn state(&mut self) -> Res<&mut FnState<'ctx>> {
        self.f
            .as_mut()
            .ok_or_else(|| CodegenError::Internal("expression outside a function".into()))
    }

    /// Whether the current block already ends in a terminator.
    pub(super) fn terminated(&self) -> bool {
        self.builder
            .get_insert_block()
            .and_then(|b| b.get_terminator())
            .is_some()
    }

    /// Continues in a fresh block with no predecessors (after `R`, `B`, `C`, ...).
    pub(super) fn start_dead_block(&mut self) -> Res<()> {
        let func = self.state()?.func;
        let bb = self.ctx.append_basic_block(func, "dead");
        self.builder.position_at_end(bb);
        Ok(())
    }

    pub(super) fn new_block(&mut self, name: &str) -> Res<BasicBlock<'ctx>> {
        let func = self.state()?.func;
        Ok(self.ctx.append_basic_block(func, name))
    }

    /// Branches to `target` unless the current block is already terminated.
    pub(super) fn branch(&mut self, target: BasicBlock<'ctx>) -> Res<()> {
        if !self.terminated() {
            self.builder.build_unconditional_branch(target)?;
        }
        Ok(())
    }

    /// A stack slot in the entry block, for temporaries.
    pub(super) fn temp_slot(&mut self, ty: &Ty) -> Res<PointerValue<'ctx>> {
        let entry = self.state()?.entry;
        let dynamic = self.dynamic();
        let tmp = self.ctx.create_builder();
        match entry.get_first_instruction() {
            Some(first) => tmp.position_before(&first),
            None => tmp.position_at_end(entry),
        }
        self.slot(&tmp, ty, dynamic, "tmp")
    }

    pub(super) fn string(&mut self, s: &str) -> PointerValue<'ctx> {
        if let Some(p) = self.strings.get(s) {
            return *p;
        }
        let value = self.ctx.const_string(s.as_bytes(), true);
        let g = self.module.add_global(value.get_type(), None, ".str");
        g.set_initializer(&value);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        g.set_unnamed_addr(true);
        let p = g.as_pointer_value().const_cast(self.i8_ptr());
        self.strings.insert(s.to_string(), p);
        p
    }

    /// The LLVM constant for a global initialiser.
    pub(super) fn constant(&mut self, c: &Const, ty: &Ty) -> Res<BasicValueEnum<'ctx>> {
        let llty = self.llvm(ty);
        Ok(match (c, ty) {
            (Const::Zero, _) => llty.const_zero(),
            (Const::Int(v), Ty::Int(_)) => llty.into_int_type().const_int(*v as u64, false).into(),
            (Const::Int(v), Ty::Float(_)) => llty.into_float_type().const_float(*v as f64).into(),
            (Const::Float(v), Ty::Float(_)) => llty.into_float_type().const_float(*v).into(),
            (Const::Bool(b), _) => self.ctx.bool_type().const_int(u64::from(*b), false).into(),
            (Const::Str(s), _) => {
                let p = self.string(s);
                p.const_cast(llty.into_pointer_type()).into()
            }
            (Const::Func(f), Ty::Closure(_)) => self.fn_closure_constant(*f)?,
            (Const::Func(f), _) => self.functions[*f]
                .as_global_value()
                .as_pointer_value()
                .const_cast(llty.into_pointer_type())
                .into(),
            (Const::Struct(fields), Ty::Struct(id)) => {
                let defs = &self.program.structs[*id].fields;
                let mut values = Vec::new();
                for (c, f) in fields.iter().zip(defs) {
                    values.push(self.constant(c, &f.ty)?);
                }
                self.struct_types[*id].const_named_struct(&values).into()
            }
            (Const::Array(elems), Ty::Array(elem, _)) => {
                let mut values = Vec::new();
                for c in elems {
                    values.push(self.constant(c, elem)?);
                }
                const_array(self.llvm(elem), &values)
            }
            _ => {
                return Err(CodegenError::Internal(format!(
                    "constant {c:?} for type {}",
                    self.program.ty_name(ty)
                )))
            }
        })
    }
}

pub(super) fn const_array<'ctx>(
    elem: inkwell::types::BasicTypeEnum<'ctx>,
    values: &[BasicValueEnum<'ctx>],
) -> BasicValueEnum<'ctx> {
    use inkwell::types::BasicTypeEnum as T;
    match elem {
        T::IntType(t) => t
            .const_array(
                &values
                    .iter()
                    .map(|v| v.into_int_value())
                    .collect::<Vec<_>>(),
            )
            .into(),
        T::FloatType(t) => t
            .const_array(
                &values
                    .iter()
                    .map(|v| v.into_float_value())
                    .collect::<Vec<_>>(),
            )
            .into(),
        T::PointerType(t) => t
            .const_array(
                &values
                    .iter()
                    .map(|v| v.into_pointer_value())
                    .collect::<Vec<_>>(),
            )
            .into(),
        T::StructType(t) => t
            .const_array(
                &values
                    .iter()
                    .map(|v| v.into_struct_value())
                    .collect::<Vec<_>>(),
            )
            .into(),
        T::ArrayType(t) => t
            .const_array(
                &values
                    .iter()
                    .map(|v| v.into_array_value())
                    .collect::<Vec<_>>(),
            )
            .into(),
        T::VectorType(t) => t
            .const_array(
                &values
                    .iter()
                    .map(|v| v.into_vector_value())
                    .collect::<Vec<_>>(),
            )
            .into(),
        T::ScalableVectorType(t) => t
            .const_array(
                &values
                    .iter()
                    .map(|v| v.into_scalable_vector_value())
                    .collect::<Vec<_>>(),
            )
            .into(),
    }
}

impl Gen<'_, '_> {
    /// Completes the debug information, if any; must run before the module is verified.
    pub fn finish_debug_info(&self) {
        if let Some(d) = &self.debug {
            d.finish();
        }
    }
}
