//! Integer operations whose LLVM instruction is undefined or poison for some operands, made
//! defined the same way at every optimisation level and in patches.
//!
//! - Division and remainder (`/`, `%`, `/=`, `%=`) by zero, and signed `MIN / -1` and
//!   `MIN % -1`, trap: an explicit test before the `sdiv`/`udiv`/`srem`/`urem` branches to
//!   `llvm.ubsantrap(KIND)` with the reason's kind from `vais_hot_abi` (x86 `ud1`, which carries
//!   the kind in its encoding, so the crash handler can name the reason from the instruction
//!   bytes without any table or lock). Each division gets its own trap, at the division's source
//!   line, inside the dividing function with a normal frame. A test is left out only where the
//!   divisor is a constant that rules the fault out.
//! - Shift amounts are taken modulo the width of the shifted type (its low `log2(width)` bits),
//!   as x86 does for 32- and 64-bit shifts: `x << 64` on an `i64` is `x`, `x << -1` is `x << 63`.

use super::func::{Gen, Res};
use inkwell::intrinsics::Intrinsic;
use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::IntPredicate;
use vais_hot_abi as abi;

/// Which integer operation of the two families this file defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DivOp {
    Div,
    Rem,
}

impl<'a, 'ctx> Gen<'a, 'ctx> {
    /// `x / y` or `x % y` with the traps described in the module comment.
    pub(super) fn int_division(
        &mut self,
        op: DivOp,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
        signed: bool,
    ) -> Res<BasicValueEnum<'ctx>> {
        let ty = x.get_type();
        let divisor = y.get_sign_extended_constant();
        if divisor.is_none() || divisor == Some(0) {
            let zero =
                self.builder
                    .build_int_compare(IntPredicate::EQ, y, ty.const_zero(), "by_zero")?;
            self.trap_if(zero, abi::TRAP_DIVISION_BY_ZERO)?;
        }
        // Only a divisor of -1 can overflow, and only with the type's minimum as dividend.
        if signed && (divisor.is_none() || divisor == Some(-1)) {
            let min = ty.const_int(1u64 << (ty.get_bit_width() - 1), false);
            let is_min = self
                .builder
                .build_int_compare(IntPredicate::EQ, x, min, "is_min")?;
            let minus_one = self.builder.build_int_compare(
                IntPredicate::EQ,
                y,
                ty.const_all_ones(),
                "by_minus_one",
            )?;
            let overflow = self.builder.build_and(is_min, minus_one, "overflow")?;
            self.trap_if(overflow, abi::TRAP_DIVISION_OVERFLOW)?;
        }
        let b = &self.builder;
        Ok(match (op, signed) {
            (DivOp::Div, true) => b.build_int_signed_div(x, y, "div")?,
            (DivOp::Div, false) => b.build_int_unsigned_div(x, y, "div")?,
            (DivOp::Rem, true) => b.build_int_signed_rem(x, y, "rem")?,
            (DivOp::Rem, false) => b.build_int_unsigned_rem(x, y, "rem")?,
        }
        .into())
    }

    /// `x << y` (or `>>`, arithmetic when `signed`) with the amount taken modulo the width.
    pub(super) fn int_shift(
        &mut self,
        left: bool,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
        signed: bool,
    ) -> Res<BasicValueEnum<'ctx>> {
        let ty = x.get_type();
        let mask = ty.const_int(u64::from(ty.get_bit_width() - 1), false);
        let amount = self.builder.build_and(y, mask, "amount")?;
        Ok(if left {
            self.builder.build_left_shift(x, amount, "shl")?
        } else {
            self.builder.build_right_shift(x, amount, signed, "shr")?
        }
        .into())
    }

    /// Continues where `cond` is false; where it is true, traps with `kind`.
    fn trap_if(&mut self, cond: IntValue<'ctx>, kind: u8) -> Res<()> {
        let trap_bb = self.new_block("trap")?;
        let ok_bb = self.new_block("no_trap")?;
        self.builder
            .build_conditional_branch(cond, trap_bb, ok_bb)?;
        self.builder.position_at_end(trap_bb);
        let trap = Intrinsic::find("llvm.ubsantrap")
            .and_then(|i| i.get_declaration(self.module, &[]))
            .ok_or_else(|| {
                super::CodegenError::Internal("LLVM has no llvm.ubsantrap".to_string())
            })?;
        let kind = self.ctx.i8_type().const_int(u64::from(kind), false);
        self.builder.build_call(trap, &[kind.into()], "")?;
        self.builder.build_unreachable()?;
        self.builder.position_at_end(ok_bb);
        Ok(())
    }
}
