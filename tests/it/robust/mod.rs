//! Hardening: concurrent writers, faults, limits on what a request may cost, and nothing hidden leaking
//! through errors or metadata.

mod faults;
mod instances;
mod leaks;
mod limits;
mod properties;
mod races;
mod startup;
mod writes;
