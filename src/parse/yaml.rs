//! YAML reader: source text -> `model::Topology` plus syntax diagnostics.
//!
//! In: a `Source` in the YAML form of design/language.md. Out: the model,
//! every value with the byte span of the YAML scalar (or key, for names)
//! it came from, and diagnostics AZM002..AZM006. serde-saphyr deserializes
//! into the structs of `doc` (shared with the JSON Schema). serde stops at
//! the first error; to report more than one, a key, type or duplicate error
//! blanks out the top-level section it lies in (offsets kept) and the read
//! starts again, so each broken section gives one diagnostic. A YAML syntax
//! or budget error ends the read. Missing required values are found while
//! lowering, all of them. After any read error the model is empty: a model
//! without the broken sections would make analysis report false errors
//! (e.g. spokes of a hub that was dropped).

pub(crate) mod doc;
mod error;
mod lower;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Topology;
use crate::source::Source;

/// At most this many reads of one file (one per broken top-level section).
const MAX_READS: usize = 16;

/// Reads `source` as YAML.
#[must_use]
pub fn parse(source: &Source) -> (Topology, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut text = source.text.clone();
    for _ in 0..MAX_READS {
        match read(&text) {
            Ok(document) => {
                let (topology, lowered) = lower::lower(source, document.unwrap_or_default());
                let complete = diagnostics.is_empty();
                diagnostics.extend(lowered);
                let topology = if complete {
                    topology
                } else {
                    Topology::default()
                };
                return (topology, diagnostics);
            }
            Err(err) => {
                let diagnostic = error::to_diagnostic(source, &err);
                let resumable = diagnostic.code != Code::Syntax;
                let span = diagnostic.span;
                diagnostics.push(diagnostic);
                match span.filter(|_| resumable) {
                    Some(span) if blank_section(&mut text, span.start) => {}
                    _ => break,
                }
            }
        }
    }
    (Topology::default(), diagnostics)
}

fn read(text: &str) -> Result<Option<doc::Document>, serde_saphyr::Error> {
    let mut options = serde_saphyr::Options::default();
    // Plain errors: the diagnostic renderer shows the snippet itself.
    options.with_snippet = false;
    // Kept explicit: the alias-bomb budget must stay on.
    options.budget = Some(serde_saphyr::Budget::default());
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    serde_saphyr::from_str_with_options(text, options)
}

/// Replaces the block-style top-level section around `offset` (its key line
/// up to the next top-level key) with spaces, keeping every byte offset and
/// line break. False when there is no such section to remove.
fn blank_section(text: &mut String, offset: usize) -> bool {
    let mut section_start = None;
    let mut section_end = text.len();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let top_level_key = line
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '"' | '\'' | '_'));
        if top_level_key {
            if line_start <= offset {
                section_start = Some(line_start);
            } else {
                section_end = line_start;
                break;
            }
        }
        line_start += line.len();
    }
    let Some(start) = section_start else {
        return false;
    };
    let Some(section) = text.get(start..section_end) else {
        return false;
    };
    let blanked: String = section
        .chars()
        .map(|c| {
            if c == '\n' {
                "\n".to_owned()
            } else {
                " ".repeat(c.len_utf8())
            }
        })
        .collect();
    if blanked == section {
        return false;
    }
    text.replace_range(start..section_end, &blanked);
    true
}

#[cfg(test)]
mod tests;
