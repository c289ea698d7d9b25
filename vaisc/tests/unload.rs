//! Old patch libraries are unloaded while the program runs, and nothing the program kept from
//! them breaks: a string literal stored in a global, a function pointer to a hot function, and a
//! reload callback registered by patch code all stay valid after the patch that made them is
//! gone. Real processes, as in `hot.rs`.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
mod hot_support;

use hot_support::{thirty_one_reloads, two_patches, Project};

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
    // Later patches have other bytes where the first had its literal, so a pointer left into
    // the first patch would read something else (or fault) once its pages are reused.
    let (first, later) = two_patches(&p, || {
        p.edit(
            "\"kept from v2\"",
            "\"a different, longer literal in later versions\"",
        );
    });
    let host = thirty_one_reloads(&p, (&first, &later), "set up by v2", 1..=16);
    host.wait_stdout("result", |l| l == "kept from v2, pick()=7, seen=32");
}

const SPINNER: &str = r#"U std/hot
X F pthread_create(t: *u64, attr: *u8, f: fn(*u8) -> *u8, arg: *u8) -> i32
X F pthread_join(t: u64, ret: *u8) -> i32
X F fflush(f: *u8) -> i32
G stop: i64 = 0
G inside: i64 = 0
G rounds: i64 = 0
#[hot]
F spin() -> i64 {
    entered := hot_version()
    inside = 1
    L stop == 0 {
        rounds += 1
        usleep(200)
    }
    entered
}
F worker(arg: *u8) -> *u8 {
    printf("spin entered in v%ld returned\n", spin())
    fflush(0)
    0 as *u8
}
F main() -> i64 {
    printf("started\n")
    fflush(0)
    L hot_version() < 2 { usleep(1000) }
    thread := mut 0 as u64
    pthread_create(&thread, 0 as *u8, worker, 0 as *u8)
    L inside == 0 { usleep(1000) }
    printf("spinning\n")
    fflush(0)
    L hot_version() < 31 { usleep(1000) }
    stop = 1
    pthread_join(thread, 0 as *u8)
    0
}
"#;

#[test]
fn a_version_a_thread_is_still_running_stays_loaded() {
    let p = Project::new("spinner", SPINNER);
    // Later versions have other code where v2 has `spin`, so running v2's pages after they
    // were unmapped (and reused) would fail.
    let (first, patch) = two_patches(&p, || {
        p.edit(
            "entered := hot_version()",
            "entered := hot_version() * 1 + rounds * 0\n    printf(\"\")",
        );
    });
    let mut host = p.start();
    host.wait_stdout("start", |l| l == "started");
    p.install_patch(&host, &first, 2);
    // From here on a thread runs v2's `spin` (or sleeps with it on its stack) until stopped.
    host.wait_stdout("the thread inside v2", |l| l == "spinning");
    for version in 3..=30 {
        p.install_patch(&host, &patch, version);
    }
    // The versions after v2 were unloaded as they went; v2 itself was kept, or the thread
    // would have died running unmapped code.
    let mapped = host.patch_libraries();
    assert!(
        (2..=16).contains(&mapped),
        "{mapped} patch libraries mapped"
    );
    // v31 lets the program stop the thread and exit.
    p.install_patch(&host, &patch, 31);
    assert_eq!(host.wait_exit(), Some(0), "{}", host.stderr_text());
    host.wait_stdout("spin's return", |l| l == "spin entered in v2 returned");
}
