//! Data file routes: streamed uploads (`POST /datasets/{id}/files`) and the signed download route
//! (`GET`/`HEAD /files/download/{key}`): the local directory's files streamed with `Range` support, an S3
//! store's answered with a redirect to a presigned GET valid for a few seconds.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::ClientAddr;
use crate::domain::file_writes::FileInput;
use crate::domain::files::ANONYMOUS_VIEWER;
use crate::domain::{DomainError, Principal};
use crate::error::{ApiError, ErrorCode};
use crate::storage::signing::UrlClaim;
use crate::storage::{attachment, StorageError};
use crate::AppState;

/// The header announcing an upload's SHA-256 (hex).
pub const SHA256_HEADER: &str = "x-content-sha256";

/// Query of an upload.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadQuery {
    name: Option<String>,
    media_type: Option<String>,
    description: Option<String>,
}

/// `POST /datasets/{id}/files?name=…[&mediaType=…][&description=…]`, body = the file, optional
/// `X-Content-SHA256`. Streams the body to storage; `201` with the entry, or a coded error (`413` when
/// over the size limit).
pub async fn upload(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(dataset): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let principal = match crate::auth::authenticate(&state, &headers, client, true).await {
        Ok(a) => a.principal,
        Err(e) => return e.into_response(),
    };
    let Some(name) = q.name.filter(|n| !n.trim().is_empty()) else {
        return ApiError::bad_input("name", "give the file name as ?name=").into_response();
    };
    let limit = state.settings().files.max_upload_bytes;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large(limit);
    }
    let sha256 = headers.get(SHA256_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let input = FileInput { name, media_type: q.media_type, description: q.description, sha256 };
    let stream = body.into_data_stream().map(|r| r.map_err(|e| StorageError::Body(e.to_string()))).boxed();
    match state.files().upload(&principal, &dataset, input, stream).await {
        Ok(f) => {
            let entry = json!({
                "id": f.id.to_string(), "datasetId": f.dataset.to_string(), "name": f.name, "key": f.key,
                "size": f.size, "sha256": f.sha256, "mediaType": f.media_type,
            });
            (StatusCode::CREATED, Json(entry)).into_response()
        }
        Err(DomainError::Invalid { field, message }) if field == "file" && message.contains("larger than") => {
            too_large(limit)
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn too_large(limit: u64) -> Response {
    let err = ApiError::bad_input("file", format!("the file is larger than the limit of {limit} bytes"));
    let mut resp = err.into_response();
    *resp.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    resp
}

/// Query of a signed download URL.
#[derive(Debug, Deserialize)]
pub struct DownloadQuery {
    file: Option<String>,
    expires: Option<String>,
    viewer: Option<String>,
    sig: Option<String>,
}

fn forbidden(message: impl Into<String>) -> Response {
    ApiError::new(ErrorCode::Forbidden, message).into_response()
}

/// `GET`/`HEAD /files/download/{key}?file=…&expires=…&viewer=…&sig=…`: checks the signature (constant
/// time), expiry and path, then whether the viewer may still read the file; streams it (or the `Range`
/// asked for) as an attachment. Every refusal is a `403` saying why.
pub async fn download(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    method: Method,
    Path(key): Path<String>,
    Query(q): Query<DownloadQuery>,
    headers: HeaderMap,
) -> Response {
    let expires = q.expires.and_then(|e| e.parse::<i64>().ok());
    let (Some(file), Some(expires), Some(viewer), Some(sig)) = (q.file, expires, q.viewer, q.sig) else {
        return forbidden("incomplete signed URL (file, expires, viewer and sig are required)");
    };
    let claim = UrlClaim { file, key, expires, viewer };
    // Credentials are optional (the URL is the grant); when present they must be the URL's viewer.
    let requester = match crate::auth::authenticate(&state, &headers, client, false).await {
        Ok(a) => a.principal,
        Err(e) => return e.into_response(),
    };
    let viewer = match viewer_principal(&state, &claim.viewer).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let files = state.files();
    let size = match files.storage().head(&claim.key).await {
        Ok(Some(info)) => info.size,
        Ok(None) | Err(StorageError::BadKey(_)) => {
            // Check the URL before saying anything about the object.
            let refusal = files.authorize_download(&claim, &sig, &viewer, &requester, None, false).await.err();
            return match refusal {
                Some(r) => forbidden(r.to_string()),
                None => ApiError::new(ErrorCode::NotFound, "file not found").into_response(),
            };
        }
        Err(e) => return ApiError::internal(&e).into_response(),
    };
    let range_header = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = match range_header.map(|r| parse_range(r, size)) {
        None => None,
        Some(Some(r)) => Some(r),
        Some(None) => {
            let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return resp;
        }
    };
    let record = method != Method::HEAD;
    let label = range.as_ref().map(|r| format!("bytes={}-{}", r.start, r.end - 1));
    let granted = match files.authorize_download(&claim, &sig, &viewer, &requester, label, record).await {
        Ok(d) => d,
        Err(r) => return forbidden(r.to_string()),
    };
    // An object store that signs its own URLs: redirect to a presigned GET valid for a few seconds (the
    // client sends its `Range` there); the service does not carry the bytes. `HEAD` is answered here.
    if method != Method::HEAD {
        match files.redirect_url(&granted.key, claim.expires).await {
            Ok(Some(url)) => return redirect(&url),
            Ok(None) => {}
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    let (status, len) = match &range {
        Some(r) => (StatusCode::PARTIAL_CONTENT, r.end - r.start),
        None => (StatusCode::OK, size),
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        match files.storage().read(&granted.key, range.clone()).await {
            Ok(stream) => Body::from_stream(stream),
            Err(StorageError::NotFound) => return ApiError::new(ErrorCode::NotFound, "file not found").into_response(),
            Err(e) => return ApiError::internal(&e).into_response(),
        }
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, granted.file.media_type.clone());
    set(header::CONTENT_LENGTH, len.to_string());
    set(header::ACCEPT_RANGES, "bytes".into());
    set(header::CONTENT_DISPOSITION, attachment(&granted.file.name));
    set(header::CACHE_CONTROL, "private, no-store".into());
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    if let Some(r) = &range {
        set(header::CONTENT_RANGE, format!("bytes {}-{}/{size}", r.start, r.end - 1));
    }
    resp
}

fn redirect(url: &str) -> Response {
    let mut resp = StatusCode::TEMPORARY_REDIRECT.into_response();
    if let Ok(v) = HeaderValue::from_str(url) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    resp
}

/// The principal of the user a URL was issued to, loaded afresh (a deleted user reads as anonymous,
/// which no longer matches the URL).
async fn viewer_principal(state: &AppState, viewer: &str) -> Result<Principal, ApiError> {
    if viewer == ANONYMOUS_VIEWER {
        return Ok(Principal::Anonymous);
    }
    let Ok(id) = crate::domain::validate::id("viewer", viewer) else { return Ok(Principal::Anonymous) };
    Ok(state.tracker().user_by_id(id).await?.map(|u| state.auth().principal_for(&u)).unwrap_or_default())
}

/// Parses a single `bytes=` range against `size`; `None` when unsatisfiable or malformed.
pub fn parse_range(raw: &str, size: u64) -> Option<std::ops::Range<u64>> {
    let spec = raw.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 {
            return None;
        }
        size.saturating_sub(n)..size
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() { size } else { b.parse::<u64>().ok()?.saturating_add(1).min(size) };
        start..end
    };
    (range.start < range.end && range.end <= size).then_some(range)
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_are_parsed_against_the_size() {
        assert_eq!(parse_range("bytes=0-9", 100), Some(0..10));
        assert_eq!(parse_range("bytes=90-", 100), Some(90..100));
        assert_eq!(parse_range("bytes=-10", 100), Some(90..100));
        assert_eq!(parse_range("bytes=95-200", 100), Some(95..100));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=5-1", 100), None);
        assert_eq!(parse_range("bytes=0-1,3-4", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
