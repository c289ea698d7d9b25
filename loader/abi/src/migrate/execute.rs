//! Carrying out a [`Plan`]: building the new bytes of every live value by running each
//! type's compiled steps (copies, conversions as `as` does them, fills, nested values, enum
//! tags mapped by variant name).

use super::{label, Move, Plan, Refusal, Rule, Step, TAG_SIZE};
use crate::layout::ValueKind;

impl Plan {
    /// Builds the new bytes of every live value from `read(move)` (its current bytes), all
    /// before anything is written, so a value in a removed variant refuses the whole plan.
    /// Each result covers the value's old and new extent: the new value, then zeros where the
    /// old one was longer.
    pub fn build(&self, read: impl Fn(&Move) -> Vec<u8>) -> Result<Vec<Vec<u8>>, Refusal> {
        self.moves
            .iter()
            .map(|m| {
                let src = read(m);
                let mut dst = vec![0u8; m.old.size.max(m.new.size) as usize];
                self.run(&label(&m.name), &m.steps, &src, &mut dst)?;
                Ok(dst)
            })
            .collect()
    }

    fn run(&self, value: &str, steps: &[Step], src: &[u8], dst: &mut [u8]) -> Result<(), Refusal> {
        for step in steps {
            match step {
                Step::Copy {
                    src: s,
                    dst: d,
                    len,
                } => {
                    let (s, d, l) = (*s as usize, *d as usize, *len as usize);
                    dst[d..d + l].copy_from_slice(&src[s..s + l]);
                }
                Step::Fill { dst: d, bytes } => {
                    let d = *d as usize;
                    dst[d..d + bytes.len()].copy_from_slice(bytes);
                }
                Step::Convert {
                    src: s,
                    dst: d,
                    from,
                    to,
                } => convert(&src[*s as usize..], &mut dst[*d as usize..], *from, *to),
                Step::Nested {
                    src: s,
                    dst: d,
                    ty,
                    count,
                    src_stride,
                    dst_stride,
                } => {
                    for i in 0..*count {
                        let so = (*s + i * src_stride) as usize;
                        let dof = (*d + i * dst_stride) as usize;
                        let sub_src = &src[so..so + *src_stride as usize];
                        let sub_dst = &mut dst[dof..dof + *dst_stride as usize];
                        self.run_rule(value, *ty, sub_src, sub_dst)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn run_rule(&self, value: &str, ty: usize, src: &[u8], dst: &mut [u8]) -> Result<(), Refusal> {
        match &self.rules[ty] {
            Rule::Struct { steps } => self.run(value, steps, src, dst),
            Rule::Enum { name, variants } => {
                let mut tag = [0u8; TAG_SIZE];
                tag.copy_from_slice(&src[..TAG_SIZE]);
                let old_tag = u64::from(u32::from_le_bytes(tag));
                match variants.get(&old_tag) {
                    Some(Ok((new_tag, steps))) => {
                        dst[..TAG_SIZE].copy_from_slice(&(*new_tag as u32).to_le_bytes());
                        self.run(value, steps, src, dst)
                    }
                    Some(Err(variant)) => Err(Refusal::VariantLive {
                        ty: name.clone(),
                        variant: variant.clone(),
                        value: value.to_string(),
                    }),
                    // A tag no variant has: the bytes are not a value of the enum (zeroed
                    // memory never written); keep them.
                    None => {
                        let n = src.len().min(dst.len());
                        dst[..n].copy_from_slice(&src[..n]);
                        Ok(())
                    }
                }
            }
        }
    }
}

/// Converts one number as `as` would (floats to integers saturate, as Rust's `as` does).
fn convert(src: &[u8], dst: &mut [u8], from: ValueKind, to: ValueKind) {
    let read = |n: usize| {
        let mut w = [0u8; 8];
        w[..n].copy_from_slice(&src[..n]);
        u64::from_le_bytes(w)
    };
    enum N {
        I(i128),
        F(f64),
    }
    let v = match from {
        ValueKind::Int { bits, signed } => {
            let raw = read(bits as usize / 8);
            if signed {
                let shift = 64 - bits;
                N::I(i128::from(((raw << shift) as i64) >> shift))
            } else {
                N::I(i128::from(raw))
            }
        }
        ValueKind::Float { bits: 32 } => N::F(f64::from(f32::from_bits(read(4) as u32))),
        ValueKind::Float { .. } => N::F(f64::from_bits(read(8))),
        _ => return,
    };
    let (bytes, n): ([u8; 8], usize) = match to {
        ValueKind::Int { bits, signed } => {
            let i: i128 = match v {
                N::I(i) => i,
                N::F(f) if signed => i128::from(f as i64),
                N::F(f) => i128::from(f as u64),
            };
            ((i as u64).to_le_bytes(), bits as usize / 8)
        }
        ValueKind::Float { bits: 32 } => {
            let f = match v {
                N::I(i) => i as f32,
                N::F(f) => f as f32,
            };
            let mut w = [0u8; 8];
            w[..4].copy_from_slice(&f.to_bits().to_le_bytes());
            (w, 4)
        }
        ValueKind::Float { .. } => {
            let f = match v {
                N::I(i) => i as f64,
                N::F(f) => f,
            };
            (f.to_bits().to_le_bytes(), 8)
        }
        _ => return,
    };
    dst[..n].copy_from_slice(&bytes[..n]);
}
