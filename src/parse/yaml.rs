//! YAML reader (stub: to be written).
use crate::diagnostic::Diagnostic;
use crate::model::Topology;
use crate::source::Source;

#[must_use]
pub fn parse(_source: &Source) -> (Topology, Vec<Diagnostic>) {
    (Topology::default(), Vec::new())
}
