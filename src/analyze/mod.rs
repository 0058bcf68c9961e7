//! Analysis: `model::Topology` -> diagnostics + `plan::Plan` (stub: to be written).
use crate::diagnostic::Diagnostic;
use crate::model::Topology;
use crate::plan::Plan;

/// Every diagnostic of the estate, and its plan when there is no error.
#[derive(Debug, Default)]
pub struct Analysis {
    pub diagnostics: Vec<Diagnostic>,
    pub plan: Option<Plan>,
}

#[must_use]
pub fn analyze(_topology: &Topology) -> Analysis {
    Analysis::default()
}
