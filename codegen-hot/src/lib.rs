//! The hot-reload code generation pass.
//!
//! This crate will own the rewrite of a compiled module so that every call to a `#[hot]`
//! function goes through one global jump table. It is a placeholder crate until the hot-build
//! work lands; it exists now so that the workspace layout is stable.
