//! `azmesh diff OLD NEW`: what changes between two plans.
//!
//! In: two expanded `Plan`s. Out: a [`Diff`] ordered for a reviewer who
//! reads top to bottom: removals, then additions (each grouped by VNet
//! name), then the changes of each VNet by name. VNets are matched by name,
//! links by (local VNet, remote VNet) so that a renamed link is one change,
//! routes by (route table, route name). A peered VNet whose address space
//! changes needs a peering sync on every link that points at it (the
//! remote side learns the new prefixes only then): the diff lists those
//! commands and [`sync_warnings`] turns them into AZM070 warnings.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::plan::{Kind, Link, Plan, Role, Route};
use crate::render::escape;

/// Everything that differs between two plans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    /// Sorted by VNet name, then VNet before its links and route tables.
    pub removed: Vec<Item>,
    /// Same order as `removed`.
    pub added: Vec<Item>,
    /// One entry per changed VNet, sorted by name.
    pub changed: Vec<VnetChanges>,
}

impl Diff {
    /// True when the two plans build the same estate (as far as diff
    /// looks): `azmesh diff --exit-code` exits 1 when this is false.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty() && self.changed.is_empty()
    }
}

/// A thing that exists in only one of the plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Item {
    #[serde(rename_all = "camelCase")]
    Vnet {
        name: String,
        role: Role,
        #[serde(rename = "vnetKind")]
        vnet_kind: Kind,
        address_space: Vec<String>,
    },
    #[serde(rename_all = "camelCase")]
    Link {
        local: String,
        name: String,
        remote: String,
        /// The flags that are true, by their ARM names.
        flags: Vec<&'static str>,
    },
    #[serde(rename_all = "camelCase")]
    RouteTable { name: String, vnet: String },
    #[serde(rename_all = "camelCase")]
    Route {
        /// The VNet whose subnets use the table.
        vnet: String,
        table: String,
        name: String,
        address_prefix: String,
        next_hop_ip_address: String,
    },
}

impl Item {
    /// `(VNet, rank, name)`: a VNet's own entry first, then its links, route
    /// tables and routes.
    fn order_key(&self) -> (&str, u8, &str, &str) {
        match self {
            Item::Vnet { name, .. } => (name, 0, "", ""),
            Item::Link { local, name, .. } => (local, 1, name, ""),
            Item::RouteTable { name, vnet } => (vnet, 2, name, ""),
            Item::Route {
                vnet, table, name, ..
            } => (vnet, 3, table, name),
        }
    }
}

/// The changes of one VNet (its own properties, its links, its route tables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VnetChanges {
    pub vnet: String,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Change {
    /// Managed, existing, external or classic.
    #[serde(rename = "vnetKind")]
    VnetKind {
        from: Kind,
        to: Kind,
    },
    Role {
        from: Role,
        to: Role,
    },
    /// The address space changed; `syncs` are needed when the VNet is peered.
    #[serde(rename_all = "camelCase")]
    AddressSpace {
        from: Vec<String>,
        to: Vec<String>,
        syncs: Vec<PeeringSync>,
    },
    /// A link of this VNet (to `remote`) was renamed or its flags changed.
    #[serde(rename_all = "camelCase")]
    Link {
        remote: String,
        /// The new name.
        name: String,
        /// The old name, when it changed.
        renamed_from: Option<String>,
        /// The remote VNet's resource id, when it changed (e.g. a classic
        /// VNet migrated to Resource Manager): Azure cannot point a link at
        /// another VNet, so the link is deleted and created again.
        remote_id: Option<IdChange>,
        flags: Vec<FlagChange>,
    },
    /// A route of a route table used by this VNet changed its target.
    #[serde(rename_all = "camelCase")]
    Route {
        table: String,
        name: String,
        from: RouteTarget,
        to: RouteTarget,
    },
}

/// A resource id that changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdChange {
    pub from: String,
    pub to: String,
}

/// One peering flag that changes value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagChange {
    /// The ARM property name, e.g. `allowForwardedTraffic`.
    pub flag: &'static str,
    pub from: bool,
    pub to: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTarget {
    pub address_prefix: String,
    pub next_hop_type: String,
    pub next_hop_ip_address: String,
}

/// A peering sync a changed address space requires, on one link that
/// points at the changed VNet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeeringSync {
    /// The VNet that holds the link.
    pub vnet: String,
    pub link: String,
    pub resource_group: String,
    pub subscription_id: String,
    /// `az network vnet peering sync ...`.
    pub az: String,
    /// `Set-AzContext ...; Sync-AzVirtualNetworkPeering ...`.
    pub pwsh: String,
}

/// The links that must be re-synced because their remote VNet's address
/// space changed: `azmesh build FILE --since OLD` puts them in the plan
/// (`Plan::peering_syncs`) for the scripts. Sorted, without repeats.
#[must_use]
pub fn sync_links(diff: &Diff) -> Vec<crate::plan::SyncLink> {
    let mut out: Vec<crate::plan::SyncLink> = diff
        .changed
        .iter()
        .flat_map(|v| &v.changes)
        .filter_map(|c| match c {
            Change::AddressSpace { syncs, .. } => Some(syncs),
            _ => None,
        })
        .flatten()
        .map(|s| crate::plan::SyncLink {
            vnet: s.vnet.clone(),
            link: s.link.clone(),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What changes from `old` to `new`: `azmesh diff OLD NEW` (both files are
/// compiled by the caller; `--format human|json` picks [`render_human`] or
/// [`render_json`], `--exit-code` exits 1 when `!diff.is_empty()`).
#[must_use]
pub fn diff(old: &Plan, new: &Plan) -> Diff {
    let mut out = Diff::default();
    let mut changed: BTreeMap<String, Vec<Change>> = BTreeMap::new();

    // VNets.
    let old_vnets: BTreeMap<&str, _> = old.vnets.iter().map(|v| (v.name.as_str(), v)).collect();
    let new_vnets: BTreeMap<&str, _> = new.vnets.iter().map(|v| (v.name.as_str(), v)).collect();
    for (name, v) in &old_vnets {
        if !new_vnets.contains_key(name) {
            out.removed.push(Item::Vnet {
                name: v.name.clone(),
                role: v.role,
                vnet_kind: v.kind,
                address_space: v.address_space.clone(),
            });
        }
    }
    for (name, v) in &new_vnets {
        let Some(o) = old_vnets.get(name) else {
            out.added.push(Item::Vnet {
                name: v.name.clone(),
                role: v.role,
                vnet_kind: v.kind,
                address_space: v.address_space.clone(),
            });
            continue;
        };
        let entry = changed.entry((*name).to_string()).or_default();
        if o.kind != v.kind {
            entry.push(Change::VnetKind {
                from: o.kind,
                to: v.kind,
            });
        }
        if o.role != v.role {
            entry.push(Change::Role {
                from: o.role,
                to: v.role,
            });
        }
        if o.address_space != v.address_space {
            entry.push(Change::AddressSpace {
                from: o.address_space.clone(),
                to: v.address_space.clone(),
                syncs: syncs_for(new, name),
            });
        }
    }

    // Links, by (local, remote).
    let key = |l: &Link| (l.local.clone(), l.remote.clone());
    let old_links: BTreeMap<_, &Link> = old.links.iter().map(|l| (key(l), l)).collect();
    let new_links: BTreeMap<_, &Link> = new.links.iter().map(|l| (key(l), l)).collect();
    for (k, l) in &old_links {
        if !new_links.contains_key(k) {
            out.removed.push(link_item(l));
        }
    }
    for (k, l) in &new_links {
        let Some(o) = old_links.get(k) else {
            out.added.push(link_item(l));
            continue;
        };
        let flags: Vec<FlagChange> = flags(o)
            .into_iter()
            .zip(flags(l))
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, b)| FlagChange {
                flag: a.0,
                from: a.1,
                to: b.1,
            })
            .collect();
        let renamed_from = (o.name != l.name).then(|| o.name.clone());
        let remote_id = (!o.remote_id.eq_ignore_ascii_case(&l.remote_id)).then(|| IdChange {
            from: o.remote_id.clone(),
            to: l.remote_id.clone(),
        });
        if !flags.is_empty() || renamed_from.is_some() || remote_id.is_some() {
            changed
                .entry(l.local.clone())
                .or_default()
                .push(Change::Link {
                    remote: l.remote.clone(),
                    name: l.name.clone(),
                    renamed_from,
                    remote_id,
                    flags,
                });
        }
    }

    // Route tables and routes.
    let old_tables: BTreeMap<&str, _> = old
        .route_tables
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let new_tables: BTreeMap<&str, _> = new
        .route_tables
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    for (name, t) in &old_tables {
        if !new_tables.contains_key(name) {
            out.removed.push(Item::RouteTable {
                name: t.name.clone(),
                vnet: t.vnet.clone(),
            });
        }
    }
    for (name, t) in &new_tables {
        let Some(o) = old_tables.get(name) else {
            out.added.push(Item::RouteTable {
                name: t.name.clone(),
                vnet: t.vnet.clone(),
            });
            continue;
        };
        let old_routes: BTreeMap<&str, &Route> =
            o.routes.iter().map(|r| (r.name.as_str(), r)).collect();
        let new_routes: BTreeMap<&str, &Route> =
            t.routes.iter().map(|r| (r.name.as_str(), r)).collect();
        let route_item = |r: &Route| Item::Route {
            vnet: t.vnet.clone(),
            table: t.name.clone(),
            name: r.name.clone(),
            address_prefix: r.address_prefix.clone(),
            next_hop_ip_address: r.next_hop_ip_address.clone(),
        };
        for (rn, r) in &old_routes {
            if !new_routes.contains_key(rn) {
                out.removed.push(route_item(r));
            }
        }
        for (rn, r) in &new_routes {
            match old_routes.get(rn) {
                None => out.added.push(route_item(r)),
                Some(or) if target(or) != target(r) => {
                    changed
                        .entry(t.vnet.clone())
                        .or_default()
                        .push(Change::Route {
                            table: t.name.clone(),
                            name: r.name.clone(),
                            from: target(or),
                            to: target(r),
                        });
                }
                Some(_) => {}
            }
        }
    }

    out.removed
        .sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    out.added.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    out.changed = changed
        .into_iter()
        .filter(|(_, c)| !c.is_empty())
        .map(|(vnet, changes)| VnetChanges { vnet, changes })
        .collect();
    out
}

fn target(r: &Route) -> RouteTarget {
    RouteTarget {
        address_prefix: r.address_prefix.clone(),
        next_hop_type: r.next_hop_type.clone(),
        next_hop_ip_address: r.next_hop_ip_address.clone(),
    }
}

fn flags(l: &Link) -> [(&'static str, bool); 4] {
    [
        ("allowVirtualNetworkAccess", l.allow_virtual_network_access),
        ("allowForwardedTraffic", l.allow_forwarded_traffic),
        ("allowGatewayTransit", l.allow_gateway_transit),
        ("useRemoteGateways", l.use_remote_gateways),
    ]
}

fn link_item(l: &Link) -> Item {
    Item::Link {
        local: l.local.clone(),
        name: l.name.clone(),
        remote: l.remote.clone(),
        flags: flags(l).into_iter().filter(|f| f.1).map(|f| f.0).collect(),
    }
}

/// The syncs that a new address space of `vnet` needs: one on every link
/// of the new plan whose remote is `vnet`, sorted by (VNet, link).
fn syncs_for(plan: &Plan, vnet: &str) -> Vec<PeeringSync> {
    let mut out: Vec<PeeringSync> = plan
        .links
        .iter()
        .filter(|l| l.remote == vnet)
        .map(|l| {
            let unit = plan.units.get(l.unit);
            let resource_group = unit.map_or_else(String::new, |u| u.resource_group.clone());
            let subscription_id = unit.map_or_else(String::new, |u| u.subscription_id.clone());
            let az = format!(
                "az network vnet peering sync --subscription {} -g {} --vnet-name {} -n {}",
                escape::bash(&subscription_id),
                escape::bash(&resource_group),
                escape::bash(&l.local),
                escape::bash(&l.name)
            );
            let pwsh = format!(
                "Set-AzContext -Subscription {} | Out-Null; Sync-AzVirtualNetworkPeering -Name {} -VirtualNetworkName {} -ResourceGroupName {}",
                escape::pwsh(&subscription_id),
                escape::pwsh(&l.name),
                escape::pwsh(&l.local),
                escape::pwsh(&resource_group)
            );
            PeeringSync {
                vnet: l.local.clone(),
                link: l.name.clone(),
                resource_group,
                subscription_id,
                az,
                pwsh,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.vnet, &a.link).cmp(&(&b.vnet, &b.link)));
    out
}

/// One AZM070 warning per peered VNet whose address space changes (no
/// span: a diff compares plans, not one source). Served with `azmesh diff`.
#[must_use]
pub fn sync_warnings(diff: &Diff) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for vc in &diff.changed {
        for c in &vc.changes {
            let Change::AddressSpace { from, to, syncs } = c else {
                continue;
            };
            if syncs.is_empty() {
                continue;
            }
            let links: Vec<String> = syncs
                .iter()
                .map(|s| format!("{}/{}", s.vnet, s.link))
                .collect();
            out.push(
                Diagnostic::new(
                    Code::AddressSpaceSync,
                    None,
                    format!(
                        "the address space of peered VNet `{}` changes from {} to {}: {} peering link(s) need a sync ({})",
                        vc.vnet,
                        from.join(", "),
                        to.join(", "),
                        syncs.len(),
                        links.join(", ")
                    ),
                )
                .with_help(format!(
                    "after deploying, run `az network vnet peering sync` (or `Sync-AzVirtualNetworkPeering`) on each link that points at `{}`, as `azmesh diff` lists",
                    vc.vnet
                )),
            );
        }
    }
    out
}

fn on_off(flags: &[&str]) -> String {
    if flags.is_empty() {
        "no flags".to_string()
    } else {
        flags.join(", ")
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Managed => "managed",
        Kind::Existing => "existing",
        Kind::External => "external",
        Kind::Classic => "classic",
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Hub => "hub",
        Role::Spoke => "spoke",
        Role::Vnet => "vnet",
    }
}

fn item_line(item: &Item) -> String {
    match item {
        Item::Vnet {
            name,
            role,
            vnet_kind,
            address_space,
        } => format!(
            "{} {name} ({}) {}",
            role_name(*role),
            kind_name(*vnet_kind),
            address_space.join(", ")
        ),
        Item::Link {
            local,
            name,
            remote,
            flags,
        } => format!("link {local} -> {remote} \"{name}\": {}", on_off(flags)),
        Item::RouteTable { name, vnet } => format!("route table {name} (for {vnet})"),
        Item::Route {
            table,
            name,
            address_prefix,
            next_hop_ip_address,
            ..
        } => format!("route {table}/{name}: {address_prefix} via {next_hop_ip_address}"),
    }
}

/// `azmesh diff OLD NEW --format human`: removals, additions, then the
/// changes of each VNet; `no changes` when there are none.
#[must_use]
pub fn render_human(diff: &Diff) -> String {
    if diff.is_empty() {
        return "no changes\n".to_string();
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} removed, {} added, {} VNet(s) changed",
        diff.removed.len(),
        diff.added.len(),
        diff.changed.len()
    );
    if !diff.removed.is_empty() {
        o.push_str("\nremoved:\n");
        for item in &diff.removed {
            let _ = writeln!(o, "  - {}", item_line(item));
        }
    }
    if !diff.added.is_empty() {
        o.push_str("\nadded:\n");
        for item in &diff.added {
            let _ = writeln!(o, "  + {}", item_line(item));
        }
    }
    if !diff.changed.is_empty() {
        o.push_str("\nchanged:\n");
    }
    for vc in &diff.changed {
        let _ = writeln!(o, "  {}:", vc.vnet);
        for c in &vc.changes {
            change_lines(&mut o, &vc.vnet, c);
        }
    }
    o
}

fn change_lines(o: &mut String, vnet: &str, c: &Change) {
    match c {
        Change::VnetKind { from, to } => {
            let _ = writeln!(o, "    ~ kind {} -> {}", kind_name(*from), kind_name(*to));
        }
        Change::Role { from, to } => {
            let _ = writeln!(o, "    ~ role {} -> {}", role_name(*from), role_name(*to));
        }
        Change::AddressSpace { from, to, syncs } => {
            let _ = writeln!(
                o,
                "    ~ address space {} -> {}",
                from.join(", "),
                to.join(", ")
            );
            if syncs.is_empty() {
                o.push_str("      not peered: no peering sync needed\n");
            } else {
                let _ = writeln!(
                    o,
                    "      peering sync required on {} link(s) after the change:",
                    syncs.len()
                );
                o.push_str("        az CLI:\n");
                for s in syncs {
                    let _ = writeln!(o, "          {}", s.az);
                }
                o.push_str("        PowerShell:\n");
                for s in syncs {
                    let _ = writeln!(o, "          {}", s.pwsh);
                }
            }
        }
        Change::Link {
            remote,
            name,
            renamed_from,
            remote_id,
            flags,
        } => {
            let _ = write!(o, "    ~ link {vnet} -> {remote} \"{name}\"");
            if let Some(old) = renamed_from {
                let _ = write!(o, " (renamed from \"{old}\")");
            }
            if !flags.is_empty() {
                let changes: Vec<String> = flags
                    .iter()
                    .map(|f| format!("{} {} -> {}", f.flag, f.from, f.to))
                    .collect();
                let _ = write!(o, ": {}", changes.join(", "));
            }
            o.push('\n');
            if let Some(id) = remote_id {
                let _ = writeln!(o, "      remote id {}", id.from);
                let _ = writeln!(o, "             -> {}", id.to);
                o.push_str("      a link cannot be pointed at another VNet: it is deleted and created again\n");
            }
        }
        Change::Route {
            table,
            name,
            from,
            to,
        } => {
            let _ = writeln!(
                o,
                "    ~ route {table}/{name}: {} via {} -> {} via {}",
                from.address_prefix,
                from.next_hop_ip_address,
                to.address_prefix,
                to.next_hop_ip_address
            );
        }
    }
}

/// `azmesh diff OLD NEW --format json`: the [`Diff`] as pretty JSON.
#[must_use]
pub fn render_json(diff: &Diff) -> String {
    let mut text = serde_json::to_string_pretty(diff).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
