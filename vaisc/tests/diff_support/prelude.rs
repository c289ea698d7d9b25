//! The helpers every generated program starts with, in Vais and in C: the checksum, float
//! printing that spells every NaN the same, guarded division and range-checked float-to-int
//! conversion.

/// Helpers every Vais program starts with; `C` is the same in C.
pub const VAIS: &str = "G ck: u64 = 0
F mix(v: i64) { ck = (ck ^ (v as u64)) * 1099511628211 }
F pf(x: f64) { I x != x { puts(\"nan\") } E { printf(\"%.17g\\n\", x) } }
F fdiv64(a: f64, b: f64) -> f64 = b == 0.0 ? a : a / b
F fdiv32(a: f32, b: f32) -> f32 = b == 0.0 ? a : a / b
F id_i64(x: i64) -> i64 = x
F id_u64(x: u64) -> u64 = x
F div_i8(a: i8, b: i8) -> i8 { I b == 0 { R a } I a == 0x80 && b == -1 { R a } a / b }
F rem_i8(a: i8, b: i8) -> i8 { I b == 0 { R a } I a == 0x80 && b == -1 { R 0 } a % b }
F div_i16(a: i16, b: i16) -> i16 { I b == 0 { R a } I a == 0x8000 && b == -1 { R a } a / b }
F rem_i16(a: i16, b: i16) -> i16 { I b == 0 { R a } I a == 0x8000 && b == -1 { R 0 } a % b }
F div_i32(a: i32, b: i32) -> i32 { I b == 0 { R a } I a == 0x80000000 && b == -1 { R a } a / b }
F rem_i32(a: i32, b: i32) -> i32 { I b == 0 { R a } I a == 0x80000000 && b == -1 { R 0 } a % b }
F div_i64(a: i64, b: i64) -> i64 { I b == 0 { R a } I a == 0x8000000000000000 && b == -1 { R a } a / b }
F rem_i64(a: i64, b: i64) -> i64 { I b == 0 { R a } I a == 0x8000000000000000 && b == -1 { R 0 } a % b }
F div_u8(a: u8, b: u8) -> u8 = b == 0 ? a : a / b
F rem_u8(a: u8, b: u8) -> u8 = b == 0 ? a : a % b
F div_u16(a: u16, b: u16) -> u16 = b == 0 ? a : a / b
F rem_u16(a: u16, b: u16) -> u16 = b == 0 ? a : a % b
F div_u32(a: u32, b: u32) -> u32 = b == 0 ? a : a / b
F rem_u32(a: u32, b: u32) -> u32 = b == 0 ? a : a % b
F div_u64(a: u64, b: u64) -> u64 = b == 0 ? a : a / b
F rem_u64(a: u64, b: u64) -> u64 = b == 0 ? a : a % b
F f2i_i8(x: f64) -> i8 = x > -129.0 && x < 128.0 ? x as i8 : 0
F f2i_i16(x: f64) -> i16 = x > -32769.0 && x < 32768.0 ? x as i16 : 0
F f2i_i32(x: f64) -> i32 = x > -2147483649.0 && x < 2147483648.0 ? x as i32 : 0
F f2i_i64(x: f64) -> i64 = x > -9223372036854775808.0 && x < 9223372036854775808.0 ? x as i64 : 0
F f2i_u8(x: f64) -> u8 = x > -1.0 && x < 256.0 ? x as u8 : 0
F f2i_u16(x: f64) -> u16 = x > -1.0 && x < 65536.0 ? x as u16 : 0
F f2i_u32(x: f64) -> u32 = x > -1.0 && x < 4294967296.0 ? x as u32 : 0
F f2i_u64(x: f64) -> u64 = x > -1.0 && x < 18446744073709551616.0 ? x as u64 : 0
";

pub const C: &str = "#include <stdint.h>
#include <string.h>
#include <stdbool.h>
#include <stdio.h>
#include <math.h>
static uint64_t ck = 0;
static void mix(int64_t v) { ck = (ck ^ (uint64_t)v) * 1099511628211ULL; }
static void pf(double x) { if (x != x) puts(\"nan\"); else printf(\"%.17g\\n\", x); }
static double fdiv64(double a, double b) { return b == 0.0 ? a : a / b; }
static float fdiv32(float a, float b) { return b == 0.0f ? a : a / b; }
#define SDIV(T, MIN) \\
    static T div_##T(T a, T b) { if (b == 0) return a; if (a == MIN && b == -1) return a; return (T)(a / b); } \\
    static T rem_##T(T a, T b) { if (b == 0) return a; if (a == MIN && b == -1) return 0; return (T)(a % b); }
#define UDIV(T) \\
    static T div_##T(T a, T b) { return b == 0 ? a : (T)(a / b); } \\
    static T rem_##T(T a, T b) { return b == 0 ? a : (T)(a % b); }
SDIV(int8_t, INT8_MIN) SDIV(int16_t, INT16_MIN) SDIV(int32_t, INT32_MIN) SDIV(int64_t, INT64_MIN)
UDIV(uint8_t) UDIV(uint16_t) UDIV(uint32_t) UDIV(uint64_t)
#define F2I(T, LO, HI) static T f2i_##T(double x) { return x > LO && x < HI ? (T)x : 0; }
F2I(int8_t, -129.0, 128.0) F2I(int16_t, -32769.0, 32768.0)
F2I(int32_t, -2147483649.0, 2147483648.0) F2I(int64_t, -9223372036854775808.0, 9223372036854775808.0)
F2I(uint8_t, -1.0, 256.0) F2I(uint16_t, -1.0, 65536.0)
F2I(uint32_t, -1.0, 4294967296.0) F2I(uint64_t, -1.0, 18446744073709551616.0)
";
