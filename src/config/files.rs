//! Data file storage settings: `DATATRACKER_FILES_*`.

use std::path::PathBuf;
use std::time::Duration;

use super::{missing, ConfigError, Secret, Source};

/// Where data files are kept.
#[derive(Debug, Clone)]
pub enum FilesBackend {
    /// A local directory, served by the service itself behind HMAC-signed URLs (the default).
    Local {
        /// The root directory (`DATATRACKER_FILES_DIR`, default `.data/files`); created when missing.
        root: PathBuf,
    },
    /// An S3-compatible object store; downloads as [`S3Settings::downloads`] says.
    S3(S3Settings),
}

/// What a download URL of an S3 object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S3Downloads {
    /// A URL of the service, signed like the local directory's (bound to its viewer, access re-checked on
    /// every use), that answers with a redirect to a presigned GET valid for a few seconds (the default).
    Checked,
    /// A presigned GET of the object itself: a bearer grant until it expires, whoever holds it.
    Presigned,
}

/// An S3-compatible object store.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// Endpoint URL (`DATATRACKER_FILES_S3_ENDPOINT`; none = AWS). Path-style requests; plain http allowed.
    pub endpoint: Option<String>,
    /// Bucket (`DATATRACKER_FILES_S3_BUCKET`, required).
    pub bucket: String,
    /// Region (`DATATRACKER_FILES_S3_REGION`, default `us-east-1`).
    pub region: String,
    /// Access key id (`DATATRACKER_FILES_S3_ACCESS_KEY_ID`, required).
    pub access_key_id: String,
    /// Secret access key (`DATATRACKER_FILES_S3_SECRET_ACCESS_KEY`, required; never printed).
    pub secret_access_key: Secret,
    /// Download URLs (`DATATRACKER_FILES_S3_DOWNLOADS`: `checked` (default) or `presigned`).
    pub downloads: S3Downloads,
    /// Lifetime of the presigned GET a checked URL redirects to (`DATATRACKER_FILES_S3_REDIRECT_SECS`,
    /// default 30).
    pub redirect_ttl: Duration,
}

/// Data file settings.
#[derive(Debug, Clone)]
pub struct FilesSettings {
    /// The backend (`DATATRACKER_FILES_BACKEND`: `local` (default) or `s3`).
    pub backend: FilesBackend,
    /// Largest upload in bytes (`DATATRACKER_FILES_MAX_UPLOAD_BYTES`, default 10 GiB).
    pub max_upload_bytes: u64,
    /// Lifetime of a download URL when none is asked for (`DATATRACKER_FILES_URL_EXPIRY_SECS`, default 300).
    pub url_expiry: Duration,
    /// Longest lifetime a caller may ask for (`DATATRACKER_FILES_URL_MAX_EXPIRY_SECS`, default 3600).
    pub url_max_expiry: Duration,
}

pub(super) fn files_settings(src: &Source) -> Result<FilesSettings, ConfigError> {
    let backend = match src.get("DATATRACKER_FILES_BACKEND").map(str::trim) {
        None | Some("local") => FilesBackend::Local {
            root: PathBuf::from(src.get("DATATRACKER_FILES_DIR").map(str::trim).unwrap_or(".data/files")),
        },
        Some("s3") => {
            let required = |name: &str| {
                src.get(name)
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| missing(name, "required when DATATRACKER_FILES_BACKEND=s3"))
            };
            let endpoint = src.get("DATATRACKER_FILES_S3_ENDPOINT").map(str::trim).map(str::to_owned);
            if let Some(e) = &endpoint {
                let ok = url::Url::parse(e).map(|u| matches!(u.scheme(), "http" | "https")).unwrap_or(false);
                if !ok {
                    return Err(ConfigError {
                        variable: "DATATRACKER_FILES_S3_ENDPOINT".into(),
                        problem: format!("`{e}` is not an http(s) URL"),
                    });
                }
            }
            FilesBackend::S3(S3Settings {
                endpoint,
                bucket: required("DATATRACKER_FILES_S3_BUCKET")?,
                region: src.get("DATATRACKER_FILES_S3_REGION").unwrap_or("us-east-1").trim().to_owned(),
                access_key_id: required("DATATRACKER_FILES_S3_ACCESS_KEY_ID")?,
                secret_access_key: Secret::new(required("DATATRACKER_FILES_S3_SECRET_ACCESS_KEY")?),
                downloads: match src.get("DATATRACKER_FILES_S3_DOWNLOADS").map(str::trim) {
                    None | Some("") | Some("checked") => S3Downloads::Checked,
                    Some("presigned") => S3Downloads::Presigned,
                    Some(other) => {
                        return Err(ConfigError {
                            variable: "DATATRACKER_FILES_S3_DOWNLOADS".into(),
                            problem: format!("`{other}` is not `checked` or `presigned`"),
                        })
                    }
                },
                redirect_ttl: {
                    let v = src.parse("DATATRACKER_FILES_S3_REDIRECT_SECS", 30u64, "a number of seconds")?;
                    if !(1..=600).contains(&v) {
                        return Err(ConfigError {
                            variable: "DATATRACKER_FILES_S3_REDIRECT_SECS".into(),
                            problem: "must be between 1 and 600".into(),
                        });
                    }
                    Duration::from_secs(v)
                },
            })
        }
        Some(other) => {
            return Err(ConfigError {
                variable: "DATATRACKER_FILES_BACKEND".into(),
                problem: format!("`{other}` is not `local` or `s3`"),
            })
        }
    };
    let secs = |name: &str, default: u64| -> Result<Duration, ConfigError> {
        let v = src.parse(name, default, "a number of seconds")?;
        if v == 0 {
            return Err(ConfigError { variable: name.into(), problem: "must be greater than 0".into() });
        }
        Ok(Duration::from_secs(v))
    };
    let url_expiry = secs("DATATRACKER_FILES_URL_EXPIRY_SECS", 300)?;
    let url_max_expiry = secs("DATATRACKER_FILES_URL_MAX_EXPIRY_SECS", 3600)?;
    if url_expiry > url_max_expiry {
        return Err(ConfigError {
            variable: "DATATRACKER_FILES_URL_EXPIRY_SECS".into(),
            problem: "must not exceed DATATRACKER_FILES_URL_MAX_EXPIRY_SECS".into(),
        });
    }
    Ok(FilesSettings {
        backend,
        max_upload_bytes: src.parse("DATATRACKER_FILES_MAX_UPLOAD_BYTES", 10u64 << 30, "a number of bytes")?,
        url_expiry,
        url_max_expiry,
    })
}
