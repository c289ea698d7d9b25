//! The in-process hot-reload runtime.
//!
//! This crate will own loading, validating and publishing patch libraries inside a running hot
//! host. It exists now so that the workspace layout is stable; the hot-build work fills it in.
