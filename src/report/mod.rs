//! Reports for people and machines: diagnostics (human, JSON, SARIF) and
//! the expanded plan (table, JSON).
//!
//! In: a `Source` and what `compile` found. Out: text. Nothing here decides
//! anything about the estate.

pub mod diagnostics;
pub mod plan_table;

/// How `check` and `plan` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}
