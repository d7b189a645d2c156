//! One extractor per output directory: `.extract/lock` holds the running extractor's process id. A lock
//! whose process is gone (a run killed with `kill -9`) is taken over.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::checkpoint::work_dir;
use super::error::ExtractError;

/// The held lock; removed on drop.
pub struct DirLock {
    path: PathBuf,
}

fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

impl DirLock {
    /// Takes the lock of `out`, or fails (configuration) when another live extractor holds it.
    pub fn take(out: &Path) -> Result<Self, ExtractError> {
        let path = work_dir(out).join("lock");
        for _ in 0..2 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    write!(f, "{}", std::process::id()).map_err(|e| ExtractError::io(path.display(), e))?;
                    return Ok(Self { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).ok().and_then(|s| s.trim().parse::<u32>().ok());
                    if let Some(pid) = holder.filter(|p| alive(*p) && *p != std::process::id()) {
                        return Err(ExtractError::Config(format!(
                            "another extract (process {pid}) is writing {}; one extractor per directory",
                            out.display()
                        )));
                    }
                    // Left by a killed run (or being written this instant): take it over.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => return Err(ExtractError::io(path.display(), e)),
            }
        }
        Err(ExtractError::Config(format!("cannot lock {}", path.display())))
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_is_refused_and_a_dead_one_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(work_dir(dir.path())).unwrap();
        let lock = work_dir(dir.path()).join("lock");
        // pid 1 is always alive.
        std::fs::write(&lock, "1").unwrap();
        assert!(matches!(DirLock::take(dir.path()), Err(ExtractError::Config(_))));
        // A pid beyond pid_max is never alive.
        std::fs::write(&lock, "4294967").unwrap();
        let held = DirLock::take(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), std::process::id().to_string());
        drop(held);
        assert!(!lock.exists());
    }
}
