//! The command-line interface end to end: subcommands, output paths, exit codes, `--emit`,
//! `-g`, and error reporting for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vaisc(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vaisc"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run vaisc")
}

/// `vaisc ARGS` in `cwd`, which must succeed (what it said shows if not).
fn built(args: &[&str], cwd: &Path) -> Output {
    let out = vaisc(args, cwd);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A scratch directory holding one source file `prog.vais`.
fn scratch(name: &str, src: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vaisc-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::write(dir.join("prog.vais"), src).expect("write source");
    dir
}

const PROGRAM: &str = "F main() -> i64 {\n    printf(\"hi\\n\")\n    42\n}\n";

#[test]
fn version_and_help() {
    let dir = std::env::temp_dir();
    let out = vaisc(&["--version"], &dir);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("vaisc "));
    let out = vaisc(&["--help"], &dir);
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["build", "run", "check"] {
        assert!(text.contains(cmd), "{text}");
    }
}

#[test]
fn build_writes_stem_in_the_current_directory() {
    let dir = scratch("build", PROGRAM);
    built(&["build", "prog.vais"], &dir);
    let run = Command::new(dir.join("prog"))
        .output()
        .expect("run program");
    assert_eq!(run.stdout, b"hi\n");
    assert_eq!(run.status.code(), Some(42));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_passes_on_the_exit_status_and_output() {
    let dir = scratch("run", PROGRAM);
    let out = vaisc(&["run", "prog.vais", "-O2", "--", "ignored", "args"], &dir);
    assert_eq!(out.status.code(), Some(42));
    assert_eq!(out.stdout, b"hi\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn emit_llvm_ir_and_debug_info() {
    let dir = scratch("emit", PROGRAM);
    built(&["build", "prog.vais", "--emit", "llvm-ir"], &dir);
    let ir = std::fs::read_to_string(dir.join("prog.ll")).expect("prog.ll");
    assert!(ir.contains("define i32 @main("), "{ir}");

    built(&["build", "prog.vais", "-g", "-o", "dbg"], &dir);
    let exe = std::fs::read(dir.join("dbg")).expect("executable");
    let has = |needle: &[u8]| exe.windows(needle.len()).any(|w| w == needle);
    assert!(has(b".debug_line"), "no DWARF line table");
    assert!(has(b"prog.vais"), "source file not named in debug info");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_reports_errors_with_location_and_caret() {
    let dir = scratch("check", "F main() -> i64 {\n    x := nope + 1\n    x\n}\n");
    let out = vaisc(&["check", "prog.vais"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[E0201]: unknown variable `nope`"),
        "{err}"
    );
    assert!(err.contains("--> prog.vais:2:10"), "{err}");
    assert!(
        err.contains(" 2 |     x := nope + 1\n   |          ^^^^"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn warnings_do_not_stop_the_build() {
    let dir = scratch(
        "warn",
        "F main() -> i64 {\n    x := 1\n    x = 2\n    x\n}\n",
    );
    let out = built(&["build", "prog.vais", "-o", "w"], &dir);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning[W0001]"));
    let run = Command::new(dir.join("w")).status().expect("run");
    assert_eq!(run.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_file_is_an_error_not_a_crash() {
    let dir = std::env::temp_dir();
    let out = vaisc(&["build", "/nonexistent/game.vais"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: cannot read /nonexistent/game.vais"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn binary_garbage_is_diagnosed() {
    let dir = scratch("garbage", "");
    std::fs::write(dir.join("prog.vais"), [0xff, 0xfe, 0x00, 0x41]).expect("write");
    let out = vaisc(&["check", "prog.vais"], &dir);
    assert!(matches!(out.status.code(), Some(1) | Some(2)));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn user_functions_named_like_c_library_functions_stay_theirs_when_optimising() {
    let dir = scratch(
        "libname",
        "F sqrt(x: f64) -> f64 = x + 1.0\nF abs(x: i32) -> i32 = x * 2\nF main() -> i64 {\n    printf(\"%.1f %d\\n\", sqrt(4.0), abs(-3))\n    0\n}\n",
    );
    for opt in ["-O0", "-O2", "-O3"] {
        let out = vaisc(&["run", "prog.vais", opt], &dir);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "5.0 -6\n", "{opt}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_output_folder_that_does_not_exist_is_named_in_one_line() {
    let dir = scratch("nofolder", PROGRAM);
    for args in [
        &["build", "prog.vais", "-o", "nodir/x"][..],
        &["build", "--hot", "prog.vais", "-o", "nodir/x"],
        &["watch", "prog.vais", "-o", "nodir/x"],
    ] {
        let out = vaisc(args, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: cannot write nodir/x: the folder nodir/ does not exist\n",
            "{args:?}"
        );
    }
    assert!(!dir.join("nodir").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_import_cycle_back_to_the_entry_loads_it_once_however_it_is_spelt() {
    let main = "U helper\nF main() -> i64 {\n    printf(\"%ld\\n\", helper())\n    0\n}\nF base() -> i64 = 40\n";
    let dir = scratch("cycle", main);
    std::fs::write(
        dir.join("helper.vais"),
        "U prog\nF helper() -> i64 = base() + 2\n",
    )
    .expect("write module");
    let dir_arg = dir.to_string_lossy().into_owned();
    let absolute = format!("{dir_arg}/prog.vais");
    for (entry, cwd) in [
        ("prog.vais", dir.clone()),
        ("./prog.vais", dir.clone()),
        (absolute.as_str(), std::env::temp_dir()),
    ] {
        let out = vaisc(&["run", entry], &cwd);
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).as_ref()
            ),
            (Some(0), "42\n"),
            "vaisc run {entry}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failing_assert_names_its_file_and_line_on_stderr_and_exits_101() {
    let src =
        "F main() -> i64 {\n    println(\"before\")\n    x := 3\n    assert(x == 4)\n    0\n}\n";
    let dir = scratch("assert", src);
    for level in ["-O0", "-O2"] {
        built(&["build", "prog.vais", level], &dir);
        let run = Command::new(dir.join("prog"))
            .output()
            .expect("run program");
        assert_eq!(run.status.code(), Some(101), "{level}");
        assert_eq!(run.stdout, b"before\n", "{level}");
        assert_eq!(
            String::from_utf8_lossy(&run.stderr),
            "prog.vais:4: assertion failed\n",
            "{level}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The shared libraries an executable needs, as `readelf -d` lists them.
fn needed_libraries(exe: &str) -> Vec<String> {
    let out = Command::new("readelf")
        .args(["-d", exe])
        .output()
        .expect("run readelf");
    assert!(out.status.success(), "readelf failed on {exe}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split_once('[')?.1.trim_end_matches(']').to_string()))
        .collect()
}

#[test]
fn check_runs_without_loading_llvm_and_the_code_generator_links_it() {
    let front = needed_libraries(env!("CARGO_BIN_EXE_vaisc"));
    assert!(!front.is_empty(), "readelf listed no libraries");
    assert!(
        !front.iter().any(|l| l.starts_with("libLLVM")),
        "the front links LLVM: {front:?}"
    );
    let codegen = needed_libraries(env!("CARGO_BIN_EXE_vaisc-codegen"));
    assert!(
        codegen.iter().any(|l| l.starts_with("libLLVM")),
        "{codegen:?}"
    );
}

#[test]
fn without_its_code_generator_beside_it_vaisc_says_so_and_still_checks() {
    let dir = scratch("alone", PROGRAM);
    let front = dir.join("vaisc");
    std::fs::copy(env!("CARGO_BIN_EXE_vaisc"), &front).expect("copy vaisc");
    let run = |args: &[&str]| {
        Command::new(&front)
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("run vaisc")
    };
    let out = run(&["build", "prog.vais"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("error: cannot run {}:", dir.join("vaisc-codegen").display());
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert_eq!(run(&["check", "prog.vais"]).status.code(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}
