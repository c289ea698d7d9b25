//! Code hashes from the typed IR, taken before anything is lowered to LLVM, so that a patch
//! build knows which functions an edit changed without generating code for the others.
//!
//! A function's *own* hash covers what its code does: its name, signature and attributes, its
//! locals' types, and its body node by node with every type, constant, string, field index and
//! operator, the globals it uses (by name and type) and the functions it calls or takes the
//! address of (by name and signature). Source positions are left out, since moving a function
//! down a few lines does not change what it does, except where the code embeds one (the
//! `file:line` of a failed `assert` or `unwrap`). Constants are already folded into the bodies
//! that use them, so editing one changes exactly those.
//!
//! A struct or enum appears in a function's own hash by name only, so that a layout change alone
//! does not count as a change of the code of `main` and the functions it calls (in a hot host
//! they read their layouts from the offset table). The layouts a function uses (every struct and
//! enum its types name, by content: fields' names and types, nested layouts included) are
//! hashed into its code hash instead: a hot function or helper compiled with constant offsets
//! must be carried by any patch that changes them, never called in the host.
//!
//! A function's *code* hash adds the code hashes of everything it calls, transitively, except
//! callees behind a table slot (hot functions the host has a slot for), which are reached
//! through the table and so never compiled into the caller. A patch must carry a function
//! whose code hash changed: its own code changed, or it calls a copy of a helper that did.
//! Recursion is handled by hashing each strongly connected component of the call graph as one
//! unit (its members' own hashes in name order, then the code hashes of what it calls), so the
//! result does not depend on the order of declarations.

use crate::source::SourceMap;
use crate::tir::{
    Callee, EnumId, Expr, ExprKind, FieldDef, FuncId, LoopKind, Pattern, Program, Stmt, StructId,
    Ty,
};
use crate::typeck::Revision;

/// The hashes of every function of a program, indexed like `Program::functions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeHashes {
    /// Each function's own code, structs and enums by name.
    pub own: Vec<u64>,
    /// Each function's code, the layouts it uses, and the code of every function it calls
    /// short of a table slot.
    pub code: Vec<u64>,
}

/// Hashes every function of `program`. `slotted[f]`: calls to `f` go through the jump table
/// (a hot function the host has a slot for), so its callers' code hashes stop there.
pub fn code_hashes(program: &Program, sources: &SourceMap, slotted: &[bool]) -> CodeHashes {
    code_hashes_cached(program, sources, slotted, &mut HashCache::default(), None)
}

/// The per-function parts of [`code_hashes`] (each function's signature, own hash, hash with
/// its layouts, and callees), kept from one build to the next of a watch session, so that a
/// save hashes again only the functions it re-checked.
#[derive(Debug, Default)]
pub struct HashCache {
    /// The check (`typeck::Session`'s revision) and the slots the parts are for.
    pub(super) key: Option<(u64, Vec<bool>)>,
    /// Each function's signature as Vais writes it, made when a hash first needs it.
    pub(super) signatures: Vec<Option<String>>,
    pub(super) own: Vec<u64>,
    pub(super) with_layouts: Vec<u64>,
    pub(super) edges: Vec<Vec<FuncId>>,
    /// Whether each function's code embeds the line of some of its code (`file:line` in a
    /// message), so that its parts change when it moves to other lines.
    pub(super) lines: Vec<bool>,
}

/// [`code_hashes`], taking from `cache` the parts of every function that did not change since
/// the check the cache is for, when `revision` says this check re-checked only some bodies of
/// that one; the cache is then for this check.
pub fn code_hashes_cached(
    program: &Program,
    sources: &SourceMap,
    slotted: &[bool],
    cache: &mut HashCache,
    revision: Option<&Revision>,
) -> CodeHashes {
    let changed = revision.and_then(|r| {
        let (key, key_slots) = cache.key.as_ref()?;
        let changed = r.rechecked_since(*key)?;
        // A function that only moved keeps its parts, unless its code embeds its lines.
        let moved = r
            .moved_since(*key)
            .iter()
            .copied()
            .filter(|&f| cache.lines.get(f).copied().unwrap_or(true));
        (key_slots == slotted && cache.own.len() == program.functions.len())
            .then(|| changed.iter().copied().chain(moved).collect::<Vec<_>>())
    });
    let changed = changed.unwrap_or_else(|| {
        *cache = HashCache {
            signatures: vec![None; program.functions.len()],
            own: vec![0; program.functions.len()],
            with_layouts: vec![0; program.functions.len()],
            edges: vec![Vec::new(); program.functions.len()],
            lines: vec![false; program.functions.len()],
            key: None,
        };
        (0..program.functions.len()).collect()
    });
    cache.key = revision.map(|r| (r.revision, slotted.to_vec()));
    hash_parts(program, sources, slotted, cache, changed);
    CodeHashes {
        own: cache.own.clone(),
        code: transitive(program, &cache.with_layouts, &cache.edges),
    }
}

/// Hashes the parts of functions `changed` into `cache` (sized for `program`).
pub(super) fn hash_parts(
    program: &Program,
    sources: &SourceMap,
    slotted: &[bool],
    cache: &mut HashCache,
    changed: Vec<FuncId>,
) {
    let mut enc = Encoder {
        program,
        sources,
        signatures: std::mem::take(&mut cache.signatures),
        bytes: Vec::new(),
        callees: Vec::new(),
        layouts: Vec::new(),
        lines: false,
    };
    let layouts = Layouts::of(program);
    for f in changed {
        let h = enc.function(f);
        cache.own[f] = h;
        cache.lines[f] = std::mem::take(&mut enc.lines);
        let mut used: Vec<u64> = std::mem::take(&mut enc.layouts)
            .into_iter()
            .map(|l| layouts.hash(l))
            .collect();
        used.sort_unstable();
        used.dedup();
        let mut bytes = h.to_le_bytes().to_vec();
        for l in used {
            bytes.extend_from_slice(&l.to_le_bytes());
        }
        cache.with_layouts[f] = vais_hot_abi::hash(&bytes);
        let mut callees = std::mem::take(&mut enc.callees);
        callees.sort_unstable();
        callees.dedup();
        callees.retain(|&g| program.functions[g].is_defined() && !slotted[g]);
        cache.edges[f] = callees;
    }
    cache.signatures = enc.signatures;
}

/// A struct or enum a function's code uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum LayoutRef {
    Struct(StructId),
    Enum(EnumId),
}

/// The content hash of every struct and enum: its name, and its fields' names and types, a
/// nested struct or enum by its own content hash (values nest without cycles) and one behind
/// a pointer by name (a pointer's size does not depend on what it points at).
struct Layouts {
    structs: Vec<u64>,
    enums: Vec<u64>,
}

impl Layouts {
    fn of(program: &Program) -> Layouts {
        let mut l = Layouts {
            structs: vec![0; program.structs.len()],
            enums: vec![0; program.enums.len()],
        };
        let mut done_s = vec![false; program.structs.len()];
        let mut done_e = vec![false; program.enums.len()];
        for s in 0..program.structs.len() {
            l.visit(program, LayoutRef::Struct(s), &mut done_s, &mut done_e);
        }
        for e in 0..program.enums.len() {
            l.visit(program, LayoutRef::Enum(e), &mut done_s, &mut done_e);
        }
        l
    }

    fn hash(&self, r: LayoutRef) -> u64 {
        match r {
            LayoutRef::Struct(s) => self.structs[s],
            LayoutRef::Enum(e) => self.enums[e],
        }
    }

    /// Hashes `r` after the layouts it holds by value (depth-first; nesting by value is finite).
    fn visit(&mut self, program: &Program, r: LayoutRef, done_s: &mut [bool], done_e: &mut [bool]) {
        let fields: Vec<&[FieldDef]> = match r {
            LayoutRef::Struct(s) if !done_s[s] => {
                done_s[s] = true;
                vec![&program.structs[s].fields]
            }
            LayoutRef::Enum(e) if !done_e[e] => {
                done_e[e] = true;
                program.enums[e]
                    .variants
                    .iter()
                    .map(|v| v.fields.as_slice())
                    .collect()
            }
            _ => return,
        };
        for f in fields.iter().flat_map(|fs| fs.iter()) {
            let mut nested = Vec::new();
            by_value(&f.ty, &mut nested);
            for n in nested {
                self.visit(program, n, done_s, done_e);
            }
        }
        let mut bytes = Vec::new();
        let name = match r {
            LayoutRef::Struct(s) => &program.structs[s].name,
            LayoutRef::Enum(e) => &program.enums[e].name,
        };
        put_str(&mut bytes, name);
        for fs in &fields {
            bytes.extend_from_slice(&(fs.len() as u64).to_le_bytes());
            for f in fs.iter() {
                put_str(&mut bytes, &f.name);
                put_str(&mut bytes, &program.ty_name(&f.ty));
                let mut nested = Vec::new();
                by_value(&f.ty, &mut nested);
                for n in nested {
                    bytes.extend_from_slice(&self.hash(n).to_le_bytes());
                }
            }
        }
        let h = vais_hot_abi::hash(&bytes);
        match r {
            LayoutRef::Struct(s) => self.structs[s] = h,
            LayoutRef::Enum(e) => self.enums[e] = h,
        }
    }
}

/// The structs and enums a value of `ty` holds in place (not behind a pointer).
fn by_value(ty: &Ty, out: &mut Vec<LayoutRef>) {
    match ty {
        Ty::Struct(s) => out.push(LayoutRef::Struct(*s)),
        Ty::Enum(e) => out.push(LayoutRef::Enum(*e)),
        Ty::Array(inner, _) => by_value(inner, out),
        _ => {}
    }
}

/// The code hash of each function: each strongly connected component of the call graph
/// (Tarjan's algorithm, iterative so that deep call chains cannot overflow the stack) hashes its
/// members' names and own hashes, in name order, and the code hashes of the components it
/// calls, sorted. Tarjan completes a component only after every component it reaches.
pub(super) fn transitive(program: &Program, own: &[u64], edges: &[Vec<FuncId>]) -> Vec<u64> {
    const UNSEEN: usize = usize::MAX;
    let n = own.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut code = vec![0u64; n];
    let mut next = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // Each frame: a function and how many of its edges have been followed.
        let mut frames = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (f, ref mut at)) = frames.last_mut() {
            if let Some(&g) = edges[f].get(*at) {
                *at += 1;
                if index[g] == UNSEEN {
                    index[g] = next;
                    low[g] = next;
                    next += 1;
                    stack.push(g);
                    on_stack[g] = true;
                    frames.push((g, 0));
                } else if on_stack[g] {
                    low[f] = low[f].min(index[g]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[f]);
            }
            if low[f] != index[f] {
                continue;
            }
            let mut members = Vec::new();
            while let Some(m) = stack.pop() {
                on_stack[m] = false;
                members.push(m);
                if m == f {
                    break;
                }
            }
            members.sort_by(|&a, &b| program.functions[a].name.cmp(&program.functions[b].name));
            let mut outside: Vec<u64> = members
                .iter()
                .flat_map(|&m| &edges[m])
                .filter(|&&g| !members.contains(&g))
                .map(|&g| code[g])
                .collect();
            outside.sort_unstable();
            outside.dedup();
            let mut bytes = Vec::with_capacity(24 * members.len() + 8 * outside.len());
            for &m in &members {
                put_str(&mut bytes, &program.functions[m].name);
                bytes.extend_from_slice(&own[m].to_le_bytes());
            }
            for h in outside {
                bytes.extend_from_slice(&h.to_le_bytes());
            }
            let component = vais_hot_abi::hash(&bytes);
            for &m in &members {
                let mut pair = own[m].to_le_bytes().to_vec();
                pair.extend_from_slice(&component.to_le_bytes());
                code[m] = vais_hot_abi::hash(&pair);
            }
        }
    }
    code
}

fn put_str(bytes: &mut Vec<u8>, s: &str) {
    bytes.extend_from_slice(&(s.len() as u64).to_le_bytes());
    bytes.extend_from_slice(s.as_bytes());
}

/// Writes a function's code as bytes to hash; records the functions it names.
struct Encoder<'a> {
    program: &'a Program,
    sources: &'a SourceMap,
    /// Each function's signature as Vais writes it, made when first needed.
    signatures: Vec<Option<String>>,
    bytes: Vec<u8>,
    callees: Vec<FuncId>,
    /// The structs and enums the function's types name, for its code hash.
    layouts: Vec<LayoutRef>,
    /// The function's code embeds a line.
    lines: bool,
}

impl Encoder<'_> {
    fn function(&mut self, f: FuncId) -> u64 {
        self.bytes.clear();
        let def = &self.program.functions[f];
        put_str(&mut self.bytes, &def.name);
        self.signature(f);
        self.tag(
            u8::from(def.attrs.hot)
                | u8::from(def.attrs.inline) << 1
                | u8::from(def.attrs.is_async) << 2,
        );
        self.tag(u8::from(self.program.main == Some(f)));
        if let Some(body) = &def.body {
            self.u64(body.locals.len() as u64);
            for local in &body.locals {
                self.ty(&local.ty);
            }
            self.expr(&body.body);
        }
        vais_hot_abi::hash(&self.bytes)
    }

    /// Writes function `f`'s signature.
    fn signature(&mut self, f: FuncId) {
        let program = self.program;
        let sig =
            self.signatures[f].get_or_insert_with(|| program.signature(&program.functions[f].ty));
        put_str(&mut self.bytes, sig);
    }

    fn tag(&mut self, t: u8) {
        self.bytes.push(t);
    }

    fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    fn i128(&mut self, v: i128) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        put_str(&mut self.bytes, s);
    }

    /// A function named by the code: by name and signature, which is all a call compiles to.
    /// Whether the call goes through the table is the code hash's business (a caller's code
    /// hash covers a callee without a slot), so marking a function `#[hot]` changes no
    /// caller's own hash: `main` calling it has not changed.
    fn func(&mut self, g: FuncId) {
        put_str(&mut self.bytes, &self.program.functions[g].name);
        self.signature(g);
        self.callees.push(g);
    }

    /// Types by name: a struct or enum is its name here, its layout is recorded for the code
    /// hash.
    fn ty(&mut self, ty: &Ty) {
        match ty {
            Ty::Unit => self.tag(0),
            Ty::Bool => self.tag(1),
            Ty::Int(i) => {
                self.tag(2);
                self.tag(i.bits() as u8 | u8::from(i.signed()) << 7);
            }
            Ty::Float(f) => {
                self.tag(3);
                self.tag(*f as u8);
            }
            Ty::Str => self.tag(4),
            Ty::Ptr(inner) => {
                self.tag(5);
                self.ty(inner);
            }
            Ty::Array(inner, n) => {
                self.tag(6);
                self.u64(*n);
                self.ty(inner);
            }
            Ty::Struct(s) => {
                self.tag(7);
                let name = &self.program.structs[*s].name;
                put_str(&mut self.bytes, name);
                self.layouts.push(LayoutRef::Struct(*s));
            }
            Ty::Enum(e) => {
                self.tag(8);
                let name = &self.program.enums[*e].name;
                put_str(&mut self.bytes, name);
                self.layouts.push(LayoutRef::Enum(*e));
            }
            Ty::Fn(f) => {
                self.tag(9);
                self.tag(u8::from(f.variadic));
                self.u64(f.params.len() as u64);
                for p in &f.params {
                    self.ty(p);
                }
                self.ty(&f.ret);
            }
            Ty::Never => self.tag(10),
            Ty::Error => self.tag(11),
            Ty::Closure(f) => {
                self.tag(12);
                self.u64(f.params.len() as u64);
                for p in &f.params {
                    self.ty(p);
                }
                self.ty(&f.ret);
            }
            Ty::Task(inner) => {
                self.tag(13);
                self.ty(inner);
            }
        }
    }

    fn exprs(&mut self, xs: &[Expr]) {
        self.u64(xs.len() as u64);
        for x in xs {
            self.expr(x);
        }
    }

    fn expr(&mut self, e: &Expr) {
        self.ty(&e.ty);
        match &e.kind {
            ExprKind::Int(v) => {
                self.tag(0);
                self.i128(*v);
            }
            ExprKind::Float(v) => {
                self.tag(1);
                self.u64(v.to_bits());
            }
            ExprKind::Bool(b) => {
                self.tag(2);
                self.tag(u8::from(*b));
            }
            ExprKind::Str(s) => {
                self.tag(3);
                self.str(s);
            }
            ExprKind::Unit => self.tag(4),
            ExprKind::Local(l) => {
                self.tag(5);
                self.u64(*l as u64);
            }
            ExprKind::Global(g) => {
                self.tag(6);
                let def = &self.program.globals[*g];
                put_str(&mut self.bytes, &def.name);
                self.ty(&def.ty);
            }
            ExprKind::FuncRef(g) => {
                self.tag(7);
                self.func(*g);
            }
            ExprKind::Deref(a) => {
                self.tag(8);
                self.expr(a);
            }
            ExprKind::Field(a, i) => {
                self.tag(9);
                self.u64(u64::from(*i));
                self.expr(a);
            }
            ExprKind::Index(a, b) => self.pair(10, a, b),
            ExprKind::PtrIndex(a, b) => self.pair(11, a, b),
            ExprKind::AddrOf(a) => {
                self.tag(12);
                self.expr(a);
            }
            ExprKind::Unary(op, a) => {
                self.tag(13);
                self.tag(*op as u8);
                self.expr(a);
            }
            ExprKind::Binary(op, a, b) => {
                self.tag(14);
                self.tag(*op as u8);
                self.expr(a);
                self.expr(b);
            }
            ExprKind::And(a, b) => self.pair(15, a, b),
            ExprKind::Or(a, b) => self.pair(16, a, b),
            ExprKind::Cast(a) => {
                self.tag(17);
                self.expr(a);
            }
            ExprKind::Call { callee, args } => {
                match callee {
                    Callee::Direct(g) => {
                        self.tag(18);
                        self.func(*g);
                    }
                    Callee::Indirect(c) => {
                        self.tag(19);
                        self.expr(c);
                    }
                    Callee::Closure(c) => {
                        self.tag(36);
                        self.expr(c);
                    }
                }
                self.exprs(args);
            }
            ExprKind::StructLit(s, xs) => {
                self.tag(20);
                self.ty(&Ty::Struct(*s));
                self.exprs(xs);
            }
            ExprKind::ArrayLit(xs) => {
                self.tag(21);
                self.exprs(xs);
            }
            ExprKind::ArrayRepeat(a, n) => {
                self.tag(22);
                self.u64(*n);
                self.expr(a);
            }
            ExprKind::EnumLit(en, v, xs) => {
                self.tag(23);
                self.ty(&Ty::Enum(*en));
                self.u64(u64::from(*v));
                self.exprs(xs);
            }
            ExprKind::Block(stmts, tail) => {
                self.tag(24);
                self.u64(stmts.len() as u64);
                for s in stmts {
                    match s {
                        Stmt::Let(l, init) => {
                            self.tag(0);
                            self.u64(*l as u64);
                            self.opt(init.as_ref());
                        }
                        Stmt::Expr(x) => {
                            self.tag(1);
                            self.expr(x);
                        }
                    }
                }
                self.opt(tail.as_deref());
            }
            ExprKind::If(c, a, b) => {
                self.tag(25);
                self.expr(c);
                self.expr(a);
                self.opt(b.as_deref());
            }
            ExprKind::Loop(kind, body) => {
                self.tag(26);
                match kind {
                    LoopKind::Forever => self.tag(0),
                    LoopKind::While(c) => {
                        self.tag(1);
                        self.expr(c);
                    }
                    LoopKind::Range {
                        var,
                        start,
                        end,
                        inclusive,
                    } => {
                        self.tag(2 + u8::from(*inclusive));
                        self.u64(*var as u64);
                        self.expr(start);
                        self.expr(end);
                    }
                }
                self.expr(body);
            }
            ExprKind::Break => self.tag(27),
            ExprKind::Continue => self.tag(28),
            ExprKind::Return(x) => {
                self.tag(29);
                self.opt(x.as_deref());
            }
            ExprKind::Assign(a, b) => self.pair(30, a, b),
            ExprKind::CompoundAssign(op, a, b) => {
                self.tag(31);
                self.tag(*op as u8);
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Match(s, arms) => {
                self.tag(32);
                self.expr(s);
                self.u64(arms.len() as u64);
                for arm in arms {
                    self.pattern(&arm.pattern);
                    self.opt(arm.guard.as_ref());
                    self.expr(&arm.body);
                }
            }
            ExprKind::SizeOf(ty) => {
                self.tag(33);
                self.ty(ty);
            }
            ExprKind::SourceLocation => {
                // The one place code embeds where it came from: `file:line` in a message.
                self.tag(34);
                self.lines = true;
                let file = self.sources.file(e.span.file);
                let (line, _) = file.line_col(e.span.lo);
                let path = file.path.to_string_lossy().into_owned();
                self.str(&path);
                self.u64(u64::from(line));
            }
            ExprKind::Unreachable => self.tag(35),
            ExprKind::Closure { func, env, escapes } => {
                // The lifted body is a function of its own, hashed like a named one.
                self.tag(37);
                self.func(*func);
                self.opt(env.as_deref());
                self.tag(u8::from(*escapes));
            }
            ExprKind::FnToClosure(f, escapes) => {
                self.tag(38);
                self.expr(f);
                self.tag(u8::from(*escapes));
            }
            ExprKind::TaskNew { func, args } => {
                // The task's run function calls `func`'s body, in this module.
                self.tag(39);
                self.func(*func);
                self.exprs(args);
            }
            ExprKind::Spawn(t) => {
                self.tag(40);
                self.expr(t);
            }
            ExprKind::Await(t) => {
                self.tag(41);
                self.expr(t);
            }
        }
    }

    fn pair(&mut self, tag: u8, a: &Expr, b: &Expr) {
        self.tag(tag);
        self.expr(a);
        self.expr(b);
    }

    fn opt(&mut self, e: Option<&Expr>) {
        match e {
            Some(x) => {
                self.tag(1);
                self.expr(x);
            }
            None => self.tag(0),
        }
    }

    fn pattern(&mut self, p: &Pattern) {
        match p {
            Pattern::Wildcard => self.tag(0),
            Pattern::Bind(l) => {
                self.tag(1);
                self.u64(*l as u64);
            }
            Pattern::Int(v) => {
                self.tag(2);
                self.i128(*v);
            }
            Pattern::Range(a, b) => {
                self.tag(3);
                self.i128(*a);
                self.i128(*b);
            }
            Pattern::Or(ps) => {
                self.tag(4);
                self.u64(ps.len() as u64);
                for q in ps {
                    self.pattern(q);
                }
            }
            Pattern::Variant { variant, bindings } => {
                self.tag(5);
                self.u64(u64::from(*variant));
                self.u64(bindings.len() as u64);
                for b in bindings {
                    match b {
                        Some(l) => {
                            self.tag(1);
                            self.u64(*l as u64);
                        }
                        None => self.tag(0),
                    }
                }
            }
        }
    }
}
