//! Prepares what vaisc embeds at build time.
//!
//! - The hot-reload runtime (`loader`, as a static library), so that vaisc can link it into hot
//!   hosts from any directory, with no source tree at hand. It is built by a nested `cargo
//!   build` into its own target directory under `OUT_DIR`, in release mode, because the
//!   runtime's speed matters in the user's program no matter how vaisc itself was built.
//! - The names the linked LLVM treats as C library functions, read from its
//!   `TargetLibraryInfo.def`, so code generation can tell LLVM which of them a program defines
//!   itself (`codegen/builtins.rs`).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    build_runtime();
    write_library_function_names();
}

fn build_runtime() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let loader = manifest_dir.join("../loader");
    for watched in ["src", "Cargo.toml", "abi/src", "abi/Cargo.toml"] {
        println!("cargo:rerun-if-changed={}", loader.join(watched).display());
    }
    let target_dir = out_dir.join("runtime-target");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(cargo)
        .arg("build")
        .arg("--release")
        .arg("--lib")
        .arg("--manifest-path")
        .arg(loader.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        // The outer build may be `cargo clippy` or use a wrapper; the runtime is a plain build.
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .expect("cannot run cargo to build the hot-reload runtime");
    assert!(status.success(), "building the hot-reload runtime failed");
    let lib = target_dir.join("release/libvais_loader.a");
    let bytes = std::fs::read(&lib).expect("runtime library missing");
    std::fs::write(out_dir.join("libvais_loader.a"), &bytes).expect("write runtime library");
    // An id for the runtime's contents, so each vaisc build caches its own copy.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in &bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    std::fs::write(out_dir.join("runtime_id.txt"), format!("{h:016x}")).expect("write runtime id");
}

/// Writes `libfuncs.txt` to `OUT_DIR`: one name per line, sorted, of every function LLVM's
/// target library info knows.
fn write_library_function_names() {
    let config = llvm_config();
    let out = Command::new(&config)
        .arg("--includedir")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {config}: {e}"));
    assert!(out.status.success(), "{config} --includedir failed");
    let include = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let def = include.join("llvm/Analysis/TargetLibraryInfo.def");
    println!("cargo:rerun-if-changed={}", def.display());
    let text = std::fs::read_to_string(&def)
        .unwrap_or_else(|e| panic!("cannot read {} (from llvm-14-dev): {e}", def.display()));
    let mut names: Vec<&str> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("TLI_DEFINE_STRING_INTERNAL(\""))
        .filter_map(|rest| rest.strip_suffix("\")"))
        .collect();
    names.sort_unstable();
    names.dedup();
    assert!(
        names.contains(&"sqrt"),
        "{} lists no library functions",
        def.display()
    );
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    std::fs::write(out_dir.join("libfuncs.txt"), names.join("\n")).expect("write libfuncs.txt");
}

/// The `llvm-config` that `llvm-sys` uses: under `LLVM_SYS_140_PREFIX` if set, else on `PATH`.
fn llvm_config() -> String {
    println!("cargo:rerun-if-env-changed=LLVM_SYS_140_PREFIX");
    if let Some(prefix) = env::var_os("LLVM_SYS_140_PREFIX") {
        return PathBuf::from(prefix)
            .join("bin/llvm-config")
            .display()
            .to_string();
    }
    ["llvm-config", "llvm-config-14"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok())
        .unwrap_or("llvm-config")
        .to_string()
}
