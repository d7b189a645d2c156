//! Parquet output with polars, from an explicit schema derived from the field specs (never inferred from
//! the data): lists for tags, structs for references and cross references, and times as timestamps
//! (microseconds, UTC; the JSON lines keep the API's RFC 3339 text). A field without a value in a row (or
//! new since the row was written), and a time that is not RFC 3339, is a null.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;
use serde_json::Value;

use super::error::ExtractError;
use super::files::{self, TMP_SUFFIX};
use super::schema::{FieldSpec, Scalar};
use super::state::Batch;

/// Rows per row group.
pub const CHUNK_ROWS: usize = 8_192;

/// The polars type of a field.
pub fn dtype(spec: &FieldSpec) -> DataType {
    let inner = if spec.fields.is_empty() {
        match spec.scalar.unwrap_or(Scalar::String) {
            Scalar::String | Scalar::Json => DataType::String,
            Scalar::DateTime => timestamp(),
            Scalar::Int => DataType::Int64,
            Scalar::Float => DataType::Float64,
            Scalar::Boolean => DataType::Boolean,
        }
    } else {
        DataType::Struct(spec.fields.iter().map(|f| Field::new(f.name.as_str().into(), dtype(f))).collect())
    };
    if spec.list {
        DataType::List(Box::new(inner))
    } else {
        inner
    }
}

/// The column type of times: microseconds since the epoch, UTC.
pub fn timestamp() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

/// Microseconds since the epoch of an RFC 3339 time; `None` when the text is not one.
fn micros(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_micros())
}

/// The Parquet schema of records with `fields`.
pub fn schema(fields: &[FieldSpec]) -> Schema {
    fields.iter().map(|f| Field::new(f.name.as_str().into(), dtype(f))).collect()
}

fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn column(spec: &FieldSpec, vals: &[Option<&Value>]) -> PolarsResult<Series> {
    let name: PlSmallStr = spec.name.as_str().into();
    if !spec.list {
        return single(spec, name, vals);
    }
    let mut flat: Vec<Option<&Value>> = Vec::new();
    let mut spans: Vec<Option<(usize, usize)>> = Vec::with_capacity(vals.len());
    for v in vals {
        match present(*v) {
            Some(Value::Array(items)) => {
                spans.push(Some((flat.len(), items.len())));
                flat.extend(items.iter().map(|i| present(Some(i))));
            }
            _ => spans.push(None),
        }
    }
    let item_spec = FieldSpec { list: false, ..spec.clone() };
    let inner = single(&item_spec, name.clone(), &flat)?.rechunk();
    // One arrow list array over the flat items: offsets from the spans, nulls where a row has no list.
    let mut offsets: Vec<i64> = Vec::with_capacity(vals.len() + 1);
    offsets.push(0);
    let mut end = 0i64;
    for span in &spans {
        end += span.map(|(_, len)| len as i64).unwrap_or(0);
        offsets.push(end);
    }
    let mask: BooleanChunked = spans.iter().map(Option::is_some).collect();
    let validity = mask.rechunk().downcast_iter().next().map(|a| a.values().clone());
    let values = match inner.chunks().first() {
        Some(v) => v.clone(),
        None => return Ok(Series::full_null(name, vals.len(), &dtype(spec))),
    };
    let arr = LargeListArray::try_new(
        LargeListArray::default_datatype(values.dtype().clone()),
        offsets.try_into()?,
        values,
        validity,
    )?;
    // The list's item type comes from the arrow items, which lose the time zone of a time: set the
    // logical type back (a cast cannot: this build of polars has no time zone support).
    let mut list = ListChunked::with_chunk(name, arr);
    let want = dtype(&item_spec);
    if list.inner_dtype() != &want {
        if list.inner_dtype().to_physical() != want.to_physical() {
            polars_bail!(ComputeError: "list {} holds {}, not {want}", spec.name, list.inner_dtype());
        }
        list.set_inner_dtype(want);
    }
    Ok(list.into_series())
}

fn single(spec: &FieldSpec, name: PlSmallStr, vals: &[Option<&Value>]) -> PolarsResult<Series> {
    if !spec.fields.is_empty() {
        let children = spec
            .fields
            .iter()
            .map(|f| {
                let child: Vec<Option<&Value>> =
                    vals.iter().map(|v| present(present(*v).and_then(|o| o.get(&f.name)))).collect();
                column(f, &child)
            })
            .collect::<PolarsResult<Vec<Series>>>()?;
        let ca = StructChunked::from_series(name, vals.len(), children.iter())?.rechunk().into_owned();
        let mask: BooleanChunked = vals.iter().map(|v| present(*v).is_some()).collect();
        let validity = mask.rechunk().downcast_iter().next().map(|a| a.values().clone());
        return Ok(ca.with_outer_validity(validity).into_series());
    }
    let it = vals.iter().map(|v| present(*v));
    Ok(match spec.scalar.unwrap_or(Scalar::String) {
        Scalar::DateTime => {
            let ca: Int64Chunked = it.map(|v| v.and_then(Value::as_str).and_then(micros)).collect();
            ca.with_name(name).into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)).into_series()
        }
        Scalar::String => {
            let ca: StringChunked =
                it.map(|v| v.map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))).collect();
            ca.with_name(name).into_series()
        }
        Scalar::Json => {
            let ca: StringChunked = it.map(|v| v.map(Value::to_string)).collect();
            ca.with_name(name).into_series()
        }
        Scalar::Int => {
            let ca: Int64Chunked =
                it.map(|v| v.and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))).collect();
            ca.with_name(name).into_series()
        }
        Scalar::Float => {
            let ca: Float64Chunked = it.map(|v| v.and_then(Value::as_f64)).collect();
            ca.with_name(name).into_series()
        }
        Scalar::Boolean => {
            let ca: BooleanChunked = it.map(|v| v.and_then(Value::as_bool)).collect();
            ca.with_name(name).into_series()
        }
    })
}

/// A frame of `rows` (JSON objects) with exactly the columns of `fields`.
pub fn frame(rows: &[Value], fields: &[FieldSpec]) -> PolarsResult<DataFrame> {
    let columns = fields
        .iter()
        .map(|f| {
            let vals: Vec<Option<&Value>> = rows.iter().map(|r| r.get(&f.name)).collect();
            column(f, &vals).map(Column::from)
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(rows.len(), columns)
}

/// A Parquet file written in row groups as rows arrive; it appears under its name on [`ParquetSink::commit`].
pub struct ParquetSink {
    tmp: PathBuf,
    dest: PathBuf,
    file: Arc<File>,
    writer: polars::io::parquet::write::BatchedWriter<Arc<File>>,
    fields: Vec<FieldSpec>,
    rows: Vec<Value>,
    groups: usize,
    crash: String,
}

impl ParquetSink {
    /// Starts writing `dest` with the columns of `fields`; `crash` names the test crash point hit after
    /// the first row group.
    pub fn create(dest: &Path, fields: &[FieldSpec], crash: String) -> Result<Self, ExtractError> {
        let tmp = PathBuf::from(format!("{}{TMP_SUFFIX}", dest.display()));
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ExtractError::io(dir.display(), e))?;
        }
        let file = Arc::new(File::create(&tmp).map_err(|e| ExtractError::io(tmp.display(), e))?);
        let writer =
            ParquetWriter::new(file.clone()).with_compression(ParquetCompression::Snappy).batched(&schema(fields))?;
        Ok(Self {
            tmp,
            dest: dest.to_path_buf(),
            file,
            writer,
            fields: fields.to_vec(),
            rows: Vec::new(),
            groups: 0,
            crash,
        })
    }

    /// Adds a row (a JSON object).
    pub fn push(&mut self, row: Value) -> Result<(), ExtractError> {
        self.rows.push(row);
        if self.rows.len() >= CHUNK_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ExtractError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let df = frame(&self.rows, &self.fields)?;
        self.writer.write_batch(&df)?;
        self.rows.clear();
        self.groups += 1;
        if self.groups == 1 {
            files::crash_point(&self.crash);
        }
        Ok(())
    }

    /// Adds the rows of `df` (columns exactly those of the sink's fields), in row groups.
    pub fn push_frame(&mut self, df: &DataFrame) -> Result<(), ExtractError> {
        self.flush()?;
        let mut offset = 0;
        while offset < df.height() {
            self.writer.write_batch(&df.slice(offset as i64, CHUNK_ROWS))?;
            offset += CHUNK_ROWS;
            self.groups += 1;
            if self.groups == 1 {
                files::crash_point(&self.crash);
            }
        }
        Ok(())
    }

    /// Writes the last rows and the footer, syncs and renames into place.
    pub fn commit(mut self) -> Result<(), ExtractError> {
        self.flush()?;
        self.writer.finish()?;
        self.file.sync_all().map_err(|e| ExtractError::io(self.tmp.display(), e))?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| ExtractError::io(self.dest.display(), e))?;
        files::sync_parent(&self.dest)
    }
}

/// Brings the Parquet file `dest` up to date with `batch` without decoding JSON: its rows minus every id
/// in the batch, plus the batch's new versions, in id order (one gather over the old rows and the new),
/// written like any other file (temporary name, sync, rename). Applying the same batch twice gives the
/// same file. Returns `false` (writing nothing) when there is no previous file, its columns are not those
/// of `fields` (a field new in the API, or times written as text by an older extractor) or its rows are
/// not in id order: the caller then rebuilds the file from the JSON lines.
pub fn update(dest: &Path, fields: &[FieldSpec], batch: &Batch, crash: String) -> Result<bool, ExtractError> {
    let Ok(file) = File::open(dest) else { return Ok(false) };
    let Ok(old) = ParquetReader::new(file).finish() else { return Ok(false) };
    if **old.schema() != schema(fields) {
        return Ok(false);
    }
    let upserts: Vec<(&String, Value)> = batch
        .iter()
        .filter_map(|(id, line)| line.as_ref().map(|l| (id, l)))
        .map(|(id, l)| serde_json::from_str(l).map(|v| (id, v)))
        .collect::<Result<_, _>>()
        .map_err(|e| ExtractError::Incomplete(format!("a change that is not JSON: {e}")))?;
    let Some(order) = merged_order(old.column("id")?.str()?, batch, &upserts) else { return Ok(false) };
    let rows: Vec<Value> = upserts.into_iter().map(|(_, v)| v).collect();
    let all = old.vstack(&frame(&rows, fields)?)?;
    drop(old);
    let mut sink = ParquetSink::create(dest, fields, crash)?;
    // One row group at a time, so the old rows are in memory once, not twice.
    for group in order.chunks(CHUNK_ROWS) {
        let mut rows = all.take(&IdxCa::from_vec("order".into(), group.to_vec()))?;
        rows.rechunk_mut();
        sink.push_frame(&rows)?;
    }
    sink.commit()?;
    Ok(true)
}

/// The row order of the updated file over the old rows (`0..old.len()`) followed by the upserts: old rows
/// whose id the batch does not name and every upsert, by id. `None` when the old ids are not increasing.
fn merged_order(old: &StringChunked, batch: &Batch, upserts: &[(&String, Value)]) -> Option<Vec<IdxSize>> {
    let n_old = old.len();
    let mut order = Vec::with_capacity(n_old + upserts.len());
    let mut new = upserts.iter().map(|(id, _)| id.as_str()).enumerate().peekable();
    let mut previous: Option<&str> = None;
    for (i, id) in old.downcast_iter().flat_map(|a| a.iter()).enumerate() {
        let id = id?;
        if previous.is_some_and(|p| p >= id) {
            return None;
        }
        previous = Some(id);
        while let Some((j, _)) = new.next_if(|(_, n)| *n < id) {
            order.push((n_old + j) as IdxSize);
        }
        if !batch.contains_key(id) {
            order.push(i as IdxSize);
        }
    }
    order.extend(new.map(|(j, _)| (n_old + j) as IdxSize));
    Some(order)
}

#[cfg(test)]
#[path = "parquet_tests.rs"]
mod tests;
