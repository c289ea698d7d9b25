//! Per-function checking state: local variables and their lexical scopes, the loops that
//! `B` and `C` may leave, and, inside a closure body, the variables it captures.

use crate::name::Name;
use crate::source::Span;
use crate::tir::{self, FuncId, LocalId, Ty};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The checker's tables of names. Names are looked up for almost every expression; the
/// standard hasher resists collision attacks, which tables of the program's own names do not
/// need, and costs several times as much for short keys.
pub(super) type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

/// A multiply-rotate hash over eight-byte words, folded so that the low bits (which pick the
/// bucket) depend on every byte.
#[derive(Default, Clone, Copy)]
pub(super) struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            self.add(u64::from_le_bytes(word));
        }
        // The last bytes as a little-endian word padded with zeros, assembled byte by byte: a
        // copy of a length known only at run time would be a call to `memcpy`.
        let rest = words.remainder();
        if !rest.is_empty() {
            let word = rest
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
            self.add(word);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

pub(super) struct LocalInfo {
    pub mutable: bool,
    pub span: Span,
}

/// State for checking one function body.
pub(super) struct FnCtx {
    pub func: FuncId,
    pub ret: Ty,
    /// The type named by `Self` inside a method.
    pub self_ty: Option<Ty>,
    locals: Vec<tir::LocalDef>,
    info: Vec<LocalInfo>,
    /// The local each visible name refers to now (the innermost binding). One table rather
    /// than one per scope, so that a lookup hashes the name once, however deep the scopes.
    /// Keyed by [`Name`], which holds a short name without allocating.
    bindings: NameMap<Name, LocalId>,
    /// What each declaration replaced in `bindings`, in order: closing a scope puts back what
    /// its declarations replaced. One log for all scopes, so that a scope costs no allocation.
    undo: Vec<(Name, Option<LocalId>)>,
    /// Where each open scope's declarations start in `undo`, innermost last.
    scopes: Vec<usize>,
    /// One entry per enclosing loop: whether a `B` leaves it.
    pub loops: Vec<bool>,
    /// Set inside a closure body: what it can capture and what it captured.
    pub capture: Option<CaptureFrame>,
    /// The first `R` checked in this body (a closure whose return type is inferred has none).
    pub first_return: Option<Span>,
    /// How many closures this body has created, to name the next one.
    pub closures: usize,
}

/// The variables a closure body sees from the function around it.
pub(super) struct CaptureFrame {
    /// Every variable visible where the closure is written, with its type.
    pub visible: HashMap<String, Ty>,
    /// The variables used so far, in order of first use: the environment's fields.
    pub captured: Vec<Captured>,
    /// The local holding the environment pointer (`*u8`), absent when the closure is a plain
    /// function pointer (which may capture nothing).
    pub env: Option<(LocalId, tir::StructId)>,
}

pub(super) struct Captured {
    pub name: String,
    pub ty: Ty,
    /// The first use, for diagnostics.
    pub span: Span,
}

impl FnCtx {
    pub fn new(func: FuncId, ret: Ty, self_ty: Option<Ty>) -> FnCtx {
        FnCtx {
            func,
            ret,
            self_ty,
            locals: Vec::new(),
            info: Vec::new(),
            bindings: NameMap::default(),
            undo: Vec::new(),
            scopes: vec![0],
            loops: Vec::new(),
            capture: None,
            first_return: None,
            closures: 0,
        }
    }

    /// Every name a closure written here could capture, with its type: this body's visible
    /// locals (innermost binding first) and what the body itself could capture.
    pub fn visible(&self) -> HashMap<String, Ty> {
        let mut out: HashMap<String, Ty> = match &self.capture {
            Some(c) => c.visible.clone(),
            None => HashMap::new(),
        };
        for (name, id) in &self.bindings {
            out.insert(name.to_string(), self.locals[*id].ty.clone());
        }
        out
    }

    /// Whether `name` is a variable here: a local, or one a closure body can capture.
    pub fn sees(&self, name: &str) -> bool {
        self.lookup(name).is_some()
            || self
                .capture
                .as_ref()
                .is_some_and(|c| c.visible.contains_key(name))
    }

    /// Declares a new local in the innermost scope, shadowing any outer one of the same name.
    pub fn declare(&mut self, name: &str, ty: Ty, span: Span, mutable: bool) -> LocalId {
        let id = self.new_local(name, ty, span, mutable);
        if !self.scopes.is_empty() {
            let name = Name::new(name);
            let replaced = self.bindings.insert(name.clone(), id);
            self.undo.push((name, replaced));
        }
        id
    }

    /// A local the user cannot name, for temporaries such as a receiver that needs an address.
    pub fn hidden(&mut self, ty: Ty, span: Span) -> LocalId {
        self.new_local("tmp", ty, span, true)
    }

    fn new_local(&mut self, name: &str, ty: Ty, span: Span, mutable: bool) -> LocalId {
        self.locals.push(tir::LocalDef {
            name: name.to_string(),
            ty,
            span,
        });
        self.info.push(LocalInfo { mutable, span });
        self.locals.len() - 1
    }

    pub fn lookup(&self, name: &str) -> Option<LocalId> {
        self.bindings.get(name).copied()
    }

    pub fn local_ty(&self, id: LocalId) -> &Ty {
        &self.locals[id].ty
    }

    pub fn local_info(&self, id: LocalId) -> &LocalInfo {
        &self.info[id]
    }

    pub fn local_name(&self, id: LocalId) -> &str {
        &self.locals[id].name
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(self.undo.len());
    }

    pub fn pop_scope(&mut self) {
        let Some(start) = self.scopes.pop() else {
            return;
        };
        for (name, replaced) in self.undo.drain(start..).rev() {
            match replaced {
                Some(id) => self.bindings.insert(name, id),
                None => self.bindings.remove(&name),
            };
        }
    }

    pub fn into_locals(self) -> Vec<tir::LocalDef> {
        self.locals
    }
}
