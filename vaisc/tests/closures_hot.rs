//! Closures and hot reload, with real processes as in `hot.rs`: hot code creates and calls
//! closures; closures a patch created and the program stored (in a global, in a struct `main`
//! owns) stay callable after later reloads have replaced and unloaded everything else, because
//! the patch that created them stays loaded; patches whose closures never outlive their call
//! are unloaded as usual.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{thirty_one_reloads, two_patches, Project};

const CLOSURES: &str = r#"U std/hot
X F fflush(f: *u8) -> i32
F ident(x: i64) -> i64 = x
G keep: |i64| -> i64 = ident
G made: i64 = 0
G acc: i64 = 0
S Holder { f: |i64| -> i64 }
F apply(f: |i64| -> i64, x: i64) -> i64 = f(x)
#[hot]
F make(k: i64, h: *Holder) {
    base := 1000
    keep = |x| x + k + base
    h.f = |x| x * k
}
#[hot]
F step(n: i64) -> i64 {
    twice := |x: i64| x * 2 + n
    apply(twice, n)
}
F main() -> i64 {
    h := mut Holder { f: ident }
    printf("started\n")
    fflush(0)
    L hot_version() < 32 {
        I hot_version() == 2 && made == 0 {
            made = 1
            make(5, &h)
            printf("made by v%ld: keep(1)=%ld h.f(2)=%ld\n", hot_version(), keep(1), h.f(2))
            fflush(0)
        }
        acc = step(3)
        usleep(1000)
    }
    printf("keep(1)=%ld h.f(2)=%ld step(3)=%ld\n", keep(1), h.f(2), step(3))
    0
}
"#;

#[test]
fn a_stored_closure_outlives_later_reloads_and_other_patches_are_unloaded() {
    let p = Project::new("closures", CLOSURES);
    // Later versions have other code where v2 has the stored closure's body, so calling it
    // after v2's pages were unmapped (and reused) would fail or give another number.
    let (first, later) = two_patches(&p, || {
        p.edit(
            "keep = |x| x + k + base",
            "keep = |x| x + k + base + 1000000",
        );
        p.edit("h.f = |x| x * k", "h.f = |x| x * k * 1000");
        p.edit("x * 2 + n", "x * 3 + n");
    });
    // v2 stays (its closure is stored); the others, whose closures lived only as long as the
    // call making them, were unloaded as they went.
    let host = thirty_one_reloads(
        &p,
        (&first, &later),
        "made by v2: keep(1)=1006 h.f(2)=10",
        2..=16,
    );
    host.wait_stdout("the result", |l| l == "keep(1)=1006 h.f(2)=10 step(3)=12");
}
