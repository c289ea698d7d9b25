//! Unit tests for closure syntax: how far a body reaches, `||` as an empty parameter list and
//! as `or`, return types, and closure types nested in types and parameters.

use super::parse;
use crate::ast::*;
use crate::source::FileId;

/// The initialiser of `x := ..` in `F main() { x := SRC }`.
fn init(src: &str) -> Expr {
    let text = format!("F main() {{ x := {src} }}");
    let (module, diags) = parse(FileId(0), &text);
    assert!(diags.is_empty(), "{src}: {diags:#?}");
    let ItemKind::Fn(f) = &module.items[0].kind else {
        panic!("not a function");
    };
    let Some(Expr {
        kind: ExprKind::Block(b),
        ..
    }) = &f.body
    else {
        panic!("no block body");
    };
    match &b.stmts[0] {
        Stmt::Let { init, .. } => init.clone(),
        other => panic!("not a let: {other:?}"),
    }
}

fn closure(src: &str) -> ClosureExpr {
    match init(src).kind {
        ExprKind::Closure(c) => *c,
        other => panic!("{src}: not a closure: {other:?}"),
    }
}

#[test]
fn a_body_reaches_as_far_right_as_it_can() {
    let c = closure("|x| x + 1 * 2");
    assert!(matches!(c.body.kind, ExprKind::Binary(BinOp::Add, ..)));
    assert_eq!(c.params.len(), 1);
    assert!(c.params[0].1.is_none());
    let c = closure("|a: i64, b| a ? b : 0");
    assert!(matches!(c.body.kind, ExprKind::Ternary(..)));
    assert!(c.params[0].1.is_some() && c.params[1].1.is_none());
}

#[test]
fn or_is_still_or_and_an_empty_list_is_a_closure() {
    assert!(matches!(
        init("a || b").kind,
        ExprKind::Binary(BinOp::Or, ..)
    ));
    let c = closure("|| a || b");
    assert!(c.params.is_empty());
    assert!(matches!(c.body.kind, ExprKind::Binary(BinOp::Or, ..)));
}

#[test]
fn a_return_type_comes_with_a_block() {
    let c = closure("|x: i64| -> i64 { x }");
    assert!(c.ret.is_some());
    assert!(matches!(c.body.kind, ExprKind::Block(_)));
    let text = "F main() { f := |x: i64| -> i64 x }";
    let (_, diags) = parse(FileId(0), text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
}

#[test]
fn closures_as_arguments_and_closure_types_nest() {
    let ExprKind::Call(_, args) = init("f(|x| x, 2)").kind else {
        panic!("not a call");
    };
    assert_eq!(args.len(), 2);
    let c = closure("|g: |i64| -> i64, y: i64| g(y)");
    let Some(TypeExpr {
        kind: TypeKind::Closure(params, Some(ret)),
        ..
    }) = &c.params[0].1
    else {
        panic!("not a closure type: {:?}", c.params[0].1);
    };
    assert_eq!(params.len(), 1);
    assert!(matches!(ret.kind, TypeKind::Named(_)));
    assert_eq!(c.params.len(), 2);
    let c = closure("|| -> |i64| -> |i64| -> i64 { g }");
    let Some(TypeExpr {
        kind: TypeKind::Closure(_, Some(inner)),
        ..
    }) = &c.ret
    else {
        panic!("not a closure return type");
    };
    assert!(matches!(inner.kind, TypeKind::Closure(..)));
}
