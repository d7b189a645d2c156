//! Data file queries and mutations: thin translations into the file service.

use async_graphql::{Context, InputObject, Object, ID};

use super::context::principal;
use super::types::common::{connection, page_request, Conn};
use super::types::file::{files, DataFileObject, FileEventObject};
use crate::domain::file_writes::FileInput;
use crate::domain::files::FileView;
use crate::error::ApiError;

/// Describes an existing object registered as a dataset file.
#[derive(InputObject)]
pub struct RegisterFileInput {
    /// Object key, or a key template with one placeholder, e.g. `reports/{school}/summary.csv` (a safe
    /// relative path: no `..`, `.`-segments, leading `/` or backslashes). A plain key must exist.
    pub key: String,
    /// File name offered to downloaders (one path segment).
    pub name: String,
    /// Media type (default `application/octet-stream`).
    pub media_type: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// SHA-256 (hex) as declared by the caller (recorded, not verified).
    pub sha256: Option<String>,
}

/// Data file queries.
#[derive(Default)]
pub struct FilesQuery;

#[Object]
impl FilesQuery {
    /// Download URLs handed out and downloads served, oldest first: every one for `DATA_MANAGEMENT`; with
    /// `datasetId`, that dataset's for the editors of its order. Others get `FORBIDDEN`.
    async fn file_events(
        &self,
        ctx: &Context<'_>,
        dataset_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<FileEventObject>, ApiError> {
        let page = files(ctx)?
            .events(principal(ctx), dataset_id.as_ref().map(|i| i.as_str()), page_request(first, after)?)
            .await?;
        Ok(connection(page, |e| e.id, FileEventObject))
    }
}

/// Data file mutations (uploads go through `POST /datasets/{id}/files`).
#[derive(Default)]
pub struct FilesMutation;

#[Object]
impl FilesMutation {
    /// Registers an existing object (or a parameterised key) as a file of a dataset. Needs the right to
    /// edit the dataset's order; logged on the dataset.
    async fn register_dataset_file(
        &self,
        ctx: &Context<'_>,
        dataset_id: ID,
        input: RegisterFileInput,
    ) -> Result<DataFileObject, ApiError> {
        let p = principal(ctx);
        let fi = FileInput {
            name: input.name,
            media_type: input.media_type,
            description: input.description,
            sha256: input.sha256,
        };
        let file = files(ctx)?.register(p, &dataset_id, &input.key, fi).await?;
        Ok(DataFileObject(FileView::entry(p, file)))
    }

    /// Deletes a file entry (logged on the dataset). An object uploaded through the service is removed
    /// from storage; a registered object is left in place. Returns the deleted id.
    async fn delete_dataset_file(&self, ctx: &Context<'_>, id: ID) -> Result<ID, ApiError> {
        Ok(ID(files(ctx)?.delete_file(principal(ctx), &id).await?.to_string()))
    }
}
