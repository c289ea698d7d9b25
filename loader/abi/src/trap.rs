//! The traps generated code raises for operations Vais defines as errors (integer division by
//! zero, signed division overflow), and how the runtime recognises them.
//!
//! The code generator emits LLVM's `llvm.ubsantrap(i8 KIND)` at the faulting operation, which
//! x86-64 encodes as `ud1 KIND(%eax), %eax`: the bytes `67 0f b9 40 KIND`. The process gets
//! `SIGILL` with the instruction pointer on the trap, inside the function that divided, with its
//! frame intact. A signal handler reads the five bytes there (plain memory, no lock) and names
//! the reason from `KIND`. The encoding is fixed by LLVM's x86 back end; the codegen tests check
//! it stays so.

/// `a / b` or `a % b` with `b == 0`.
pub const TRAP_DIVISION_BY_ZERO: u8 = 1;

/// `MIN / -1` or `MIN % -1` in a signed type: the quotient does not fit.
pub const TRAP_DIVISION_OVERFLOW: u8 = 2;

/// The length of the trap instruction.
pub const TRAP_LEN: usize = 5;

/// The bytes of the trap instruction before its kind byte.
const TRAP_PREFIX: [u8; 4] = [0x67, 0x0f, 0xb9, 0x40];

/// The bytes every Vais trap instruction starts with, before its kind byte.
pub fn trap_prefix() -> &'static [u8] {
    &TRAP_PREFIX
}

/// The kind of the Vais trap whose instruction bytes are `bytes`, if they are one.
pub fn trap_kind(bytes: &[u8; TRAP_LEN]) -> Option<u8> {
    (bytes[..4] == TRAP_PREFIX && trap_meaning(bytes[4]).is_some()).then_some(bytes[4])
}

/// What a trap kind means, in the words of the crash report.
pub fn trap_meaning(kind: u8) -> Option<&'static str> {
    match kind {
        TRAP_DIVISION_BY_ZERO => Some("integer division by zero"),
        TRAP_DIVISION_OVERFLOW => Some("integer division overflow"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_vais_trap_bytes_are_recognised() {
        assert_eq!(
            trap_kind(&[0x67, 0x0f, 0xb9, 0x40, TRAP_DIVISION_BY_ZERO]),
            Some(TRAP_DIVISION_BY_ZERO)
        );
        assert_eq!(
            trap_kind(&[0x67, 0x0f, 0xb9, 0x40, TRAP_DIVISION_OVERFLOW]),
            Some(TRAP_DIVISION_OVERFLOW)
        );
        // `ud2`, and a `ud1` of a kind Vais does not emit.
        assert_eq!(trap_kind(&[0x0f, 0x0b, 0, 0, 0]), None);
        assert_eq!(trap_kind(&[0x67, 0x0f, 0xb9, 0x40, 0x77]), None);
    }
}
