//! Old patch libraries are unloaded while the program runs, and nothing the program kept from
//! them breaks: a string literal stored in a global, a function pointer to a hot function, and a
//! reload callback registered by patch code all stay valid after the patch that made them is
//! gone. Real processes, as in `hot.rs`.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::Project;

const KEEPER: &str = r#"U std/hot
X F fflush(f: *u8) -> i32
G label: str = "none"
G pick: fn() -> i64 = zero
G seen: i64 = 0
G done: i64 = 0
F zero() -> i64 = 0
#[hot]
F seven() -> i64 = 7
#[hot]
F note(v: i64) {
    seen = v
}
#[hot]
F setup() {
    label = "kept from v2"
    pick = seven
    hot_on_reload(note)
}
F main() -> i64 {
    printf("started\n")
    fflush(0)
    L hot_version() < 32 {
        I hot_version() == 2 && done == 0 {
            done = 1
            setup()
            printf("set up by v%ld\n", hot_version())
            fflush(0)
        }
        usleep(1000)
    }
    printf("%s, pick()=%ld, seen=%ld\n", label, pick(), seen)
    0
}
"#;

#[test]
fn what_the_program_keeps_from_a_patch_outlives_its_library() {
    let p = Project::new("keeper", KEEPER);
    p.build();
    let build_patch = || {
        let out = p.patch();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(p.patch_path()).expect("patch")
    };
    let first = build_patch();
    // Later patches have other bytes where the first had its literal, so a pointer left into
    // the first patch would read something else (or fault) once its pages are reused.
    p.edit(
        "\"kept from v2\"",
        "\"a different, longer literal in later versions\"",
    );
    let later = build_patch();
    std::fs::remove_file(p.patch_path()).expect("remove patch");
    let mut host = p.start();
    host.wait_stdout("start", |l| l == "started");
    for version in 2..=32 {
        let patch = if version == 2 { &first } else { &later };
        p.install_patch(&host, patch, version);
        if version == 2 {
            host.wait_stdout("setup", |l| l == "set up by v2");
        }
        if version == 30 {
            let mapped = host.patch_libraries();
            assert!(
                (1..=16).contains(&mapped),
                "{mapped} patch libraries mapped"
            );
        }
    }
    assert_eq!(host.wait_exit(), Some(0), "{}", host.stderr_text());
    host.wait_stdout("result", |l| l == "kept from v2, pick()=7, seen=32");
}
