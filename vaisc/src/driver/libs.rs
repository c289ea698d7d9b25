//! The C libraries a program links (`-l NAME`, `-L DIR`, or `links` and `lib-dirs` in
//! `vais.toml`), and finding each one before the linker runs.
//!
//! Each library is looked for the way `cc -lNAME` does: in the `-L` directories in order, then
//! in the C compiler's own library path, taking `libNAME.so` before `libNAME.a` within one
//! directory (`-l:FILE` names the file exactly). A library found nowhere is one error naming
//! it, instead of the linker's output.

use super::DriverError;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The C libraries to link, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkOptions {
    /// Library names as `-l` takes them: `SDL2` for `libSDL2.so`, or `:libfoo.a` for a file.
    pub libs: Vec<String>,
    /// Directories searched before the compiler's own, in order.
    pub dirs: Vec<PathBuf>,
}

/// A library found on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The name as given to `-l`.
    pub name: String,
    /// The file the linker will use.
    pub path: PathBuf,
    /// Whether it is an archive (`.a`) rather than a shared library.
    pub is_static: bool,
    /// The `-L` directory it was found in (absolute), if it was one of the user's.
    pub user_dir: Option<PathBuf>,
}

/// Finds every library of `link`, or fails on the first one that is nowhere.
pub fn find_all(link: &LinkOptions) -> Result<Vec<Found>, DriverError> {
    if link.libs.is_empty() {
        return Ok(Vec::new());
    }
    let system = compiler_dirs()?;
    link.libs
        .iter()
        .map(|name| {
            find(name, &link.dirs, system).ok_or_else(|| DriverError::MissingLibrary {
                name: name.clone(),
                dirs: link.dirs.clone(),
            })
        })
        .collect()
}

/// The file names `-lNAME` accepts in one directory, preferred first, each with whether it is
/// an archive.
fn candidates(name: &str) -> Vec<(String, bool)> {
    match name.strip_prefix(':') {
        Some(file) => vec![(file.to_string(), file.ends_with(".a"))],
        None => vec![
            (format!("lib{name}.so"), false),
            (format!("lib{name}.a"), true),
        ],
    }
}

fn find(name: &str, user: &[PathBuf], system: &[PathBuf]) -> Option<Found> {
    let files = candidates(name);
    let dirs = user
        .iter()
        .map(|d| (d, true))
        .chain(system.iter().map(|d| (d, false)));
    for (dir, is_user) in dirs {
        for (file, is_static) in &files {
            let path = dir.join(file);
            if path.is_file() {
                let user_dir = is_user.then(|| absolute(dir));
                return Some(Found {
                    name: name.to_string(),
                    path,
                    is_static: *is_static,
                    user_dir,
                });
            }
        }
    }
    None
}

fn absolute(dir: &Path) -> PathBuf {
    dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())
}

/// The C compiler's library search path, asked of it once per run.
fn compiler_dirs() -> Result<&'static [PathBuf], DriverError> {
    static DIRS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    if let Some(dirs) = DIRS.get() {
        return Ok(dirs);
    }
    let out = Command::new("cc")
        .arg("-print-search-dirs")
        .output()
        .map_err(|e| DriverError::Link(format!("cannot run `cc`: {e}")))?;
    let dirs = parse_search_dirs(&String::from_utf8_lossy(&out.stdout));
    Ok(DIRS.get_or_init(|| dirs))
}

/// The directories of the `libraries: =DIR:DIR...` line of `cc -print-search-dirs` (the
/// format GCC and Clang both print).
fn parse_search_dirs(text: &str) -> Vec<PathBuf> {
    text.lines()
        .find_map(|l| l.strip_prefix("libraries:"))
        .map(|l| {
            let l = l.trim_start().trim_start_matches('=');
            std::env::split_paths(l)
                .filter(|d| !d.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_compilers_library_path() {
        let text = "install: /usr/lib/gcc/x86_64-linux-gnu/12/\n\
                    programs: =/usr/bin\n\
                    libraries: =/usr/lib/gcc/x86_64-linux-gnu/12/:/lib/x86_64-linux-gnu/:/usr/lib/\n";
        assert_eq!(
            parse_search_dirs(text),
            vec![
                PathBuf::from("/usr/lib/gcc/x86_64-linux-gnu/12/"),
                PathBuf::from("/lib/x86_64-linux-gnu/"),
                PathBuf::from("/usr/lib/"),
            ]
        );
    }

    #[test]
    fn shared_before_static_and_user_dirs_first() {
        let root = std::env::temp_dir().join(format!("vaisc-libs-{}", std::process::id()));
        let (a, b) = (root.join("a"), root.join("b"));
        std::fs::create_dir_all(&a).expect("dir a");
        std::fs::create_dir_all(&b).expect("dir b");
        std::fs::write(a.join("libx.a"), "").expect("a/libx.a");
        std::fs::write(b.join("libx.so"), "").expect("b/libx.so");
        std::fs::write(b.join("libx.a"), "").expect("b/libx.a");
        let found =
            find("x", std::slice::from_ref(&b), std::slice::from_ref(&a)).expect("found in b");
        assert_eq!(found.path, b.join("libx.so"));
        assert!(!found.is_static);
        assert!(found.user_dir.is_some());
        let found = find("x", &[], std::slice::from_ref(&a)).expect("found in a");
        assert!(found.is_static && found.user_dir.is_none());
        let found = find(":libx.a", std::slice::from_ref(&b), &[]).expect("exact file");
        assert_eq!(found.path, b.join("libx.a"));
        assert!(find("y", &[a, b], &[]).is_none());
        let _ = std::fs::remove_dir_all(&root);
    }
}
