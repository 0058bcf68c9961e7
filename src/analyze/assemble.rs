//! Plan assembly: resolved estate + links + route tables -> `plan::Plan`.
//!
//! In: an estate without errors, its links and route tables. Out: the plan
//! fields exactly as `src/plan.rs` documents them (sorted, canonical),
//! except `order`, which `order` fills. Deployment units are one per
//! (subscription alias, resource group) holding a VNet of the estate.

use std::collections::BTreeMap;

use super::gateways;
use super::links::{ACCESS, FORWARDED, Links, REMOTE_GATEWAYS, TRANSIT};
use super::resolve::{Estate, Net};
use super::routes::{self, Table};
use crate::diagnostic::Diagnostic;
use crate::model::Tag;
use crate::plan::{
    Link, Order, Plan, PlanFirewall, PlanSite, PlanSubnet, PlanSubscription, PlanVnet, RouteTable,
    Tags, Unit,
};

fn tags(tags: &[Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key.value.clone(), t.value.value.clone()))
        .collect()
}

fn merged(base: &Tags, own: &[Tag]) -> Tags {
    let mut t = base.clone();
    t.extend(tags(own));
    t
}

fn unit_key(net: &Net<'_>) -> (String, String) {
    (
        net.subscription.clone().unwrap_or_default(),
        net.resource_group.clone().unwrap_or_default(),
    )
}

/// The plan (with an empty order); gateway diagnostics go to `diags`.
pub fn plan(
    estate: &Estate<'_>,
    links: &Links,
    tables: &[Table],
    diags: &mut Vec<Diagnostic>,
) -> Plan {
    let topology_tags = tags(&estate.topology.tags);

    // Units, keyed and so sorted by (alias, resource group).
    let mut unit_map: BTreeMap<(String, String), Unit> = BTreeMap::new();
    let mut by_name: Vec<usize> = (0..estate.vnets.len()).collect();
    by_name.sort_by(|&a, &b| {
        let name = |i: usize| estate.vnets.get(i).map(|n| n.name.as_str());
        name(a).cmp(&name(b))
    });
    for &i in &by_name {
        let Some(net) = estate.vnets.get(i) else {
            continue;
        };
        let key = unit_key(net);
        let unit = unit_map.entry(key.clone()).or_insert_with(|| Unit {
            name: format!("{}/{}", key.0, key.1),
            subscription: key.0.clone(),
            subscription_id: net.subscription_id.clone().unwrap_or_default(),
            tenant: net.tenant.clone(),
            resource_group: key.1.clone(),
            location: net.location.clone().unwrap_or_default(),
            creates_resources: false,
        });
        unit.creates_resources |= net.kind.is_managed();
    }
    let unit_index: BTreeMap<(String, String), usize> = unit_map
        .keys()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    // The unit of every VNet, by index into `estate.vnets`.
    let units_of: Vec<usize> = estate
        .vnets
        .iter()
        .map(|net| unit_index.get(&unit_key(net)).copied().unwrap_or(0))
        .collect();
    let unit_at = |i: usize| units_of.get(i).copied().unwrap_or(0);

    let table_of: BTreeMap<usize, &Table> = tables.iter().map(|t| (t.vnet, t)).collect();
    let mut vnets: Vec<PlanVnet> = Vec::with_capacity(estate.vnets.len());
    for &i in &by_name {
        let Some(net) = estate.vnets.get(i) else {
            continue;
        };
        vnets.push(vnet(
            net,
            unit_at(i),
            table_of.get(&i).map(|t| t.name.as_str()),
            &topology_tags,
            diags,
        ));
    }

    // Links by (local VNet, name): the rank of the local VNet by name first,
    // so that names are compared only within one VNet.
    let mut rank = vec![0usize; estate.vnets.len()];
    for (r, &i) in by_name.iter().enumerate() {
        if let Some(slot) = rank.get_mut(i) {
            *slot = r;
        }
    }
    let mut drafts: Vec<&super::links::Draft> = links.drafts.iter().collect();
    drafts.sort_by(|a, b| (rank.get(a.local), &a.name).cmp(&(rank.get(b.local), &b.name)));
    let plan_links: Vec<Link> = drafts
        .into_iter()
        .filter_map(|d| {
            let local = estate.vnets.get(d.local)?;
            let remote = estate.vnets.get(d.remote)?;
            Some(Link {
                name: d.name.clone(),
                local: local.name.clone(),
                remote: remote.name.clone(),
                remote_id: remote.id.clone().unwrap_or_default(),
                unit: unit_at(d.local),
                allow_virtual_network_access: d.flags[ACCESS].value,
                allow_forwarded_traffic: d.flags[FORWARDED].value,
                allow_gateway_transit: d.flags[TRANSIT].value,
                use_remote_gateways: d.flags[REMOTE_GATEWAYS].value,
                origin: d.origin.clone(),
                global: d.global,
                cross_tenant: d.cross_tenant,
                remote_classic: d.remote_classic,
            })
        })
        .collect();

    let route_tables: Vec<RouteTable> = tables
        .iter()
        .filter_map(|t| {
            let net = estate.vnets.get(t.vnet)?;
            let unit = unit_at(t.vnet);
            if let Some(u) = unit_map.values_mut().nth(unit) {
                u.creates_resources = true;
            }
            Some(RouteTable {
                name: t.name.clone(),
                vnet: net.name.clone(),
                unit,
                location: net.location.clone().unwrap_or_default(),
                routes: t.routes.clone(),
                tags: merged(&topology_tags, &net.src.tags),
            })
        })
        .collect();

    let mut sites: Vec<PlanSite> = estate
        .sites
        .iter()
        .map(|s| PlanSite {
            name: s.src.name.value.clone(),
            address_space: s.prefixes.iter().map(|p| p.value.to_string()).collect(),
            hub: s
                .hub
                .and_then(|h| estate.vnets.get(h))
                .map(|h| h.name.clone()),
            gateway_address: s
                .src
                .gateway_address
                .as_ref()
                .map(|a| a.value.trim().to_string()),
        })
        .collect();
    sites.sort_by(|a, b| a.name.cmp(&b.name));

    Plan {
        topology: estate
            .topology
            .name
            .as_ref()
            .map_or_else(|| "azmesh".to_string(), |n| n.value.clone()),
        cloud: estate.settings.cloud.as_str().to_string(),
        api_version: estate.settings.api_version.clone(),
        max_peerings: estate.settings.max_peerings,
        tags: topology_tags,
        subscriptions: estate
            .subscriptions
            .values()
            .map(|s| PlanSubscription {
                alias: s.alias.clone(),
                id: s.id.clone().unwrap_or_default(),
                tenant: s.tenant.clone(),
            })
            .collect(),
        units: unit_map.into_values().collect(),
        vnets,
        links: plan_links,
        route_tables,
        sites,
        order: Order::default(),
        peering_syncs: Vec::new(),
    }
}

fn vnet(
    net: &Net<'_>,
    unit: usize,
    table: Option<&str>,
    topology_tags: &Tags,
    diags: &mut Vec<Diagnostic>,
) -> PlanVnet {
    let managed = net.kind.is_managed();
    let src = net.src;
    let hub = match &src.role {
        crate::model::Role::Spoke { hub: Some(h) } => Some(h.value.clone()),
        _ => None,
    };
    let subnets = if managed {
        src.subnets
            .iter()
            .map(|s| PlanSubnet {
                name: s.name.value.clone(),
                prefixes: s
                    .prefixes
                    .iter()
                    .map(|p| {
                        p.value
                            .trim()
                            .parse::<ipnet::IpNet>()
                            .map_or_else(|_| p.value.clone(), |n| n.trunc().to_string())
                    })
                    .collect(),
                route_table: table
                    .filter(|_| routes::takes_route_table(&s.name.value))
                    .map(str::to_string),
            })
            .collect()
    } else {
        Vec::new()
    };
    PlanVnet {
        name: net.name.clone(),
        role: net.role,
        hub,
        kind: net.kind,
        location: net.location.clone().unwrap_or_default(),
        subscription: net.subscription.clone().unwrap_or_default(),
        subscription_id: net.subscription_id.clone().unwrap_or_default(),
        tenant: net.tenant.clone(),
        resource_group: net.resource_group.clone().unwrap_or_default(),
        unit,
        id: net.id.clone().unwrap_or_default(),
        address_space: net.prefixes.iter().map(|p| p.value.to_string()).collect(),
        subnets,
        dns_servers: if managed {
            src.dns_servers
                .iter()
                .map(|d| {
                    d.value
                        .trim()
                        .parse::<std::net::IpAddr>()
                        .map_or_else(|_| d.value.clone(), |ip| ip.to_string())
                })
                .collect()
        } else {
            Vec::new()
        },
        gateway: if managed {
            src.gateway
                .as_ref()
                .and_then(|g| gateways::gateway(g, diags))
        } else {
            None
        },
        route_server: if managed {
            src.route_server.as_ref().map(gateways::route_server)
        } else {
            None
        },
        firewall: match (&src.firewall, net.firewall_ip) {
            (Some(f), Some(ip)) if net.kind != crate::plan::Kind::Classic => Some(PlanFirewall {
                name: f.name.value.clone(),
                private_ip: ip.to_string(),
            }),
            _ => None,
        },
        tags: if managed {
            merged(topology_tags, &src.tags)
        } else {
            Tags::new()
        },
    }
}
