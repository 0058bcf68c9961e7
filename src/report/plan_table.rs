//! The expanded plan as readable text tables (`azmesh plan`).

use std::fmt::Write as _;

use crate::plan::{Kind, Origin, Plan, Resource};

/// Left-aligned columns separated by two spaces; the header underlined.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::from("  ");
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            let _ = write!(s, "{cell:<w$}");
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&mut header.iter().copied());
    out.push_str(&line(
        &mut widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    ));
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "-" }.to_string()
}

fn origin(o: &Origin) -> String {
    match o {
        Origin::HubSpoke => "hub-spoke".into(),
        Origin::HubHub => "hub-hub".into(),
        Origin::Mesh { mesh } => format!("mesh {mesh}"),
        Origin::Peering => "peering".into(),
    }
}

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Managed => "create",
        Kind::Existing => "existing",
        Kind::External => "external",
        Kind::Classic => "classic",
    }
}

/// A short, unique label for an order step.
#[must_use]
pub fn resource_label(plan: &Plan, r: &Resource) -> String {
    match r {
        Resource::ResourceGroup { unit } => format!(
            "resource group {}",
            plan.units.get(*unit).map_or("?", |u| u.name.as_str())
        ),
        Resource::Vnet { vnet } => format!("vnet {vnet}"),
        Resource::Subnet { vnet, subnet } => format!("subnet {vnet}/{subnet}"),
        Resource::PublicIp { vnet, name } => format!("public ip {vnet}/{name}"),
        Resource::Gateway { vnet, name } => format!("gateway {vnet}/{name}"),
        Resource::RouteServer { vnet, name } => format!("route server {vnet}/{name}"),
        Resource::RouteTable { name } => format!("route table {name}"),
        Resource::Link { vnet, name } => format!("link {vnet}/{name}"),
    }
}

/// The whole plan as text.
#[must_use]
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan {}: {} VNets, {} links, {} route tables, {} deployment units ({} cloud, Microsoft.Network {})",
        plan.topology,
        plan.vnets.len(),
        plan.links.len(),
        plan.route_tables.len(),
        plan.units.len(),
        plan.cloud,
        plan.api_version
    );

    out.push_str("\nDeployment units\n");
    let rows: Vec<Vec<String>> = plan
        .units
        .iter()
        .map(|u| {
            vec![
                u.name.clone(),
                u.subscription_id.clone(),
                u.tenant.clone().unwrap_or_else(|| "-".into()),
                u.location.clone(),
                if u.creates_resources {
                    "creates resources"
                } else {
                    "links only"
                }
                .into(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["UNIT", "SUBSCRIPTION", "TENANT", "LOCATION", "WORK"],
        &rows,
    ));

    out.push_str("\nVNets\n");
    let rows: Vec<Vec<String>> = plan
        .vnets
        .iter()
        .map(|v| {
            let mut extras = Vec::new();
            if let Some(g) = &v.gateway {
                extras.push(format!("gateway {} ({} {})", g.name, g.gateway_type, g.sku));
            }
            if let Some(r) = &v.route_server {
                extras.push(format!("route server {}", r.name));
            }
            if let Some(f) = &v.firewall {
                extras.push(format!("firewall {} {}", f.name, f.private_ip));
            }
            vec![
                v.name.clone(),
                match &v.hub {
                    Some(h) => format!("spoke of {h}"),
                    None => format!("{:?}", v.role).to_lowercase(),
                },
                kind(v.kind).into(),
                v.location.clone(),
                plan.units
                    .get(v.unit)
                    .map_or("?", |u| u.name.as_str())
                    .into(),
                v.address_space.join(" "),
                extras.join("; "),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "VNET",
            "ROLE",
            "KIND",
            "LOCATION",
            "UNIT",
            "ADDRESS SPACE",
            "GATEWAY/FIREWALL",
        ],
        &rows,
    ));

    out.push_str("\nLinks (allowVirtualNetworkAccess, allowForwardedTraffic, allowGatewayTransit, useRemoteGateways)\n");
    let rows: Vec<Vec<String>> = plan
        .links
        .iter()
        .map(|l| {
            let mut notes = vec![origin(&l.origin)];
            if l.global {
                notes.push("global".into());
            }
            if l.remote_classic {
                notes.push("classic remote".into());
            }
            if l.cross_tenant {
                notes.push("cross-tenant".into());
            }
            vec![
                format!("{} -> {}", l.local, l.remote),
                l.name.clone(),
                yes(l.allow_virtual_network_access),
                yes(l.allow_forwarded_traffic),
                yes(l.allow_gateway_transit),
                yes(l.use_remote_gateways),
                notes.join(", "),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "LINK",
            "NAME",
            "ACCESS",
            "FORWARDED",
            "GW TRANSIT",
            "REMOTE GW",
            "NOTES",
        ],
        &rows,
    ));

    if !plan.route_tables.is_empty() {
        out.push_str("\nRoute tables\n");
        let mut rows = Vec::new();
        for t in &plan.route_tables {
            let subnets: Vec<&str> = plan
                .vnet(&t.vnet)
                .map(|v| {
                    v.subnets
                        .iter()
                        .filter(|s| s.route_table.as_deref() == Some(t.name.as_str()))
                        .map(|s| s.name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            for r in &t.routes {
                rows.push(vec![
                    t.name.clone(),
                    format!("{} ({})", t.vnet, subnets.join(", ")),
                    r.name.clone(),
                    r.address_prefix.clone(),
                    format!("{} {}", r.next_hop_type, r.next_hop_ip_address),
                ]);
            }
        }
        out.push_str(&table(
            &[
                "ROUTE TABLE",
                "VNET (SUBNETS)",
                "ROUTE",
                "PREFIX",
                "NEXT HOP",
            ],
            &rows,
        ));
    }

    out.push_str("\nOrder (steps of one wave run in parallel)\n");
    let rows: Vec<Vec<String>> = plan
        .order
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let after: Vec<String> = s.after.iter().map(|a| format!("#{}", a + 1)).collect();
            vec![
                format!("#{}", i + 1),
                s.wave.to_string(),
                resource_label(plan, &s.resource),
                if after.is_empty() {
                    "-".into()
                } else {
                    after.join(" ")
                },
            ]
        })
        .collect();
    out.push_str(&table(&["STEP", "WAVE", "RESOURCE", "AFTER"], &rows));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_link_and_flag_is_shown() {
        let plan = crate::render::fixture::sample_plan(false);
        let text = super::render(&plan);
        for l in &plan.links {
            let row = text
                .lines()
                .find(|line| line.contains(&format!(" {} ", l.name)))
                .unwrap_or_else(|| panic!("no row for {}", l.name));
            let flags: Vec<&str> = row.split_whitespace().skip(4).take(4).collect();
            let expect: Vec<&str> = l
                .flags()
                .iter()
                .map(|b| if *b { "yes" } else { "-" })
                .collect();
            assert_eq!(flags, expect, "{row}");
        }
        assert!(text.contains("conn/rg-hub"));
    }
}
