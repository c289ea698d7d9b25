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
pub mod name;
pub mod parser;
pub mod pkg;
pub mod resolve;
#[cfg(test)]
mod snapshot;
pub mod source;
pub mod stdlib;
pub mod timings;
pub mod tir;
pub mod typeck;
pub mod watch;

/// Stack size of the thread the compiler runs on: enough for expressions hundreds of thousands
/// of terms long. Only the pages actually used are ever committed.
pub const COMPILER_STACK: usize = 1 << 30;

/// Runs `f` on a thread with [`COMPILER_STACK`] bytes of stack and waits for it.
///
/// The passes walk the syntax tree recursively. The parser limits nesting
/// ([`parser::MAX_NESTING`]), but a long left-leaning chain such as `1 + 1 + ... + 1` (which the
/// parser builds without recursion) is as deep as it is long for type checking, code
/// generation and dropping the tree, and an unoptimised parser needs several megabytes at the
/// nesting limit. So the `vaisc` command, and any other caller that compiles arbitrary input,
/// runs the compiler through this. The outer error is a failure to start the thread, the inner
/// one a panic of `f`.
pub fn with_compiler_stack<T: Send>(
    f: impl FnOnce() -> T + Send,
) -> std::io::Result<std::thread::Result<T>> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("vaisc".to_string())
            .stack_size(COMPILER_STACK)
            .spawn_scoped(scope, f)?;
        Ok(handle.join())
    })
}
