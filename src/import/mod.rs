//! Importers: existing estates -> topology text that `azmesh check` reads.
//!
//! In: a classic NetworkConfiguration XML file (`netcfg`) or the JSON of
//! `az network vnet list` / `az network vnet show` (`az_vnets`). Out: an
//! [`Imported`] topology in KDL or YAML, written through one emitter
//! (`emit`), with comments that say where each part came from, plus the
//! warnings the user must act on. Malformed input gives diagnostics whose
//! spans are byte ranges in the XML or JSON text (the `lang` of that
//! `Source` is not used; the language written is an option).
//!
//! VNets azmesh never changes (classic, existing) keep their DNS servers
//! and subnets as comments, for reference: as settings the analyzer would
//! report them as not applied (AZM032).

pub mod az_vnets;
mod emit;
pub mod netcfg;

pub use az_vnets::import_az_vnets;
pub use netcfg::{NetcfgOptions, import_netcfg};

use crate::diagnostic::Diagnostic;

/// An imported estate.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The topology, in the language asked for.
    pub text: String,
    /// Warnings: what the user must decide or fill in before deploying.
    /// Their spans point into the imported (XML/JSON) source.
    pub diagnostics: Vec<Diagnostic>,
}

/// The subscription id written where the input has none.
pub const PLACEHOLDER_SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-000000000000";

/// A topology name from a file name: its stem, or `imported`.
fn topology_name(source_name: &str) -> String {
    let file = source_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source_name);
    let stem = file.split('.').next().unwrap_or(file);
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches('-');
    if cleaned.is_empty() || source_name == "-" || source_name == "<stdin>" {
        "imported".to_string()
    } else {
        cleaned.to_string()
    }
}
