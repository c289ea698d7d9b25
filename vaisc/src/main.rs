//! The `vaisc` command-line interface (being wired up).
fn main() {}
