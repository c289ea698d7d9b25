//! The runtime's copies of patch string literals.
//!
//! A patch does not hand out pointers to its own bytes (they would dangle once the patch is
//! unloaded): the first use of each literal asks for a copy here, which lives until the process
//! exits. Copies are shared by content, so memory grows with the distinct strings a session ever
//! writes, not with the number of reloads.

use parking_lot::Mutex;
use std::collections::HashSet;

static COPIES: Mutex<Option<HashSet<&'static [u8]>>> = Mutex::new(None);

/// The runtime's copy of `bytes` (a literal with its terminating NUL).
pub fn copy_of(bytes: &[u8]) -> *const u8 {
    let mut copies = COPIES.lock();
    let set = copies.get_or_insert_with(HashSet::new);
    if let Some(existing) = set.get(bytes) {
        return existing.as_ptr();
    }
    let copy: &'static [u8] = Box::leak(bytes.to_vec().into_boxed_slice());
    set.insert(copy);
    copy.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_contents_share_one_copy() {
        let a = copy_of(b"score\0");
        let b = copy_of(String::from("score\0").as_bytes());
        assert_eq!(a, b);
        assert_ne!(a, copy_of(b"lives\0"));
        assert_ne!(a, c"score".as_ptr().cast());
    }
}
