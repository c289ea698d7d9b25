//! Differential tests of `reparse`: over random edits of every program in the repository, a
//! reparse that takes bodies from the old tree gives the tree a fresh parse gives, spans
//! included, and gives way whenever the fresh parse has diagnostics.

use super::*;
use crate::parser::halves::tests::vais_files;
use crate::parser::parse_file;
use std::path::Path;

/// A small deterministic generator (xorshift), so that a failure names a reproducible edit.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Text typed in a real day's edits: whitespace, a word, a digit, brackets that open or close
/// bodies, the start of a comment or a string, and a whole new function.
const INSERTS: [&str; 10] = [
    " ",
    "\n",
    "x",
    "7",
    "}",
    "{",
    "/*",
    "\"",
    "\nF added() -> i64 {\n    1\n}\n",
    "    y := 2\n",
];

/// `text` with one random edit: an insertion, or a deletion of a few bytes.
fn edit(text: &str, rng: &mut Rng) -> Option<String> {
    let at = rng.below(text.len() + 1);
    if !text.is_char_boundary(at) {
        return None;
    }
    let mut out = text.to_string();
    if rng.below(3) == 0 {
        let end = (at + 1 + rng.below(6)).min(text.len());
        if !text.is_char_boundary(end) {
            return None;
        }
        out.replace_range(at..end, "");
    } else {
        out.insert_str(at, INSERTS[rng.below(INSERTS.len())]);
    }
    Some(out)
}

#[test]
fn a_reparse_gives_the_tree_a_fresh_parse_gives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["tests", "examples", "std"] {
        vais_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut reparsed, mut taken, mut clean_edits) = (0, 0, 0);
    for path in &files {
        let old_text = std::fs::read_to_string(path).expect("read program");
        let work = || {
            let (mut reparsed, mut taken, mut clean_edits) = (0, 0, 0);
            let old = parse_file(FileId(0), &old_text);
            if !old.diags.is_empty() {
                return (0, 0, 0);
            }
            let mut old_tree = Some(old.module);
            for _ in 0..12 {
                let Some(new) = edit(&old_text, &mut rng) else {
                    continue;
                };
                let fresh = parse_file(FileId(0), &new);
                let mut tree = old_tree
                    .take()
                    .unwrap_or_else(|| parse_file(FileId(0), &old_text).module);
                let again = reparse(FileId(0), &old_text, &mut tree, &new);
                clean_edits += usize::from(fresh.diags.is_empty());
                let Some(again) = again else { continue };
                assert!(
                    fresh.diags.is_empty(),
                    "{}: a reparse hid the diagnostics of {new:?}",
                    path.display()
                );
                assert_eq!(
                    format!("{:?}", again.parsed.module),
                    format!("{:?}", fresh.module),
                    "{}: the reparse of {new:?} differs",
                    path.display()
                );
                assert_eq!(again.parsed.names_fmt, fresh.names_fmt);
                reparsed += 1;
                taken += again.taken;
            }
            (reparsed, taken, clean_edits)
        };
        // Some programs nest to the parser's limit, as deep as the compiler's stack allows.
        let (r, t, c) = crate::with_compiler_stack(work)
            .expect("start the compiler's thread")
            .expect("reparse");
        reparsed += r;
        taken += t;
        clean_edits += c;
    }
    // Many programs are one `main`, whose edits leave no body to take; still, a third of the
    // edits that leave a clean file are reparsed taking bodies: the comparison above is not
    // vacuous.
    assert!(
        reparsed * 3 >= clean_edits && taken >= reparsed,
        "{reparsed} of {clean_edits} clean edits reparsed, {taken} bodies taken"
    );
}

#[test]
fn an_edit_inside_one_body_takes_every_other_body() {
    let body = |n: usize, extra: &str| {
        format!("F f{n}(a: i64) -> i64 {{\n    b := a * {n}{extra}\n    I b > 3 {{ b }} E {{ 0 }}\n}}\n")
    };
    let old: String = (0..6).map(|n| body(n, "")).collect();
    let new: String = (0..6)
        .map(|n| body(n, if n == 2 { " + 100" } else { "" }))
        .collect();
    let mut tree = parse_file(FileId(0), &old).module;
    let again = reparse(FileId(0), &old, &mut tree, &new).expect("reparsed");
    assert_eq!(again.taken, 5);
    assert_eq!(
        format!("{:?}", again.parsed.module),
        format!("{:?}", parse_file(FileId(0), &new).module)
    );
}

#[test]
fn only_whole_words_count_as_naming_a_formatting_built_in() {
    assert!(!super::names_fmt("{ printf(\"%ld\", reformat) }"));
    assert!(super::names_fmt("{ print(x) }"));
    assert!(super::names_fmt("{ s := format(\"{}\", 1) }"));
    assert!(super::names_fmt("{ println(\"x\") }"));
}
