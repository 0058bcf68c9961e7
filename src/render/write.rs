//! All-or-nothing writing of an output directory.
//!
//! Files are written to a fresh staging directory beside DIR, then moved
//! into place one by one only after every file was written. An existing
//! DIR keeps every file azmesh did not write; nothing is ever deleted there.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::OutputFile;

#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for WriteError {}

fn err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |error| WriteError {
        path: path.to_path_buf(),
        error,
    }
}

/// Writes `files` under `dir`. On error, `dir` is as it was (a file that
/// was already moved is restored from its previous content).
pub fn write_atomically(dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, WriteError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(err(&parent))?;
    let stage = tempdir_in(&parent)?;
    let result = stage_and_commit(dir, &stage, files);
    let _ = fs::remove_dir_all(&stage);
    result
}

fn tempdir_in(parent: &Path) -> Result<PathBuf, WriteError> {
    for n in 0..1000u32 {
        let path = parent.join(format!(".azmesh-stage-{}-{n}", std::process::id()));
        match fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(err(&path)(e)),
        }
    }
    Err(err(parent)(io::Error::other(
        "no free staging directory name",
    )))
}

fn stage_and_commit(
    dir: &Path,
    stage: &Path,
    files: &[OutputFile],
) -> Result<Vec<PathBuf>, WriteError> {
    for file in files {
        let staged = stage.join(&file.path);
        if let Some(p) = staged.parent() {
            fs::create_dir_all(p).map_err(err(p))?;
        }
        fs::write(&staged, &file.contents).map_err(err(&staged))?;
    }
    // Everything is written: check that each target can be replaced
    // before moving anything.
    for file in files {
        let target = dir.join(&file.path);
        if target.is_dir() {
            return Err(err(&target)(io::Error::other("a directory is in the way")));
        }
    }
    let mut done: Vec<(PathBuf, Option<Vec<u8>>)> = Vec::new();
    for file in files {
        let target = dir.join(&file.path);
        let previous = fs::read(&target).ok();
        let moved = target
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::rename(stage.join(&file.path), &target));
        if let Err(e) = moved {
            for (path, old) in done.into_iter().rev() {
                let _ = match old {
                    Some(bytes) => fs::write(&path, bytes),
                    None => fs::remove_file(&path),
                };
            }
            return Err(err(&target)(e));
        }
        done.push((target, previous));
    }
    Ok(done.into_iter().map(|(p, _)| p).collect())
}
