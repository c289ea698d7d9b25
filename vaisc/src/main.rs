//! The `vaisc` command-line interface.

fn main() {}
