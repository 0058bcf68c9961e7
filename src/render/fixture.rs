//! A hand-built plan for renderer tests, written before analysis existed
//! and kept as an independent check: two subscriptions, a hub with a VPN
//! gateway and a firewall, two spokes with route tables, a classic VNet
//! peered to one spoke, and a second hub in another region. With
//! `hostile`, every free text carries quotes, `$(...)`, backticks, `${...}`,
//! `[concat()]`, typographic quotes and newlines.

use std::collections::BTreeMap;

use crate::plan::{
    Kind, Link, Order, Origin, Plan, PlanFirewall, PlanGateway, PlanSite, PlanSubnet,
    PlanSubscription, PlanVnet, Resource, Role, Route, RouteTable, Step, Tags, Unit,
};

const SUB_A: &str = "11111111-1111-1111-1111-111111111111";
const SUB_B: &str = "22222222-2222-2222-2222-222222222222";

/// The text a hostile fixture puts in tags.
pub const HOSTILE: &str =
    "it's \"$(whoami)\" `id` ${HOME} [concat('a')] \u{2018}x\u{2019} \u{201C}y\u{201D}\nline2";

fn tags(hostile: bool) -> Tags {
    let mut t = BTreeMap::new();
    t.insert("owner".to_string(), "net-team".to_string());
    if hostile {
        t.insert("note".to_string(), HOSTILE.to_string());
        t.insert(
            "[concat('k')]".to_string(),
            "[resourceGroup().id]".to_string(),
        );
    }
    t
}

fn vnet_id(sub: &str, rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"
    )
}

fn subnet(name: &str, prefix: &str, rt: Option<&str>) -> PlanSubnet {
    PlanSubnet {
        name: name.into(),
        prefixes: vec![prefix.into()],
        route_table: rt.map(Into::into),
    }
}

#[allow(clippy::too_many_arguments)]
fn vnet(
    name: &str,
    role: Role,
    hub: Option<&str>,
    kind: Kind,
    location: &str,
    unit: usize,
    prefix: &str,
    subnets: Vec<PlanSubnet>,
    hostile: bool,
) -> PlanVnet {
    let (alias, sub, rg) = match unit {
        0 => ("conn", SUB_A, "rg-hub"),
        1 => ("conn", SUB_A, "rg-hub-neu"),
        2 => ("apps", SUB_B, "rg-classic"),
        _ => ("apps", SUB_B, "rg-spokes"),
    };
    let id = if kind == Kind::Classic {
        format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ClassicNetwork/virtualNetworks/{name}"
        )
    } else {
        vnet_id(sub, rg, name)
    };
    PlanVnet {
        name: name.into(),
        role,
        hub: hub.map(Into::into),
        kind,
        location: location.into(),
        subscription: alias.into(),
        subscription_id: sub.into(),
        tenant: None,
        resource_group: rg.into(),
        unit,
        id,
        address_space: vec![prefix.into()],
        dns_servers: Vec::new(),
        subnets,
        gateway: None,
        route_server: None,
        firewall: None,
        tags: tags(hostile),
    }
}

fn link(
    plan_vnets: &[PlanVnet],
    local: &str,
    remote: &str,
    flags: [bool; 4],
    origin: Origin,
) -> Link {
    let l = plan_vnets
        .iter()
        .find(|v| v.name == local)
        .expect("fixture vnet");
    let r = plan_vnets
        .iter()
        .find(|v| v.name == remote)
        .expect("fixture vnet");
    Link {
        name: format!("{local}-to-{remote}"),
        local: local.into(),
        remote: remote.into(),
        remote_id: r.id.clone(),
        unit: l.unit,
        allow_virtual_network_access: flags[0],
        allow_forwarded_traffic: flags[1],
        allow_gateway_transit: flags[2],
        use_remote_gateways: flags[3],
        origin,
        global: l.location != r.location,
        cross_tenant: false,
        remote_classic: r.kind == Kind::Classic,
    }
}

/// The fixture plan.
#[must_use]
pub fn sample_plan(hostile: bool) -> Plan {
    let mut hub = vnet(
        "hub-weu",
        Role::Hub,
        None,
        Kind::Managed,
        "westeurope",
        0,
        "10.0.0.0/16",
        vec![
            subnet("GatewaySubnet", "10.0.255.0/27", None),
            subnet("AzureFirewallSubnet", "10.0.254.0/26", None),
        ],
        hostile,
    );
    hub.gateway = Some(PlanGateway {
        name: "vgw-weu".into(),
        gateway_type: "Vpn".into(),
        sku: "VpnGw1AZ".into(),
        public_ip: "vgw-weu-pip".into(),
    });
    hub.firewall = Some(PlanFirewall {
        name: "fw-weu".into(),
        private_ip: "10.0.254.4".into(),
    });
    hub.dns_servers = vec!["10.0.254.4".into()];
    let hub2 = vnet(
        "hub-neu",
        Role::Hub,
        None,
        Kind::Managed,
        "northeurope",
        1,
        "10.100.0.0/16",
        vec![subnet("default", "10.100.0.0/24", None)],
        hostile,
    );
    let classic = vnet(
        "legacy",
        Role::Vnet,
        None,
        Kind::Classic,
        "westeurope",
        2,
        "10.50.0.0/16",
        Vec::new(),
        hostile,
    );
    let app1 = vnet(
        "app1",
        Role::Spoke,
        Some("hub-weu"),
        Kind::Managed,
        "westeurope",
        3,
        "10.1.0.0/16",
        vec![
            subnet("web", "10.1.0.0/24", Some("rt-app1")),
            subnet("db", "10.1.1.0/24", Some("rt-app1")),
        ],
        hostile,
    );
    let app2 = vnet(
        "app2",
        Role::Spoke,
        Some("hub-weu"),
        Kind::Managed,
        "westeurope",
        3,
        "10.2.0.0/16",
        vec![subnet("web", "10.2.0.0/24", Some("rt-app2"))],
        hostile,
    );
    let mut vnets = vec![app1, app2, hub2, hub, classic];
    vnets.sort_by(|a, b| a.name.cmp(&b.name));

    let mut links = vec![
        link(
            &vnets,
            "hub-weu",
            "app1",
            [true, false, true, false],
            Origin::HubSpoke,
        ),
        link(
            &vnets,
            "app1",
            "hub-weu",
            [true, true, false, true],
            Origin::HubSpoke,
        ),
        link(
            &vnets,
            "hub-weu",
            "app2",
            [true, false, true, false],
            Origin::HubSpoke,
        ),
        link(
            &vnets,
            "app2",
            "hub-weu",
            [true, true, false, true],
            Origin::HubSpoke,
        ),
        link(
            &vnets,
            "hub-weu",
            "hub-neu",
            [true, true, false, false],
            Origin::HubHub,
        ),
        link(
            &vnets,
            "hub-neu",
            "hub-weu",
            [true, true, false, false],
            Origin::HubHub,
        ),
        link(
            &vnets,
            "app2",
            "legacy",
            [true, false, false, false],
            Origin::Peering,
        ),
    ];
    links.sort_by(|a, b| (&a.local, &a.name).cmp(&(&b.local, &b.name)));

    let route = |to: &str, prefix: &str| Route {
        name: format!("to-{to}"),
        address_prefix: prefix.into(),
        next_hop_type: "VirtualAppliance".into(),
        next_hop_ip_address: "10.0.254.4".into(),
    };
    let route_tables = vec![
        RouteTable {
            name: "rt-app1".into(),
            vnet: "app1".into(),
            unit: 3,
            location: "westeurope".into(),
            routes: vec![route("app2", "10.2.0.0/16")],
            tags: tags(hostile),
        },
        RouteTable {
            name: "rt-app2".into(),
            vnet: "app2".into(),
            unit: 3,
            location: "westeurope".into(),
            routes: vec![route("app1", "10.1.0.0/16")],
            tags: tags(hostile),
        },
    ];

    let units = vec![
        Unit {
            name: "conn/rg-hub".into(),
            subscription: "conn".into(),
            subscription_id: SUB_A.into(),
            tenant: None,
            resource_group: "rg-hub".into(),
            location: "westeurope".into(),
            creates_resources: true,
        },
        Unit {
            name: "conn/rg-hub-neu".into(),
            subscription: "conn".into(),
            subscription_id: SUB_A.into(),
            tenant: None,
            resource_group: "rg-hub-neu".into(),
            location: "northeurope".into(),
            creates_resources: true,
        },
        Unit {
            name: "apps/rg-classic".into(),
            subscription: "apps".into(),
            subscription_id: SUB_B.into(),
            tenant: None,
            resource_group: "rg-classic".into(),
            location: "westeurope".into(),
            creates_resources: false,
        },
        Unit {
            name: "apps/rg-spokes".into(),
            subscription: "apps".into(),
            subscription_id: SUB_B.into(),
            tenant: None,
            resource_group: "rg-spokes".into(),
            location: "westeurope".into(),
            creates_resources: true,
        },
    ];

    let order = fixture_order(&vnets, &links, &route_tables);
    Plan {
        topology: if hostile {
            format!("contoso {HOSTILE}")
        } else {
            "contoso".into()
        },
        cloud: "public".into(),
        api_version: "2024-07-01".into(),
        max_peerings: 500,
        tags: tags(hostile),
        subscriptions: vec![
            PlanSubscription {
                alias: "apps".into(),
                id: SUB_B.into(),
                tenant: None,
            },
            PlanSubscription {
                alias: "conn".into(),
                id: SUB_A.into(),
                tenant: None,
            },
        ],
        units,
        vnets,
        links,
        route_tables,
        sites: vec![PlanSite {
            name: "onprem".into(),
            address_space: vec!["192.168.0.0/16".into()],
            hub: Some("hub-weu".into()),
            gateway_address: Some("203.0.113.10".into()),
        }],
        order,
        peering_syncs: Vec::new(),
    }
}

/// The order rules of azure-rules.md, applied by hand to the fixture.
fn fixture_order(vnets: &[PlanVnet], links: &[Link], tables: &[RouteTable]) -> Order {
    let mut edges: Vec<(Resource, Resource)> = Vec::new();
    let mut nodes: Vec<Resource> = Vec::new();
    for u in [0, 1, 3] {
        nodes.push(Resource::ResourceGroup { unit: u });
    }
    for t in tables {
        let rt = Resource::RouteTable {
            name: t.name.clone(),
        };
        nodes.push(rt.clone());
        edges.push((Resource::ResourceGroup { unit: t.unit }, rt));
    }
    for v in vnets.iter().filter(|v| v.kind.is_managed()) {
        let vr = Resource::Vnet {
            vnet: v.name.clone(),
        };
        nodes.push(vr.clone());
        edges.push((Resource::ResourceGroup { unit: v.unit }, vr.clone()));
        let mut prev = vr;
        for s in &v.subnets {
            let sr = Resource::Subnet {
                vnet: v.name.clone(),
                subnet: s.name.clone(),
            };
            nodes.push(sr.clone());
            edges.push((prev, sr.clone()));
            if let Some(rt) = &s.route_table {
                edges.push((Resource::RouteTable { name: rt.clone() }, sr.clone()));
            }
            prev = sr;
        }
        if let Some(g) = &v.gateway {
            let pip = Resource::PublicIp {
                vnet: v.name.clone(),
                name: g.public_ip.clone(),
            };
            let gw = Resource::Gateway {
                vnet: v.name.clone(),
                name: g.name.clone(),
            };
            nodes.push(pip.clone());
            nodes.push(gw.clone());
            edges.push((Resource::ResourceGroup { unit: v.unit }, pip.clone()));
            edges.push((pip, gw.clone()));
            edges.push((
                Resource::Subnet {
                    vnet: v.name.clone(),
                    subnet: "GatewaySubnet".into(),
                },
                gw.clone(),
            ));
            for l in links
                .iter()
                .filter(|l| l.local == v.name && l.allow_gateway_transit)
            {
                edges.push((
                    gw.clone(),
                    Resource::Link {
                        vnet: l.local.clone(),
                        name: l.name.clone(),
                    },
                ));
            }
        }
        let mut prev = Resource::Subnet {
            vnet: v.name.clone(),
            subnet: v.subnets.last().expect("fixture subnets").name.clone(),
        };
        for l in links.iter().filter(|l| l.local == v.name) {
            let lr = Resource::Link {
                vnet: l.local.clone(),
                name: l.name.clone(),
            };
            nodes.push(lr.clone());
            edges.push((prev, lr.clone()));
            prev = lr;
        }
    }
    for l in links.iter().filter(|l| l.use_remote_gateways) {
        let back = links
            .iter()
            .find(|b| b.local == l.remote && b.remote == l.local)
            .expect("fixture link back");
        edges.push((
            Resource::Link {
                vnet: back.local.clone(),
                name: back.name.clone(),
            },
            Resource::Link {
                vnet: l.local.clone(),
                name: l.name.clone(),
            },
        ));
    }
    // Kahn's algorithm with a sorted ready set; `after` lists direct edges
    // (the fixture has no redundant ones).
    nodes.sort();
    nodes.dedup();
    let mut placed: Vec<Resource> = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    while placed.len() < nodes.len() {
        let ready = nodes
            .iter()
            .filter(|n| !placed.contains(n))
            .find(|n| {
                edges
                    .iter()
                    .filter(|(_, b)| b == *n)
                    .all(|(a, _)| placed.contains(a))
            })
            .expect("fixture graph is acyclic")
            .clone();
        let after: Vec<usize> = edges
            .iter()
            .filter(|(_, b)| *b == ready)
            .map(|(a, _)| placed.iter().position(|p| p == a).expect("placed"))
            .collect();
        let wave = after.iter().map(|&i| steps[i].wave + 1).max().unwrap_or(0);
        let mut after = after;
        after.sort_unstable();
        after.dedup();
        steps.push(Step {
            resource: ready.clone(),
            after,
            wave,
        });
        placed.push(ready);
    }
    Order { steps }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixture_order_is_topological() {
        let plan = super::sample_plan(false);
        for (i, s) in plan.order.steps.iter().enumerate() {
            assert!(s.after.iter().all(|&a| a < i));
        }
        assert!(plan.order.steps.len() > 15);
    }
}
