//! The order of the basic blocks of each emitted function: chains in which a block is followed
//! by a block it branches to.
//!
//! Lowering creates blocks before it fills them (an `I` creates its then, else and merge blocks
//! at once, and the blocks of the then branch come after all three), so in creation order most
//! branches jump to a block that is not the next one. An unoptimised build keeps the order
//! LLVM is given: every such branch is a jump instruction, and a relaxable fragment for the
//! object writer. Placing a successor right after its block turns the branch into a fall
//! through, which the fast instruction selector emits as nothing.
//!
//! Blocks that only branch on are removed first: the selector emits a jump for each of them.
//! Only the order and the route of the branches change, never the code, so the result is the
//! same program; both depend only on the module's contents, so the same program gives the
//! same IR.

use inkwell::basic_block::BasicBlock;
use inkwell::llvm_sys::core::{
    LLVMGetCondition, LLVMGetFirstUse, LLVMGetInstructionParent, LLVMGetNextUse,
    LLVMGetNumSuccessors, LLVMGetSuccessor, LLVMIsAFCmpInst, LLVMIsAICmpInst,
};
use inkwell::module::Module;
use inkwell::values::{AsValueRef, FunctionValue, InstructionOpcode, Operand};

/// Removes the forwarding blocks of every function defined in `module` and orders the
/// others (see the module comment).
pub(super) fn order_blocks(module: &Module) {
    for f in module.get_functions() {
        remove_forwarding_blocks(f);
        order_function(f);
    }
}

/// Removes the blocks that only branch on to another one (the merge block of an `I` nested
/// as the last expression of a branch, say), sending their predecessors straight to the
/// target. The selector emits a jump for a block that holds nothing else even when the target
/// follows it (to keep a line for the jump). A block stays if its target has phis, which
/// name their incoming blocks.
fn remove_forwarding_blocks(f: FunctionValue) {
    let mut blocks = f.get_basic_blocks().into_iter();
    // The entry block stays: it has no predecessors to redirect and must come first.
    blocks.next();
    for b in blocks {
        let Some(term) = b.get_first_instruction() else {
            continue;
        };
        if term.get_opcode() != InstructionOpcode::Br || term.is_conditional() {
            continue;
        }
        let Some(Operand::Block(target)) = term.get_operand(0) else {
            continue;
        };
        let target_has_phi = target
            .get_first_instruction()
            .is_some_and(|i| i.get_opcode() == InstructionOpcode::Phi);
        if target == b || target_has_phi {
            continue;
        }
        b.replace_all_uses_with(&target);
        // SAFETY: `b` no longer has uses (every branch to it now goes to `target`; it is
        // nobody's phi incoming block, as its only successor has no phis), and nothing else
        // refers to it: lowering is done and `f`'s block list was read before the loop.
        let _ = unsafe { b.delete() };
    }
}

/// Lays out `f`'s blocks as chains: each block is followed by its preferred successor while
/// that one is not placed yet. When a chain ends, the next one starts at the successor most
/// recently passed over (the other side of the innermost branch, a loop's exit), so that it
/// sits near the code that jumps to it; failing that, at the first block not yet placed.
fn order_function(f: FunctionValue) {
    let blocks = f.get_basic_blocks();
    if blocks.len() < 3 {
        return;
    }
    // The blocks by address, so that a block's index is a binary search away (a function has
    // tens of blocks: cheaper than hashing).
    let mut by_address: Vec<(usize, usize)> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (b.as_mut_ptr() as usize, i))
        .collect();
    by_address.sort_unstable();
    let index = |b: BasicBlock| {
        by_address
            .binary_search_by_key(&(b.as_mut_ptr() as usize), |&(a, _)| a)
            .ok()
            .map(|k| by_address[k].1)
    };
    let mut placed = vec![false; blocks.len()];
    let mut order = Vec::with_capacity(blocks.len());
    let mut passed_over = Vec::new();
    let mut first_unplaced = 0;
    loop {
        let start = std::iter::from_fn(|| passed_over.pop())
            .find(|&i: &usize| !placed[i])
            .or_else(|| {
                while first_unplaced < blocks.len() && placed[first_unplaced] {
                    first_unplaced += 1;
                }
                (first_unplaced < blocks.len()).then_some(first_unplaced)
            });
        let Some(start) = start else {
            break;
        };
        let mut next = Some(start);
        while let Some(i) = next {
            placed[i] = true;
            order.push(blocks[i]);
            next = None;
            for s in successors_by_preference(blocks[i]).into_iter().flatten() {
                match index(s) {
                    Some(k) if !placed[k] && next.is_none() => next = Some(k),
                    Some(k) if !placed[k] => passed_over.push(k),
                    _ => {}
                }
            }
        }
    }
    // The entry block stays first (it is the first chain's start); the others follow it in
    // the chosen order.
    for pair in order.windows(2) {
        if pair[1].get_previous_basic_block() != Some(pair[0]) {
            // Both blocks belong to `f`, so the move cannot fail.
            let _ = pair[1].move_after(pair[0]);
        }
    }
}

/// The successors of `b` (lowering's terminators have at most two), the one that should
/// follow `b` first. A conditional branch on a comparison made just before it can jump on
/// either outcome and fall through to the other, so the `true` successor (the then branch, a
/// loop's body) comes first as in source order; on any other condition the selector tests the
/// value and jumps when it is true, so the `false` successor should follow.
fn successors_by_preference(b: BasicBlock<'_>) -> [Option<BasicBlock<'_>>; 2] {
    let Some(term) = b.get_terminator() else {
        return [None, None];
    };
    let t = term.as_value_ref();
    // SAFETY: `t` is the terminator of a block of a live module, and the indices are below
    // the successor count LLVM reports for it.
    let successor = |i: u32| unsafe {
        if i < LLVMGetNumSuccessors(t) {
            BasicBlock::new(LLVMGetSuccessor(t, i))
        } else {
            None
        }
    };
    let (first, second) = (successor(0), successor(1));
    if second.is_some() && !compares_just_before(b) {
        [second, first]
    } else {
        [first, second]
    }
}

/// Whether `b` ends in a conditional branch on a comparison in `b` that has no other use:
/// the one case in which the fast selector folds the comparison into the jump and can invert
/// it.
fn compares_just_before(b: BasicBlock) -> bool {
    let Some(term) = b.get_terminator().filter(|t| t.is_conditional()) else {
        return false;
    };
    let t = term.as_value_ref();
    // SAFETY: `t` is a live conditional `br` (checked just above, as `LLVMGetCondition`
    // requires); its condition is a live value of the same function.
    unsafe {
        let cond = LLVMGetCondition(t);
        let is_cmp = !LLVMIsAICmpInst(cond).is_null() || !LLVMIsAFCmpInst(cond).is_null();
        if !is_cmp || LLVMGetInstructionParent(cond) != b.as_mut_ptr() {
            return false;
        }
        let first = LLVMGetFirstUse(cond);
        !first.is_null() && LLVMGetNextUse(first).is_null()
    }
}
