//! Reading a CSV or Parquet file with polars, validating it and converting it into a compact [`Frame`].

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::error::StatsError;
use super::frame::{Dimension, Frame, Measure, MISSING};

/// The identifier column: used to count distinct students, never exposed.
pub const UID: &str = "uid";
/// The wave column (required).
pub const WAVE: &str = "wave";

/// Reads `path` (CSV or Parquet, chosen by extension) and returns the data and the file's SHA-256 (hex).
pub fn read_file(path: &Path) -> Result<(DataFrame, String), StatsError> {
    let bytes = std::fs::read(path).map_err(|e| StatsError::Load(format!("cannot read {}: {e}", path.display())))?;
    let checksum = hex::encode(Sha256::digest(&bytes));
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let df = match ext.as_deref() {
        Some("csv") => CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(100_000))
            .into_reader_with_file_handle(Cursor::new(bytes))
            .finish()?,
        Some("parquet") | Some("pq") => ParquetReader::new(Cursor::new(bytes)).finish()?,
        _ => {
            return Err(StatsError::Load(format!(
                "unsupported file type for {} (expected .csv or .parquet)",
                path.display()
            )))
        }
    };
    Ok((df, checksum))
}

/// Reads and converts a file; see [`read_file`] and [`frame_from_dataframe`].
pub fn load_file(path: &Path, dimensions: &[String], measures: &[String]) -> Result<(Frame, String), StatsError> {
    let (df, checksum) = read_file(path)?;
    let frame = frame_from_dataframe(&df, dimensions, measures)?;
    Ok((frame, checksum))
}

/// Validates `df` and converts it into a [`Frame`].
///
/// Required: `uid` and `wave` without nulls, no duplicate (uid, wave) rows. Configured dimensions and measures
/// are taken when present (absent ones are simply not offered); dimensions may be of any type (values become
/// labels), measures must be numeric. Other columns are ignored.
pub fn frame_from_dataframe(df: &DataFrame, dimensions: &[String], measures: &[String]) -> Result<Frame, StatsError> {
    let has = |name: &str| df.schema().contains(name);
    for required in [UID, WAVE] {
        if !has(required) {
            return Err(StatsError::Load(format!("required column `{required}` is missing")));
        }
    }
    let rows = df.height();
    if rows >= u32::MAX as usize {
        return Err(StatsError::Load("too many rows".into()));
    }
    let mut source_bytes = 0usize;

    // Students: dense keys in order of first appearance.
    let uid_col = df.column(UID)?;
    source_bytes += uid_col.as_materialized_series().estimated_size();
    let (student, uids) = student_keys(uid_col)?;
    let students = uids.len();

    // Dimensions (wave first so its index is known).
    let mut dims = Vec::new();
    let wave_col = df.column(WAVE)?;
    if wave_col.null_count() > 0 {
        return Err(StatsError::Load("column `wave` has missing values".into()));
    }
    source_bytes += wave_col.as_materialized_series().estimated_size();
    dims.push(dictionary(WAVE, wave_col)?);
    for name in dimensions {
        if name == WAVE || name == UID || !has(name) || dims.iter().any(|d| &d.name == name) {
            continue;
        }
        let col = df.column(name)?;
        source_bytes += col.as_materialized_series().estimated_size();
        dims.push(dictionary(name, col)?);
    }
    let mut meas = Vec::new();
    for name in measures {
        if name == UID || !has(name) || meas.iter().any(|m: &Measure| &m.name == name) {
            continue;
        }
        let col = df.column(name)?;
        source_bytes += col.as_materialized_series().estimated_size();
        meas.push(numeric(name, col)?);
    }

    // Counting sort by student, then by wave within a student.
    let mut student_start = vec![0u32; students + 1];
    for &s in &student {
        student_start[s as usize + 1] += 1;
    }
    for i in 1..student_start.len() {
        student_start[i] += student_start[i - 1];
    }
    let mut next = student_start.clone();
    let mut order = vec![0u32; rows];
    for (row, &s) in student.iter().enumerate() {
        let slot = &mut next[s as usize];
        order[*slot as usize] = row as u32;
        *slot += 1;
    }
    let wave_codes = &dims[0].codes;
    let mut duplicates = 0usize;
    for s in 0..students {
        let range = student_start[s] as usize..student_start[s + 1] as usize;
        let slice = &mut order[range];
        slice.sort_unstable_by_key(|&r| wave_codes[r as usize]);
        duplicates += slice.windows(2).filter(|w| wave_codes[w[0] as usize] == wave_codes[w[1] as usize]).count();
    }
    if duplicates > 0 {
        return Err(StatsError::Load(format!("{duplicates} duplicate (uid, wave) rows")));
    }
    for d in &mut dims {
        d.codes = order.iter().map(|&r| d.codes[r as usize]).collect();
    }
    for m in &mut meas {
        m.values = order.iter().map(|&r| m.values[r as usize]).collect();
    }
    Ok(Frame { rows, student_start, wave: 0, dims, measures: meas, source_bytes, uids, keys: Default::default() })
}

fn as_strings(name: &str, col: &Column) -> Result<Column, StatsError> {
    col.cast(&DataType::String).map_err(|e| StatsError::Load(format!("column `{name}` cannot be read as labels: {e}")))
}

/// Dense student numbers in order of first appearance, and the uids in that order.
fn student_keys(col: &Column) -> Result<(Vec<u32>, Vec<String>), StatsError> {
    if col.null_count() > 0 {
        return Err(StatsError::Load("column `uid` has missing values".into()));
    }
    let col = as_strings(UID, col)?;
    let ca = col.str()?;
    let mut map: HashMap<&str, u32> = HashMap::new();
    let mut uids: Vec<String> = Vec::new();
    let mut keys = Vec::with_capacity(ca.len());
    let mut last: Option<(&str, u32)> = None;
    for v in ca.iter() {
        let v = v.unwrap_or("");
        let key = match last {
            Some((l, k)) if l == v => k,
            _ => {
                let n = map.len() as u32;
                let k = *map.entry(v).or_insert_with(|| {
                    uids.push(v.to_owned());
                    n
                });
                last = Some((v, k));
                k
            }
        };
        keys.push(key);
    }
    Ok((keys, uids))
}

/// Dictionary-encodes a column as labels in natural order.
fn dictionary(name: &str, col: &Column) -> Result<Dimension, StatsError> {
    let col = as_strings(name, col)?;
    let ca = col.str()?;
    let mut map: HashMap<&str, u16> = HashMap::new();
    let mut labels: Vec<&str> = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    let mut last: Option<(&str, u16)> = None;
    for v in ca.iter() {
        let Some(v) = v else {
            codes.push(MISSING);
            continue;
        };
        let code = match last {
            Some((l, c)) if l == v => c,
            _ => {
                let c = match map.get(v) {
                    Some(&c) => c,
                    None => {
                        if labels.len() >= (MISSING as usize) - 1 {
                            return Err(StatsError::Load(format!(
                                "column `{name}` has too many distinct values for a dimension"
                            )));
                        }
                        let c = labels.len() as u16;
                        map.insert(v, c);
                        labels.push(v);
                        c
                    }
                };
                last = Some((v, c));
                c
            }
        };
        codes.push(code);
    }
    let sorted = natural_order(&labels);
    let mut remap = vec![0u16; labels.len()];
    for (new, &old) in sorted.iter().enumerate() {
        remap[old] = new as u16;
    }
    for c in &mut codes {
        if *c != MISSING {
            *c = remap[*c as usize];
        }
    }
    Ok(Dimension { name: name.to_owned(), categories: sorted.iter().map(|&i| labels[i].to_owned()).collect(), codes })
}

/// Indices of `labels` in natural order: numerically when all are numbers, else lexicographically.
fn natural_order(labels: &[&str]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..labels.len()).collect();
    let numbers: Option<Vec<f64>> = labels.iter().map(|l| l.trim().parse::<f64>().ok()).collect();
    match numbers {
        Some(n) => idx.sort_by(|&a, &b| n[a].total_cmp(&n[b])),
        None => idx.sort_by(|&a, &b| labels[a].cmp(labels[b])),
    }
    idx
}

fn numeric(name: &str, col: &Column) -> Result<Measure, StatsError> {
    let dtype = col.dtype();
    if !(dtype.is_primitive_numeric() || matches!(dtype, DataType::Null | DataType::Boolean)) {
        return Err(StatsError::Load(format!("column `{name}` has type {dtype}, expected a number")));
    }
    let col = col.cast(&DataType::Float64).map_err(|e| StatsError::Load(format!("column `{name}`: {e}")))?;
    let values = col.f64()?.iter().map(|v| v.map_or(f32::NAN, |x| x as f32)).collect();
    Ok(Measure::new(name.to_owned(), values))
}
