//! Linking with the system C compiler: plain executables, hot hosts (with the embedded
//! hot-reload runtime and their symbols exported for patches), and patch libraries, each with
//! the C libraries the user asked for (`-l`, `-L`, or `links` in `vais.toml`).
//!
//! The runtime is a static library built with vaisc and embedded in it, so `vaisc` works from
//! any directory once installed. It is written once per vaisc build to a cache directory.

use super::libs::{self, Found, LinkOptions};
use super::DriverError;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// The hot-reload runtime (`loader`) as a static library.
static RUNTIME: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libvais_loader.a"));
/// A hash of [`RUNTIME`], naming its cached copy.
const RUNTIME_ID: &str = include_str!(concat!(env!("OUT_DIR"), "/runtime_id.txt"));
/// The system libraries a Rust static library needs.
const RUNTIME_LIBS: &[&str] = &["-ldl", "-lpthread", "-lrt", "-lutil", "-lgcc_s", "-lm"];

/// Runs `cc` with `args`, linking with the fastest linker installed ([`fast_linker_args`]).
fn cc(args: &[&OsStr]) -> Result<(), DriverError> {
    start_cc(args).wait()
}

/// Starts `cc` with `args` (as [`cc`]) without waiting for it.
fn start_cc(args: &[&OsStr]) -> Linking {
    Linking(
        Command::new("cc")
            .args(fast_linker_args())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn(),
    )
}

/// A link running in the background, so that the compiler can go on (freeing the code
/// generator's memory, building a hot build's patch) while the linker works.
#[must_use = "a link's outcome is known only once it is waited for"]
pub struct Linking(std::io::Result<Child>);

impl Linking {
    /// Waits for the linker: its error output if it failed.
    pub fn wait(self) -> Result<(), DriverError> {
        finished("cc", self.0.and_then(Child::wait_with_output))
    }
}

/// Where LLD is looked for besides the `PATH`: Debian's `lld-14` package puts `ld.lld` there
/// (on the `PATH` it is only `ld.lld-14`, a name `cc -fuse-ld=lld` does not look for).
const LLD_DIRS: &[&str] = &["/usr/lib/llvm-14/bin"];

/// The arguments that make `cc` link with LLD where it is installed, else with gold (which
/// comes with binutils on most systems), else none: the C compiler's default linker. LLD and
/// gold each link a hot host (whose runtime archive is large) in about half the time of the
/// default BFD linker. The one place that chooses the linker, for every `cc` link; looked up
/// once per process.
pub fn fast_linker_args() -> &'static [OsString] {
    static ARGS: OnceLock<Vec<OsString>> = OnceLock::new();
    ARGS.get_or_init(|| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let on_path: Vec<PathBuf> = std::env::split_paths(&path).collect();
        let extra: Vec<PathBuf> = LLD_DIRS.iter().map(PathBuf::from).collect();
        linker_args(&on_path, &extra)
    })
}

/// [`fast_linker_args`] for the directories of the `PATH` (`on_path`, where `cc` finds an
/// `ld.lld` or `ld.gold` by itself) and the `extra` ones (which `cc` is pointed to with `-B`
/// for LLD).
fn linker_args(on_path: &[PathBuf], extra: &[PathBuf]) -> Vec<OsString> {
    let find = |dirs: &[PathBuf], name: &str| dirs.iter().find(|d| d.join(name).is_file()).cloned();
    if find(on_path, "ld.lld").is_some() {
        return vec!["-fuse-ld=lld".into()];
    }
    if let Some(dir) = find(extra, "ld.lld") {
        let mut b = OsString::from("-B");
        b.push(dir.as_os_str());
        return vec![b, "-fuse-ld=lld".into()];
    }
    if find(on_path, "ld.gold").is_some() {
        return vec!["-fuse-ld=gold".into()];
    }
    Vec::new()
}

/// The outcome of running the tool `name`: its error output if it failed.
fn finished(name: &str, result: std::io::Result<Output>) -> Result<(), DriverError> {
    let result = result.map_err(|e| DriverError::Link(format!("cannot run `{name}`: {e}")))?;
    if result.status.success() {
        Ok(())
    } else {
        Err(DriverError::Link(
            String::from_utf8_lossy(&result.stderr).trim().to_string(),
        ))
    }
}

/// Links object files into an executable.
pub fn executable(objs: &[PathBuf], output: &Path, link: &LinkOptions) -> Result<(), DriverError> {
    start_executable(objs, output, link)?.wait()
}

/// Starts [`executable`]'s link.
pub fn start_executable(
    objs: &[PathBuf],
    output: &Path,
    link: &LinkOptions,
) -> Result<Linking, DriverError> {
    let found = libs::find_all(link)?;
    let mut args: Vec<OsString> = objs.iter().map(OsString::from).collect();
    args.extend(["-o".into(), output.into()]);
    args.extend(library_args(link, &found, false));
    args.push("-lm".into());
    Ok(start_cc(
        &args.iter().map(OsString::as_os_str).collect::<Vec<_>>(),
    ))
}

/// Starts the link of a hot host: the runtime goes in, and every symbol is exported so that
/// patches can use the host's globals and jump table. The user's C libraries are linked here
/// only: patches leave their symbols undefined, and the dynamic loader resolves them against
/// the host and the libraries it loaded.
pub fn start_hot_host(
    objs: &[PathBuf],
    output: &Path,
    link: &LinkOptions,
) -> Result<Linking, DriverError> {
    let found = libs::find_all(link)?;
    let runtime = runtime_library()?;
    let literal = format!("-Wl,--undefined={}", vais_hot_abi::LITERAL_SYMBOL);
    let mut args: Vec<OsString> = objs.iter().map(OsString::from).collect();
    args.extend([
        runtime.into(),
        "-o".into(),
        output.into(),
        "-rdynamic".into(),
        // Only patches call it, so nothing in the host would pull it from the archive.
        literal.into(),
    ]);
    args.extend(library_args(link, &found, true));
    args.extend(RUNTIME_LIBS.iter().map(OsString::from));
    Ok(start_cc(
        &args.iter().map(OsString::as_os_str).collect::<Vec<_>>(),
    ))
}

/// The linker arguments for the libraries: the `-L` directories and `-lNAME` as given, so the
/// linker picks the same files [`libs::find_all`] found. Every `-L` directory that supplied a
/// shared library is also the executable's run path, so the program runs (under `vaisc run`
/// and `vaisc watch --run` too) without `LD_LIBRARY_PATH`.
///
/// For a hot host, shared libraries are kept as dependencies even where the host calls none
/// of their functions (a toolchain defaulting to `--as-needed` would drop them), and static
/// archives go in whole: a later patch may call a function of the library that the host's own
/// code never did, and it can only find it in the host.
fn library_args(link: &LinkOptions, found: &[Found], hot: bool) -> Vec<OsString> {
    let mut args = Vec::new();
    for dir in &link.dirs {
        let mut arg = OsString::from("-L");
        arg.push(dir.as_os_str());
        args.push(arg);
    }
    for f in found {
        if let (Some(dir), false) = (&f.user_dir, f.is_static) {
            let mut rpath = OsString::from("-Wl,-rpath,");
            rpath.push(dir.as_os_str());
            if !args.contains(&rpath) {
                args.push(rpath);
            }
        }
    }
    if hot {
        args.push("-Wl,--no-as-needed".into());
    }
    for f in found {
        if hot && f.is_static {
            args.push("-Wl,--whole-archive".into());
            args.push(f.path.clone().into());
            args.push("-Wl,--no-whole-archive".into());
        } else {
            args.push(format!("-l{}", f.name).into());
        }
    }
    args
}

/// Links a patch library. It is written under a temporary name and renamed into place, so
/// a running host never sees a half-written file at `output`. The system linker is called
/// directly when present: a patch needs no C start-up files (its undefined symbols resolve
/// against the host and its libraries when loaded), and skipping the `cc` driver saves most of
/// the link time, which is most of the edit-to-reload latency.
pub fn patch(obj: &Path, output: &Path) -> Result<(), DriverError> {
    let tmp = output.with_file_name(format!(
        ".{}.{}.tmp",
        output.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    // One loadable code segment instead of three keeps each loaded patch to fewer pages;
    // a running program keeps several versions mapped at once (its rollback history).
    let args = [
        "-shared".as_ref(),
        "-z".as_ref(),
        "noseparate-code".as_ref(),
        obj.as_os_str(),
        "-o".as_ref(),
        tmp.as_os_str(),
    ];
    let linked = match Command::new("ld").args(args).output() {
        // No system linker to call: `cc` finds one.
        Err(_) => cc(&args),
        ran => finished("ld", ran),
    };
    // The runtime refuses patches other users could write, whatever the umask.
    let linked = linked.and_then(|()| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(|e| {
            DriverError::Write {
                path: tmp.clone(),
                message: e.to_string(),
            }
        })
    });
    if let Err(e) = linked {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, output).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        DriverError::Write {
            path: output.to_path_buf(),
            message: e.to_string(),
        }
    })
}

/// The cached copy of the runtime library, written on first use.
fn runtime_library() -> Result<PathBuf, DriverError> {
    let dir = cache_dir();
    let path = dir.join(format!("libvais_loader-{}.a", RUNTIME_ID.trim()));
    if path.exists() {
        return Ok(path);
    }
    let fail = |e: std::io::Error| {
        DriverError::Runtime(format!(
            "cannot write the hot-reload runtime to {}: {e}",
            path.display()
        ))
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, RUNTIME).map_err(fail)?;
    std::fs::rename(&tmp, &path).map_err(fail)?;
    Ok(path)
}

/// `$XDG_CACHE_HOME/vaisc`, else `~/.cache/vaisc`, else the temporary directory.
fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("vaisc");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h).join(".cache/vaisc");
    }
    std::env::temp_dir().join("vaisc-cache")
}

#[cfg(test)]
mod tests {
    use super::linker_args;
    use std::path::PathBuf;

    /// A fresh directory holding the files `names`.
    fn dir_with(tag: &str, names: &[&str]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vaisc-lld-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create dir");
        for n in names {
            std::fs::write(dir.join(n), "").expect("write file");
        }
        dir
    }

    #[test]
    fn lld_on_the_path_is_chosen_by_name() {
        let path = dir_with("path", &["ld.lld"]);
        let extra = dir_with("extra-1", &["ld.lld"]);
        assert_eq!(
            linker_args(std::slice::from_ref(&path), std::slice::from_ref(&extra)),
            ["-fuse-ld=lld"]
        );
        let _ = std::fs::remove_dir_all(path);
        let _ = std::fs::remove_dir_all(extra);
    }

    #[test]
    fn lld_outside_the_path_is_pointed_to_and_chosen_over_gold() {
        let path = dir_with("plain", &["ld", "ld.gold"]);
        let extra = dir_with("extra-2", &["ld.lld"]);
        let b = format!("-B{}", extra.display());
        assert_eq!(
            linker_args(std::slice::from_ref(&path), std::slice::from_ref(&extra)),
            [b.as_str(), "-fuse-ld=lld"]
        );
        let _ = std::fs::remove_dir_all(path);
        let _ = std::fs::remove_dir_all(extra);
    }

    #[test]
    fn without_lld_gold_is_chosen() {
        let path = dir_with("gold", &["ld", "ld.gold", "ld.lld-14"]);
        assert_eq!(
            linker_args(std::slice::from_ref(&path), &[]),
            ["-fuse-ld=gold"]
        );
        let _ = std::fs::remove_dir_all(path);
    }

    #[test]
    fn without_lld_or_gold_the_default_linker_is_kept() {
        let path = dir_with("none", &["ld", "ld.lld-14"]);
        assert!(linker_args(std::slice::from_ref(&path), &[]).is_empty());
        let _ = std::fs::remove_dir_all(path);
    }
}
