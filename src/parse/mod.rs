//! Readers: source text -> `model::Topology` plus syntax diagnostics.
//!
//! Both readers produce the same model for the same estate; neither checks
//! meaning (references, prefixes, rules): that is `analyze`'s work. A reader
//! reports every problem it can and returns what it could read.

pub mod kdl;
pub mod yaml;

use crate::diagnostic::Diagnostic;
use crate::model::Topology;
use crate::source::{Lang, Source};

/// Reads `source` in its language.
#[must_use]
pub fn parse(source: &Source) -> (Topology, Vec<Diagnostic>) {
    match source.lang {
        Lang::Kdl => kdl::parse(source),
        Lang::Yaml => yaml::parse(source),
    }
}
