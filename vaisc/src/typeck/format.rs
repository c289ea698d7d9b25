//! Checking `printf`-style calls against their format when it is a string literal.
//!
//! The format is parsed with C's grammar: `%`, flags (`-+ #0'`), a width (digits or `*`), a
//! precision (`.` then digits or `*`), a length modifier (`hh h l ll z j t L`) and a
//! conversion (`d i u x X o c s p f F e E g G a A %`). Each argument after the format must fit
//! the conversion that consumes it, with the types it has after the C variadic promotions:
//! a mismatch of kind (`%s` given an integer, `%f` given an integer) is an error, an integer of
//! the wrong width (`%d` given an `i64`, which prints the right number on x86-64 only by luck)
//! a warning, and so is nothing else. Missing and extra arguments are errors.

use super::Checker;
use crate::ast::{self, ExprKind as E};
use crate::diagnostics as diag;
use crate::source::Span;
use crate::tir::{Expr, IntTy, Ty};

/// The C functions whose format is checked, and the index of their format parameter.
pub(super) fn format_index(name: &str) -> Option<usize> {
    match name {
        "printf" => Some(0),
        "fprintf" | "sprintf" | "dprintf" => Some(1),
        "snprintf" => Some(2),
        _ => None,
    }
}

/// What a conversion, a `*` width or a `*` precision consumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    /// An integer of this many bits (after promotion, so at least 32).
    Int(u32),
    Double,
    Str,
    Pointer,
}

/// One argument-consuming part of a format: the conversion's text (`%5ld`), whether the
/// argument is for a `*` in it rather than for the conversion itself, and what it wants.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Slot {
    spec: String,
    star: bool,
    want: Want,
}

impl Slot {
    /// How messages name it: "`%ld`", or "the `*` of `%*d`".
    fn what(&self) -> String {
        if self.star {
            format!("the `*` of `{}`", self.spec)
        } else {
            format!("`{}`", self.spec)
        }
    }

    /// The type a literal argument in this slot takes (`printf("%f", 1)` passes `1.0`).
    pub(super) fn literal_ty(&self) -> Option<Ty> {
        match self.want {
            Want::Int(32) => Some(Ty::I32),
            Want::Int(_) => Some(Ty::I64),
            Want::Double => Some(Ty::F64),
            Want::Str | Want::Pointer => None,
        }
    }
}

/// Parses a C format into the arguments it consumes, in order, or says what is wrong with it.
pub(super) fn slots(format: &str) -> Result<Vec<Slot>, String> {
    let chars: Vec<char> = format.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < chars.len() && "-+ #0'".contains(chars[i]) {
            i += 1;
        }
        let mut stars = Vec::new();
        if chars.get(i) == Some(&'*') {
            stars.push(i);
            i += 1;
        }
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                stars.push(i);
                i += 1;
            }
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
        }
        let len_start = i;
        while i < chars.len() && "hlzjtLq".contains(chars[i]) {
            i += 1;
        }
        let length: String = chars[len_start..i].iter().collect();
        let Some(&conv) = chars.get(i) else {
            let spec: String = chars[start..].iter().collect();
            return Err(format!(
                "`{spec}` at the end of the format has no conversion"
            ));
        };
        i += 1;
        let spec: String = chars[start..i].iter().collect();
        if conv == '%' {
            if spec != "%%" {
                return Err(format!("`{spec}`: write `%%` for a percent sign"));
            }
            continue;
        }
        let int_bits = match length.as_str() {
            "" | "hh" | "h" => Some(32),
            "l" | "ll" | "z" | "j" | "t" | "q" => Some(64),
            _ => None,
        };
        let want = match (conv, int_bits) {
            ('d' | 'i' | 'u' | 'x' | 'X' | 'o' | 'c', Some(bits)) => Want::Int(bits),
            ('f' | 'F' | 'e' | 'E' | 'g' | 'G' | 'a' | 'A', _)
                if length.is_empty() || length == "l" =>
            {
                Want::Double
            }
            ('s', _) if length.is_empty() => Want::Str,
            ('p', _) if length.is_empty() => Want::Pointer,
            ('n', _) => return Err(format!("`{spec}` writes to memory and is not supported")),
            (
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'c' | 'f' | 'F' | 'e' | 'E' | 'g' | 'G' | 'a'
                | 'A' | 's' | 'p',
                _,
            ) => return Err(format!("`{spec}`: length `{length}` does not apply here")),
            _ => return Err(format!("`{spec}`: unknown conversion `{conv}`")),
        };
        for _ in &stars {
            out.push(Slot {
                spec: spec.clone(),
                star: true,
                want: Want::Int(32),
            });
        }
        out.push(Slot {
            spec,
            star: false,
            want,
        });
    }
    Ok(out)
}

/// What a value of type `ty` is, as a variadic argument.
fn kind_of(ty: &Ty) -> Option<Want> {
    match ty {
        Ty::Int(it) => Some(Want::Int(it.bits().max(32))),
        Ty::Bool => Some(Want::Int(32)),
        Ty::Float(_) => Some(Want::Double),
        Ty::Str => Some(Want::Str),
        Ty::Ptr(inner) if matches!(**inner, Ty::Int(IntTy::U8 | IntTy::I8)) => Some(Want::Str),
        Ty::Ptr(_) | Ty::Fn(_) => Some(Want::Pointer),
        _ => None,
    }
}

fn describe(want: Want) -> &'static str {
    match want {
        Want::Int(32) => "a 32-bit integer",
        Want::Int(_) => "a 64-bit integer",
        Want::Double => "a float",
        Want::Str => "a string",
        Want::Pointer => "a pointer",
    }
}

/// The conversion to write for a value of `bits` bits instead of `spec`.
fn resized(spec: &str, bits: u32) -> String {
    let conv = spec.chars().last().unwrap_or('d');
    let body =
        spec[..spec.len() - conv.len_utf8()].trim_end_matches(['h', 'l', 'z', 'j', 't', 'q']);
    let length = if bits == 64 { "l" } else { "" };
    format!("{body}{length}{conv}")
}

impl Checker {
    /// Checks the arguments of a call of a `printf`-like function (`fmt` is the index of its
    /// format parameter) when the format is a string literal. `args` are the call's arguments
    /// as written, `lowered` the same arguments checked and promoted.
    pub(super) fn check_format(
        &mut self,
        fmt: usize,
        args: &[ast::Expr],
        lowered: &[Expr],
        call: Span,
    ) {
        let Some(E::Str(format)) = args.get(fmt).map(|a| &a.kind) else {
            return;
        };
        let fmt_span = args[fmt].span;
        let slots = match slots(format) {
            Ok(s) => s,
            Err(detail) => {
                self.report(diag::format_invalid(fmt_span, &detail));
                return;
            }
        };
        let values = lowered.get(fmt + 1..).unwrap_or(&[]);
        for (k, slot) in slots.iter().enumerate() {
            let Some(value) = values.get(k) else {
                let d =
                    diag::format_missing_argument(call, &slot.what(), slots.len(), values.len());
                self.report(d.with_note(fmt_span, "the format"));
                return;
            };
            // Argument numbers count from 1, the format included, as the call is written.
            let index = fmt + k + 2;
            let Some(have) = kind_of(&value.ty) else {
                if !value.ty.fits_anywhere() {
                    let t = self.ty_name(&value.ty);
                    let d = diag::format_mismatch(
                        value.span,
                        &slot.what(),
                        describe(slot.want),
                        index,
                        &t,
                    );
                    self.report(d);
                }
                continue;
            };
            match (slot.want, have) {
                (Want::Int(want), Want::Int(bits)) if want != bits => {
                    let t = self.ty_name(&value.ty);
                    let fix = if slot.star {
                        "`as i32` on the argument".to_string()
                    } else {
                        format!("`{}`", resized(&slot.spec, bits))
                    };
                    let d = diag::format_width(
                        value.span,
                        &slot.what(),
                        describe(slot.want),
                        index,
                        &t,
                        &fix,
                    );
                    self.report(d);
                }
                // A string is a pointer too, for `%p`.
                (w, h) if w == h => {}
                (Want::Pointer, Want::Str) => {}
                (w, _) => {
                    let t = self.ty_name(&value.ty);
                    let d = diag::format_mismatch(value.span, &slot.what(), describe(w), index, &t);
                    self.report(d);
                }
            }
        }
        for (k, value) in values.iter().enumerate().skip(slots.len()) {
            self.report(diag::format_extra_argument(
                value.span,
                fmt + k + 2,
                slots.len(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wants(format: &str) -> Vec<(String, Want)> {
        slots(format)
            .expect("a valid format")
            .into_iter()
            .map(|s| (s.what(), s.want))
            .collect()
    }

    #[test]
    fn the_c_format_grammar() {
        assert_eq!(wants("100%% sure\n"), vec![]);
        let expected = [
            ("%d", Want::Int(32)),
            ("%5ld", Want::Int(64)),
            ("%-08.3f", Want::Double),
            ("%s", Want::Str),
            ("%p", Want::Pointer),
            ("%hhu", Want::Int(32)),
            ("%zu", Want::Int(64)),
            ("%llx", Want::Int(64)),
            ("%c", Want::Int(32)),
            ("%e", Want::Double),
            ("%G", Want::Double),
        ];
        assert_eq!(
            wants("%d %5ld %-08.3f %s %p %hhu %zu %llx %c %e %G"),
            expected
                .iter()
                .map(|(s, w)| (format!("`{s}`"), *w))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            wants("%*.*lf"),
            vec![
                ("the `*` of `%*.*lf`".to_string(), Want::Int(32)),
                ("the `*` of `%*.*lf`".to_string(), Want::Int(32)),
                ("`%*.*lf`".to_string(), Want::Double),
            ]
        );
        for bad in ["50%", "%y", "%ls", "%Lf", "%n", "%5%"] {
            assert!(slots(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn suggested_conversions_keep_flags_and_width() {
        assert_eq!(resized("%5d", 64), "%5ld");
        assert_eq!(resized("%-3lx", 32), "%-3x");
        assert_eq!(resized("%hhu", 64), "%lu");
    }
}
