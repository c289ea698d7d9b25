//! The hot-reload pass over an LLVM module produced by vaisc's code generator.
//!
//! In a hot build every call to a `#[hot]` function must go through one global jump table, so
//! that storing a new pointer in the table redirects all future calls. The pass does this with
//! one small stub per hot function (load the slot, call through it), which every use of the
//! function is redirected to and which is then inlined at each call site; a function pointer
//! taken to a hot function is the stub's address, so it too reaches the newest body.
//!
//! The same pass prepares both halves of a hot build: the *host* (defines the table, initialised
//! with its own bodies, exports its globals, and starts the runtime from `main`) and the
//! *patch* (new bodies only, the host's table and globals used by name, no `main`). Both carry a
//! manifest in the layout `vais-hot-abi` defines. `manifest.rs` builds the manifest; the code
//! hashes it records are vaisc's, taken from the typed IR before lowering.
//!
//! A host exports every function a patch may call under `vais_hot_abi::HOST_FN_PREFIX`, and a
//! patch holds only the functions whose code changed: every other function it names is a
//! declaration of the host's export, hot bodies included (a patch's manifest entry for an
//! unchanged hot function is the host's own body).

mod manifest;
mod pin;
mod sret;
mod unload;

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::llvm_sys::error::{LLVMDisposeErrorMessage, LLVMGetErrorMessage};
use inkwell::llvm_sys::transforms::pass_builder::LLVMRunPasses;
use inkwell::module::{Linkage, Module};
use inkwell::passes::PassBuilderOptions;
use inkwell::types::BasicType;
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, CallableValue, FunctionValue, GlobalValue,
};
use inkwell::{AddressSpace, AtomicOrdering};
use std::collections::HashSet;
use vais_hot_abi as abi;

/// One `#[hot]` function, in slot order.
#[derive(Clone, Debug)]
pub struct HotFunction {
    /// The function's symbol in the module (its Vais name, or `Type.method`).
    pub name: String,
    /// The signature as Vais writes it, for refusal messages.
    pub signature: String,
    /// The function's slot in the jump table (the host's numbering, also in patches).
    pub slot: u32,
    /// A hash of the code the body runs (its own and the ordinary code it calls), which the
    /// runtime compares to tell which functions a patch really changes.
    pub body_hash: u64,
}

/// A struct, enum or global whose layout the other side of a hot build relies on.
#[derive(Clone, Debug)]
pub struct Layout {
    pub layout: abi::layout::TypeLayout,
    /// Host globals (and kept locals of `main`): the module's global holding the value, whose
    /// address the record gives.
    pub symbol: Option<String>,
}

/// A global a patch has and its host does not: the runtime creates it and the patch reaches
/// it through a pointer variable (`vais_hot_abi::NEW_GLOBAL_SLOT_PREFIX`). The code generator
/// emits both the pointer variable and the initial value (`NEW_GLOBAL_INIT_PREFIX`).
#[derive(Clone, Debug)]
pub struct NewGlobal {
    /// The Vais name.
    pub name: String,
    /// The type as Vais writes it: a later patch with another type for it is refused.
    pub description: String,
}

#[derive(Clone, Debug)]
pub enum Mode {
    Host {
        /// The vaisc executable that built the host, used by `hot_init` to rebuild patches.
        compiler: String,
        /// The program calls `hot_check`: publish patches only there.
        safe_points: bool,
    },
    /// A further unit of a host built in parallel units: its calls go through the table, entry
    /// points and manifest the first unit (in `Host` mode) defines.
    HostUnit,
    Patch,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub program_id: u64,
    /// Number of table slots: the host's count of hot functions.
    pub table_len: usize,
    /// The hot functions this module defines bodies for.
    pub functions: Vec<HotFunction>,
    pub layouts: Vec<Layout>,
    /// The program's global variables, by symbol name: exported by the host, used by the patch.
    pub globals: Vec<String>,
    /// The defined functions a host exports for patches to call (`HOST_FN_PREFIX`), by name;
    /// empty for a patch.
    pub exports: Vec<String>,
    /// The prefix of the program's function symbols in this module (vaisc names functions
    /// apart from C's when a host is built in several units); empty otherwise.
    pub symbol_prefix: String,
    /// Globals of a patch that the host does not have (none in a host).
    pub new_globals: Vec<NewGlobal>,
    pub mode: Mode,
}

#[derive(Debug, thiserror::Error)]
pub enum HotError {
    #[error("hot function `{0}` is not in the module")]
    MissingFunction(String),
    #[error("patch code still uses `{0}`, which a patch cannot contain")]
    UsesMain(String),
    #[error("building hot-reload code failed: {0}")]
    Builder(String),
    #[error("new global `{0}` has no pointer variable or initial value in the module")]
    MissingNewGlobal(String),
}

fn builder_error(e: impl std::fmt::Display) -> HotError {
    HotError::Builder(e.to_string())
}

/// The module's function for hot function `name`: its definition, or in a patch that does
/// not carry it, the declaration of the host's export.
fn hot_function<'ctx>(
    module: &Module<'ctx>,
    plan: &Plan,
    name: &str,
) -> Result<FunctionValue<'ctx>, HotError> {
    module
        .get_function(&format!("{}{name}", plan.symbol_prefix))
        .or_else(|| module.get_function(&format!("{}{name}", abi::HOST_FN_PREFIX)))
        .ok_or_else(|| HotError::MissingFunction(name.to_string()))
}

/// Rewrites `module` for a hot build as `plan` says.
pub fn apply<'ctx>(ctx: &'ctx Context, module: &Module<'ctx>, plan: &Plan) -> Result<(), HotError> {
    let mut functions: Vec<FunctionValue<'ctx>> = plan
        .functions
        .iter()
        .map(|f| hot_function(module, plan, &f.name))
        .collect::<Result<_, _>>()?;
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let table_ty = i8p.array_type(plan.table_len as u32);
    let table = module.add_global(table_ty, None, abi::TABLE_SYMBOL);
    table.set_linkage(Linkage::External);
    let builder = ctx.create_builder();
    let noinline = ctx.create_enum_attribute(Attribute::get_named_enum_kind_id("noinline"), 0);
    let is_patch = matches!(plan.mode, Mode::Patch);
    // Entry points are defined once, by the host's first unit; other modules use them.
    let uses_entries = !matches!(plan.mode, Mode::Host { .. });
    // Whether everything the patch hands out points outside it, so it can be unloaded later.
    let mut unloadable = true;
    // The host's functions a patch calls directly: a patch's frames can sit below them too.
    let mut exported = Vec::new();
    for (hf, slot_fn) in plan.functions.iter().zip(functions.iter_mut()) {
        let f = *slot_fn;
        // Every call goes through the table, so a hot body is never inlined: `#[inline]`
        // (alwaysinline, which LLVM rejects beside noinline) does not apply to it.
        f.remove_enum_attribute(
            AttributeLoc::Function,
            Attribute::get_named_enum_kind_id("alwaysinline"),
        );
        f.add_attribute(AttributeLoc::Function, noinline);
        let in_memory = sret::memory_return(module, f);
        // A patch that does not carry this function uses the host's body, which has the same
        // convention: the host made the same choice from the same type.
        let in_host = f.count_basic_blocks() == 0;
        let sret_body = match in_memory {
            Some(ty) if in_host => Some(sret::sret_declaration(ctx, module, f, ty)),
            Some(ty) => Some(sret::to_sret(ctx, module, &builder, f, ty)?),
            None => None,
        };
        let stub = make_stub(
            ctx,
            module,
            &builder,
            f,
            &hf.name,
            table,
            hf.slot,
            uses_entries,
            in_memory,
        )?;
        f.replace_all_uses_with(stub);
        if let Some(body) = sret_body {
            let name = f.get_name().to_string_lossy().into_owned();
            // SAFETY: `f` has no body left (moved into `body`, or it never had one) and no uses
            // (redirected to the stub just above).
            unsafe { f.delete() };
            body.as_global_value().set_name(&name);
            body.add_attribute(AttributeLoc::Function, noinline);
            *slot_fn = body;
        }
        let f = *slot_fn;
        if uses_entries {
            unloadable &= unload::use_host_entry(module, stub, &hf.name);
        }
        if is_patch {
            if in_host {
                continue;
            }
            f.as_global_value()
                .set_name(&format!("{}{}", abi::PATCH_BODY_PREFIX, hf.name));
            f.set_linkage(Linkage::External);
            f.as_global_value()
                .set_visibility(inkwell::GlobalVisibility::Protected);
        }
    }
    match &plan.mode {
        Mode::Host {
            compiler,
            safe_points,
        } => {
            // In a host every hot function is defined and slot i is function i.
            let init: Vec<_> = functions
                .iter()
                .map(|f| f.as_global_value().as_pointer_value().const_cast(i8p))
                .collect();
            table.set_initializer(&i8p.const_array(&init));
            export_globals(module, &plan.globals);
            let manifest = manifest::emit(
                ctx,
                module,
                plan,
                &functions,
                abi::KIND_HOST,
                u32::from(*safe_points),
            )?;
            start_runtime(ctx, module, &builder, manifest, table, compiler)?;
            exported = export_functions(module, &plan.symbol_prefix, &plan.exports);
        }
        Mode::HostUnit => {
            export_globals(module, &plan.globals);
            exported = export_functions(module, &plan.symbol_prefix, &plan.exports);
        }
        Mode::Patch => {
            // Every variable the program has is the host's: the program's globals and the
            // runtime's own (the arguments the C `main` records), so that no state forks into
            // a private copy in the patch.
            let mut g = module.get_first_global();
            while let Some(global) = g {
                g = global.get_next_global();
                let name = global.get_name().to_string_lossy().into_owned();
                let named =
                    plan.globals.contains(&name) || global.get_linkage() == Linkage::External;
                if named && global.get_initializer().is_some() {
                    import_global(module, global)?;
                }
            }
            // A new global's pointer variable is exported, so that the optimiser cannot take
            // its null initialiser for its value: the runtime stores the real address.
            for ng in &plan.new_globals {
                let slot = module
                    .get_global(&format!("{}{}", abi::NEW_GLOBAL_SLOT_PREFIX, ng.name))
                    .ok_or_else(|| HotError::MissingNewGlobal(ng.name.clone()))?;
                slot.set_linkage(Linkage::External);
                slot.set_visibility(inkwell::GlobalVisibility::Protected);
            }
            for name in ["main", "vais_main"] {
                if let Some(f) = module.get_function(name) {
                    // Hot code that uses `main` is refused before this pass (vaisc's
                    // `hot::refusals`); should some still get here, it is an error, not a
                    // deletion that leaves dangling uses for LLVM to crash on.
                    if f.as_global_value()
                        .as_pointer_value()
                        .get_first_use()
                        .is_some()
                    {
                        return Err(HotError::UsesMain(name.to_string()));
                    }
                    // SAFETY: `main` is only called by the C runtime and `vais_main` only by
                    // `main`, which is deleted first; no use of either remains (checked above).
                    unsafe { f.delete() };
                }
            }
            unloadable &= unload::intern_literals(ctx, module)?;
            unloadable &= pin::pin_on_use(ctx, module)?;
            unloadable &= !unload::hands_out_own_code(module);
            let flags = if unloadable { 0 } else { abi::FLAG_KEEP_LOADED };
            manifest::emit(ctx, module, plan, &functions, abi::KIND_PATCH, flags)?;
        }
    }
    let unwound: HashSet<FunctionValue<'ctx>> =
        functions.iter().chain(&exported).copied().collect();
    unwind_tables(ctx, module, is_patch, &unwound);
    inline_always(module)
}

/// Inlines the `alwaysinline` functions (the stubs that call through the table) at their call
/// sites. The new pass manager's inliner visits only those functions' callers; the legacy one
/// builds the call graph of the whole module first, which in a large host took longer than the
/// rest of this pass together.
fn inline_always(module: &Module) -> Result<(), HotError> {
    let options = PassBuilderOptions::create();
    // SAFETY: the module and the options are live for the call; the pipeline text is a valid C
    // string; a null target machine is allowed (the always-inliner reads no target details).
    let error = unsafe {
        LLVMRunPasses(
            module.as_mut_ptr(),
            c"always-inline".as_ptr(),
            std::ptr::null_mut(),
            options.as_mut_ptr(),
        )
    };
    if error.is_null() {
        return Ok(());
    }
    // SAFETY: `error` is the non-null error LLVM just returned; its message is taken (and the
    // error freed) once, then the message is disposed of after it is copied.
    let message = unsafe {
        let raw = LLVMGetErrorMessage(error);
        let text = std::ffi::CStr::from_ptr(raw).to_string_lossy().into_owned();
        LLVMDisposeErrorMessage(raw);
        text
    };
    Err(HotError::Builder(format!(
        "inlining the table stubs: {message}"
    )))
}

/// Makes the program's globals (`names`) external and visible outside the host, so that
/// patches use them by name. Every unit of a host does so for its definitions and declarations
/// alike: the linker gives a symbol the narrowest visibility any object gives it.
fn export_globals(module: &Module, names: &[String]) {
    for name in names {
        if let Some(g) = module.get_global(name) {
            g.set_linkage(Linkage::External);
            g.set_visibility(inkwell::GlobalVisibility::Default);
        }
    }
}

/// Gives each function of `names` the host's export name and external linkage, so that a
/// patch's declaration of it (`HOST_FN_PREFIX` and the name) binds to the host's code when the
/// runtime opens the patch (the host is linked with its symbols exported). Returns the
/// functions it exported that this module defines.
fn export_functions<'ctx>(
    module: &Module<'ctx>,
    prefix: &str,
    names: &[String],
) -> Vec<FunctionValue<'ctx>> {
    let mut defined = Vec::new();
    for name in names {
        if let Some(f) = module.get_function(&format!("{prefix}{name}")) {
            f.as_global_value()
                .set_name(&format!("{}{name}", abi::HOST_FN_PREFIX));
            f.set_linkage(Linkage::External);
            f.as_global_value()
                .set_visibility(inkwell::GlobalVisibility::Default);
            if f.count_basic_blocks() > 0 {
                defined.push(f);
            }
        }
    }
    defined
}

/// Gives every function of the module unwind tables, and the code a fault can be recovered
/// from a null pointer that is valid. The runtime recovers from a fault in reloaded code by
/// unwinding, from the signal's context, to the first frame outside hot code, with the DWARF
/// call-frame information of each frame on the way (which says where each callee-saved register
/// was saved); a function without it would end the unwind. Tables cost nothing at run time, so
/// every function has them, the host's cold code included (debuggers and profilers use them).
///
/// In the code a recovery unwinds (every function of a patch, the host's own hot bodies, which
/// a patch's frames can sit above, and the host's exported functions, which a patch calls
/// directly and so can sit above a patch's frames too; `unwound` holds the host's) a null access is an access of address 0
/// (`null-pointer-is-valid`), not undefined behaviour the optimiser may turn into falling
/// through into whatever code follows: it faults where the source made it, which the runtime
/// can then report (with the line) and recover from. The rest of the host is never unwound and
/// its faults end the program in any case, so it is optimised exactly as in a normal build.
/// No frame pointers: the call-frame rows locate every frame without them, and they would cost
/// a register and a push and pop per call.
fn unwind_tables<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    is_patch: bool,
    unwound: &HashSet<FunctionValue<'ctx>>,
) {
    // LLVM 14's `uwtable` is asynchronous on x86-64: the table is exact at every instruction,
    // which a fault (unlike a call) needs.
    let uwtable = ctx.create_enum_attribute(Attribute::get_named_enum_kind_id("uwtable"), 0);
    let null_valid = ctx.create_enum_attribute(
        Attribute::get_named_enum_kind_id("null_pointer_is_valid"),
        0,
    );
    // A tail call would leave no frame of the calling function behind: a fault in the callee
    // (a C library function, which the runtime unwinds out of) would then be charged to the
    // caller's caller, which may be host code that cannot be undone.
    let keep_frames = ctx.create_string_attribute("disable-tail-calls", "true");
    let mut f = module.get_first_function();
    while let Some(func) = f {
        f = func.get_next_function();
        if func.count_basic_blocks() > 0 {
            func.add_attribute(AttributeLoc::Function, uwtable);
            if is_patch || unwound.contains(&func) {
                func.add_attribute(AttributeLoc::Function, null_valid);
                func.add_attribute(AttributeLoc::Function, keep_frames);
            }
        }
    }
}

/// `RET stub(ARGS) { p = load atomic acquire table[slot]; return p(ARGS) }`, always inlined. A host
/// exports it as the function's entry point, which patches use as the function's address; in
/// other modules (`internal`: patches, further units of a host) it is private. For a
/// body returning `in_memory` through an explicit result pointer (`sret.rs`), the stub passes a
/// zeroed slot of its own and returns what the body stored there. `fname` is the hot
/// function's name, which names the stub.
#[allow(clippy::too_many_arguments)]
fn make_stub<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    builder: &Builder<'ctx>,
    f: FunctionValue<'ctx>,
    fname: &str,
    table: GlobalValue<'ctx>,
    slot: u32,
    internal: bool,
    in_memory: Option<inkwell::types::BasicTypeEnum<'ctx>>,
) -> Result<FunctionValue<'ctx>, HotError> {
    let fty = f.get_type();
    let stub = if internal {
        module.add_function(
            &format!("__vais_hot_stub.{fname}"),
            fty,
            Some(Linkage::Internal),
        )
    } else {
        module.add_function(
            &format!("{}{fname}", abi::ENTRY_PREFIX),
            fty,
            Some(Linkage::External),
        )
    };
    let always = ctx.create_enum_attribute(Attribute::get_named_enum_kind_id("alwaysinline"), 0);
    stub.add_attribute(AttributeLoc::Function, always);
    let entry = ctx.append_basic_block(stub, "entry");
    builder.position_at_end(entry);
    let i64t = ctx.i64_type();
    // SAFETY: the indices address slot `slot` of the table, which has one slot per hot function.
    let slot_ptr = unsafe {
        builder.build_in_bounds_gep(
            table.as_pointer_value(),
            &[i64t.const_zero(), i64t.const_int(u64::from(slot), false)],
            "slot",
        )
    }
    .map_err(builder_error)?;
    let loaded = builder
        .build_load(slot_ptr, "body")
        .map_err(builder_error)?;
    loaded
        .as_instruction_value()
        .ok_or_else(|| builder_error("load is not an instruction"))?
        .set_atomic_ordering(AtomicOrdering::Acquire)
        .map_err(builder_error)?;
    // Acquire pairs with the runtime's Release store of the slot, so the new body's code and
    // everything the runtime prepared before publishing it are visible to the caller (free on
    // x86-64: a plain load). Atomic loads of pointers need the natural alignment spelled out.
    if let Some(inst) = loaded.as_instruction_value() {
        inst.set_alignment(8).map_err(builder_error)?;
    }
    let args: Vec<BasicMetadataValueEnum> = stub.get_params().into_iter().map(Into::into).collect();
    if let Some(ty) = in_memory {
        let result = builder.build_alloca(ty, "result").map_err(builder_error)?;
        builder
            .build_store(result, ty.const_zero())
            .map_err(builder_error)?;
        let mut params: Vec<inkwell::types::BasicMetadataTypeEnum> =
            vec![ty.ptr_type(AddressSpace::default()).into()];
        params.extend(fty.get_param_types());
        let body_ty = ctx.void_type().fn_type(&params, false);
        let target = builder
            .build_pointer_cast(
                loaded.into_pointer_value(),
                body_ty.ptr_type(AddressSpace::default()),
                "fn",
            )
            .map_err(builder_error)?;
        let callable = CallableValue::try_from(target)
            .map_err(|()| builder_error("not a function pointer"))?;
        let mut with_result = vec![BasicMetadataValueEnum::from(result)];
        with_result.extend(args);
        let call = builder
            .build_call(callable, &with_result, "")
            .map_err(builder_error)?;
        call.add_attribute(AttributeLoc::Param(0), sret::sret_attribute(ctx, ty));
        let value = builder.build_load(result, "r").map_err(builder_error)?;
        builder.build_return(Some(&value)).map_err(builder_error)?;
        return Ok(stub);
    }
    let target = builder
        .build_pointer_cast(
            loaded.into_pointer_value(),
            fty.ptr_type(AddressSpace::default()),
            "fn",
        )
        .map_err(builder_error)?;
    let callable =
        CallableValue::try_from(target).map_err(|()| builder_error("not a function pointer"))?;
    let call = builder
        .build_call(callable, &args, "r")
        .map_err(builder_error)?;
    call.set_tail_call(true);
    match call.try_as_basic_value().basic() {
        Some(v) => builder.build_return(Some(&v)),
        None => builder.build_return(None),
    }
    .map_err(builder_error)?;
    Ok(stub)
}

/// Turns a defined global into a declaration of the same name and type, so the patch uses the
/// host's. Any type a global can have is a basic type; anything else is an error, never a
/// private copy left in the patch.
fn import_global<'ctx>(module: &Module<'ctx>, g: GlobalValue<'ctx>) -> Result<(), HotError> {
    let name = g.get_name().to_string_lossy().into_owned();
    let basic = inkwell::types::BasicTypeEnum::try_from(g.get_value_type())
        .map_err(|()| HotError::Builder(format!("global `{name}` has no value type")))?;
    g.set_name(&format!("{name}.patch-local"));
    let decl = module.add_global(basic, None, &name);
    decl.set_linkage(Linkage::External);
    g.as_pointer_value()
        .replace_all_uses_with(decl.as_pointer_value());
    // SAFETY: every use was just redirected to the declaration.
    unsafe { g.delete() };
    Ok(())
}

/// Inserts `vais_hot_runtime_init(&manifest, &table, compiler)` at the start of `main`.
fn start_runtime<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    builder: &Builder<'ctx>,
    manifest: GlobalValue<'ctx>,
    table: GlobalValue<'ctx>,
    compiler: &str,
) -> Result<(), HotError> {
    let Some(main) = module.get_function("main") else {
        return Ok(());
    };
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let fty = ctx.void_type().fn_type(
        &[
            i8p.into(),
            i8p.ptr_type(AddressSpace::default()).into(),
            i8p.into(),
        ],
        false,
    );
    let init = module.add_function(abi::RUNTIME_INIT_SYMBOL, fty, Some(Linkage::External));
    let entry = main
        .get_first_basic_block()
        .ok_or_else(|| builder_error("main has no body"))?;
    match entry.get_first_instruction() {
        Some(first) => builder.position_before(&first),
        None => builder.position_at_end(entry),
    }
    let path = builder
        .build_global_string_ptr(compiler, "vais.hot.compiler")
        .map_err(builder_error)?;
    let args = [
        manifest.as_pointer_value().const_cast(i8p).into(),
        table
            .as_pointer_value()
            .const_cast(i8p.ptr_type(AddressSpace::default()))
            .into(),
        path.as_pointer_value().into(),
    ];
    builder.build_call(init, &args, "").map_err(builder_error)?;
    Ok(())
}

/// In a normal build, the `vais_hot_*` functions `std/hot.vais` declares have no runtime to
/// call: define each as a no-op (returning 0, or 1 for the version) so the same program links.
pub fn provide_fallbacks<'ctx>(ctx: &'ctx Context, module: &Module<'ctx>) -> Result<(), HotError> {
    let builder = ctx.create_builder();
    let mut f = module.get_first_function();
    while let Some(func) = f {
        f = func.get_next_function();
        let name = func.get_name().to_string_lossy().into_owned();
        if !name.starts_with("vais_hot_") || func.count_basic_blocks() > 0 {
            continue;
        }
        let entry = ctx.append_basic_block(func, "entry");
        builder.position_at_end(entry);
        func.set_linkage(Linkage::Internal);
        match func.get_type().get_return_type() {
            Some(inkwell::types::BasicTypeEnum::IntType(t)) => {
                let v = u64::from(name == "vais_hot_version");
                builder.build_return(Some(&t.const_int(v, false)))
            }
            Some(t) => builder.build_return(Some(&t.const_zero())),
            None => builder.build_return(None),
        }
        .map_err(builder_error)?;
    }
    Ok(())
}
