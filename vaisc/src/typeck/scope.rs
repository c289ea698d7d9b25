//! Per-function checking state: local variables and their lexical scopes, and the loops that
//! `B` and `C` may leave.

use crate::source::Span;
use crate::tir::{self, FuncId, LocalId, Ty};
use std::collections::HashMap;

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
    scopes: Vec<HashMap<String, LocalId>>,
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
            scopes: vec![HashMap::new()],
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
        self.scopes.push(HashMap::new());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    pub fn into_locals(self) -> Vec<tir::LocalDef> {
        self.locals
    }
}
