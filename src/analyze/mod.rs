//! Analysis: `model::Topology` -> every diagnostic + `plan::Plan`.
//!
//! ```text
//! resolve   settings, subscriptions, VNets (defaults, kinds, ids), sites, names
//! address   prefixes, subnets, special subnets, DNS and firewall addresses
//! links     hub-spoke, hub-hub, mesh, explicit peerings -> links + transit rules
//! overlap   peered and estate-wide address-space overlaps (sort and sweep)
//! routes    route tables through hub firewalls
//! assemble  the plan's sorted, canonical fields; deployment units
//! order     the creation graph and its topological order
//! ```
//!
//! Helpers: `names` (Azure naming and free-text rules, hash-shortened
//! names), `regions` (clouds and their regions), `gateways` (gateway types,
//! SKUs and public IPs).
//!
//! Every stage runs even when an earlier one found errors (skipping only
//! what depends on the broken value), so one run shows every problem. The
//! plan exists only when no error was found.

mod address;
mod assemble;
mod gateways;
mod links;
mod names;
mod order;
mod overlap;
mod regions;
mod resolve;
mod routes;

#[cfg(test)]
mod tests;

use crate::diagnostic::{self, Diagnostic};
use crate::model::Topology;
use crate::plan::Plan;

/// Every diagnostic of the estate, and its plan when there is no error.
#[derive(Debug, Default)]
pub struct Analysis {
    pub diagnostics: Vec<Diagnostic>,
    pub plan: Option<Plan>,
}

impl Analysis {
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

#[must_use]
pub fn analyze(topology: &Topology) -> Analysis {
    let mut diags = Vec::new();
    let mut estate = resolve::resolve(topology, &mut diags);
    address::check(&mut estate, &mut diags);
    let links = links::expand(&estate, &mut diags);
    overlap::check(&estate, &links, &mut diags);
    let tables = routes::tables(&estate, &links, &mut diags);
    let mut plan = assemble::plan(&estate, &links, &tables, &mut diags);
    let has_errors = diags.iter().any(Diagnostic::is_error);
    let plan = if has_errors {
        None
    } else {
        match order::order(&plan) {
            Ok(order) => {
                plan.order = order;
                Some(plan)
            }
            Err(d) => {
                diags.push(*d);
                None
            }
        }
    };
    diagnostic::normalize(&mut diags);
    Analysis {
        diagnostics: diags,
        plan,
    }
}
