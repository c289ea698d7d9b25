//! The Vais standard library, embedded in the compiler so that `U std/...` works wherever
//! vaisc is installed. `$VAIS_STD` may point at a directory to use instead (for working on the
//! library itself).

/// `(module name, source)` of every standard module.
const MODULES: &[(&str, &str)] = &[
    ("fmt", include_str!("../../std/fmt.vais")),
    ("hot", include_str!("../../std/hot.vais")),
    ("math", include_str!("../../std/math.vais")),
    ("option", include_str!("../../std/option.vais")),
    ("prelude", include_str!("../../std/prelude.vais")),
    ("sdl", include_str!("../../std/sdl.vais")),
    ("vec", include_str!("../../std/vec.vais")),
];

/// The source of standard module `name` (`hot` for `U std/hot`).
pub fn module(name: &str) -> Option<&'static str> {
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_std_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../std");
        for entry in std::fs::read_dir(dir).expect("std dir") {
            let path = entry.expect("entry").path();
            let name = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            let on_disk = std::fs::read_to_string(&path).expect("read");
            assert_eq!(super::module(&name), Some(on_disk.as_str()), "{name}");
        }
    }
}
