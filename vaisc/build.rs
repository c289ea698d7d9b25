//! Builds the hot-reload runtime (`loader`, as a static library) so that vaisc can embed it and
//! link it into hot hosts from any directory, with no source tree at hand.
//!
//! The runtime is built by a nested `cargo build` into its own target directory under
//! `OUT_DIR`, in release mode, because the runtime's speed matters in the user's program no
//! matter how vaisc itself was built.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
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
