//! The Vais compiler as a library: every stage from source text to a linked executable.
//!
//! The stages are modules rather than crates so that they share one set of data types:
//! `lexer` and `parser` turn text into the `ast`, `resolve` loads imported modules, `typeck`
//! checks the program and lowers it to the typed `tir`, `codegen` turns that into LLVM IR and
//! object code, and `driver` runs the whole pipeline and links with the system C compiler.

pub mod ast;
pub mod codegen;
pub mod diagnostics;
pub mod driver;
pub mod hot;
pub mod lexer;
pub mod parser;
pub mod pkg;
pub mod resolve;
#[cfg(test)]
mod snapshot;
pub mod source;
pub mod stdlib;
pub mod tir;
pub mod typeck;
pub mod watch;
