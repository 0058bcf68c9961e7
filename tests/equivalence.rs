//! The ARM output says what the plan says, for every example and valid
//! case: the peering links (VNet, name, remote id, four flags) and the
//! created resources (VNets with their subnets, gateways and their public
//! IPs, route tables with their routes) read back from the generated
//! templates equal the plan's. (The scripts and Bicep are compared with
//! the plan in tests/render_scripts.rs and tests/render_arm_bicep.rs.)

mod common;

use std::collections::BTreeSet;

use azmesh::plan::Plan;
use azmesh::render::{self, Target};
use serde_json::Value;

type LinkRow = (String, String, String, [bool; 4]);

/// Every resource of a template, nested inline deployments included.
fn resources(template: &Value, out: &mut Vec<Value>) {
    for r in template["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Resources/deployments" {
            resources(&r["properties"]["template"], out);
        } else {
            out.push(r.clone());
        }
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn from_arm(plan: &Plan) -> (BTreeSet<LinkRow>, BTreeSet<(String, String)>) {
    let files = render::render(plan, &[Target::Arm], None).expect("renders");
    let mut all = Vec::new();
    for f in &files {
        let template: Value = serde_json::from_str(&f.contents).expect("ARM is JSON");
        resources(&template, &mut all);
    }
    let mut links = BTreeSet::new();
    let mut created = BTreeSet::new();
    for r in &all {
        let kind = text(&r["type"]);
        let name = text(&r["name"]);
        let p = &r["properties"];
        match kind.as_str() {
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings" => {
                let (vnet, link) = name.split_once('/').expect("parent/child name");
                let flag = |k: &str| {
                    p[k].as_bool()
                        .unwrap_or_else(|| panic!("{name}: {k} is not a literal bool"))
                };
                links.insert((
                    vnet.to_string(),
                    link.to_string(),
                    text(&p["remoteVirtualNetwork"]["id"]),
                    [
                        flag("allowVirtualNetworkAccess"),
                        flag("allowForwardedTraffic"),
                        flag("allowGatewayTransit"),
                        flag("useRemoteGateways"),
                    ],
                ));
            }
            "Microsoft.Network/virtualNetworks" => {
                let subnets: Vec<String> = p["subnets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        format!(
                            "{}={}",
                            text(&s["name"]),
                            text(&s["properties"]["addressPrefix"])
                        )
                    })
                    .collect();
                created.insert((kind.clone(), format!("{name} [{}]", subnets.join(" "))));
            }
            "Microsoft.Network/routeTables" => {
                let routes: Vec<String> = p["routes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        format!(
                            "{}={}",
                            text(&r["name"]),
                            text(&r["properties"]["addressPrefix"])
                        )
                    })
                    .collect();
                created.insert((kind.clone(), format!("{name} [{}]", routes.join(" "))));
            }
            _ => {
                created.insert((kind, name));
            }
        }
    }
    (links, created)
}

fn from_plan(plan: &Plan) -> (BTreeSet<LinkRow>, BTreeSet<(String, String)>) {
    let links = plan
        .links
        .iter()
        .map(|l| {
            (
                l.local.clone(),
                l.name.clone(),
                l.remote_id.clone(),
                l.flags(),
            )
        })
        .collect();
    let mut created = BTreeSet::new();
    for u in plan.units.iter().filter(|u| u.creates_resources) {
        created.insert((
            "Microsoft.Resources/resourceGroups".to_string(),
            u.resource_group.clone(),
        ));
    }
    for v in plan.vnets.iter().filter(|v| v.kind.is_managed()) {
        // single-prefix subnets as written by ARM's addressPrefix
        let subnets: Vec<String> = v
            .subnets
            .iter()
            .map(|s| {
                format!(
                    "{}={}",
                    s.name,
                    if s.prefixes.len() == 1 {
                        s.prefixes[0].as_str()
                    } else {
                        ""
                    }
                )
            })
            .collect();
        created.insert((
            "Microsoft.Network/virtualNetworks".into(),
            format!("{} [{}]", v.name, subnets.join(" ")),
        ));
        if let Some(g) = &v.gateway {
            created.insert((
                "Microsoft.Network/virtualNetworkGateways".into(),
                g.name.clone(),
            ));
            created.insert((
                "Microsoft.Network/publicIPAddresses".into(),
                g.public_ip.clone(),
            ));
        }
        if let Some(r) = &v.route_server {
            created.insert((
                "Microsoft.Network/publicIPAddresses".into(),
                r.public_ip.clone(),
            ));
        }
    }
    for t in &plan.route_tables {
        let routes: Vec<String> = t
            .routes
            .iter()
            .map(|r| format!("{}={}", r.name, r.address_prefix))
            .collect();
        created.insert((
            "Microsoft.Network/routeTables".into(),
            format!("{} [{}]", t.name, routes.join(" ")),
        ));
    }
    (links, created)
}

#[test]
fn arm_says_what_the_plan_says() {
    let mut all = common::files("examples");
    all.extend(common::files("tests/cases/valid"));
    let mut checked = 0;
    for path in all {
        let source = common::source(&path);
        let plan = azmesh::compile(&source).plan.expect("valid");
        if plan
            .vnets
            .iter()
            .any(|v| v.route_server.is_some() || v.subnets.iter().any(|s| s.prefixes.len() > 1))
        {
            continue; // route servers are virtual hubs; multi-prefix subnets use addressPrefixes
        }
        let (arm_links, arm_created) = from_arm(&plan);
        let (plan_links, plan_created) = from_plan(&plan);
        assert_eq!(arm_links, plan_links, "{}: links differ", source.name);
        assert_eq!(
            arm_created, plan_created,
            "{}: created resources differ",
            source.name
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} cases compared");
}
