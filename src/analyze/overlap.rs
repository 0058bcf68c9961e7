//! Overlap of address spaces across the estate.
//!
//! In: the estate's parsed prefixes (VNets and sites) and the peered pairs.
//! Out: `PeeredOverlap` (AZM025) errors for peered VNets whose spaces
//! overlap and `EstateOverlap` (AZM026) warnings for any other overlap.
//!
//! CIDR blocks either nest or are disjoint, so after sorting by (family,
//! first address, length) a block overlaps an earlier one only if that one
//! contains it, and the blocks containing the current one form a stack:
//! one sort and one sweep, O(n log n), never a pairwise comparison.

use std::collections::BTreeSet;

use ipnet::IpNet;

use super::links::Links;
use super::resolve::Estate;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// Who owns a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    Vnet(usize),
    Site(usize),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    net: IpNet,
    span: Span,
    owner: Owner,
}

/// How many enclosing blocks one prefix is compared with at most: keeps a
/// pathological estate (thousands of copies of one prefix) linear, at the
/// price of reporting only the nearest overlaps of each prefix.
const MAX_REPORTED: usize = 8;

/// Reports every overlap between distinct VNets and sites.
pub fn check(estate: &Estate<'_>, links: &Links, diags: &mut Vec<Diagnostic>) {
    let mut entries: Vec<Entry> = Vec::new();
    for (i, net) in estate.vnets.iter().enumerate() {
        entries.extend(net.prefixes.iter().map(|p| Entry {
            net: p.value,
            span: p.span,
            owner: Owner::Vnet(i),
        }));
    }
    for (i, site) in estate.sites.iter().enumerate() {
        entries.extend(site.prefixes.iter().map(|p| Entry {
            net: p.value,
            span: p.span,
            owner: Owner::Site(i),
        }));
    }
    entries.sort_by_key(|e| (e.net.network(), e.net.prefix_len(), e.span.start, e.owner));
    let mut reported: BTreeSet<(Owner, Owner)> = BTreeSet::new();
    let mut stack: Vec<Entry> = Vec::new();
    for e in entries {
        while stack.last().is_some_and(|top| !top.net.contains(&e.net)) {
            stack.pop();
        }
        let mut compared = 0;
        for other in stack.iter().rev() {
            if other.owner == e.owner {
                continue;
            }
            compared += 1;
            if compared > MAX_REPORTED {
                break;
            }
            let pair = (other.owner.min(e.owner), other.owner.max(e.owner));
            if !reported.insert(pair) {
                continue;
            }
            diags.push(overlap(estate, links, other, &e));
        }
        stack.push(e);
    }
}

fn overlap(estate: &Estate<'_>, links: &Links, a: &Entry, b: &Entry) -> Diagnostic {
    // Point at the later-written prefix, relate the earlier one.
    let (first, second) = if a.span.start <= b.span.start {
        (a, b)
    } else {
        (b, a)
    };
    let name = |o: Owner| match o {
        Owner::Vnet(i) => estate
            .vnets
            .get(i)
            .map_or_else(String::new, |n| format!("VNet `{}`", n.name)),
        Owner::Site(i) => estate
            .sites
            .get(i)
            .map_or_else(String::new, |s| format!("site `{}`", s.src.name.value)),
    };
    let peered = match (first.owner, second.owner) {
        (Owner::Vnet(x), Owner::Vnet(y)) => links.peered.contains(&(x.min(y), x.max(y))),
        _ => false,
    };
    let message = format!(
        "{} ({}) overlaps {} ({})",
        name(second.owner),
        second.net,
        name(first.owner),
        first.net
    );
    if peered {
        Diagnostic::new(Code::PeeredOverlap, second.span, message)
            .with_label("overlaps a peered VNet")
            .with_related(first.span, "overlapping prefix")
            .with_help("peered VNets need disjoint address spaces: renumber one of them")
    } else {
        Diagnostic::new(Code::EstateOverlap, second.span, message)
            .with_related(first.span, "overlapping prefix")
            .with_help("they are not peered now, but overlapping spaces can never be peered or routed to each other later; consider renumbering")
    }
}
