//! Unit tests for the parser's tricky corners: precedence, newline rules, struct literals in
//! heads, else-if chains, and recovery that reports several errors in one run.

use super::parse;
use crate::ast::*;
use crate::source::FileId;

/// Renders an expression fully parenthesised, to compare parse trees compactly.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Name(n) => n.to_string(),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", show(a), op.symbol(), show(b)),
        ExprKind::Unary(op, a) => format!("({op:?} {})", show(a)),
        ExprKind::Field(a, f) => format!("{}.{}", show(a), f.name),
        ExprKind::Index(a, i) => format!("{}[{}]", show(a), show(i)),
        ExprKind::Call(f, args) => {
            let args: Vec<String> = args.iter().map(show).collect();
            format!("{}({})", show(f), args.join(", "))
        }
        ExprKind::MethodCall(r, m, args) => {
            let args: Vec<String> = args.iter().map(show).collect();
            format!("{}.{}({})", show(r), m.name, args.join(", "))
        }
        ExprKind::Cast(a, _) => format!("({} as T)", show(a)),
        ExprKind::Ternary(c, a, b) => format!("({} ? {} : {})", show(c), show(a), show(b)),
        ExprKind::Assign(op, a, b) => format!("({} {:?}= {})", show(a), op, show(b)),
        ExprKind::StructLit(p, f) => format!("{}{{{}}}", p[0].name, f.len()),
        ExprKind::If(c, _, e) => format!(
            "if {} {}",
            show(c),
            e.as_ref().map_or(String::new(), |e| show(e))
        ),
        ExprKind::Block(b) => format!("{{{}}}", b.stmts.len()),
        ExprKind::Tuple(elems) => {
            let elems: Vec<String> = elems.iter().map(show).collect();
            format!("tuple({})", elems.join(", "))
        }
        ExprKind::Slice(b, lo, hi, inclusive) => {
            let dots = if *inclusive { "..=" } else { ".." };
            format!("{}[{}{dots}{}]", show(b), show(lo), show(hi))
        }
        ExprKind::SizeOf(_) => "sizeof(T)".to_string(),
        ExprKind::Char(c) => format!("'{}'", *c as char),
        ExprKind::Loop(head, _) => match &**head {
            LoopHead::Each { var, iter } => format!("each {} in {}", var.name, show(iter)),
            _ => format!("{:?}", e.kind),
        },
        other => format!("{other:?}"),
    }
}

/// Parses `F main() { BODY }` and returns each statement rendered by `show`.
fn stmts(body: &str) -> Vec<String> {
    let src = format!("F main() {{ {body} }}");
    let (module, diags) = parse(FileId(0), &src);
    assert!(diags.is_empty(), "{body}: {diags:#?}");
    let ItemKind::Fn(f) = &module.items[0].kind else {
        panic!("not a function");
    };
    let Some(Expr {
        kind: ExprKind::Block(b),
        ..
    }) = &f.body
    else {
        panic!("no body");
    };
    b.stmts
        .iter()
        .map(|s| match s {
            Stmt::Expr(e) => show(e),
            Stmt::Let { name, init, .. } => format!("let {} = {}", name.name, show(init)),
            Stmt::LetTuple { names, init, .. } => {
                let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
                format!("let ({}) = {}", names.join(", "), show(init))
            }
        })
        .collect()
}

fn check(body: &str, expected: &[&str]) {
    assert_eq!(stmts(body), expected, "parsing {body:?}");
}

#[test]
fn precedence_follows_the_reference() {
    check("1 + 2 * 3", &["(1 + (2 * 3))"]);
    check("a || b && c", &["(a || (b && c))"]);
    check("a | b ^ c & d", &["(a | (b ^ (c & d)))"]);
    check("a & b == c", &["(a & (b == c))"]);
    check("a == b < c", &["(a == (b < c))"]);
    check("a < b << c", &["(a < (b << c))"]);
    check("a << b + c", &["(a << (b + c))"]);
    check("-a * b", &["((Neg a) * b)"]);
    check("-x as i64", &["(Neg (x as T))"]);
    check("c ? a + 1 : b", &["(c ? (a + 1) : b)"]);
    check("a - b - c", &["((a - b) - c)"]);
}

#[test]
fn postfix_chains() {
    check(
        "p.pos.x = p.pos.x + p.vel.x * dt",
        &["(p.pos.x None= (p.pos.x + (p.vel.x * dt)))"],
    );
    check("a[i].f(1)[2]", &["a[i].f(1)[2]"]);
    check("x += 1", &["(x Some(Add)= 1)"]);
}

#[test]
fn a_line_starting_with_a_prefix_operator_is_a_new_statement() {
    check("x := 1\n*p = 2", &["let x = 1", "((Deref p) None= 2)"]);
    check("f()\n(g)()", &["f()", "g()"]);
    check("x := a\n+ b", &["let x = (a + b)"]);
    check("w :=\n x\n *\n y", &["let w = (x * y)"]);
    check("w := x\n - y\nz := 1", &["let w = (x - y)", "let z = 1"]);
    check("w := x\n-y", &["let w = x", "(Neg y)"]);
}

#[test]
fn struct_literals_are_not_allowed_in_heads() {
    check("I x == P { }", &["if (x == P) "]);
    check("p := P { x: 1, y: 2 }", &["let p = P{2}"]);
}

#[test]
fn else_if_chains() {
    check("I a { } E I b { } E { }", &["if a if b {0}"]);
}

#[test]
fn several_errors_are_reported_in_one_run() {
    let src = "F a() { x := ; }\nF b() -> { }\nF c() { y := 1 + }\nF ok() = 1";
    let (module, diags) = parse(FileId(0), src);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    // The valid function after the errors is still parsed.
    assert!(module
        .items
        .iter()
        .any(|i| matches!(&i.kind, ItemKind::Fn(f) if f.name.name == "ok")));
}

#[test]
fn tier2_keywords_are_rejected_clearly() {
    let (_, diags) = parse(FileId(0), "O Bits { }\nF main() = 0");
    assert_eq!(diags[0].code, "E0011");
}

#[test]
fn generic_parameters_arguments_and_traits_parse() {
    let src = "W Shape { F area(&self) -> f64; F name(&self) -> str = \"s\" }
S Pair<T: Shape + Eq, U> { a: T, b: Vec<Vec<U>> }
X Pair<A, B>: Shape { F area(&self) -> f64 = 0.0 }
F main() -> i64 = f(x)?";
    let (module, diags) = parse(FileId(0), src);
    assert!(diags.is_empty(), "{diags:#?}");
    let crate::ast::ItemKind::Struct(s) = &module.items[1].kind else {
        panic!("a struct");
    };
    assert_eq!(s.generics.len(), 2);
    assert_eq!(s.generics[0].bounds.len(), 2);
    let crate::ast::TypeKind::Applied(name, args) = &s.fields[1].ty.kind else {
        panic!("an applied type");
    };
    assert_eq!((name.as_str(), args.len()), ("Vec", 1));
    let crate::ast::ItemKind::Impl(imp) = &module.items[2].kind else {
        panic!("an impl");
    };
    assert_eq!(imp.generics.len(), 2);
    assert_eq!(
        imp.trait_name.as_ref().map(|t| t.name.as_str()),
        Some("Shape")
    );
}

#[test]
fn keyword_letters_may_name_declarations() {
    let (module, diags) = parse(
        FileId(0),
        "S P { x: i64 }\nF main() -> i64 { p := P { x: 1 }; p.x }",
    );
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(module.items.len(), 2);
}

/// Diagnostic codes of parsing `src`.
fn codes(src: &str) -> Vec<&'static str> {
    let (_, diags) = parse(FileId(0), src);
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn nesting_up_to_the_limit_parses_and_beyond_it_is_one_error() {
    // At the limit an unoptimised parser needs more than a test thread's default stack; the
    // `vaisc` command runs every pass on a thread with a deep stack, and so does this test.
    crate::with_compiler_stack(nesting_limit_cases)
        .expect("spawn a thread")
        .expect("the nesting cases pass");
}

fn nesting_limit_cases() {
    let depth = super::MAX_NESTING - 2;
    let ok = format!(
        "F main() {{ x := {}1{} }}",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    assert_eq!(codes(&ok), Vec::<&str>::new());
    for deep in [
        format!(
            "F main() {{ x := {}1{} }}",
            "(".repeat(5000),
            ")".repeat(5000)
        ),
        format!(
            "F main() {{ x := {}1{} }}",
            "{".repeat(5000),
            "}".repeat(5000)
        ),
        format!("F main() {{ x := {}1 }}", "!".repeat(5000)),
        format!("F main() {{ x: {}i64 = 0 }}", "*".repeat(5000)),
        format!("F main() {{ x := {}1 }}", "c ? ".repeat(5000)),
        format!(
            "F main() {{ M x {{ {}1{} => 0 }} }}",
            "A(".repeat(5000),
            ")".repeat(5000)
        ),
        // Unbalanced: nothing after the limit is reported, not even the missing closers.
        format!(
            "F main() {{ x := {}1 }}\nF g() {{ y := }}",
            "(".repeat(5000)
        ),
    ] {
        assert_eq!(codes(&deep), ["E0012"], "{}", &deep[..40]);
    }
}

#[test]
fn an_unclosed_brace_points_at_where_it_was_opened() {
    let src = "F main() {\n    I x {\n        y()\n}\n";
    let (_, diags) = parse(FileId(0), src);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "E0010");
    assert_eq!(diags[0].notes.len(), 1);
    // The block of `main` is the one left open: its `{` is at offset 9.
    assert_eq!(diags[0].notes[0].span.lo, 9);
}

#[test]
fn tier2_syntax() {
    check("(1, 2.5)", &["tuple(1, 2.5)"]);
    check("(1, 2,)", &["tuple(1, 2)"]);
    check("(a, b) := f()", &["let (a, b) = f()"]);
    check("(a) + 1", &["(a + 1)"]);
    check("sizeof(i64) + 1", &["(sizeof(T) + 1)"]);
    check("'a'", &["'a'"]);
    check("L x: p[1..n - 1] { }", &["each x in p[1..(n - 1)]"]);
    check("L x: arr { }", &["each x in arr"]);
}

/// A struct field may end in `= expr`, on one line or one field per line; an enum variant's
/// fields may not (no literal of a variant leaves fields out).
#[test]
fn struct_fields_may_have_defaults() {
    let src =
        "S State { frame: i64, speed: f64 = 2.5 * 2.0, pos: V = V { x: 1 }\n lives: i64 = 3 }";
    let (module, diags) = parse(FileId(0), src);
    assert!(diags.is_empty(), "{diags:#?}");
    let ItemKind::Struct(s) = &module.items[0].kind else {
        panic!("not a struct");
    };
    let defaults: Vec<(&str, Option<String>)> = s
        .fields
        .iter()
        .map(|f| (f.name.name.as_str(), f.default.as_ref().map(show)))
        .collect();
    assert_eq!(
        defaults,
        vec![
            ("frame", None),
            ("speed", Some("(2.5 * 2.0)".to_string())),
            ("pos", Some("V{1}".to_string())),
            ("lives", Some("3".to_string())),
        ]
    );
    let (_, diags) = parse(FileId(0), "E Shape { Circle { r: f64 = 1.0 } }");
    assert_eq!(
        diags.first().map(|d| (d.code, d.message.as_str())),
        Some(("E0010", "expected `,` or `}`, found `=`")),
        "{diags:#?}"
    );
}
