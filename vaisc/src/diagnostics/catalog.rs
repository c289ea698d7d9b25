//! Every diagnostic the compiler can report, one named constructor each.
//!
//! Keeping them in one file keeps codes unique and wording consistent; stages call these
//! instead of formatting messages themselves. Codes: E00xx lexing and parsing, E01xx modules
//! and names, E02xx unknown things, E03xx types and expressions, E04xx generics, traits and
//! `?`, E06xx what a hot build cannot carry, W0xxx warnings.

use super::Diagnostic;
use crate::source::Span;

pub fn unexpected_char(span: Span, ch: char) -> Diagnostic {
    Diagnostic::error("E0001", span, format!("unexpected character `{ch}`"))
}

pub fn unterminated_string(span: Span) -> Diagnostic {
    Diagnostic::error("E0002", span, "unterminated string literal")
        .with_help("close the string with `\"` before the end of the line")
}

pub fn unknown_escape(span: Span, ch: char) -> Diagnostic {
    Diagnostic::error("E0003", span, format!("unknown escape `\\{ch}` in string"))
        .with_help("the escapes are \\n \\t \\r \\\\ \\\" \\0 and \\xHH")
}

pub fn bad_hex_escape(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0004",
        span,
        "invalid `\\x` escape: expected two hex digits below 80",
    )
}

pub fn bad_char_literal(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0020",
        span,
        "invalid character literal: expected one ASCII character or escape between `'`",
    )
}

pub fn bad_char_hex_escape(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0021",
        span,
        "invalid `\\x` escape in character literal: expected two hex digits",
    )
}

pub fn int_literal_too_large(span: Span) -> Diagnostic {
    Diagnostic::error("E0005", span, "integer literal is too large for 64 bits")
}

pub fn bad_number(span: Span, text: &str) -> Diagnostic {
    Diagnostic::error("E0006", span, format!("invalid number literal `{text}`"))
}

pub fn expected(span: Span, what: &str, found: &str) -> Diagnostic {
    Diagnostic::error("E0010", span, format!("expected {what}, found {found}"))
}

pub fn tier2_feature(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "E0011",
        span,
        format!("{what}: a Tier 2 feature, not supported yet"),
    )
}

pub fn async_needs_fn(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0019",
        span,
        "expected `F` after `A`: only functions can be async",
    )
    .with_help("write `A F name(..) -> T { .. }`")
}

pub fn async_method(span: Span) -> Diagnostic {
    Diagnostic::error("E0384", span, "methods cannot be async")
        .with_help("declare an async function outside the impl that takes the value as a parameter")
}

pub fn await_not_task(span: Span, found: &str) -> Diagnostic {
    Diagnostic::error(
        "E0380",
        span,
        format!("`.await` needs a `Task`, found `{found}`"),
    )
    .with_help("a `Task` comes from calling an async function (`A F`), or from `spawn`")
}

pub fn spawn_needs_async_call(span: Span) -> Diagnostic {
    Diagnostic::error("E0381", span, "`spawn` needs a call to an async function")
        .with_help("declare the function with `A F`, then write `spawn name(args)`")
}

pub fn async_main(span: Span) -> Diagnostic {
    Diagnostic::error("E0382", span, "`main` cannot be async")
        .with_help("make `main` an ordinary function that awaits the tasks it needs")
}

pub fn async_fn_value(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0383",
        span,
        format!("async function `{name}` cannot be used as a value"),
    )
    .with_help("call it to get a `Task`, or pass an ordinary function that calls it")
}

pub fn nesting_too_deep(span: Span, limit: usize) -> Diagnostic {
    Diagnostic::error(
        "E0012",
        span,
        format!("nesting too deep: more than {limit} levels of parentheses, blocks or operators"),
    )
    .with_help("move the inner part into a function or a local variable")
}

pub fn module_not_found(span: Span, path: &str) -> Diagnostic {
    Diagnostic::error("E0100", span, format!("module not found: `{path}`"))
}

pub fn duplicate_definition(span: Span, name: &str, previous: Span) -> Diagnostic {
    Diagnostic::error("E0101", span, format!("duplicate definition of `{name}`"))
        .with_note(previous, "first defined here")
}

pub fn no_main(span: Span) -> Diagnostic {
    Diagnostic::error("E0102", span, "no `main` function in the program")
        .with_help("add `F main() -> i64 { 0 }`")
}

pub fn bad_main_signature(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0103",
        span,
        "`main` must take no parameters and return `i64` or nothing",
    )
}

pub fn hot_not_allowed(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error("E0104", span, format!("`#[hot]` is not allowed on {what}"))
}

pub fn unknown_attribute(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "W0003",
        span,
        format!("unknown attribute `#[{name}]` is ignored"),
    )
}

pub fn builtin_mismatch(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0105",
        span,
        format!("declaration of `{name}` does not agree with the built-in one"),
    )
    .with_help("builtins may be redeclared only with the same number of parameters")
}

pub fn unknown_type(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error("E0200", span, format!("unknown type `{name}`"))
}

pub fn unknown_variable(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error("E0201", span, format!("unknown variable `{name}`"))
}

pub fn unknown_function(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error("E0202", span, format!("unknown function `{name}`"))
        .with_help("declare C functions with `X F name(..) -> T`")
}

pub fn unknown_field(span: Span, field: &str, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0203",
        span,
        format!("unknown field `{field}` on type `{ty}`"),
    )
}

pub fn unknown_method(span: Span, method: &str, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0204",
        span,
        format!("unknown method `{method}` on type `{ty}`"),
    )
}

pub fn unknown_variant(span: Span, variant: &str, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0205",
        span,
        format!("unknown variant `{variant}` of enum `{ty}`"),
    )
}

pub fn not_a_struct(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0206",
        span,
        format!("type `{ty}` is not a struct and has no fields"),
    )
}

pub fn mismatched_types(span: Span, expected: &str, found: &str) -> Diagnostic {
    Diagnostic::error(
        "E0300",
        span,
        format!("mismatched types: expected `{expected}`, found `{found}`"),
    )
}

pub fn operand_mismatch(span: Span, op: &str, lhs: &str, rhs: &str) -> Diagnostic {
    Diagnostic::error(
        "E0301",
        span,
        format!("mismatched types: `{op}` between `{lhs}` and `{rhs}`"),
    )
    .with_help("convert one side with `as`")
}

/// `+` between a string and something else: the same mismatch as [`operand_mismatch`], with
/// the advice that fits what was meant, joining text.
pub fn text_plus_value(span: Span, lhs: &str, rhs: &str) -> Diagnostic {
    Diagnostic::error(
        "E0301",
        span,
        format!("mismatched types: `+` between `{lhs}` and `{rhs}`"),
    )
    .with_help(
        "`+` does not join text; print the parts with one format instead, \
         e.g. `printf(\"%s%ld\\n\", s, n)` (Tier 2 adds `format`)",
    )
}

pub fn invalid_operand(span: Span, op: &str, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0302",
        span,
        format!("operator `{op}` cannot be applied to `{ty}`"),
    )
}

pub fn wrong_arg_count(span: Span, name: &str, expected: usize, found: usize) -> Diagnostic {
    Diagnostic::error(
        "E0303",
        span,
        format!("wrong number of arguments to `{name}`: expected {expected}, found {found}"),
    )
}

pub fn not_callable(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error("E0304", span, format!("cannot call a value of type `{ty}`"))
}

pub fn invalid_cast(span: Span, from: &str, to: &str) -> Diagnostic {
    Diagnostic::error("E0305", span, format!("cannot cast `{from}` as `{to}`"))
}

pub fn not_a_place(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "E0306",
        span,
        format!("cannot {what} this expression: it is not a variable, field, element or `*p`"),
    )
}

/// `keyword` is `B` or `C`, `word` is `break` or `continue`.
pub fn outside_loop(span: Span, keyword: char, word: &str) -> Diagnostic {
    Diagnostic::error(
        "E0307",
        span,
        format!("`{keyword}`: {word} outside of a loop"),
    )
}

pub fn not_exhaustive(span: Span, missing: &str) -> Diagnostic {
    Diagnostic::error(
        "E0308",
        span,
        format!("match is not exhaustive: {missing} not covered"),
    )
    .with_help("add the missing arms or a `_ =>` arm")
}

pub fn missing_fields(span: Span, ty: &str, fields: &str) -> Diagnostic {
    Diagnostic::error(
        "E0309",
        span,
        format!("missing fields {fields} in `{ty}` literal"),
    )
}

pub fn duplicate_field(span: Span, field: &str) -> Diagnostic {
    Diagnostic::error("E0310", span, format!("duplicate field `{field}`"))
}

/// `what` is "global initialiser" or "constant initialiser".
pub fn not_constant(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "E0311",
        span,
        format!("{what} must be a constant expression"),
    )
    .with_help("use literals, constants, arithmetic on them, struct and array literals")
}

pub fn constant_cycle(span: Span, name: &str, path: &str) -> Diagnostic {
    Diagnostic::error(
        "E0340",
        span,
        format!("constant `{name}` is defined in terms of itself: {path}"),
    )
}

pub fn constant_type(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error("E0341", span, format!("a constant cannot have type `{ty}`"))
        .with_help("constants are integers, floats, `bool` or `str`; use `G` for other values")
}

pub fn cannot_index(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0312",
        span,
        format!("cannot index a value of type `{ty}`"),
    )
}

pub fn cannot_deref(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0313",
        span,
        format!("cannot dereference a value of type `{ty}`"),
    )
}

pub fn array_too_long(span: Span, len: u64, max: u64) -> Diagnostic {
    Diagnostic::error(
        "E0330",
        span,
        format!("an array of {len} elements is too long: at most {max} elements"),
    )
}

pub fn repeat_initialiser_too_long(span: Span, len: u64, max: u64) -> Diagnostic {
    Diagnostic::error(
        "E0331",
        span,
        format!(
            "a global's repeat initialiser of {len} non-zero elements is too long: at most {max}"
        ),
    )
    .with_help("initialise it with zeros and fill it in `main`")
}

pub fn bad_array_length(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0314",
        span,
        "array length must be a non-negative integer constant",
    )
}

pub fn array_length_mismatch(span: Span, expected: u64, found: u64) -> Diagnostic {
    Diagnostic::error(
        "E0315",
        span,
        format!("mismatched types: expected an array of {expected} elements, found {found}"),
    )
}

pub fn pattern_mismatch(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0316",
        span,
        format!("this pattern cannot match a value of type `{ty}`"),
    )
}

pub fn wrong_pattern_fields(
    span: Span,
    variant: &str,
    expected: usize,
    found: usize,
) -> Diagnostic {
    Diagnostic::error(
        "E0317",
        span,
        format!("variant `{variant}` has {expected} fields, but the pattern has {found}"),
    )
}

pub fn self_outside_method(span: Span) -> Diagnostic {
    Diagnostic::error("E0318", span, "`self` is only available inside a method")
}

pub fn ambiguous_variant(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0319",
        span,
        format!("variant name `{name}` belongs to several enums"),
    )
    .with_help("write it with the enum name, as in `Enum.Variant`")
}

pub fn value_is_type(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error("E0320", span, format!("`{name}` is a type, not a value"))
}

pub fn assign_to_immutable(span: Span, name: &str, decl: Span) -> Diagnostic {
    Diagnostic::warning(
        "W0001",
        span,
        format!("assignment to `{name}`, which is not declared mut"),
    )
    .with_note(decl, "declared here")
    .with_help("declare it with `:= mut`")
}

pub fn recursive_type(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0321",
        span,
        format!("type `{name}` contains itself and would have infinite size"),
    )
    .with_help("store a pointer (`*T`) to the inner value instead")
}

pub fn literal_out_of_range(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error("E0322", span, format!("literal out of range for `{ty}`"))
}

pub fn nested_pattern(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0323",
        span,
        "only names and `_` may appear inside a variant pattern",
    )
    .with_help("bind the field to a name and test it in a guard: `V(x) I x == 0 =>`")
}

pub fn format_invalid(span: Span, detail: &str) -> Diagnostic {
    Diagnostic::error("E0350", span, format!("invalid format: {detail}"))
}

pub fn format_mismatch(
    span: Span,
    spec: &str,
    expects: &str,
    index: usize,
    found: &str,
) -> Diagnostic {
    Diagnostic::error(
        "E0351",
        span,
        format!("{spec} expects {expects}, but argument {index} has type `{found}`"),
    )
    .with_help("convert the argument with `as`, or use the conversion for its type")
}

pub fn format_width(
    span: Span,
    spec: &str,
    expects: &str,
    index: usize,
    found: &str,
    fix: &str,
) -> Diagnostic {
    Diagnostic::warning(
        "W0010",
        span,
        format!("{spec} expects {expects}, but argument {index} has type `{found}`"),
    )
    .with_help(format!(
        "write {fix}: with the wrong width the number printed is right only by luck"
    ))
}

pub fn format_missing_argument(span: Span, spec: &str, needed: usize, given: usize) -> Diagnostic {
    Diagnostic::error(
        "E0352",
        span,
        format!("{spec} has no argument: the format takes {needed}, the call gives {given}"),
    )
}

pub fn format_extra_argument(span: Span, index: usize, needed: usize) -> Diagnostic {
    Diagnostic::error(
        "E0353",
        span,
        format!("argument {index} is not used: the format takes {needed}"),
    )
    .with_help("add a conversion such as `%ld` for it to the format, or remove it")
}

pub fn struct_literal_of_non_struct(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error("E0324", span, format!("`{name}` is not a struct"))
}

pub fn hot_code_uses_main(span: Span, function: &str) -> Diagnostic {
    Diagnostic::error(
        "E0600",
        span,
        format!("hot code cannot use `main`: `{function}` is part of every patch, `main` never is"),
    )
    .with_help("move what both need out of `main` into a function that `main` and hot code call")
}

pub fn reserved_for_hot_builds(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0601",
        span,
        format!("`{name}` is a name hot builds reserve for generated code and the runtime"),
    )
    .with_help("rename it; names starting `vais_hot_` or `__vais_hot`, and `vais_main`, `vais_argc` and `vais_argv`, are reserved")
}

/// Never shown: only a `--patch-only` check that took bodies from the host's record meets a
/// body the lexer passed over, and such a check gives way to a full one on any diagnostic.
pub fn unparsed_body(span: Span) -> Diagnostic {
    Diagnostic::error("E0602", span, "internal: this body was not parsed")
}

// ---- Tier 2: formatting, for-each, tuples (E036x) ----------------------------------------

pub fn format_not_literal(span: Span, func: &str) -> Diagnostic {
    Diagnostic::error(
        "E0360",
        span,
        format!("the format of `{func}` must be a string literal"),
    )
    .with_help("print a string value with a placeholder: `println(\"{}\", s)`")
}

pub fn bad_format_string(span: Span, why: &str) -> Diagnostic {
    Diagnostic::error("E0361", span, format!("invalid format string: {why}"))
        .with_help("placeholders are `{}` or `{:SPEC}` with SPEC `[<|>][0][WIDTH][.PREC][x|X|b|e]`")
}

pub fn format_arg_count(span: Span, holes: usize, args: usize) -> Diagnostic {
    let p = if holes == 1 {
        "placeholder"
    } else {
        "placeholders"
    };
    let a = if args == 1 { "argument" } else { "arguments" };
    Diagnostic::error(
        "E0362",
        span,
        format!("format string has {holes} {p} but {args} {a} given"),
    )
}

pub fn format_spec_misfit(span: Span, spec: &str, index: usize, ty: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        "E0363",
        span,
        format!("`{spec}` does not fit argument {index}, of type `{ty}`: {why}"),
    )
}

pub fn not_displayable(span: Span, index: usize, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0364",
        span,
        format!("argument {index}, of type `{ty}`, cannot be formatted"),
    )
    .with_help("integers, floats, `bool` and `str` can be formatted; print the fields of a struct")
}

pub fn not_iterable(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0365",
        span,
        format!("cannot iterate over a value of type `{ty}`"),
    )
    .with_help("`L x: ..` iterates over a fixed array or a slice `p[a..b]` of a pointer")
}

pub fn slice_outside_loop(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0366",
        span,
        "a slice `p[a..b]` can only be iterated over, as in `L x: p[a..b] { .. }`",
    )
}

pub fn tuple_arity_mismatch(span: Span, ty: &str, names: usize) -> Diagnostic {
    Diagnostic::error(
        "E0367",
        span,
        format!("cannot destructure a value of type `{ty}` into {names} names"),
    )
}

pub fn runtime_function_missing(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0369",
        span,
        format!(
            "`{name}` is needed here but not defined: the standard module `std/fmt` is not loaded"
        ),
    )
    .with_help("add `U std/fmt`, or check that `$VAIS_STD` holds `fmt.vais`")
}

// ---- Generics, traits, `?` (E040x, E041x) ---------------------------------------------

pub fn missing_type_args(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0400",
        span,
        format!("generic type `{name}` needs type arguments"),
    )
    .with_help(format!("write them after the name, as in `{name}<i64>`"))
}

pub fn wrong_type_arg_count(span: Span, name: &str, expected: usize, found: usize) -> Diagnostic {
    let s = if expected == 1 { "" } else { "s" };
    Diagnostic::error(
        "E0401",
        span,
        format!("type `{name}` takes {expected} type argument{s}, found {found}"),
    )
}

pub fn cannot_infer(span: Span, param: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0402",
        span,
        format!("cannot infer type parameter `{param}` of `{name}`"),
    )
    .with_help("declare the type of the variable it is stored in, as in `x: Option<i64> = None`")
}

pub fn trait_not_implemented(span: Span, ty: &str, tr: &str) -> Diagnostic {
    Diagnostic::error(
        "E0403",
        span,
        format!("type `{ty}` does not implement trait `{tr}`"),
    )
}

pub fn unknown_trait(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error("E0404", span, format!("unknown trait `{name}`"))
}

pub fn not_trait_member(span: Span, method: &str, tr: &str) -> Diagnostic {
    Diagnostic::error(
        "E0405",
        span,
        format!("method `{method}` is not a member of trait `{tr}`"),
    )
}

pub fn missing_trait_method(span: Span, method: &str, tr: &str, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0406",
        span,
        format!("missing method `{method}` of trait `{tr}` in the impl for `{ty}`"),
    )
}

pub fn generic_fn_value(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0407",
        span,
        format!("generic function `{name}` cannot be used as a value"),
    )
    .with_help("call it; its type arguments are inferred at each call")
}

pub fn try_outside(span: Span, ret: &str) -> Diagnostic {
    Diagnostic::error(
        "E0408",
        span,
        format!("`?` needs a function returning `Option` or `Result`, this one returns `{ret}`"),
    )
}

pub fn try_operand(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0409",
        span,
        format!("`?` applies to an `Option` or a `Result`, found `{ty}`"),
    )
}

pub fn try_mismatch(span: Span, ty: &str, ret: &str) -> Diagnostic {
    Diagnostic::error(
        "E0410",
        span,
        format!("`?` on `{ty}` cannot return early from a function returning `{ret}`"),
    )
}

pub fn no_eq(span: Span, op: &str, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0411",
        span,
        format!("`{op}` on `{ty}` needs an implementation of trait `Eq`"),
    )
    .with_help(format!(
        "add `X {ty}: Eq {{ F eq(&self, other: *Self) -> bool = .. }}`"
    ))
}

pub fn instantiation_too_deep(span: Span, name: &str, limit: usize) -> Diagnostic {
    Diagnostic::error(
        "E0412",
        span,
        format!("instantiating `{name}` here nests types more than {limit} deep"),
    )
    .with_help("a generic item that uses itself with a larger type makes instances without end")
}

pub fn trait_method_mismatch(span: Span, m: &str, tr: &str, want: &str, have: &str) -> Diagnostic {
    Diagnostic::error(
        "E0413",
        span,
        format!("method `{m}` has type `{have}`, but trait `{tr}` declares `{want}`"),
    )
}

// ---- Closures (E039x) ---------------------------------------------------------------------

pub fn self_call_in_closure(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0390",
        span,
        "`@` cannot be used inside a closure: a closure cannot call itself",
    )
    .with_help("call the enclosing function by its name")
}

pub fn assign_to_captured(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0391",
        span,
        format!("cannot assign to `{name}`: a closure captures variables by value"),
    )
    .with_help("declare a local copy inside the closure, or pass a pointer to the variable")
}

pub fn closure_param_type_unknown(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "E0392",
        span,
        format!("cannot infer the type of closure parameter `{name}`"),
    )
    .with_help(format!("write its type: `{name}: i64`"))
}

pub fn closure_return_type_unknown(span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0393",
        span,
        "`R` in a closure needs the closure's return type: write `-> T` after the parameters",
    )
}

pub fn closure_captures_as_fn(span: Span, name: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(
        "E0394",
        span,
        format!("a closure that captures `{name}` cannot be used as `{expected}`"),
    )
    .with_help("only a closure that captures nothing is a plain function pointer; take a closure type `|..| -> ..` instead")
}

pub fn closure_arity_mismatch(span: Span, expected: &str, found: usize) -> Diagnostic {
    Diagnostic::error(
        "E0395",
        span,
        format!(
            "mismatched types: expected `{expected}`, found a closure with {found} parameter{}",
            if found == 1 { "" } else { "s" }
        ),
    )
}

pub fn closure_in_extern(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::error(
        "E0396",
        span,
        format!("an extern C function cannot take or return the closure type `{ty}`"),
    )
    .with_help(
        "C calls plain function pointers: use a `fn(..)` type and a closure that captures nothing",
    )
}
