//! Tasks at run time: what calling an async function makes, `spawn` and `.await`.
//!
//! A `Task<R>` is a pointer to a zeroed record on the heap (`calloc`), laid out as the C struct
//! `{ i64 state, i64 thread, i8* run, R result, A1 .. An }`: the state (below), the worker's
//! `pthread_t` once spawned, the function that runs the task, the result slot, and the async
//! function's arguments. The first four fields depend only on `R`, so code that awaits a
//! `Task<R>` reads the result without knowing which async function made the task (a struct's
//! leading fields have the same offsets whatever follows them). The result slot starts zeroed,
//! so a task whose call was abandoned by crash recovery (a fault in reloaded code on the
//! task's thread, `docs/HOT_RELOAD.md`) yields zero, like any recovered hot call.
//!
//! Each async function `f` gets a run function `vais.task.run.f(i8* record) -> i8*`, the
//! signature `pthread_create` wants: it loads the arguments, calls `f`'s body (through the
//! jump table when `f` is hot, like every call) and stores the result. Two helpers, emitted
//! once per module, do the rest, with nothing but `pthread_create`, `pthread_join` and
//! `sched_yield` from C: in a hot build `pthread_create` is the host's own, which gives the new
//! thread an alternate signal stack (`loader/src/recover/altstack.rs`).
//!
//! States: 0 not started, 1 running on its own thread, 2 done, 3 claimed by an awaiting thread
//! (running there, or being joined). An awaiting thread claims state 0 or 1 with a
//! compare-and-swap, so of several threads awaiting one task exactly one runs or joins it, and
//! the others wait for state 2; the release store of 2 publishes the result to them.

use super::func::{Gen, Res};
use super::CodegenError;
use crate::tir::{Expr, FuncId, Ty};
use inkwell::builder::Builder;
use inkwell::module::Linkage;
use inkwell::types::{BasicMetadataTypeEnum, BasicTypeEnum, FunctionType, StructType};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, BasicValueEnum, CallableValue, FunctionValue, IntValue,
    PointerValue,
};
use inkwell::{AddressSpace, AtomicOrdering, IntPredicate};

const NOT_STARTED: u64 = 0;
const RUNNING: u64 = 1;
const DONE: u64 = 2;
const CLAIMED: u64 = 3;

/// Field indices of the record.
const STATE: u32 = 0;
const THREAD: u32 = 1;
const RUN: u32 = 2;
const RESULT: u32 = 3;
const ARGS: u32 = 4;

fn internal(msg: impl std::fmt::Display) -> CodegenError {
    CodegenError::Internal(msg.to_string())
}

/// The symbol of async function `name`'s run function. Vais names cannot contain `.` beyond
/// the one of `Type.method`, so no function of the program has it.
fn run_name(name: &str) -> String {
    format!("vais.task.run.{name}")
}

impl<'a, 'ctx> Gen<'a, 'ctx> {
    /// Declares the run function of every async function, so tasks can be made before the
    /// run functions are emitted.
    pub(super) fn declare_tasks(&mut self) {
        let fty = self.run_type();
        for def in &self.program.functions {
            if def.attrs.is_async && def.body.is_some() {
                self.module
                    .add_function(&run_name(&def.name), fty, Some(Linkage::Internal));
            }
        }
    }

    /// Emits the run function of every async function, in declaration order.
    pub(super) fn emit_tasks(&mut self) -> Res<()> {
        for id in 0..self.program.functions.len() {
            let def = &self.program.functions[id];
            if def.attrs.is_async && def.body.is_some() {
                self.emit_run(id)?;
            }
        }
        Ok(())
    }

    /// `i8* (i8*)`: a task's run function, as `pthread_create` calls it.
    fn run_type(&self) -> FunctionType<'ctx> {
        self.i8_ptr().fn_type(&[self.i8_ptr().into()], false)
    }

    /// The record of a task of async function `func`.
    fn record_type(&self, func: FuncId) -> StructType<'ctx> {
        let ty = &self.program.functions[func].ty;
        let mut fields = self.head_fields(&ty.ret);
        fields.extend(ty.params.iter().map(|p| self.llvm(p)));
        self.ctx.struct_type(&fields, false)
    }

    /// The leading fields every record of a `Task<ret>` shares.
    fn head_fields(&self, ret: &Ty) -> Vec<BasicTypeEnum<'ctx>> {
        let i64t = self.ctx.i64_type();
        vec![
            i64t.into(),
            i64t.into(),
            self.i8_ptr().into(),
            self.llvm(ret),
        ]
    }

    fn record_ptr(
        &self,
        b: &Builder<'ctx>,
        raw: PointerValue<'ctx>,
        ty: StructType<'ctx>,
    ) -> Res<PointerValue<'ctx>> {
        Ok(b.build_pointer_cast(raw, ty.ptr_type(AddressSpace::default()), "record")?)
    }

    fn emit_run(&mut self, id: FuncId) -> Res<()> {
        let def = &self.program.functions[id];
        let run = self
            .module
            .get_function(&run_name(&def.name))
            .ok_or_else(|| internal("run function not declared"))?;
        let b = self.ctx.create_builder();
        b.position_at_end(self.ctx.append_basic_block(run, "entry"));
        let raw = run
            .get_nth_param(0)
            .ok_or_else(|| internal("run function without its record"))?
            .into_pointer_value();
        let record = self.record_ptr(&b, raw, self.record_type(id))?;
        let mut args: Vec<BasicMetadataValueEnum> = Vec::new();
        for i in 0..def.ty.params.len() {
            let p = b.build_struct_gep(record, ARGS + i as u32, "arg")?;
            args.push(b.build_load(p, "arg")?.into());
        }
        let call = b.build_call(self.functions[id], &args, "result")?;
        if let Some(v) = call.try_as_basic_value().basic() {
            let slot = b.build_struct_gep(record, RESULT, "result")?;
            b.build_store(slot, v)?;
        }
        b.build_return(Some(&self.i8_ptr().const_null()))?;
        Ok(())
    }

    /// A call to async function `func`: a new record holding the arguments, not started
    /// (state 0, as `calloc` leaves it).
    pub(super) fn task_new(&mut self, func: FuncId, args: &[Expr]) -> Res<BasicValueEnum<'ctx>> {
        let ty = self.record_type(func);
        let size = self.target.get_abi_size(&ty);
        let i64t = self.ctx.i64_type();
        let calloc_ty = self.i8_ptr().fn_type(&[i64t.into(), i64t.into()], false);
        let calloc = self.declared("calloc", calloc_ty)?;
        let size = i64t.const_int(size, false);
        let one = i64t.const_int(1, false);
        let raw = self
            .builder
            .build_call(calloc, &[one.into(), size.into()], "task")?
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| internal("calloc returns nothing"))?
            .into_pointer_value();
        let record = self.record_ptr(&self.builder, raw, ty)?;
        let run = self
            .module
            .get_function(&run_name(&self.program.functions[func].name))
            .ok_or_else(|| internal("run function not declared"))?;
        let run_ptr = self.builder.build_pointer_cast(
            run.as_global_value().as_pointer_value(),
            self.i8_ptr(),
            "run",
        )?;
        let slot = self.builder.build_struct_gep(record, RUN, "run")?;
        self.builder.build_store(slot, run_ptr)?;
        for (i, a) in args.iter().enumerate() {
            let slot = self
                .builder
                .build_struct_gep(record, ARGS + i as u32, "arg")?;
            self.store_expr(a, slot)?;
        }
        Ok(raw.into())
    }

    /// `spawn`: makes the task (`call`, a task of an async call) and starts it.
    pub(super) fn spawn(&mut self, call: &Expr) -> Res<BasicValueEnum<'ctx>> {
        let raw = self.value(call)?;
        let spawn = self.spawn_helper()?;
        self.builder.build_call(spawn, &[raw.into()], "")?;
        Ok(raw)
    }

    /// `task.await`: the task's value (`None` for `Task<()>`).
    pub(super) fn await_task(
        &mut self,
        task: &Expr,
        value_ty: &Ty,
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        let raw = self.value(task)?.into_pointer_value();
        let wait = self.await_helper()?;
        self.builder.build_call(wait, &[raw.into()], "")?;
        if !Self::has_value(value_ty) {
            return Ok(None);
        }
        let head = self.ctx.struct_type(&self.head_fields(value_ty), false);
        let record = self.record_ptr(&self.builder, raw, head)?;
        let slot = self.builder.build_struct_gep(record, RESULT, "result")?;
        Ok(Some(self.builder.build_load(slot, "value")?))
    }

    fn word(&self, v: u64) -> IntValue<'ctx> {
        self.ctx.i64_type().const_int(v, false)
    }

    /// The head of a record without its result, for the helpers (which never read it).
    fn state_head(&self) -> StructType<'ctx> {
        let i64t = self.ctx.i64_type();
        self.ctx
            .struct_type(&[i64t.into(), i64t.into(), self.i8_ptr().into()], false)
    }

    /// A helper `void NAME(i8* record)`, emitted once by `body` with a builder of its own.
    fn helper(
        &mut self,
        name: &str,
        body: impl FnOnce(&mut Self, &Builder<'ctx>, FunctionValue<'ctx>) -> Res<()>,
    ) -> Res<FunctionValue<'ctx>> {
        if let Some(f) = self.module.get_function(name) {
            return Ok(f);
        }
        let fty = self.ctx.void_type().fn_type(&[self.i8_ptr().into()], false);
        let f = self.module.add_function(name, fty, Some(Linkage::Internal));
        let b = self.ctx.create_builder();
        b.position_at_end(self.ctx.append_basic_block(f, "entry"));
        body(self, &b, f)?;
        Ok(f)
    }

    /// The C function `name` with type `fty`: the module's declaration when it has that type,
    /// else that function cast to it (the program declared the C function itself, with Vais
    /// types that lower to others).
    fn declared(&self, name: &str, fty: FunctionType<'ctx>) -> Res<CallableValue<'ctx>> {
        let f = self
            .module
            .get_function(name)
            .unwrap_or_else(|| self.module.add_function(name, fty, None));
        if f.get_type() == fty {
            return Ok(f.into());
        }
        let p = f
            .as_global_value()
            .as_pointer_value()
            .const_cast(fty.ptr_type(AddressSpace::default()));
        CallableValue::try_from(p).map_err(|()| internal("C function is not callable"))
    }

    /// `vais.task.spawn`: starts the task on a new thread. Nobody else holds the record yet
    /// (it was made by the call `spawn` names), so plain stores do. If no thread can be made,
    /// the task runs here and now, so `spawn` has started it either way.
    fn spawn_helper(&mut self) -> Res<FunctionValue<'ctx>> {
        self.helper("vais.task.spawn", |g, b, f| {
            let i8p = g.i8_ptr();
            let run_ty = g.run_type();
            let params: [BasicMetadataTypeEnum; 4] = [
                g.ctx.i64_type().ptr_type(AddressSpace::default()).into(),
                i8p.into(),
                run_ty.ptr_type(AddressSpace::default()).into(),
                i8p.into(),
            ];
            let create = g.declared("pthread_create", g.ctx.i32_type().fn_type(&params, false))?;
            let raw = f
                .get_nth_param(0)
                .ok_or_else(|| internal("spawn without a task"))?
                .into_pointer_value();
            let head = g.record_ptr(b, raw, g.state_head())?;
            let thread = b.build_struct_gep(head, THREAD, "thread")?;
            let run = b
                .build_load(b.build_struct_gep(head, RUN, "run")?, "run")?
                .into_pointer_value();
            let run = b.build_pointer_cast(run, run_ty.ptr_type(AddressSpace::default()), "run")?;
            let rc = b
                .build_call(
                    create,
                    &[
                        thread.into(),
                        i8p.const_null().into(),
                        run.into(),
                        raw.into(),
                    ],
                    "rc",
                )?
                .try_as_basic_value()
                .basic()
                .ok_or_else(|| internal("pthread_create returns nothing"))?
                .into_int_value();
            let started = g.ctx.append_basic_block(f, "started");
            let here = g.ctx.append_basic_block(f, "here");
            let zero = rc.get_type().const_zero();
            let ok = b.build_int_compare(IntPredicate::EQ, rc, zero, "ok")?;
            let state = b.build_struct_gep(head, STATE, "state")?;
            b.build_conditional_branch(ok, started, here)?;
            b.position_at_end(started);
            b.build_store(state, g.word(RUNNING))?;
            b.build_return(None)?;
            b.position_at_end(here);
            let run = CallableValue::try_from(run).map_err(|()| internal("run not callable"))?;
            b.build_call(run, &[raw.into()], "")?;
            b.build_store(state, g.word(DONE))?;
            b.build_return(None)?;
            Ok(())
        })
    }

    /// `vais.task.await`: returns once the task is done, having run it here if nobody had
    /// started it, or joined its thread if nobody else is joining it.
    fn await_helper(&mut self) -> Res<FunctionValue<'ctx>> {
        self.helper("vais.task.await", |g, b, f| {
            let i8p = g.i8_ptr();
            let join = g.declared(
                "pthread_join",
                g.ctx.i32_type().fn_type(
                    &[
                        g.ctx.i64_type().into(),
                        i8p.ptr_type(AddressSpace::default()).into(),
                    ],
                    false,
                ),
            )?;
            let yield_now = g.declared("sched_yield", g.ctx.i32_type().fn_type(&[], false))?;
            let raw = f
                .get_nth_param(0)
                .ok_or_else(|| internal("await without a task"))?
                .into_pointer_value();
            let head = g.record_ptr(b, raw, g.state_head())?;
            let state = b.build_struct_gep(head, STATE, "state")?;
            let block = |name: &str| g.ctx.append_basic_block(f, name);
            let (look, claim_run, run_here, claim_join, join_it, wait, done) = (
                block("look"),
                block("claim_run"),
                block("run_here"),
                block("claim_join"),
                block("join"),
                block("wait"),
                block("done"),
            );
            b.build_unconditional_branch(look)?;
            b.position_at_end(look);
            let now = b.build_load(state, "now")?;
            let load = now
                .as_instruction_value()
                .ok_or_else(|| internal("load is not an instruction"))?;
            load.set_atomic_ordering(AtomicOrdering::Acquire)
                .map_err(internal)?;
            load.set_alignment(8).map_err(internal)?;
            b.build_switch(
                now.into_int_value(),
                wait,
                &[
                    (g.word(NOT_STARTED), claim_run),
                    (g.word(RUNNING), claim_join),
                    (g.word(DONE), done),
                ],
            )?;
            for (block, from, then) in [
                (claim_run, NOT_STARTED, run_here),
                (claim_join, RUNNING, join_it),
            ] {
                b.position_at_end(block);
                let swap = b.build_cmpxchg(
                    state,
                    g.word(from),
                    g.word(CLAIMED),
                    AtomicOrdering::AcquireRelease,
                    AtomicOrdering::Acquire,
                )?;
                let won = b.build_extract_value(swap, 1, "won")?.into_int_value();
                b.build_conditional_branch(won, then, look)?;
            }
            b.position_at_end(run_here);
            let run = b
                .build_load(b.build_struct_gep(head, RUN, "run")?, "run")?
                .into_pointer_value();
            let run =
                b.build_pointer_cast(run, g.run_type().ptr_type(AddressSpace::default()), "run")?;
            let run = CallableValue::try_from(run).map_err(|()| internal("run not callable"))?;
            b.build_call(run, &[raw.into()], "")?;
            g.finish(b, state, done)?;
            b.position_at_end(join_it);
            let thread = b.build_load(b.build_struct_gep(head, THREAD, "thread")?, "thread")?;
            let null = i8p.ptr_type(AddressSpace::default()).const_null();
            b.build_call(join, &[thread.into(), null.into()], "")?;
            g.finish(b, state, done)?;
            b.position_at_end(wait);
            b.build_call(yield_now, &[], "")?;
            b.build_unconditional_branch(look)?;
            b.position_at_end(done);
            b.build_return(None)?;
            Ok(())
        })
    }

    /// Marks the task done (a release store: its result is visible to whoever sees it) and
    /// goes on to `done`.
    fn finish(
        &self,
        b: &Builder<'ctx>,
        state: PointerValue<'ctx>,
        done: inkwell::basic_block::BasicBlock<'ctx>,
    ) -> Res<()> {
        let store = b.build_store(state, self.word(DONE))?;
        store
            .set_atomic_ordering(AtomicOrdering::Release)
            .map_err(internal)?;
        store.set_alignment(8).map_err(internal)?;
        b.build_unconditional_branch(done)?;
        Ok(())
    }
}
