//! The compact, immutable, columnar frame the tables are computed on.
//!
//! Rows are student × wave, sorted by (student, wave). Students are dense `u32` keys given by
//! `student_start` offsets (rows of student `s` are `student_start[s]..student_start[s + 1]`), so per-student
//! work (distinct counting, matching two waves) walks a contiguous slice and never hashes.

use super::keys::{RecordKeys, StatsSecret};

/// Code of a missing value in a [`Dimension`].
pub const MISSING: u16 = u16::MAX;

/// A categorical column stored as dictionary codes.
#[derive(Debug, Clone)]
pub struct Dimension {
    /// Column name as in the source file.
    pub name: String,
    /// Category labels, in natural order (numeric when every label is a number); `codes` index into this.
    pub categories: Vec<String>,
    /// One code per row; [`MISSING`] when the value is null.
    pub codes: Vec<u16>,
}

impl Dimension {
    /// The code of a category label, if the label exists.
    pub fn code_of(&self, label: &str) -> Option<u16> {
        self.categories.iter().position(|c| c == label).and_then(|i| u16::try_from(i).ok())
    }
}

/// A numeric column; missing values are `NaN`.
#[derive(Debug, Clone)]
pub struct Measure {
    /// Column name as in the source file.
    pub name: String,
    /// One value per row, `NaN` when missing.
    pub values: Vec<f32>,
    /// Smallest value present (the scale's minimum as observed; 0 when the column is empty).
    pub min: f32,
    /// Largest value present (the scale's maximum as observed).
    pub max: f32,
}

impl Measure {
    /// A measure with its observed range.
    pub fn new(name: String, values: Vec<f32>) -> Self {
        let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
        for &x in values.iter().filter(|x| !x.is_nan()) {
            min = min.min(x);
            max = max.max(x);
        }
        if min > max {
            (min, max) = (0.0, 0.0);
        }
        Measure { name, values, min, max }
    }

    /// The width of the scale, `max − min` (at least 1, so that noise scaled to it is never zero).
    pub fn range(&self) -> f64 {
        f64::from(self.max - self.min).max(1.0)
    }
}

/// The loaded questionnaire frame.
#[derive(Debug, Clone)]
pub struct Frame {
    pub(crate) rows: usize,
    pub(crate) student_start: Vec<u32>,
    pub(crate) wave: usize,
    pub(crate) dims: Vec<Dimension>,
    pub(crate) measures: Vec<Measure>,
    pub(crate) source_bytes: usize,
    /// Student identifiers in dense student order (never exposed; used to derive record keys).
    pub(crate) uids: Vec<String>,
    /// Record keys of every student; empty until [`Frame::derive_keys`] is called.
    pub(crate) keys: RecordKeys,
}

impl Frame {
    /// Derives every student's record keys from the statistics secret (done once per load).
    pub fn derive_keys(&mut self, secret: &StatsSecret) {
        self.keys = RecordKeys::derive(secret, &self.uids);
    }

    /// Whether record keys have been derived for every student.
    pub fn has_keys(&self) -> bool {
        self.keys.len() == self.students()
    }

    /// Number of rows (student × wave).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of distinct students.
    pub fn students(&self) -> usize {
        self.student_start.len().saturating_sub(1)
    }

    /// The wave labels, in order.
    pub fn waves(&self) -> &[String] {
        self.dims.get(self.wave).map(|d| d.categories.as_slice()).unwrap_or(&[])
    }

    /// All categorical columns held (the `wave` column included).
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dims
    }

    /// All numeric columns held.
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    /// Index of a categorical column by name.
    pub fn dim_index(&self, name: &str) -> Option<usize> {
        self.dims.iter().position(|d| d.name == name)
    }

    /// Index of a numeric column by name.
    pub fn measure_index(&self, name: &str) -> Option<usize> {
        self.measures.iter().position(|m| m.name == name)
    }

    /// Index of the `wave` dimension.
    pub fn wave_dim(&self) -> usize {
        self.wave
    }

    /// The rows of student `s`.
    pub(crate) fn student_rows(&self, s: usize) -> std::ops::Range<usize> {
        let start = self.student_start.get(s).copied().unwrap_or(0) as usize;
        let end = self.student_start.get(s + 1).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    /// Bytes held by this frame's columns (codes, values, offsets and labels).
    pub fn heap_bytes(&self) -> usize {
        let dims: usize = self
            .dims
            .iter()
            .map(|d| d.codes.len() * 2 + d.categories.iter().map(|c| c.len() + 24).sum::<usize>())
            .sum();
        let measures: usize = self.measures.iter().map(|m| m.values.len() * 4).sum();
        dims + measures + self.student_start.len() * 4
    }

    /// Estimated Arrow size of the validated source columns (as polars held them before conversion).
    pub fn source_arrow_bytes(&self) -> usize {
        self.source_bytes
    }
}
