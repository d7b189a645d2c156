//! Dataset access levels (PUBLIC, PROTECTED, PRIVATE) on every read path, and data files.

mod files_local;
mod files_params;
mod files_s3;
mod matrix;
mod rules;
mod streaming;
