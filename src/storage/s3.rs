//! The S3-compatible store (`object_store`'s `AmazonS3`): multipart uploads in fixed parts with bounded
//! concurrency (memory stays at a few parts), presigned GET URLs for downloads.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::signer::Signer;
use object_store::{
    Attribute, Attributes, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMultipartOptions, WriteMultipart,
};
use sha2::{Digest, Sha256};

use super::{attachment, check_checksum, keys, ByteStream, FileStore, ObjectInfo, PutRequest, StorageError, Stored};
use crate::config::S3Settings;

/// Size of one multipart part.
const PART: usize = 8 * 1024 * 1024;
/// Parts uploading at once.
const CONCURRENCY: usize = 2;

/// Objects in an S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    s3: Arc<AmazonS3>,
}

fn backend(e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { .. } => StorageError::NotFound,
        other => StorageError::Backend(other.to_string()),
    }
}

fn path(key: &str) -> Result<Path, StorageError> {
    keys::check(key)?;
    Path::parse(key).map_err(|e| StorageError::BadKey(e.to_string()))
}

impl S3Store {
    /// The store for `settings` (path-style requests; plain http allowed for a custom endpoint).
    pub fn new(settings: &S3Settings) -> Result<Self, StorageError> {
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(settings.secret_access_key.expose());
        if let Some(endpoint) = &settings.endpoint {
            b = b.with_endpoint(endpoint).with_allow_http(true).with_virtual_hosted_style_request(false);
        }
        Ok(Self { s3: Arc::new(b.build().map_err(backend)?) })
    }
}

#[async_trait::async_trait]
impl FileStore for S3Store {
    async fn put(&self, key: &str, mut body: ByteStream, req: PutRequest) -> Result<Stored, StorageError> {
        let p = path(key)?;
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentDisposition, attachment(&req.download_name).into());
        attributes.insert(Attribute::ContentType, req.media_type.clone().into());
        let opts = PutMultipartOptions { attributes, ..Default::default() };
        let upload = self.s3.put_multipart_opts(&p, opts).await.map_err(backend)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let outcome: Result<(), StorageError> = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                size += chunk.len() as u64;
                if size > req.limit {
                    return Err(StorageError::TooLarge { limit: req.limit });
                }
                hasher.update(&chunk);
                writer.wait_for_capacity(CONCURRENCY).await.map_err(backend)?;
                writer.put(chunk);
            }
            Ok(())
        }
        .await;
        let sha256 = hex::encode(hasher.finalize());
        match outcome.and_then(|()| check_checksum(&req.expected_sha256, &sha256)) {
            Ok(()) => {
                writer.finish().await.map_err(backend)?;
                Ok(Stored { size, sha256 })
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError> {
        match self.s3.head(&path(key)?).await {
            Ok(meta) => Ok(Some(ObjectInfo { size: meta.size })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(backend(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.s3.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(backend(e)),
        }
    }

    async fn list(&self, prefix: &str, max: usize) -> Result<Vec<String>, StorageError> {
        let dir = prefix.rfind('/').map(|i| &prefix[..i]).unwrap_or("");
        let dir_path = if dir.is_empty() { None } else { Some(path(dir)?) };
        let mut stream = self.s3.list(dir_path.as_ref());
        let mut out = Vec::new();
        while let Some(meta) = stream.next().await {
            let key = meta.map_err(backend)?.location.to_string();
            if key.starts_with(prefix) {
                out.push(key);
                if out.len() >= max {
                    break;
                }
            }
        }
        out.sort();
        Ok(out)
    }

    async fn read(&self, key: &str, range: Option<Range<u64>>) -> Result<ByteStream, StorageError> {
        let opts = GetOptions { range: range.map(GetRange::Bounded), ..Default::default() };
        let result = self.s3.get_opts(&path(key)?, opts).await.map_err(backend)?;
        Ok(result.into_stream().map(|r| r.map_err(backend)).boxed())
    }

    async fn presigned_get(&self, key: &str, expires_in: Duration) -> Result<Option<String>, StorageError> {
        let url = self.s3.signed_url(http::Method::GET, &path(key)?, expires_in).await.map_err(backend)?;
        Ok(Some(url.to_string()))
    }
}
