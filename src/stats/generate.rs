//! A deterministic synthetic questionnaire frame with the seed's schema.
//!
//! Schools → year groups (7–11) → classes (1–4 per year group) → students. Most students join at wave 1, some
//! later; students drop out and skip waves. A few students change class between waves (so a student can
//! sit in several cells of a table pooled over waves). PHQ-9 items are 0–3, driven by a per-student latent
//! severity that drifts across waves (correlated within a student and over time), with missing answers.
//! Demographics have small groups (sex `I`, rare ethnicities, rare cities and countries) so that
//! suppression really happens.

use std::path::Path;

use polars::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::error::StatsError;

const SCHOOLS: &[&str] = &[
    "Greenwood",
    "Riverside",
    "Hillcrest",
    "Oakfield",
    "Meadowbank",
    "Kingsway",
    "Fairview",
    "Ashford",
    "Beechwood",
    "Castlegate",
    "Elmhurst",
    "Foxhall",
    "Glenmore",
    "Hawthorn",
    "Ivybridge",
    "Juniper",
    "Kestrel",
    "Larchmont",
    "Maplewood",
    "Northgate",
    "Orchard",
    "Parkside",
    "Queensbury",
    "Rosehill",
    "Stonebridge",
    "Thornbury",
    "Upton",
    "Valley",
    "Westfield",
    "Yewtree",
];
const ETHNICITIES: &[(&str, f64)] = &[
    ("White British", 0.62),
    ("White Other", 0.08),
    ("Asian Indian", 0.06),
    ("Asian Pakistani", 0.05),
    ("Black African", 0.05),
    ("Black Caribbean", 0.03),
    ("Mixed", 0.06),
    ("Chinese", 0.02),
    ("Other", 0.03),
];
const SEXES: &[(&str, f64)] = &[("F", 0.49), ("M", 0.49), ("I", 0.02)];
const CITIES: &[(&str, f64)] = &[
    ("Oxford", 0.40),
    ("Reading", 0.20),
    ("Swindon", 0.15),
    ("Banbury", 0.10),
    ("Witney", 0.07),
    ("Bicester", 0.05),
    ("Thame", 0.02),
    ("Wantage", 0.01),
];
const COUNTRIES: &[(&str, f64)] =
    &[("England", 0.93), ("Wales", 0.03), ("Scotland", 0.02), ("Ireland", 0.015), ("France", 0.005)];
/// Baseline propensity of each PHQ-9 item (item 9 is rare).
const ITEM_BASE: [f64; 9] = [0.9, 0.8, 1.1, 1.2, 0.8, 0.7, 0.8, 0.5, 0.2];

/// The generated columns, one entry per row (student × wave).
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Student identifier, e.g. `S0000042`.
    pub uid: Vec<String>,
    /// Wave number, from 1.
    pub wave: Vec<i64>,
    /// School name.
    pub school: Vec<String>,
    /// Year group 7–11.
    pub year_group: Vec<i64>,
    /// Class label, e.g. `9B`.
    pub class: Vec<String>,
    /// `F`, `M` or `I`.
    pub sex: Vec<String>,
    /// Ethnicity label.
    pub ethnicity: Vec<String>,
    /// Age in years at the wave.
    pub d_age: Vec<i64>,
    /// City of residence.
    pub d_city: Vec<String>,
    /// Country of birth.
    pub d_country: Vec<String>,
    /// PHQ-9 items, `phq9[i][row]` for item `i + 1`; `None` when unanswered.
    pub phq9: [Vec<Option<i64>>; 9],
}

impl Sample {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.uid.len()
    }

    /// The sample as a polars `DataFrame` with the seed's column names.
    pub fn to_dataframe(&self) -> Result<DataFrame, StatsError> {
        let mut cols = vec![
            Column::new("uid".into(), &self.uid),
            Column::new("wave".into(), &self.wave),
            Column::new("school".into(), &self.school),
            Column::new("yearGroup".into(), &self.year_group),
            Column::new("class".into(), &self.class),
            Column::new("sex".into(), &self.sex),
            Column::new("ethnicity".into(), &self.ethnicity),
            Column::new("d_age".into(), &self.d_age),
            Column::new("d_city".into(), &self.d_city),
            Column::new("d_country".into(), &self.d_country),
        ];
        for (i, item) in self.phq9.iter().enumerate() {
            cols.push(Column::new(format!("phq9_{}", i + 1).into(), item));
        }
        Ok(DataFrame::new(self.rows(), cols)?)
    }
}

fn pick<'a>(rng: &mut StdRng, table: &[(&'a str, f64)]) -> &'a str {
    let mut u: f64 = rng.gen();
    for &(label, p) in table {
        if u < p {
            return label;
        }
        u -= p;
    }
    table.last().map_or("", |t| t.0)
}

fn normal(rng: &mut StdRng) -> f64 {
    // Box–Muller; avoids a dependency on rand_distr.
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Generates a frame of about `students × waves × 0.8` rows, deterministically for `seed`.
pub fn generate(students: usize, waves: usize, seed: u64) -> Sample {
    generate_with_schools(students, waves, (students / 200).clamp(2, SCHOOLS.len()), seed)
}

/// Like [`generate`] with `schools` schools (beyond the named ones, `School 031`, …): e.g. a national cohort
/// of 200,000 students in 5 waves and about 450 schools.
pub fn generate_with_schools(students: usize, waves: usize, schools: usize, seed: u64) -> Sample {
    let mut rng = StdRng::seed_from_u64(seed);
    let waves = waves.max(1);
    let n_schools = schools.max(1);
    let names: Vec<String> = (0..n_schools)
        .map(|i| SCHOOLS.get(i).map_or_else(|| format!("School {:03}", i + 1), |s| (*s).to_owned()))
        .collect();
    let mut s = Sample::default();
    for id in 0..students {
        let school_i = rng.gen_range(0..n_schools);
        let school = names[school_i].as_str();
        let year: i64 = rng.gen_range(7..=11);
        // Classes per year group vary by school (1–4), so some classes are small.
        let school_idx = school_i as i64;
        let n_classes = 1 + (school_idx * 7 + year) % 4;
        let mut class_letter = rng.gen_range(0..n_classes);
        let sex = pick(&mut rng, SEXES);
        let ethnicity = pick(&mut rng, ETHNICITIES);
        let city = pick(&mut rng, CITIES);
        let country = pick(&mut rng, COUNTRIES);
        let first_wave = if rng.gen_bool(0.85) { 1 } else { rng.gen_range(1..=waves) };
        let mut severity = normal(&mut rng);
        let questionnaire_skipper = rng.gen_bool(0.05);
        for wave in first_wave..=waves {
            if wave > first_wave {
                if rng.gen_bool(0.06) {
                    break; // dropped out
                }
                severity = 0.75 * severity + 0.66 * normal(&mut rng);
                if rng.gen_bool(0.02) {
                    class_letter = rng.gen_range(0..n_classes);
                }
            }
            if rng.gen_bool(0.04) {
                continue; // skipped this wave
            }
            s.uid.push(format!("S{id:07}"));
            s.wave.push(wave as i64);
            s.school.push(school.to_owned());
            s.year_group.push(year);
            s.class.push(format!("{year}{}", char::from(b'A' + class_letter as u8)));
            s.sex.push(sex.to_owned());
            s.ethnicity.push(ethnicity.to_owned());
            s.d_age.push(year + 4 + (wave as i64 - 1) / 3);
            s.d_city.push(city.to_owned());
            s.d_country.push(country.to_owned());
            let all_missing = questionnaire_skipper && rng.gen_bool(0.5);
            for (i, item) in s.phq9.iter_mut().enumerate() {
                let missing = all_missing || rng.gen_bool(0.03);
                let latent = ITEM_BASE[i] - 0.6 + 0.8 * severity + 0.6 * normal(&mut rng);
                item.push((!missing).then(|| latent.round().clamp(0.0, 3.0) as i64));
            }
        }
    }
    s
}

/// Generates a sample and writes it to `path` as CSV or Parquet (chosen by extension); returns the row count.
pub fn write_sample(path: &Path, students: usize, waves: usize, seed: u64) -> Result<usize, StatsError> {
    let sample = generate(students, waves, seed);
    let mut df = sample.to_dataframe()?;
    write_dataframe(path, &mut df)?;
    Ok(df.height())
}

/// Writes a data frame as CSV or Parquet, chosen by the extension of `path`.
pub fn write_dataframe(path: &Path, df: &mut DataFrame) -> Result<(), StatsError> {
    let io = |e: std::io::Error| StatsError::Load(format!("cannot write {}: {e}", path.display()));
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let file = std::fs::File::create(path).map_err(io)?;
    match ext.as_deref() {
        Some("csv") => CsvWriter::new(file).include_header(true).finish(df)?,
        Some("parquet") | Some("pq") => {
            ParquetWriter::new(file).finish(df)?;
        }
        _ => {
            return Err(StatsError::Load(format!(
                "unsupported file type for {} (expected .csv or .parquet)",
                path.display()
            )))
        }
    }
    Ok(())
}
