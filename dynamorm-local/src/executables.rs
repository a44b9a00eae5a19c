//! Executables on `PATH` (`java`, `npm`), with the platform's suffixes.

use std::path::PathBuf;

/// `name` with the platform's executable suffix.
pub(crate) fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The first `name` executable on `PATH`.
pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let mut names = vec![exe(name)];
    if cfg!(windows) {
        names.push(format!("{name}.cmd"));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}
