//! Closures in LLVM: the value `{ i8* code, i8* env }`, its creation, and calls through it.
//!
//! A closure's code is a function taking the environment pointer first, then the closure's
//! parameters (the lifted body from `typeck/closure.rs`). Creating a closure stores its
//! captured values in an environment struct: a stack slot of the creating function when the
//! escape analysis (`typeck/escape.rs`) found that the closure does not outlive it, else a
//! block from `malloc`. A closure that captures nothing has a null environment and allocates
//! nothing. A function pointer used as a closure has the function's address as environment
//! and, as code, a thunk per signature that calls it.
//!
//! The value is two pointers, passed and returned in registers. A closure value that stays in
//! its function is a known code pointer after `mem2reg`, so at `-O2` LLVM turns the call into a
//! direct one and inlines it like any other call.

use super::func::{Gen, Res};
use super::CodegenError;
use crate::tir::{Expr, FnTy, FuncId, Ty};
use inkwell::attributes::AttributeLoc;
use inkwell::module::Linkage;
use inkwell::types::{BasicMetadataTypeEnum, BasicType, FunctionType, StructType};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, CallableValue, FunctionValue, PointerValue,
};
use inkwell::AddressSpace;
use vais_hot_abi as abi;

fn internal(msg: &str) -> CodegenError {
    CodegenError::Internal(msg.to_string())
}

impl<'a, 'ctx> Gen<'a, 'ctx> {
    /// `{ i8*, i8* }`: code, then environment.
    pub(super) fn closure_type(&self) -> StructType<'ctx> {
        let p = self.i8_ptr();
        self.ctx.struct_type(&[p.into(), p.into()], false)
    }

    /// The type of a closure's code: the environment pointer, then the parameters.
    fn closure_code_type(&self, sig: &FnTy) -> FunctionType<'ctx> {
        let mut params: Vec<BasicMetadataTypeEnum> = vec![self.i8_ptr().into()];
        params.extend(
            sig.params
                .iter()
                .map(|p| -> BasicMetadataTypeEnum { self.llvm(p).into() }),
        );
        match &sig.ret {
            Ty::Unit | Ty::Never | Ty::Error => self.ctx.void_type().fn_type(&params, false),
            ret => self.llvm(ret).fn_type(&params, false),
        }
    }

    /// Marks `f` for the hot pass as closure code: code whose address stays in the frame that
    /// takes it (see [`abi::LOCAL_CODE_ATTRIBUTE`]), or code of a closure that may escape
    /// ([`abi::PIN_ON_USE_ATTRIBUTE`]).
    fn mark_closure_code(&self, f: FunctionValue<'ctx>, escapes: bool) {
        let name = if escapes {
            abi::PIN_ON_USE_ATTRIBUTE
        } else {
            abi::LOCAL_CODE_ATTRIBUTE
        };
        let attr = self.ctx.create_string_attribute(name, "");
        f.add_attribute(AttributeLoc::Function, attr);
    }

    /// The pair `{ code, env }` as an SSA value.
    fn closure_pair(
        &mut self,
        code: PointerValue<'ctx>,
        env: PointerValue<'ctx>,
    ) -> Res<BasicValueEnum<'ctx>> {
        let ty = self.closure_type();
        let v = self
            .builder
            .build_insert_value(ty.get_undef(), code, 0, "closure")?;
        let v = self.builder.build_insert_value(v, env, 1, "closure")?;
        Ok(v.into_struct_value().into())
    }

    /// A closure literal: its code and its environment, stored on the stack or the heap.
    pub(super) fn closure_value(
        &mut self,
        func: FuncId,
        env: Option<&Expr>,
        escapes: bool,
    ) -> Res<BasicValueEnum<'ctx>> {
        let code_fn = self.functions[func];
        self.mark_closure_code(code_fn, escapes);
        let code = code_fn
            .as_global_value()
            .as_pointer_value()
            .const_cast(self.i8_ptr());
        let env_ptr = match env {
            None => self.i8_ptr().const_null(),
            Some(env) => {
                let slot = if escapes {
                    let size = self.size_of(&env.ty);
                    let raw = self.malloc(size)?;
                    let ptr_ty = self.llvm(&env.ty).ptr_type(AddressSpace::default());
                    self.builder.build_pointer_cast(raw, ptr_ty, "env")?
                } else {
                    self.temp_slot(&env.ty)?
                };
                self.store_expr(env, slot)?;
                self.builder
                    .build_pointer_cast(slot, self.i8_ptr(), "env")?
            }
        };
        self.closure_pair(code, env_ptr)
    }

    /// `malloc(size)`, declaring the C function if the module does not have it yet.
    fn malloc(&mut self, size: u64) -> Res<PointerValue<'ctx>> {
        let f = match self.module.get_function("malloc") {
            Some(f) if f.count_basic_blocks() == 0 => f,
            _ => {
                let fty = self.i8_ptr().fn_type(&[self.ctx.i64_type().into()], false);
                self.module
                    .add_function("malloc", fty, Some(Linkage::External))
            }
        };
        let n = self.ctx.i64_type().const_int(size.max(1), false);
        let call = self.builder.build_call(f, &[n.into()], "env.heap")?;
        let raw = call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| internal("malloc returns nothing"))?;
        Ok(self
            .builder
            .build_pointer_cast(raw.into_pointer_value(), self.i8_ptr(), "env.raw")?)
    }

    /// A function pointer as a closure: the thunk for its signature and the pointer itself.
    pub(super) fn fn_closure(&mut self, f: &Expr, escapes: bool) -> Res<BasicValueEnum<'ctx>> {
        let Ty::Fn(sig) = &f.ty else {
            return Err(internal("closure of a non-function"));
        };
        let thunk = self.thunk(sig, escapes)?;
        let target = self.value(f)?.into_pointer_value();
        let env = self
            .builder
            .build_pointer_cast(target, self.i8_ptr(), "env")?;
        let code = thunk
            .as_global_value()
            .as_pointer_value()
            .const_cast(self.i8_ptr());
        self.closure_pair(code, env)
    }

    /// The constant closure of function `f`, for a global's initial value.
    pub(super) fn fn_closure_constant(&mut self, f: FuncId) -> Res<BasicValueEnum<'ctx>> {
        let sig = self.program.functions[f].ty.clone();
        let thunk = self.thunk(&sig, true)?;
        let p = self.i8_ptr();
        let code = thunk.as_global_value().as_pointer_value().const_cast(p);
        let env = self.functions[f]
            .as_global_value()
            .as_pointer_value()
            .const_cast(p);
        Ok(self
            .closure_type()
            .const_named_struct(&[code.into(), env.into()])
            .into())
    }

    /// The thunk calling the function whose address is its environment, one per signature and
    /// kind (local or escaping), created on first use.
    fn thunk(&mut self, sig: &FnTy, escapes: bool) -> Res<FunctionValue<'ctx>> {
        let code_ty = self.closure_code_type(sig);
        if let Some((_, _, f)) = self
            .thunks
            .iter()
            .find(|(t, e, _)| *t == code_ty && *e == escapes)
        {
            return Ok(*f);
        }
        let name = format!("__vais_closure_thunk.{}", self.thunks.len());
        let thunk = self
            .module
            .add_function(&name, code_ty, Some(Linkage::Internal));
        self.mark_closure_code(thunk, escapes);
        self.thunks.push((code_ty, escapes, thunk));
        // Emitted with a builder of its own: the current function's insert point is kept.
        let b = self.ctx.create_builder();
        let entry = self.ctx.append_basic_block(thunk, "entry");
        b.position_at_end(entry);
        let params = thunk.get_params();
        let env = params
            .first()
            .ok_or_else(|| internal("thunk without environment"))?
            .into_pointer_value();
        let target_ty = self.fn_type(sig).ptr_type(AddressSpace::default());
        let target = b.build_pointer_cast(env, target_ty, "fn")?;
        let callable = CallableValue::try_from(target)
            .map_err(|()| internal("thunk target is not a function"))?;
        let args: Vec<BasicMetadataValueEnum> = params[1..].iter().map(|p| (*p).into()).collect();
        let call = b.build_call(callable, &args, "call")?;
        match call.try_as_basic_value().basic() {
            Some(v) if Self::has_value(&sig.ret) => b.build_return(Some(&v))?,
            _ => b.build_return(None)?,
        };
        Ok(thunk)
    }

    /// The code to call and the environment to pass first, for a call of closure `f`.
    pub(super) fn closure_callee(
        &mut self,
        f: &Expr,
    ) -> Res<(CallableValue<'ctx>, BasicMetadataValueEnum<'ctx>)> {
        let Ty::Closure(sig) = &f.ty else {
            return Err(internal("closure call of a non-closure"));
        };
        let pair = self.value(f)?.into_struct_value();
        let code = self
            .builder
            .build_extract_value(pair, 0, "code")?
            .into_pointer_value();
        let env = self.builder.build_extract_value(pair, 1, "env")?;
        let code_ty = self
            .closure_code_type(sig)
            .ptr_type(AddressSpace::default());
        let code = self.builder.build_pointer_cast(code, code_ty, "code")?;
        let callable = CallableValue::try_from(code)
            .map_err(|()| internal("closure code is not a function"))?;
        Ok((callable, env.into()))
    }
}
