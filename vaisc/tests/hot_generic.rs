//! Hot reload composed with Tier 2 generics, traits, `Option` and `Vec`, end to end with real
//! processes: a hot function calls generic helpers (the patch carries their instances, under
//! their mangled names), and a `Vec` that `main` owns keeps its contents across reloads.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{field, patch_ok, running};

const GAME: &str = r#"X F fflush(f: *u8) -> i32
S State { frame: i64, best: i64 }
S Score { v: i64 }
X Score: Display { F fmt(&self) -> str = "score" }
F biggest<T>(a: T, b: T) -> T = a > b ? a : b
F scaled<T>(a: T, k: T) -> T = a * k
F first<T>(v: *Vec<T>) -> Option<T> = v.len() > 0 ? Some((*v)[0]) : None
#[hot]
F tick(s: *State, hist: *Vec<i64>) {
    s.frame += 1
    hist.push(s.frame)
    s.best = biggest(s.best, s.frame)
    sc := scaled(s.frame, 2)
    printf("v1 frame=%ld best=%ld sc=%ld len=%ld first=%ld\n", s.frame, s.best, sc, hist.len(), first(hist).unwrap())
    fflush(0)
}
F main() -> i64 {
    s := mut State { frame: 0, best: 0 }
    hist: mut Vec<i64> = Vec.new()
    L s.frame < 10000000 {
        tick(&s, &hist)
        usleep(2000)
    }
    0
}
"#;

#[test]
fn hot_code_uses_generic_helpers_and_main_keeps_its_vec() {
    let (p, host) = running("generic", GAME, "a few frames", |l| {
        l.starts_with("v1") && field(l, "frame") >= 5
    });

    // The generic helper's body changes: the patch carries its new instance.
    p.edit("= a * k", "= a * k * 10");
    p.edit("v1 frame", "v2 frame");
    patch_ok(&p);
    let v2 = host.wait_count("two v2 lines", 2, |l| l.starts_with("v2"));
    assert_eq!(field(&v2[1], "sc"), field(&v2[1], "frame") * 20);
    assert_eq!(field(&v2[1], "best"), field(&v2[1], "frame"));
    // The Vec that main owns kept every element pushed before the reload.
    assert_eq!(field(&v2[1], "len"), field(&v2[1], "frame"));
    assert_eq!(field(&v2[1], "first"), 1);

    // A new instance, a trait method and formatting, first used by the patch.
    p.edit(
        "    fflush(0)\n}",
        "    println(\"v3 {} f={}\", Score { v: 1 }, scaled(1.5, 2.0))\n    fflush(0)\n}",
    );
    p.edit("v2 frame", "v3 frame");
    patch_ok(&p);
    let line = host.wait_stdout("the new instance", |l| l.starts_with("v3 score"));
    assert_eq!(line, "v3 score f=30");
}
