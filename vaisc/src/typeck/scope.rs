//! Per-function checking state: local variables and their lexical scopes, and the loops that
//! `B` and `C` may leave.

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
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
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
    scopes: Vec<NameMap<String, LocalId>>,
    /// One entry per enclosing loop: whether a `B` leaves it.
    pub loops: Vec<bool>,
}

impl FnCtx {
    pub fn new(func: FuncId, ret: Ty, self_ty: Option<Ty>) -> FnCtx {
        FnCtx {
            func,
            ret,
            self_ty,
            locals: Vec::new(),
            info: Vec::new(),
            scopes: vec![NameMap::default()],
            loops: Vec::new(),
        }
    }

    /// Declares a new local in the innermost scope, shadowing any outer one of the same name.
    pub fn declare(&mut self, name: &str, ty: Ty, span: Span, mutable: bool) -> LocalId {
        let id = self.new_local(name, ty, span, mutable);
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), id);
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
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
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
        self.scopes.push(NameMap::default());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    pub fn into_locals(self) -> Vec<tir::LocalDef> {
        self.locals
    }
}
