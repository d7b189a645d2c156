//! Tests of the statistics engine: an independent naive computation over the generated rows, an independent
//! linear-algebra checker for complementary suppression, validation, scopes and reloads.

mod checker;
mod frames;
mod movers;
mod naive;
mod parts;
mod protection;
mod random_tables;
mod reload;
mod suppress_cases;
mod validation;

use super::generate::{generate, Sample};
use super::load::frame_from_dataframe;
use super::{Frame, StatsSettings};

/// A generated sample and its frame, with the default settings.
pub(super) fn fixture(students: usize, waves: usize, seed: u64) -> (Sample, Frame, StatsSettings) {
    let settings = StatsSettings::default();
    let sample = generate(students, waves, seed);
    let df = sample.to_dataframe().unwrap();
    let mut frame = frame_from_dataframe(&df, &settings.dimensions, &settings.measures).unwrap();
    frame.derive_keys(&settings.secret);
    (sample, frame, settings)
}
