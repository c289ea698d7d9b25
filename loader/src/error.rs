//! Why a patch was refused. Each message is one line a user can act on; the running program
//! keeps its current code whenever one of these is reported.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read patch {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("{} is not a loadable patch ({size} bytes, {why}): truncated or corrupt", path.display())]
    NotALibrary {
        path: PathBuf,
        size: usize,
        why: String,
    },
    #[error("refusing to load {}: {why}", path.display())]
    Untrusted { path: PathBuf, why: String },
    #[error("cannot load patch: {0}")]
    Open(String),
    #[error("library has no Vais hot manifest: it was not built by `vaisc build --hot`")]
    NoManifest,
    #[error(
        "patch uses hot ABI version {patch}, this host uses {host}: rebuild both with one vaisc"
    )]
    AbiVersion { patch: u32, host: u32 },
    #[error("library is a hot host, not a patch")]
    NotAPatch,
    #[error("patch was built from another program")]
    OtherProgram,
    #[error("{name}: signature changed from {old} to {new}")]
    Signature {
        name: String,
        old: String,
        new: String,
    },
    /// The patch changes layouts in a way the running program's values cannot follow.
    #[error("{0}")]
    Migration(#[from] vais_hot_abi::migrate::Refusal),
    #[error("global `{name}` changed type from {old} to {new} since the patch that added it: restart the program to apply it")]
    NewGlobalType {
        name: String,
        old: String,
        new: String,
    },
}
