//! The migration rules on small layouts built by hand, one rule per test.

use super::*;
use crate::layout::Storage;

fn int(name: &str, offset: u64) -> FieldLayout {
    FieldLayout {
        name: name.into(),
        type_name: "i64".into(),
        kind: ValueKind::Int {
            bits: 64,
            signed: true,
        },
        offset,
        size: 8,
        count: 1,
        default: None,
        flags: 0,
    }
}

fn float(name: &str, offset: u64) -> FieldLayout {
    FieldLayout {
        type_name: "f64".into(),
        kind: ValueKind::Float { bits: 64 },
        ..int(name, offset)
    }
}

fn structure(name: &str, fields: Vec<FieldLayout>, size: u64) -> TypeLayout {
    TypeLayout {
        kind: LayoutKind::Struct,
        name: name.into(),
        size,
        fields,
        variants: Vec::new(),
        storage: None,
        refusal: None,
    }
}

fn global(name: &str, ty: &str, size: u64, count: u64, address: usize) -> TypeLayout {
    TypeLayout {
        kind: LayoutKind::Global,
        name: name.into(),
        size,
        fields: vec![FieldLayout {
            name: name.into(),
            type_name: ty.into(),
            kind: ValueKind::Struct,
            offset: 0,
            size,
            count,
            default: None,
            flags: 0,
        }],
        variants: Vec::new(),
        storage: Some(Storage {
            address,
            room: crate::layout::room_for(size),
        }),
        refusal: None,
    }
}

fn words(bytes: &[u8], n: usize) -> Vec<u64> {
    (0..n)
        .map(|i| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        })
        .collect()
}

fn bytes(ws: &[u64]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[test]
fn an_inserted_field_gets_its_default_and_the_others_move() {
    let old = vec![
        structure("State", vec![int("frame", 0), int("x", 8)], 16),
        global("g", "State", 16, 1, 0x1000),
    ];
    let mut speed = float("speed", 8);
    speed.default = Some(2.5f64.to_le_bytes().to_vec());
    let new = vec![
        structure("State", vec![int("frame", 0), speed, int("x", 16)], 24),
        global("g", "State", 24, 1, 0),
    ];
    let plan = plan(&old, &new, &old).expect("plan");
    assert_eq!(
        plan.summary(),
        "State: + speed = 2.5, x moved 8 -> 16; 1 live value"
    );
    let out = plan.build(|_| bytes(&[7, 9])).expect("build");
    assert_eq!(words(&out[0], 3), vec![7, 2.5f64.to_bits(), 9]);
    let table: Vec<(&str, u64)> = plan.table.iter().map(|(s, v)| (s.as_str(), *v)).collect();
    assert_eq!(
        table,
        vec![
            ("__vais_hot_size.State", 24),
            ("__vais_hot_offset.State.frame", 0),
            ("__vais_hot_offset.State.x", 16)
        ]
    );
}

#[test]
fn a_retyped_field_converts_as_as_would_and_removed_ones_go() {
    let old = vec![
        structure("S", vec![int("a", 0), int("b", 8), int("c", 16)], 24),
        global("g", "S", 48, 2, 0x1000),
    ];
    let new = vec![
        structure("S", vec![float("c", 0), int("a", 8)], 16),
        global("g", "S", 32, 2, 0),
    ];
    let plan = plan(&old, &new, &old).expect("plan");
    let out = plan.build(|_| bytes(&[1, 2, 3, 4, 5, 6])).expect("build");
    assert_eq!(
        words(&out[0], 4),
        vec![3f64.to_bits(), 1, 6f64.to_bits(), 4]
    );
}

#[test]
fn a_field_main_uses_cannot_be_removed() {
    let mut host = structure("S", vec![int("a", 0), int("b", 8)], 16);
    host.fields[1].flags = FIELD_USED_BY_HOST;
    let old = vec![host];
    let new = vec![structure("S", vec![int("a", 0)], 8)];
    assert_eq!(
        plan(&old, &new, &old)
            .err()
            .map(|e| e.to_string())
            .as_deref(),
        Some("S: field `b` is removed, but code that keeps running (`main`) uses it")
    );
}

#[test]
fn more_room_than_kept_is_refused_with_the_numbers() {
    let old = vec![
        structure("S", vec![int("a", 0)], 8),
        global("g", "S", 8, 1, 0x1000),
    ];
    let wide = FieldLayout {
        type_name: "i64".into(),
        count: 20,
        size: 160,
        ..int("w", 8)
    };
    let new = vec![
        structure("S", vec![int("a", 0), wide], 168),
        global("g", "S", 168, 1, 0),
    ];
    assert_eq!(
        plan(&old, &new, &old)
            .err()
            .map(|e| e.to_string())
            .as_deref(),
        Some("global `g`: needs 168 bytes after the change, but 80 were kept (restart to apply)")
    );
}

#[test]
fn nested_structs_and_enum_variants_follow_by_name() {
    let shape = |variants: Vec<(&str, u64)>| TypeLayout {
        kind: LayoutKind::Enum,
        name: "Shape".into(),
        size: 16,
        fields: Vec::new(),
        variants: variants
            .into_iter()
            .map(|(n, tag)| crate::layout::VariantLayout {
                name: n.into(),
                tag,
                fields: vec![int("0", 8)],
                flags: 0,
            })
            .collect(),
        storage: None,
        refusal: None,
    };
    let held = |offset| FieldLayout {
        type_name: "Shape".into(),
        kind: ValueKind::Enum,
        size: 16,
        ..int("shape", offset)
    };
    let old = vec![
        shape(vec![("Circle", 0), ("Square", 1)]),
        structure("W", vec![held(0)], 16),
        global("g", "W", 16, 1, 0x1000),
    ];
    let new = vec![
        shape(vec![("Dot", 0), ("Square", 1), ("Circle", 2)]),
        structure("W", vec![int("n", 0), held(8)], 24),
        global("g", "W", 24, 1, 0),
    ];
    let plan = plan(&old, &new, &old).expect("plan");
    let out = plan.build(|_| bytes(&[0, 5])).expect("build");
    assert_eq!(words(&out[0], 3), vec![0, 2, 5]);
    let gone = vec![
        shape(vec![("Square", 0)]),
        structure("W", vec![held(0)], 16),
        global("g", "W", 16, 1, 0),
    ];
    let p = super::plan(&old, &gone, &old).expect("plan");
    assert_eq!(
        p.build(|_| bytes(&[0, 5]))
            .err()
            .map(|e| e.to_string())
            .as_deref(),
        Some("Shape: variant `Circle` is removed, but global `g` holds one")
    );
    assert!(p.build(|_| bytes(&[1, 5])).is_ok());
}
