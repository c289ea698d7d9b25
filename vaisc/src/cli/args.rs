//! The command line both halves of `vaisc` parse (`main.rs`, the front, and `codegen.rs`,
//! the code generator it runs for every command but `check`): the same definition, so both
//! give the same help and the same errors.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use vaisc::driver::LinkOptions;

#[derive(Parser)]
#[command(name = "vaisc", version, about = "The Vais compiler")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EmitArg {
    Exe,
    Obj,
    LlvmIr,
}

#[derive(clap::Args)]
pub struct CodegenArgs {
    /// Optimisation level.
    #[arg(short = 'O', default_value = "0", value_parser = clap::value_parser!(u8).range(0..=3))]
    pub opt_level: u8,
    /// Emit debug information (DWARF line tables).
    #[arg(short = 'g')]
    pub debug: bool,
    #[command(flatten)]
    pub link: LinkArgs,
}

/// C libraries to link, spelled as `cc` spells them.
#[derive(clap::Args)]
pub struct LinkArgs {
    /// Link the C library NAME (libNAME.so or libNAME.a); repeatable.
    #[arg(short = 'l', value_name = "NAME")]
    pub libs: Vec<String>,
    /// Look for -l libraries in DIR first; repeatable.
    #[arg(short = 'L', value_name = "DIR")]
    pub lib_dirs: Vec<PathBuf>,
}

impl LinkArgs {
    /// These libraries, then the package's (a package adds its `links` and `lib-dirs`).
    pub fn options(self, pkg: Option<&vaisc::pkg::Package>) -> LinkOptions {
        let mut link = LinkOptions {
            libs: self.libs,
            dirs: self.lib_dirs,
        };
        if let Some(p) = pkg {
            link.libs.extend(p.links.iter().cloned());
            link.dirs.extend(p.lib_dirs.iter().cloned());
        }
        link
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Compile a Vais program to a native executable.
    Build {
        file: PathBuf,
        /// Output path (default: ./STEM, or STEM.ll / STEM.o for other --emit kinds).
        #[arg(short = 'o')]
        output: Option<PathBuf>,
        #[command(flatten)]
        codegen: CodegenArgs,
        /// What to write.
        #[arg(long, value_enum, default_value = "exe")]
        emit: EmitArg,
        /// Hot build: a host executable plus the patch library `lib<stem>.so` beside it.
        #[arg(long)]
        hot: bool,
        /// With --hot: rebuild only the patch library, for the host already at the output path.
        #[arg(long, requires = "hot")]
        patch_only: bool,
    },
    /// Compile and run a program; vaisc exits with the program's exit status.
    Run {
        file: PathBuf,
        #[command(flatten)]
        codegen: CodegenArgs,
        /// Arguments passed to the program.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Check a program for errors without generating code.
    Check { file: PathBuf },
    /// Rebuild on every save; with --run, run the program and hot-reload it.
    Watch {
        file: PathBuf,
        #[command(flatten)]
        watch: WatchArgs,
    },
    /// Build or watch the package described by vais.toml (here or in a folder above).
    Pkg {
        #[command(subcommand)]
        command: PkgCommand,
    },
}

#[derive(clap::Args)]
pub struct WatchArgs {
    /// Output path of the host (default: ./STEM).
    #[arg(short = 'o')]
    pub output: Option<PathBuf>,
    /// Optimisation level.
    #[arg(short = 'O', default_value = "0", value_parser = clap::value_parser!(u8).range(0..=3))]
    pub opt_level: u8,
    /// Run the program and apply each rebuild to it while it runs.
    #[arg(long, conflicts_with = "exec")]
    pub run: bool,
    /// Run this command instead of the program (the host is still kept up to date).
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Quiet time after a file event before rebuilding, in milliseconds.
    #[arg(long, value_name = "MS", default_value = "3")]
    pub debounce: u64,
    /// Rebuild and restart the program when a change cannot be hot-applied.
    #[arg(long)]
    pub restart_on_incompatible: bool,
    #[command(flatten)]
    pub link: LinkArgs,
    /// Arguments for the program (or the --exec command).
    #[arg(last = true)]
    pub args: Vec<String>,
}

#[derive(Subcommand)]
pub enum PkgCommand {
    /// Build the package's executable (`--hot`: host and patch).
    Build {
        #[arg(long)]
        hot: bool,
        #[command(flatten)]
        codegen: CodegenArgs,
    },
    /// Watch the package: `vaisc watch` on its entry file.
    Watch {
        #[command(flatten)]
        watch: WatchArgs,
    },
}
