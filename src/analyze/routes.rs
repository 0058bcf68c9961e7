//! User-defined routes through a hub's firewall.
//!
//! In: the estate and its links. Out: for each managed spoke of a hub with
//! a firewall, the route table `rt-<spoke>`: a route per IPv4 prefix of
//! every other spoke of that hub and of the spokes of hubs peered with it
//! (hub-to-hub links), plus `0.0.0.0/0` when the firewall asks for it, all
//! with next hop `VirtualAppliance` at the firewall's private IP. A table
//! without routes is not created.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::address::SPECIAL_SUBNETS;
use super::links::Links;
use super::names;
use super::resolve::Estate;
use crate::diagnostic::{Code, Diagnostic};
use crate::plan::{Origin, Route};

/// One planned table, before units and tags are attached.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    /// The spoke (index into `Estate::vnets`).
    pub vnet: usize,
    /// Sorted by name.
    pub routes: Vec<Route>,
}

/// Subnets that must not carry a user route table.
#[must_use]
pub fn takes_route_table(subnet: &str) -> bool {
    !SPECIAL_SUBNETS.contains(&subnet)
}

/// Routes Azure allows in one route table.
pub const MAX_ROUTES: usize = 400;

/// The route tables of the estate, sorted by name. A hub whose spokes'
/// tables would pass `MAX_ROUTES` gets a `RouteLimit` diagnostic and no
/// tables (checked before they are built: the sizes grow with the square
/// of the spoke count).
pub fn tables(estate: &Estate<'_>, links: &Links, diags: &mut Vec<Diagnostic>) -> Vec<Table> {
    let mut spokes_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, net) in estate.vnets.iter().enumerate() {
        if let Some(h) = net.hub {
            spokes_of.entry(h).or_default().push(i);
        }
    }
    let mut peer_hubs: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for d in &links.drafts {
        if d.origin == Origin::HubHub {
            peer_hubs.entry(d.local).or_default().push(d.remote);
        }
    }
    let mut out = Vec::new();
    for (&hub, spokes) in &spokes_of {
        let Some(hub_net) = estate.vnets.get(hub) else {
            continue;
        };
        let Some(IpAddr::V4(fw_ip)) = hub_net.firewall_ip else {
            continue;
        };
        let default_route = hub_net
            .src
            .firewall
            .as_ref()
            .and_then(|f| f.default_route.as_ref())
            .is_some_and(|f| f.value);
        // Every destination once: (spoke, route name, prefix), by spoke.
        let mut destinations: Vec<(usize, Route)> = Vec::new();
        let reachable = spokes.iter().copied().chain(
            peer_hubs
                .get(&hub)
                .into_iter()
                .flatten()
                .flat_map(|h| spokes_of.get(h).into_iter().flatten().copied()),
        );
        for s in reachable {
            let Some(net) = estate.vnets.get(s) else {
                continue;
            };
            let v4: Vec<IpNet> = net
                .prefixes
                .iter()
                .map(|p| p.value)
                .filter(|p| matches!(p, IpNet::V4(_)))
                .collect();
            for (n, prefix) in v4.iter().enumerate() {
                let name = if v4.len() == 1 {
                    format!("to-{}", net.name)
                } else {
                    format!("to-{}-{}", net.name, n + 1)
                };
                destinations.push((
                    s,
                    Route {
                        name,
                        address_prefix: prefix.to_string(),
                        next_hop_type: "VirtualAppliance".to_string(),
                        next_hop_ip_address: fw_ip.to_string(),
                    },
                ));
            }
        }
        // A spoke's table holds every destination but itself.
        let mut own: BTreeMap<usize, usize> = BTreeMap::new();
        for (d, _) in &destinations {
            *own.entry(*d).or_default() += 1;
        }
        let fewest_own = spokes
            .iter()
            .map(|s| own.get(s).copied().unwrap_or(0))
            .min()
            .unwrap_or(0);
        let largest = destinations.len() + usize::from(default_route) - fewest_own;
        if largest > MAX_ROUTES {
            let at = hub_net
                .src
                .firewall
                .as_ref()
                .map_or(hub_net.src.name.span, |f| f.name.span);
            diags.push(
                Diagnostic::new(
                    Code::RouteLimit,
                    at,
                    format!(
                        "the spokes of `{}` would need route tables of up to {largest} routes through this firewall; Azure allows {MAX_ROUTES}",
                        hub_net.name
                    ),
                )
                .with_label("next hop of every spoke route")
                .with_help("give spokes address spaces that fewer routes cover, split the hub, or peer fewer hubs with it"),
            );
            continue;
        }
        for &spoke in spokes {
            let Some(net) = estate.vnets.get(spoke) else {
                continue;
            };
            if !net.kind.is_managed() {
                continue;
            }
            let mut routes: Vec<Route> = destinations
                .iter()
                .filter(|(s, _)| *s != spoke)
                .map(|(_, r)| r.clone())
                .collect();
            if default_route {
                routes.push(Route {
                    name: "default".to_string(),
                    address_prefix: "0.0.0.0/0".to_string(),
                    next_hop_type: "VirtualAppliance".to_string(),
                    next_hop_ip_address: fw_ip.to_string(),
                });
            }
            if routes.is_empty() {
                continue;
            }
            routes.sort_by(|a, b| a.name.cmp(&b.name));
            disambiguate(&mut routes);
            out.push(Table {
                name: names::shorten(&format!("rt-{}", net.name)),
                vnet: spoke,
                routes,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// `to-a-1` (second prefix of `a`) and `to-a-1` (VNet `a-1`) may meet:
/// later repeats get the hash of their prefix appended, and stay sorted.
fn disambiguate(routes: &mut [Route]) {
    if routes.windows(2).all(|w| w[0].name != w[1].name) {
        return;
    }
    for i in 1..routes.len() {
        if routes[i].name == routes[i - 1].name {
            let hash = names::fnv1a32(&routes[i].address_prefix);
            routes[i].name = format!("{}-{hash:08x}", routes[i].name);
        }
    }
    routes.sort_by(|a, b| a.name.cmp(&b.name));
}
