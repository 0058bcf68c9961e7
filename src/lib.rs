//! azmesh: a compiler for Azure network estates.
//!
//! ```text
//! source (.kdl | .yaml)
//!   -> parse     syntax -> model::Topology, every value with its span
//!   -> analyze   resolve + validate + expand -> plan::Plan (only when error-free)
//!   -> render    plan -> ARM JSON, Bicep, az bash, PowerShell
//! ```
//!
//! Validation never renders; rendering never validates: a renderer takes a
//! `Plan`, which only exists for an estate without errors.

pub mod analyze;
pub mod diagnostic;
pub mod diff;
pub mod graph;
pub mod import;
pub mod model;
pub mod parse;
pub mod plan;
pub mod reach;
pub mod render;
pub mod report;
pub mod review;
pub mod schema;
pub mod source;
pub mod spanned;

use diagnostic::Diagnostic;
use plan::Plan;
use source::Source;

/// What `check` and `plan` see: every diagnostic, and the plan if there is no error.
#[derive(Debug)]
pub struct Compilation {
    /// Sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    pub plan: Option<Plan>,
}

impl Compilation {
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses, validates and expands one source.
#[must_use]
pub fn compile(source: &Source) -> Compilation {
    let (topology, mut diagnostics) = parse::parse(source);
    if topology.name.is_none() && !diagnostics.iter().any(Diagnostic::is_error) {
        let example = match source.lang {
            source::Lang::Kdl => "topology \"contoso\"",
            source::Lang::Yaml => "topology: contoso",
        };
        diagnostics.push(
            Diagnostic::new(
                diagnostic::Code::MissingValue,
                source::Span::new(0, 0),
                "the estate has no name",
            )
            .with_label("no `topology` here")
            .with_help(format!(
                "add `{example}` at the top: it names deployments and output files"
            )),
        );
    }
    let analysis = analyze::analyze(&topology);
    diagnostics.extend(analysis.diagnostics);
    diagnostic::normalize(&mut diagnostics);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Compilation {
        diagnostics,
        plan: if has_errors { None } else { analysis.plan },
    }
}
