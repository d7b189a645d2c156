//! The local directory store: objects are files under a root directory. Uploads go to a temporary file
//! in `.uploads/` and are renamed into place only when complete and verified.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::{check_checksum, keys, ByteStream, FileStore, ObjectInfo, PutRequest, StorageError, Stored};

const UPLOADS: &str = ".uploads";
const READ_CHUNK: usize = 256 * 1024;

/// Objects as files under `root`.
#[derive(Debug, Clone)]
pub struct LocalDir {
    root: PathBuf,
}

fn io(e: std::io::Error) -> StorageError {
    StorageError::Backend(e.to_string())
}

impl LocalDir {
    /// The store under `root` (created on first write).
    pub fn new(root: &Path) -> Self {
        Self { root: root.to_path_buf() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        keys::check(key)?;
        Ok(self.root.join(key))
    }

    async fn write_all(
        file: &mut tokio::fs::File,
        mut body: ByteStream,
        req: &PutRequest,
    ) -> Result<Stored, StorageError> {
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            if size > req.limit {
                return Err(StorageError::TooLarge { limit: req.limit });
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        let sha256 = hex::encode(hasher.finalize());
        check_checksum(&req.expected_sha256, &sha256)?;
        Ok(Stored { size, sha256 })
    }
}

#[async_trait::async_trait]
impl FileStore for LocalDir {
    async fn put(&self, key: &str, body: ByteStream, req: PutRequest) -> Result<Stored, StorageError> {
        let target = self.path(key)?;
        tokio::fs::create_dir_all(self.root.join(UPLOADS)).await.map_err(io)?;
        let tmp = self.root.join(UPLOADS).join(uuid::Uuid::new_v4().simple().to_string());
        let mut file = tokio::fs::File::create(&tmp).await.map_err(io)?;
        let written = Self::write_all(&mut file, body, &req).await;
        drop(file);
        let stored = match written {
            Ok(s) => s,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e);
            }
        };
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io)?;
        }
        if let Err(e) = tokio::fs::rename(&tmp, &target).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io(e));
        }
        Ok(stored)
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError> {
        match tokio::fs::metadata(self.path(key)?).await {
            Ok(m) if m.is_file() => Ok(Some(ObjectInfo { size: m.len() })),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }

    async fn list(&self, prefix: &str, max: usize) -> Result<Vec<String>, StorageError> {
        // Walk from the deepest directory named by the prefix.
        let dir_part = prefix.rfind('/').map(|i| &prefix[..i]).unwrap_or("");
        if !dir_part.is_empty() {
            keys::check(dir_part)?;
        }
        let mut out = Vec::new();
        let mut todo = vec![(self.root.join(dir_part), dir_part.to_owned())];
        while let Some((dir, rel)) = todo.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(e)),
            };
            while let Some(entry) = entries.next_entry().await.map_err(io)? {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let key = if rel.is_empty() { name } else { format!("{rel}/{name}") };
                let ft = entry.file_type().await.map_err(io)?;
                if ft.is_dir() {
                    todo.push((entry.path(), key));
                } else if ft.is_file() && key.starts_with(prefix) {
                    out.push(key);
                    if out.len() >= max {
                        return Ok(out);
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }

    async fn read(&self, key: &str, range: Option<Range<u64>>) -> Result<ByteStream, StorageError> {
        let mut file = match tokio::fs::File::open(self.path(key)?).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StorageError::NotFound),
            Err(e) => return Err(io(e)),
        };
        let len = file.metadata().await.map_err(io)?.len();
        let range = range.unwrap_or(0..len);
        if range.start > range.end || range.end > len {
            return Err(StorageError::BadRange);
        }
        file.seek(std::io::SeekFrom::Start(range.start)).await.map_err(io)?;
        let reader = file.take(range.end - range.start);
        Ok(tokio_util::io::ReaderStream::with_capacity(reader, READ_CHUNK).map(|r| r.map_err(io)).boxed())
    }

    async fn presigned_get(&self, _key: &str, _expires_in: Duration) -> Result<Option<String>, StorageError> {
        Ok(None)
    }
}
