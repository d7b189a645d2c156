//! Crash-safe file writing: every file is written under a temporary name, synced, renamed into place, and
//! its directory synced, so a reader (or a rerun after `kill -9`) sees the old file or the new one, never a
//! part.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::error::ExtractError;

/// Suffix of files being written.
pub const TMP_SUFFIX: &str = ".tmp";

/// A file being written; it appears under its name only on [`AtomicFile::commit`].
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    out: BufWriter<File>,
}

impl AtomicFile {
    /// Starts writing `dest` (as `dest.tmp`, replacing any leftover).
    pub fn create(dest: &Path) -> Result<Self, ExtractError> {
        let mut name = dest.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(TMP_SUFFIX);
        let tmp = dest.with_file_name(name);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(|e| ExtractError::io(dir.display(), e))?;
        }
        let file = File::create(&tmp).map_err(|e| ExtractError::io(tmp.display(), e))?;
        Ok(Self { tmp, dest: dest.to_path_buf(), out: BufWriter::with_capacity(1 << 20, file) })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.out
    }

    /// Flushes, syncs, renames into place and syncs the directory.
    pub fn commit(self) -> Result<(), ExtractError> {
        let Self { tmp, dest, out } = self;
        let file = out.into_inner().map_err(|e| ExtractError::io(tmp.display(), e.into_error()))?;
        file.sync_all().map_err(|e| ExtractError::io(tmp.display(), e))?;
        drop(file);
        fs::rename(&tmp, &dest).map_err(|e| ExtractError::io(dest.display(), e))?;
        sync_parent(&dest)
    }
}

/// Writes `bytes` to `dest` atomically (see [`AtomicFile`]); `crash` names the test crash point hit
/// between the temporary file's sync and the rename.
pub fn write_atomic(dest: &Path, bytes: &[u8], crash: Option<&str>) -> Result<(), ExtractError> {
    let mut f = AtomicFile::create(dest)?;
    f.writer().write_all(bytes).map_err(|e| ExtractError::io(dest.display(), e))?;
    if let Some(point) = crash {
        f.writer().flush().map_err(|e| ExtractError::io(dest.display(), e))?;
        crash_point(point);
    }
    f.commit()
}

/// Syncs the directory holding `path` (makes a rename or removal durable).
pub fn sync_parent(path: &Path) -> Result<(), ExtractError> {
    let Some(dir) = path.parent() else { return Ok(()) };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| ExtractError::io(dir.display(), e))
}

/// Removes `path` if it exists (and syncs its directory).
pub fn remove_if_exists(path: &Path) -> Result<(), ExtractError> {
    let removed = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
    match removed {
        Ok(()) => sync_parent(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ExtractError::io(path.display(), e)),
    }
}

/// Removes every leftover `*.tmp` file under `dir` (from a run that was killed).
pub fn remove_tmp_files(dir: &Path) -> Result<usize, ExtractError> {
    let mut removed = 0;
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(ExtractError::io(dir.display(), e)),
    };
    for entry in entries {
        let path = entry.map_err(|e| ExtractError::io(dir.display(), e))?.path();
        if path.is_dir() {
            removed += remove_tmp_files(&path)?;
        } else if path.to_string_lossy().ends_with(TMP_SUFFIX) {
            fs::remove_file(&path).map_err(|e| ExtractError::io(path.display(), e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// A test hook: when the (debug-build) environment variable `DATATRACKER_EXTRACT_CRASH_AT` equals `point`,
/// the process aborts on the spot, like `kill -9` at the worst moment. Release builds ignore it.
pub fn crash_point(point: &str) {
    #[cfg(debug_assertions)]
    {
        static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        let at = AT.get_or_init(|| std::env::var("DATATRACKER_EXTRACT_CRASH_AT").ok());
        if at.as_deref() == Some(point) {
            eprintln!("crash point {point}: aborting");
            std::process::abort();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = point;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/a.jsonl");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.writer().write_all(b"{}\n").unwrap();
        assert!(!dest.exists());
        f.commit().unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "{}\n");
        write_atomic(&dest, b"x", None).unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "x");
    }

    #[test]
    fn leftover_tmp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("h/d")).unwrap();
        fs::write(dir.path().join("h/d/x.jsonl.tmp"), "half").unwrap();
        fs::write(dir.path().join("keep.jsonl"), "whole").unwrap();
        assert_eq!(remove_tmp_files(dir.path()).unwrap(), 1);
        assert!(dir.path().join("keep.jsonl").exists());
        assert!(!dir.path().join("h/d/x.jsonl.tmp").exists());
    }
}
