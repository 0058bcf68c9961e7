//! YAML reader: source text -> `model::Topology` plus syntax diagnostics.
//!
//! In: a `Source` in the YAML form of design/language.md. Out: the model,
//! every value with the byte span of the YAML scalar (or key, for names)
//! it came from, and diagnostics AZM002..AZM006. serde-saphyr deserializes
//! into the structs of `doc` (shared with the JSON Schema); a serde error
//! stops the read and becomes one diagnostic, while missing required values
//! are found here and all reported.

pub(crate) mod doc;
mod error;
mod lower;

use crate::diagnostic::Diagnostic;
use crate::model::Topology;
use crate::source::Source;

/// Reads `source` as YAML.
#[must_use]
pub fn parse(source: &Source) -> (Topology, Vec<Diagnostic>) {
    let mut options = serde_saphyr::Options::default();
    // Plain errors: the diagnostic renderer shows the snippet itself.
    options.with_snippet = false;
    // Kept explicit: the alias-bomb budget must stay on.
    options.budget = Some(serde_saphyr::Budget::default());
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    match serde_saphyr::from_str_with_options::<Option<doc::Document>>(&source.text, options) {
        Ok(document) => lower::lower(source, document.unwrap_or_default()),
        Err(err) => (
            Topology::default(),
            vec![error::to_diagnostic(source, &err)],
        ),
    }
}

#[cfg(test)]
mod tests;
