//! Linking C libraries, end to end: a small C library of the test's own, built to a `.so` and
//! to a `.a`, linked with `-l`/`-L` into normal builds, `vaisc run`, a package's `vais.toml`,
//! hot hosts (by hand and under `vaisc watch`) whose patch calls a library function the host
//! never called; and the one error a missing library gives.

#[allow(dead_code)]
mod hot_support;

use hot_support::{Host, Project};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The library's two source files. An archive member is a whole object file, so `square`,
/// alone in its file, is left out of an executable that calls only `triple`.
const LIBRARY: &[(&str, &str)] = &[
    ("mine.c", "long triple(long x) { return 3 * x; }\n"),
    ("more.c", "long square(long x) { return x * x; }\n"),
];

const PROGRAM: &str = "X F triple(x: i64) -> i64\n\
                       F main() -> i64 {\n    printf(\"triple=%ld\\n\", triple(14))\n    0\n}\n";

/// A scratch directory with the library built as `shared/libmine.so` and `static/libmine.a`,
/// and `prog.vais` calling it.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("vaisc-link-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["shared", "static"] {
            std::fs::create_dir_all(dir.join(sub)).expect("scratch dirs");
        }
        std::fs::write(dir.join("prog.vais"), PROGRAM).expect("write program");
        build_library(&dir);
        Scratch { dir }
    }

    fn vaisc(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("run vaisc")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run command")
}

fn check(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes the library's sources in `dir` and builds them to `shared/libmine.so` and
/// `static/libmine.a`.
fn build_library(dir: &Path) {
    for (name, text) in LIBRARY {
        std::fs::write(dir.join(name), text).expect("write C");
    }
    let so = run(Command::new("cc")
        .args([
            "-shared",
            "-fPIC",
            "mine.c",
            "more.c",
            "-o",
            "shared/libmine.so",
        ])
        .current_dir(dir));
    check(&so, "cc -shared");
    let obj = run(Command::new("cc")
        .args(["-c", "-fPIC", "mine.c", "more.c"])
        .current_dir(dir));
    check(&obj, "cc -c");
    let ar = run(Command::new("ar")
        .args(["rcs", "static/libmine.a", "mine.o", "more.o"])
        .current_dir(dir));
    check(&ar, "ar");
}

/// `vaisc build prog.vais -o prog -L LIBDIR -l mine` in the scratch folder, which must succeed.
fn build_against(s: &Scratch, libdir: &str) {
    let out = s.vaisc(&[
        "build",
        "prog.vais",
        "-o",
        "prog",
        "-L",
        libdir,
        "-l",
        "mine",
    ]);
    check(&out, "vaisc build");
}

#[test]
fn a_shared_library_links_and_runs_without_ld_library_path() {
    let s = Scratch::new("shared");
    build_against(&s, "shared");
    // The -L directory is the executable's run path, so no LD_LIBRARY_PATH is needed.
    let out = run(Command::new(s.dir.join("prog")).env_remove("LD_LIBRARY_PATH"));
    check(&out, "prog");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "triple=42\n");
    // `vaisc run` takes the same flags, also in cc's joined spelling.
    let out = s.vaisc(&["run", "prog.vais", "-Lshared", "-lmine"]);
    check(&out, "vaisc run");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "triple=42\n");
}

#[test]
fn a_static_library_is_copied_into_the_executable() {
    let s = Scratch::new("static");
    build_against(&s, "static");
    std::fs::remove_dir_all(s.dir.join("static")).expect("remove the archive");
    let out = run(&mut Command::new(s.dir.join("prog")));
    check(&out, "prog");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "triple=42\n");
}

#[test]
fn a_missing_library_is_one_error_naming_it() {
    let s = Scratch::new("missing");
    let out = s.vaisc(&["build", "prog.vais", "-L", "shared", "-l", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot find C library `nosuch` (-lnosuch): no libnosuch.so or libnosuch.a \
         in -L shared or the C compiler's library path\n"
    );
    assert!(!s.dir.join("prog").exists());
    // The same for a hot build, and for a library named by its file.
    let out = s.vaisc(&["build", "--hot", "prog.vais", "-l", ":libnosuch.a"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot find C library `:libnosuch.a` (-l:libnosuch.a): no libnosuch.a \
         in the C compiler's library path\n"
    );
}

#[test]
fn a_package_links_what_its_vais_toml_lists() {
    let s = Scratch::new("package");
    std::fs::write(
        s.dir.join("vais.toml"),
        "[package]\nname = \"prog\"\nentry = \"prog.vais\"\nlinks = [\"mine\"]\nlib-dirs = [\"shared\"]\n",
    )
    .expect("write vais.toml");
    let out = s.vaisc(&["pkg", "build"]);
    check(&out, "vaisc pkg build");
    let out = run(Command::new(s.dir.join("prog")).env_remove("LD_LIBRARY_PATH"));
    check(&out, "prog");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "triple=42\n");
    // Without lib-dirs the library is nowhere to be found, and the error says so.
    std::fs::write(
        s.dir.join("vais.toml"),
        "[package]\nname = \"prog\"\nentry = \"prog.vais\"\nlinks = [\"mine\"]\n",
    )
    .expect("write vais.toml");
    let out = s.vaisc(&["pkg", "build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: cannot find C library `mine`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const HOT_GAME: &str = r#"X F triple(x: i64) -> i64
X F square(x: i64) -> i64
X F fflush(f: *u8) -> i32
S State { frame: i64 }
#[hot]
F tick(s: *State) {
    s.frame += 1
    printf("v1 frame=%ld value=%ld\n", s.frame, triple(s.frame))
    fflush(0)
}
F main() -> i64 {
    s := mut State { frame: 0 }
    L s.frame < 100000000 {
        tick(&s)
        usleep(2000)
    }
    0
}
"#;

/// The hot-reload project with the library built beside it.
fn hot_project(name: &str) -> Project {
    let p = Project::new(&format!("link-{name}"), HOT_GAME);
    for sub in ["shared", "static"] {
        std::fs::create_dir_all(p.dir.join(sub)).expect("lib dirs");
    }
    build_library(&p.dir);
    p
}

/// Edits the hot function to call `square`, which is in the library, but which the host's own
/// code never calls.
fn call_square(p: &Project) {
    p.edit(
        "printf(\"v1 frame=%ld value=%ld\\n\", s.frame, triple(s.frame))",
        "printf(\"v2 frame=%ld value=%ld\\n\", s.frame, square(s.frame))",
    );
}

/// A hot host links the library; the patch, which links none, calls the host's copy.
fn hot_host_with(kind: &str) {
    let p = hot_project(kind);
    let out = p.vaisc(&[
        "build",
        "--hot",
        "game.vais",
        "-o",
        "game",
        "-L",
        kind,
        "-lmine",
    ]);
    check(&out, "hot build");
    let host = Host::start(&p.exe, &p.dir);
    host.wait_stdout("the host running", |l| l.starts_with("v1"));
    call_square(&p);
    check(&p.patch(), "patch build");
    let line = host.wait_stdout("the patched code", |l| l.starts_with("v2"));
    let frame = hot_support::field(&line, "frame");
    assert_eq!(hot_support::field(&line, "value"), frame * frame, "{line}");
}

#[test]
fn a_hot_hosts_shared_library_serves_its_patches() {
    hot_host_with("shared");
}

#[test]
fn a_hot_hosts_static_library_serves_its_patches() {
    hot_host_with("static");
}

#[test]
fn watch_links_the_host_and_reloads_code_calling_the_library() {
    let p = hot_project("watch");
    let host = Host::spawn(
        Command::new(env!("CARGO_BIN_EXE_vaisc"))
            .args(["watch", "game.vais", "--run", "-L", "shared", "-l", "mine"])
            .current_dir(&p.dir),
    );
    let line = host.wait_stdout("the program running", |l| l.starts_with("v1"));
    let frame = hot_support::field(&line, "frame");
    assert_eq!(hot_support::field(&line, "value"), 3 * frame, "{line}");
    call_square(&p);
    let line = host.wait_stdout("the reloaded code", |l| l.starts_with("v2"));
    let frame = hot_support::field(&line, "frame");
    assert_eq!(hot_support::field(&line, "value"), frame * frame, "{line}");
}
