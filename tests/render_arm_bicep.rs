//! ARM and Bicep output of the fixture plans: valid, faithful to the plan,
//! ordered as the plan says, hostile text kept literal, deterministic.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use azmesh::plan::{
    Kind, Link, Origin, Plan, PlanGateway, PlanRouteServer, PlanSubnet, PlanVnet, Resource, Role,
    Step,
};
use azmesh::render::arm::{self, Limits};
use azmesh::render::fixture::{HOSTILE, sample_plan};
use azmesh::render::{OutputFile, Target, bicep, environment, render};
use serde_json::Value;

/// This worktree's templates, read from disk (a shared target directory
/// may hold another checkout's embedded copy).
fn templates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")
}

fn files(plan: &Plan) -> Vec<OutputFile> {
    render(plan, &[Target::Arm, Target::Bicep], Some(&templates())).expect("renders")
}

fn arm_files(plan: &Plan, limits: Limits) -> Vec<OutputFile> {
    arm::render_with(plan, &environment(Some(&templates())), limits).expect("renders")
}

fn entry(files: &[OutputFile]) -> Value {
    let main = files
        .iter()
        .find(|f| f.path.starts_with("arm") && f.path.extension().is_some_and(|e| e == "json"))
        .expect("an ARM file");
    serde_json::from_str(&main.contents).expect("ARM is JSON")
}

/// A nested deployment: its name, dependsOn and template (inline or linked).
struct Nested {
    name: String,
    depends_on: Vec<String>,
    template: Value,
}

fn nested(files: &[OutputFile], main: &Value) -> Vec<Nested> {
    let mut out = Vec::new();
    for d in main["resources"].as_array().expect("resources") {
        assert_eq!(d["type"], "Microsoft.Resources/deployments");
        assert_eq!(d["properties"]["mode"], "Incremental");
        let template = match d["properties"]["templateLink"]["relativePath"].as_str() {
            Some(rel) => {
                let f = files
                    .iter()
                    .find(|f| f.path == Path::new("arm").join(rel))
                    .unwrap_or_else(|| panic!("linked template {rel} is written"));
                serde_json::from_str(&f.contents).expect("linked template is JSON")
            }
            None => d["properties"]["template"].clone(),
        };
        out.push(Nested {
            name: d["name"].as_str().expect("name").to_string(),
            depends_on: d["dependsOn"]
                .as_array()
                .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
                .unwrap_or_default(),
            template,
        });
    }
    out
}

/// `[resourceId('T', 'a', 'b')]` -> (T, "a/b").
fn parse_resource_id(expr: &str) -> (String, String) {
    let inner = expr
        .strip_prefix("[resourceId(")
        .and_then(|s| s.strip_suffix(")]"))
        .unwrap_or_else(|| panic!("not a resourceId: {expr}"));
    let parts: Vec<String> = inner
        .split(", ")
        .map(|p| p.trim_matches('\'').replace("''", "'"))
        .collect();
    (parts[0].clone(), parts[1..].join("/"))
}

/// The ARM resource a plan step lives in: (type, full name).
fn arm_key(plan: &Plan, r: &Resource) -> (String, String) {
    match r {
        Resource::ResourceGroup { unit } => (
            "Microsoft.Resources/resourceGroups".into(),
            plan.units[*unit].resource_group.clone(),
        ),
        Resource::Vnet { vnet } | Resource::Subnet { vnet, .. } => {
            ("Microsoft.Network/virtualNetworks".into(), vnet.clone())
        }
        Resource::PublicIp { name, .. } => {
            ("Microsoft.Network/publicIPAddresses".into(), name.clone())
        }
        Resource::Gateway { name, .. } => (
            "Microsoft.Network/virtualNetworkGateways".into(),
            name.clone(),
        ),
        Resource::RouteServer { name, .. } => (
            "Microsoft.Network/virtualHubs/ipConfigurations".into(),
            format!("{name}/ipconfig1"),
        ),
        Resource::RouteTable { name } => ("Microsoft.Network/routeTables".into(), name.clone()),
        Resource::Link { vnet, name } => (
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings".into(),
            format!("{vnet}/{name}"),
        ),
    }
}

type LinkFacts = (String, String, String, [bool; 4]);

fn plan_links(plan: &Plan) -> BTreeSet<LinkFacts> {
    plan.links
        .iter()
        .map(|l| {
            (
                l.local.clone(),
                l.name.clone(),
                l.remote_id.clone(),
                l.flags(),
            )
        })
        .collect()
}

fn arm_links(deployments: &[Nested]) -> BTreeSet<LinkFacts> {
    let mut out = BTreeSet::new();
    for d in deployments {
        for r in d.template["resources"].as_array().unwrap() {
            if r["type"] != "Microsoft.Network/virtualNetworks/virtualNetworkPeerings" {
                continue;
            }
            let (vnet, name) = r["name"].as_str().unwrap().split_once('/').unwrap();
            let p = &r["properties"];
            let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                [
                    "allowVirtualNetworkAccess",
                    "allowForwardedTraffic",
                    "allowGatewayTransit",
                    "useRemoteGateways",
                    "remoteVirtualNetwork"
                ],
                "only the four flags and the remote"
            );
            let flag = |k: &str| p[k].as_bool().expect("flag is a bool");
            assert!(
                out.insert((
                    vnet.to_string(),
                    name.to_string(),
                    p["remoteVirtualNetwork"]["id"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    [
                        flag("allowVirtualNetworkAccess"),
                        flag("allowForwardedTraffic"),
                        flag("allowGatewayTransit"),
                        flag("useRemoteGateways"),
                    ],
                )),
                "link {vnet}/{name} written twice"
            );
        }
    }
    out
}

/// Checks the ARM output of `plan` against the plan; returns the number
/// of nested deployments.
fn check_arm(plan: &Plan, files: &[OutputFile], max_resources: usize, exact: bool) -> usize {
    // Entry templates (subscription scope); linked ones are resource-group scoped.
    let mut deployments: Vec<Nested> = Vec::new();
    let mut entry_of: Vec<String> = Vec::new();
    let mut entry_after: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files.iter().filter(|f| f.path.starts_with("arm")) {
        let value: Value = serde_json::from_str(&f.contents).expect("ARM is JSON");
        if value["$schema"]
            != "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
        {
            continue;
        }
        let file = f.path.file_name().unwrap().to_str().unwrap().to_string();
        let after: Vec<String> = value["metadata"]["deployAfter"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        // Names: 1-64 characters, unique; dependsOn names earlier
        // deployments of the same entry.
        let mut seen = BTreeSet::new();
        for d in nested(files, &value) {
            assert!((1..=64).contains(&d.name.len()), "{}", d.name);
            for dep in &d.depends_on {
                assert!(seen.contains(dep), "{} waits for unknown {dep}", d.name);
            }
            assert!(seen.insert(d.name.clone()), "{} twice", d.name);
            assert!(
                deployments.iter().all(|x| x.name != d.name),
                "{} twice",
                d.name
            );
            deployments.push(d);
            entry_of.push(file.clone());
        }
        entry_after.insert(file, after);
    }
    assert!(!deployments.is_empty());
    for after in entry_after.values() {
        for a in after {
            assert!(entry_after.contains_key(a), "deployAfter names unknown {a}");
        }
    }
    // Resources: the plan's API version; dependsOn inside the template.
    let mut home: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut local_deps: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for (i, d) in deployments.iter().enumerate() {
        let resources = d.template["resources"].as_array().unwrap();
        assert!(resources.len() <= max_resources, "{} too big", d.name);
        let keys: BTreeSet<(String, String)> = resources
            .iter()
            .map(|r| {
                (
                    r["type"].as_str().unwrap().to_string(),
                    r["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for r in resources {
            let key = (
                r["type"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
            );
            if key.0.starts_with("Microsoft.Network/") {
                assert_eq!(r["apiVersion"].as_str(), Some(plan.api_version.as_str()));
            }
            let mut deps = Vec::new();
            for dep in r["dependsOn"].as_array().into_iter().flatten() {
                let target = parse_resource_id(dep.as_str().unwrap());
                assert!(
                    keys.contains(&target),
                    "{key:?} waits for missing {target:?}"
                );
                deps.push(target);
            }
            assert!(
                home.insert(key.clone(), i).is_none(),
                "{key:?} written twice"
            );
            local_deps.insert(key, deps);
        }
    }
    // Every step of the order is written and every wait is kept: by a
    // resource dependsOn inside a template, by deployment dependsOn across.
    let index: BTreeMap<&str, usize> = deployments
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i))
        .collect();
    // Everything deployment i waits for: its dependsOn (transitively) and
    // every deployment of the entries deployed before its own.
    let waits = |i: usize| -> BTreeSet<usize> {
        let mut entries = BTreeSet::new();
        let mut todo_entries = entry_after[&entry_of[i]].clone();
        while let Some(e) = todo_entries.pop() {
            if entries.insert(e.clone()) {
                todo_entries.extend(entry_after[&e].iter().cloned());
            }
        }
        let mut out: BTreeSet<usize> = (0..deployments.len())
            .filter(|&j| entries.contains(&entry_of[j]))
            .collect();
        let mut todo: Vec<usize> = deployments[i]
            .depends_on
            .iter()
            .map(|n| index[n.as_str()])
            .collect();
        while let Some(p) = todo.pop() {
            if out.insert(p) {
                todo.extend(deployments[p].depends_on.iter().map(|n| index[n.as_str()]));
            }
        }
        out
    };
    for step in &plan.order.steps {
        let to = arm_key(plan, &step.resource);
        let dt = *home
            .get(&to)
            .unwrap_or_else(|| panic!("{to:?} is not written"));
        for &a in &step.after {
            let from = arm_key(plan, &plan.order.steps[a].resource);
            if from == to {
                continue;
            }
            let df = home[&from];
            if df == dt {
                // Directly, or (a route server) through its virtual hub.
                let hub =
                    to.1.split_once('/')
                        .filter(|_| to.0 == "Microsoft.Network/virtualHubs/ipConfigurations")
                        .map(|(h, _)| ("Microsoft.Network/virtualHubs".to_string(), h.to_string()));
                let via_hub = hub
                    .as_ref()
                    .is_some_and(|h| local_deps[&to].contains(h) && local_deps[h].contains(&from));
                assert!(
                    local_deps[&to].contains(&from) || via_hub,
                    "{to:?} does not wait for {from:?}"
                );
            } else {
                assert!(waits(dt).contains(&df), "{to:?} does not wait for {from:?}");
            }
        }
    }
    assert_eq!(arm_links(&deployments), plan_links(plan));
    if exact {
        // No resource waits, through its deployment, for anything that is
        // not one of its ancestors (the order's waits + link -> remote VNet).
        let norm = |k: &(String, String)| -> (String, String) {
            if k.0 == "Microsoft.Network/virtualHubs" {
                (
                    "Microsoft.Network/virtualHubs/ipConfigurations".into(),
                    format!("{}/ipconfig1", k.1),
                )
            } else {
                k.clone()
            }
        };
        let mut preds: BTreeMap<(String, String), BTreeSet<(String, String)>> = BTreeMap::new();
        for step in &plan.order.steps {
            let to = arm_key(plan, &step.resource);
            let entry = preds.entry(to.clone()).or_default();
            for &a in &step.after {
                let from = arm_key(plan, &plan.order.steps[a].resource);
                if from != to {
                    entry.insert(from);
                }
            }
            if let Resource::Link { vnet, name } = &step.resource {
                let l = plan
                    .links
                    .iter()
                    .find(|l| &l.local == vnet && &l.name == name)
                    .unwrap();
                if plan.vnet(&l.remote).is_some_and(|v| v.kind.is_managed()) {
                    entry.insert(("Microsoft.Network/virtualNetworks".into(), l.remote.clone()));
                }
            }
        }
        let ancestors = |k: &(String, String)| {
            let mut seen = BTreeSet::new();
            let mut todo: Vec<_> = preds.get(k).into_iter().flatten().cloned().collect();
            while let Some(n) = todo.pop() {
                if seen.insert(n.clone()) {
                    todo.extend(preds.get(&n).into_iter().flatten().cloned());
                }
            }
            seen
        };
        // Inside one entry (an entry across tenants waits for whole earlier
        // entries: the operator deploys them one after the other).
        let waits_in_entry = |i: usize| {
            let mut out = BTreeSet::new();
            let mut todo: Vec<usize> = deployments[i]
                .depends_on
                .iter()
                .map(|n| index[n.as_str()])
                .collect();
            while let Some(p) = todo.pop() {
                if out.insert(p) {
                    todo.extend(deployments[p].depends_on.iter().map(|n| index[n.as_str()]));
                }
            }
            out
        };
        for (i, d) in deployments.iter().enumerate() {
            let waited: Vec<(String, String)> = waits_in_entry(i)
                .into_iter()
                .flat_map(|p| {
                    deployments[p].template["resources"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| {
                            norm(&(
                                r["type"].as_str().unwrap().to_string(),
                                r["name"].as_str().unwrap().to_string(),
                            ))
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            for r in d.template["resources"].as_array().unwrap() {
                let x = norm(&(
                    r["type"].as_str().unwrap().to_string(),
                    r["name"].as_str().unwrap().to_string(),
                ));
                let anc = ancestors(&x);
                for w in &waited {
                    assert!(
                        anc.contains(w),
                        "{x:?} in {} waits for unrelated {w:?}",
                        d.name
                    );
                }
            }
        }
    }
    deployments.len()
}

#[test]
fn arm_is_valid_and_follows_the_plan() {
    for hostile in [false, true] {
        let plan = sample_plan(hostile);
        let files = files(&plan);
        let arm: Vec<_> = files.iter().filter(|f| f.path.starts_with("arm")).collect();
        assert_eq!(arm.len(), 1);
        assert!(arm[0].contents.ends_with("}\n"));
        assert!(arm[0].contents.starts_with("{\n  \"$schema\""));
        check_arm(&plan, &files, 800, true);
    }
}

#[test]
fn entry_file_is_named_after_the_topology() {
    let files = files(&sample_plan(false));
    assert!(
        files
            .iter()
            .any(|f| f.path == Path::new("arm/contoso.json"))
    );
    let files = self::files(&sample_plan(true));
    let arm = files.iter().find(|f| f.path.starts_with("arm")).unwrap();
    let name = arm.path.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("contoso-"));
    assert!(
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
        "{name}"
    );
}

#[test]
fn existing_and_classic_vnets_are_never_created() {
    let plan = sample_plan(false);
    let files = files(&plan);
    let main = entry(&files);
    let text = main.to_string();
    assert!(!text.contains("\"name\":\"legacy\""));
    for d in nested(&files, &main) {
        for r in d.template["resources"].as_array().unwrap() {
            assert_ne!(r["type"], "Microsoft.ClassicNetwork/virtualNetworks");
            if r["type"] == "Microsoft.Network/virtualNetworks" {
                let v = plan.vnet(r["name"].as_str().unwrap()).expect("plan VNet");
                assert!(v.kind.is_managed());
                // Subnets inline, in source order, with route tables.
                let subnets = r["properties"]["subnets"].as_array().unwrap();
                let names: Vec<&str> = subnets
                    .iter()
                    .map(|s| s["name"].as_str().unwrap())
                    .collect();
                let want: Vec<&str> = v.subnets.iter().map(|s| s.name.as_str()).collect();
                assert_eq!(names, want);
                for (s, p) in subnets.iter().zip(&v.subnets) {
                    assert_eq!(
                        s["properties"]["routeTable"]["id"]
                            .as_str()
                            .map(|id| id.rsplit('/').next().unwrap()),
                        p.route_table.as_deref()
                    );
                }
            }
        }
    }
}

#[test]
fn a_spoke_link_deployment_waits_only_for_its_hub_link() {
    let plan = sample_plan(false);
    let files = files(&plan);
    let deployments = nested(&files, &entry(&files));
    let holding = |name: &str| {
        deployments
            .iter()
            .find(|d| {
                d.template["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["name"] == name)
            })
            .unwrap()
    };
    let spoke = holding("app1/app1-to-hub-weu");
    let hub_link = holding("hub-weu/hub-weu-to-app1");
    let hub_next = holding("hub-weu/hub-weu-to-app2");
    let hub_last = holding("hub-weu/hub-weu-to-hub-neu");
    assert!(spoke.depends_on.contains(&hub_link.name));
    for later in [hub_next, hub_last] {
        assert_ne!(later.name, hub_link.name);
        assert!(!spoke.depends_on.contains(&later.name));
    }
    // A hub link waits for its remote spoke VNet (created elsewhere).
    let spoke_vnets = holding("app1");
    assert!(hub_link.depends_on.contains(&spoke_vnets.name));
    // The second spoke's link waits for the second hub link.
    let spoke2 = holding("app2/app2-to-hub-weu");
    assert!(spoke2.depends_on.contains(&hub_next.name));
    // The spoke VNets do not wait for the hub at all.
    assert_eq!(spoke_vnets.depends_on.len(), 1);
    assert!(spoke_vnets.depends_on[0].ends_with("-rg"));
}

#[test]
fn hostile_tags_arrive_as_exact_text() {
    let plan = sample_plan(true);
    let files = files(&plan);
    let main = entry(&files);
    assert_eq!(
        main["metadata"]["topology"].as_str(),
        Some(plan.topology.as_str())
    );
    let unescape = |s: &str| {
        s.strip_prefix('[')
            .filter(|r| r.starts_with('['))
            .unwrap_or(s)
            .to_string()
    };
    let mut checked = 0;
    for d in nested(&files, &main) {
        for r in d.template["resources"].as_array().unwrap() {
            let Some(tags) = r["tags"].as_object() else {
                continue;
            };
            let decoded: BTreeMap<String, String> = tags
                .iter()
                .map(|(k, v)| (unescape(k), unescape(v.as_str().unwrap())))
                .collect();
            assert_eq!(decoded.get("note").map(String::as_str), Some(HOSTILE));
            assert_eq!(
                decoded.get("[concat('k')]").map(String::as_str),
                Some("[resourceGroup().id]")
            );
            // ARM would evaluate a bare [..] value: it must be escaped.
            assert!(tags.contains_key("[[concat('k')]"));
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}

#[test]
fn an_estate_with_nothing_to_create_still_gets_its_files() {
    let mut plan = sample_plan(false);
    plan.order.steps.clear();
    plan.links.clear();
    let files = files(&plan);
    let main = entry(&files);
    assert_eq!(main["resources"], Value::Array(Vec::new()));
    let bicep: Vec<_> = files
        .iter()
        .filter(|f| f.path.starts_with("bicep"))
        .collect();
    assert_eq!(bicep.len(), 1);
    assert!(bicep[0].contents.contains("targetScope = 'subscription'"));
}

#[test]
fn rendering_is_deterministic() {
    for hostile in [false, true] {
        let plan = sample_plan(hostile);
        assert_eq!(files(&plan), files(&plan));
    }
}

#[test]
fn a_small_resource_limit_splits_deployments() {
    let plan = sample_plan(false);
    let normal = check_arm(&plan, &arm_files(&plan, Limits::default()), 800, true);
    let split = check_arm(
        &plan,
        &arm_files(
            &plan,
            Limits {
                max_resources: 2,
                max_bytes: arm::MAX_BYTES,
            },
        ),
        2,
        false,
    );
    // 34 ARM resources in the fixture: at least 17 deployments of <= 2.
    let resources: usize = nested(
        &arm_files(&plan, Limits::default()),
        &entry(&arm_files(&plan, Limits::default())),
    )
    .iter()
    .map(|d| d.template["resources"].as_array().unwrap().len())
    .sum();
    assert!(normal >= 3);
    assert!(
        split * 2 >= resources,
        "{split} deployments for {resources}"
    );
}

#[test]
fn a_small_byte_limit_links_templates() {
    let plan = sample_plan(true);
    let files = arm_files(
        &plan,
        Limits {
            max_resources: 800,
            max_bytes: 2000,
        },
    );
    assert!(files.len() > 2);
    let main = entry(&files);
    assert!(main.to_string().contains("relativePath"));
    check_arm(&plan, &files, 800, true);
}

/// The fixture plus what it lacks: an ExpressRoute gateway and a route
/// server on hub-neu, a subnet with two prefixes, and an existing VNet
/// that gets a link of its own.
fn extended_plan() -> Plan {
    let mut plan = sample_plan(false);
    let step = |plan: &Plan, r: &Resource| {
        plan.order
            .steps
            .iter()
            .position(|s| &s.resource == r)
            .expect("step")
    };
    let push = |plan: &mut Plan, resource: Resource, after: Vec<usize>| {
        let wave = after
            .iter()
            .map(|&a| plan.order.steps[a].wave + 1)
            .max()
            .unwrap_or(0);
        plan.order.steps.push(Step {
            resource,
            after,
            wave,
        });
        plan.order.steps.len() - 1
    };
    let hub = "hub-neu".to_string();
    {
        let v = plan.vnets.iter_mut().find(|v| v.name == hub).unwrap();
        v.subnets[0].prefixes = vec!["10.100.0.0/24".into(), "10.100.1.0/24".into()];
        v.subnets.push(PlanSubnet {
            name: "GatewaySubnet".into(),
            prefixes: vec!["10.100.255.0/27".into()],
            route_table: None,
        });
        v.subnets.push(PlanSubnet {
            name: "RouteServerSubnet".into(),
            prefixes: vec!["10.100.254.0/27".into()],
            route_table: None,
        });
        v.gateway = Some(PlanGateway {
            name: "ergw-neu".into(),
            gateway_type: "ExpressRoute".into(),
            sku: "ErGw1AZ".into(),
            public_ip: "ergw-neu-pip".into(),
        });
        v.route_server = Some(PlanRouteServer {
            name: "rs-neu".into(),
            public_ip: "rs-neu-pip".into(),
        });
    }
    let rg = step(&plan, &Resource::ResourceGroup { unit: 1 });
    let last = step(
        &plan,
        &Resource::Subnet {
            vnet: hub.clone(),
            subnet: "default".into(),
        },
    );
    let gws = push(
        &mut plan,
        Resource::Subnet {
            vnet: hub.clone(),
            subnet: "GatewaySubnet".into(),
        },
        vec![last],
    );
    let rss = push(
        &mut plan,
        Resource::Subnet {
            vnet: hub.clone(),
            subnet: "RouteServerSubnet".into(),
        },
        vec![gws],
    );
    let pip = push(
        &mut plan,
        Resource::PublicIp {
            vnet: hub.clone(),
            name: "ergw-neu-pip".into(),
        },
        vec![rg],
    );
    let gw = push(
        &mut plan,
        Resource::Gateway {
            vnet: hub.clone(),
            name: "ergw-neu".into(),
        },
        vec![pip, gws],
    );
    let rs_pip = push(
        &mut plan,
        Resource::PublicIp {
            vnet: hub.clone(),
            name: "rs-neu-pip".into(),
        },
        vec![rg],
    );
    let rs = push(
        &mut plan,
        Resource::RouteServer {
            vnet: hub.clone(),
            name: "rs-neu".into(),
        },
        vec![rs_pip, rss, gw],
    );
    // An existing VNet in the same unit, peered to the hub.
    let mut shared = plan.vnet(&hub).unwrap().clone();
    shared.name = "shared".into();
    shared.kind = Kind::Existing;
    shared.role = Role::Vnet;
    shared.id = shared.id.replace("/hub-neu", "/shared");
    shared.gateway = None;
    shared.route_server = None;
    shared.address_space = vec!["10.200.0.0/16".into()];
    plan.vnets.push(shared.clone());
    plan.vnets.sort_by(|a, b| a.name.cmp(&b.name));
    let hub_id = plan.vnet(&hub).unwrap().id.clone();
    plan.links.push(Link {
        name: "shared-to-hub-neu".into(),
        local: "shared".into(),
        remote: hub.clone(),
        remote_id: hub_id,
        unit: 1,
        allow_virtual_network_access: true,
        allow_forwarded_traffic: false,
        allow_gateway_transit: false,
        use_remote_gateways: true,
        origin: Origin::Peering,
        global: false,
        cross_tenant: false,
        remote_classic: false,
    });
    plan.links
        .sort_by(|a, b| (&a.local, &a.name).cmp(&(&b.local, &b.name)));
    push(
        &mut plan,
        Resource::Link {
            vnet: "shared".into(),
            name: "shared-to-hub-neu".into(),
        },
        vec![rs],
    );
    plan
}

#[test]
fn gateways_route_servers_and_existing_vnets_render() {
    let plan = extended_plan();
    for (i, s) in plan.order.steps.iter().enumerate() {
        assert!(s.after.iter().all(|&a| a < i));
    }
    let files = files(&plan);
    check_arm(&plan, &files, 800, true);
    let text = entry(&files).to_string();
    assert!(text.contains("\"gatewayType\":\"ExpressRoute\""));
    assert!(!text.contains("\"vpnType\":\"RouteBased\",\"sku\":{\"name\":\"ErGw1AZ\""));
    assert!(text.contains("\"name\":\"rs-neu/ipconfig1\""));
    assert!(text.contains("\"addressPrefixes\":[\"10.100.0.0/24\",\"10.100.1.0/24\"]"));
    assert!(!text.contains("\"name\":\"shared\","));
}

const TENANT_B: &str = "33333333-3333-3333-3333-333333333333";

/// The extended plan with the spokes' unit in another tenant.
fn two_tenant_plan() -> Plan {
    let mut plan = extended_plan();
    plan.units[3].tenant = Some(TENANT_B.into());
    for v in plan.vnets.iter_mut().filter(|v| v.unit == 3) {
        v.tenant = Some(TENANT_B.into());
    }
    let tenant_of = |plan: &Plan, vnet: &str| plan.vnet(vnet).unwrap().tenant.clone();
    let flags: Vec<bool> = plan
        .links
        .iter()
        .map(|l| tenant_of(&plan, &l.local) != tenant_of(&plan, &l.remote))
        .collect();
    for (l, cross) in plan.links.iter_mut().zip(flags) {
        l.cross_tenant = cross;
    }
    plan
}

#[test]
fn an_estate_across_tenants_gets_one_entry_per_tenant_and_stage() {
    let plan = two_tenant_plan();
    let files = files(&plan);
    check_arm(&plan, &files, 800, true);
    let entries: BTreeMap<String, Value> = files
        .iter()
        .filter(|f| f.path.starts_with("arm"))
        .map(|f| {
            (
                f.path.file_name().unwrap().to_str().unwrap().to_string(),
                serde_json::from_str(&f.contents).unwrap(),
            )
        })
        .collect();
    // Default tenant: the hubs; tenant B: the spokes' VNets; default
    // again: the hub links to them; tenant B again: the spokes' links.
    assert_eq!(entries.len(), 4, "{:?}", entries.keys());
    let holding = |name: &str| {
        entries
            .iter()
            .find(|(_, v)| v.to_string().contains(&format!("\"name\":\"{name}\"")))
            .map(|(k, v)| (k.clone(), v.clone()))
            .unwrap()
    };
    let (hub_file, hub) = holding("hub-weu/hub-weu-to-app1");
    let (spoke_file, spoke) = holding("app1/app1-to-hub-weu");
    let (base_file, base) = holding("app1");
    assert_ne!(hub_file, spoke_file);
    assert_ne!(base_file, spoke_file);
    assert_eq!(spoke["metadata"]["tenant"], TENANT_B);
    assert_eq!(base["metadata"]["tenant"], TENANT_B);
    assert!(hub["metadata"]["tenant"].is_null());
    let after = spoke["metadata"]["deployAfter"].as_array().unwrap();
    assert!(after.contains(&Value::String(hub_file.clone())));
    let hub_after = hub["metadata"]["deployAfter"].as_array().unwrap();
    assert!(hub_after.contains(&Value::String(base_file.clone())));
    // The spoke VNets need nothing from the hub's tenant.
    assert!(base["metadata"]["deployAfter"].is_null());
    assert_eq!(hub["metadata"]["crossTenant"]["remoteTenants"][0], TENANT_B);
    // Bicep: one main file per entry, same names.
    let mains: BTreeSet<String> = files
        .iter()
        .filter(|f| f.path.starts_with("bicep"))
        .filter_map(|f| f.path.file_name()?.to_str().map(str::to_string))
        .filter(|n| n.starts_with("main"))
        .collect();
    assert_eq!(mains.len(), 4);
    let arm_suffixes: BTreeSet<String> = entries
        .keys()
        .map(|k| {
            k.trim_start_matches("contoso")
                .trim_end_matches(".json")
                .to_string()
        })
        .collect();
    let bicep_suffixes: BTreeSet<String> = mains
        .iter()
        .map(|k| {
            k.trim_start_matches("main")
                .trim_end_matches(".bicep")
                .to_string()
        })
        .collect();
    assert_eq!(arm_suffixes, bicep_suffixes);
}

/// A hub with a VPN gateway and `spokes` spokes spread over `units`
/// resource groups, peered both ways with gateway transit.
fn big_plan(spokes: usize, units: usize) -> Plan {
    let base = sample_plan(false);
    let sub = base.units[0].subscription_id.clone();
    let mut unit_list = Vec::new();
    for u in 0..=units {
        let mut unit = base.units[0].clone();
        unit.resource_group = if u == 0 {
            "rg-hub".into()
        } else {
            format!("rg-spokes-{u}")
        };
        unit.name = format!("conn/{}", unit.resource_group);
        unit_list.push(unit);
    }
    let id = |rg: &str, name: &str| {
        format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"
        )
    };
    let template = base.vnet("app1").unwrap().clone();
    let mut vnets = Vec::new();
    let mut hub = base.vnet("hub-weu").unwrap().clone();
    hub.name = "hub".into();
    hub.unit = 0;
    hub.resource_group = "rg-hub".into();
    hub.id = id("rg-hub", "hub");
    hub.subscription_id = sub.clone();
    vnets.push(hub.clone());
    let names: Vec<String> = (0..spokes).map(|i| format!("s{i:05}")).collect();
    for (i, name) in names.iter().enumerate() {
        let mut v = template.clone();
        v.name = name.clone();
        v.unit = 1 + i % units;
        v.resource_group = unit_list[v.unit].resource_group.clone();
        v.subscription_id = sub.clone();
        v.id = id(&v.resource_group, name);
        v.hub = Some("hub".into());
        v.address_space = vec![format!("10.{}.{}.0/24", 1 + i / 256, i % 256)];
        v.subnets = vec![PlanSubnet {
            name: "default".into(),
            prefixes: v.address_space.clone(),
            route_table: None,
        }];
        vnets.push(v);
    }
    let mut links = Vec::new();
    let mk = |local: &PlanVnet, remote: &PlanVnet, transit: bool| Link {
        name: format!("{}-to-{}", local.name, remote.name),
        local: local.name.clone(),
        remote: remote.name.clone(),
        remote_id: remote.id.clone(),
        unit: local.unit,
        allow_virtual_network_access: true,
        allow_forwarded_traffic: !transit,
        allow_gateway_transit: transit,
        use_remote_gateways: !transit,
        origin: Origin::HubSpoke,
        global: false,
        cross_tenant: false,
        remote_classic: false,
    };
    for v in &vnets[1..] {
        links.push(mk(&hub, v, true));
    }
    for v in &vnets[1..] {
        links.push(mk(v, &hub, false));
    }
    let mut steps: Vec<Step> = Vec::new();
    let mut push = |resource: Resource, after: Vec<usize>| {
        steps.push(Step {
            resource,
            after,
            wave: 0,
        });
        steps.len() - 1
    };
    let rgs: Vec<usize> = (0..=units)
        .map(|u| push(Resource::ResourceGroup { unit: u }, vec![]))
        .collect();
    let hv = push(Resource::Vnet { vnet: "hub".into() }, vec![rgs[0]]);
    let mut last = hv;
    for s in &hub.subnets {
        last = push(
            Resource::Subnet {
                vnet: "hub".into(),
                subnet: s.name.clone(),
            },
            vec![last],
        );
    }
    let g = hub.gateway.clone().unwrap();
    let pip = push(
        Resource::PublicIp {
            vnet: "hub".into(),
            name: g.public_ip.clone(),
        },
        vec![rgs[0]],
    );
    let gw = push(
        Resource::Gateway {
            vnet: "hub".into(),
            name: g.name.clone(),
        },
        vec![pip, last],
    );
    let mut prev = gw;
    let mut hub_links = Vec::new();
    for l in links.iter().filter(|l| l.local == "hub") {
        prev = push(
            Resource::Link {
                vnet: "hub".into(),
                name: l.name.clone(),
            },
            vec![prev],
        );
        hub_links.push(prev);
    }
    for (i, v) in vnets[1..].iter().enumerate() {
        let vs = push(
            Resource::Vnet {
                vnet: v.name.clone(),
            },
            vec![rgs[v.unit]],
        );
        let sn = push(
            Resource::Subnet {
                vnet: v.name.clone(),
                subnet: "default".into(),
            },
            vec![vs],
        );
        push(
            Resource::Link {
                vnet: v.name.clone(),
                name: format!("{}-to-hub", v.name),
            },
            vec![sn, hub_links[i]],
        );
    }
    links.sort_by(|a, b| (&a.local, &a.name).cmp(&(&b.local, &b.name)));
    Plan {
        topology: "big".into(),
        units: unit_list,
        vnets,
        links,
        route_tables: Vec::new(),
        order: azmesh::plan::Order { steps },
        ..base
    }
}

#[test]
fn a_large_estate_stays_within_template_limits() {
    for (spokes, units) in [(300, 2), (1200, 3)] {
        let plan = big_plan(spokes, units);
        let files = files(&plan);
        let n = check_arm(&plan, &files, 800, false);
        assert!(n <= 800, "{n} deployments in one entry");
        for f in &files {
            assert!(f.contents.len() <= arm::MAX_BYTES, "{}", f.path.display());
            if f.path.starts_with("bicep") {
                assert!(created(&f.contents) <= 800);
            }
        }
        // Every nested template holds at most 800 resources; the larger
        // estate needs more than one for the hub's links.
        if spokes > 800 {
            assert!(n > 2 * units + 3, "{n}");
        }
    }
}

// ------------------------------------------------------------------ Bicep

/// Resources a Bicep file creates (`existing` references are not deployed).
fn created(text: &str) -> usize {
    text.lines()
        .filter(|l| l.starts_with("resource ") && !l.ends_with(" existing = {"))
        .count()
}

/// The Bicep `'...'` literal starting at `s` (after the quote), decoded.
fn bicep_string(s: &str) -> (String, usize) {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' => return (out, i + 1),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => panic!("dangling escape"),
            },
            c => out.push(c),
        }
    }
    panic!("unterminated string");
}

/// Per resource block: symbol, type, and `key: value` lines (strings decoded).
struct Block {
    symbol: String,
    arm_type: String,
    existing: bool,
    fields: BTreeMap<String, String>,
    depends_on: Vec<String>,
}

fn bicep_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    let mut in_depends = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("resource ") {
            let (symbol, rest) = rest.split_once(" '").unwrap();
            let (ty, rest) = rest.split_once('\'').unwrap();
            current = Some(Block {
                symbol: symbol.to_string(),
                arm_type: ty.to_string(),
                existing: rest.contains("existing"),
                fields: BTreeMap::new(),
                depends_on: Vec::new(),
            });
            continue;
        }
        if line == "}" {
            blocks.extend(current.take());
            in_depends = false;
            continue;
        }
        let Some(b) = current.as_mut() else { continue };
        let t = line.trim();
        if t == "dependsOn: [" {
            in_depends = true;
        } else if in_depends && t == "]" {
            in_depends = false;
        } else if in_depends {
            b.depends_on.push(t.to_string());
        } else if let Some((k, v)) = t.split_once(": ") {
            let v = match v.strip_prefix('\'') {
                Some(s) => bicep_string(s).0,
                None => v.to_string(),
            };
            b.fields.entry(k.to_string()).or_insert(v);
        }
    }
    blocks
}

#[test]
fn bicep_has_the_plans_links_and_modules() {
    for (hostile, plan) in [
        (false, sample_plan(false)),
        (true, sample_plan(true)),
        (false, extended_plan()),
        (false, two_tenant_plan()),
    ] {
        let files = files(&plan);
        let bicep: BTreeMap<String, &str> = files
            .iter()
            .filter(|f| f.path.starts_with("bicep"))
            .map(|f| {
                (
                    f.path.file_name().unwrap().to_str().unwrap().to_string(),
                    f.contents.as_str(),
                )
            })
            .collect();
        let mains: Vec<&str> = bicep
            .iter()
            .filter(|(k, _)| k.starts_with("main"))
            .map(|(_, v)| *v)
            .collect();
        assert!(!mains.is_empty());
        let mut used = BTreeSet::new();
        for main in mains {
            assert!(main.contains("targetScope = 'subscription'"));
            // Every module file named in main exists, with an explicit scope.
            let mut modules = 0;
            for line in main.lines().filter(|l| l.starts_with("module ")) {
                let file = line.split('\'').nth(1).unwrap();
                assert!(bicep.contains_key(file), "{file}");
                used.insert(file.to_string());
                modules += 1;
            }
            assert_eq!(main.matches("  scope: ").count(), modules);
        }
        // And every module file is used.
        for name in bicep.keys().filter(|k| !k.starts_with("main")) {
            assert!(used.contains(name), "{name} unused");
        }
        let mut links = BTreeSet::new();
        for (name, text) in &bicep {
            assert!(!text.contains("..."), "{name}: spread operator");
            // No live interpolation anywhere.
            for (i, _) in text.match_indices("${") {
                assert_eq!(&text[i - 1..i], "\\", "{name}: interpolation");
            }
            let blocks = bicep_blocks(text);
            let symbols: BTreeMap<&str, &Block> =
                blocks.iter().map(|b| (b.symbol.as_str(), b)).collect();
            for b in &blocks {
                if let Some((t, api)) = b.arm_type.split_once('@')
                    && t.starts_with("Microsoft.Network/")
                {
                    assert_eq!(api, plan.api_version);
                }
                for d in &b.depends_on {
                    assert!(symbols.contains_key(d.as_str()), "{name}: {d} undeclared");
                }
                if b.existing {
                    assert!(plan.vnet(&b.fields["name"]).is_some());
                }
                if b.arm_type
                    .starts_with("Microsoft.Network/virtualNetworks/virtualNetworkPeerings@")
                {
                    let parent = symbols[b.fields["parent"].as_str()];
                    let flag = |k: &str| match b.fields[k].as_str() {
                        "true" => true,
                        "false" => false,
                        other => panic!("{k}: {other}"),
                    };
                    assert!(links.insert((
                        parent.fields["name"].clone(),
                        b.fields["name"].clone(),
                        b.fields["id"].clone(),
                        [
                            flag("allowVirtualNetworkAccess"),
                            flag("allowForwardedTraffic"),
                            flag("allowGatewayTransit"),
                            flag("useRemoteGateways"),
                        ],
                    )));
                }
                if hostile && b.fields.contains_key("note") {
                    assert_eq!(b.fields["note"], HOSTILE);
                }
            }
        }
        assert_eq!(links, plan_links(&plan));
    }
}

#[test]
fn bicep_modules_mirror_the_arm_deployments() {
    let plan = sample_plan(false);
    let files = files(&plan);
    let arm_names: Vec<String> = nested(&files, &entry(&files))
        .into_iter()
        .map(|d| d.name)
        .collect();
    let main = &files
        .iter()
        .find(|f| f.path == Path::new("bicep/main.bicep"))
        .unwrap()
        .contents;
    let bicep_names: Vec<String> = main
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name: '"))
        .filter(|_| true)
        .map(|n| n.trim_end_matches('\'').to_string())
        .filter(|n| arm_names.contains(n))
        .collect();
    assert_eq!(bicep_names, arm_names);
    let small = bicep::render_with(&plan, &environment(Some(&templates())), 2).unwrap();
    for f in &small {
        assert!(created(&f.contents) <= 2, "{}", f.path.display());
    }
    assert!(small.len() > 10);
}

/// Writes the outputs where the oracle can read them:
/// `cargo test --test render_arm_bicep write_outputs -- --nocapture`, then
/// `/work/shared/oracle/check-outputs -v <dir>`.
#[test]
fn write_outputs() {
    for hostile in [false, true] {
        let dir = std::env::temp_dir().join(format!(
            "azmesh-render-arm-{}",
            if hostile { "hostile" } else { "plain" }
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for f in files(&sample_plan(hostile)) {
            let path = dir.join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &f.contents).unwrap();
        }
        println!("wrote {}", dir.display());
    }
    let env = environment(Some(&templates()));
    let plan = extended_plan();
    let variants: Vec<(&str, Vec<OutputFile>)> = vec![
        ("extended", files(&plan)),
        ("tenants", files(&two_tenant_plan())),
        ("big", files(&big_plan(1200, 3))),
        ("empty", {
            let mut plan = sample_plan(false);
            plan.order.steps.clear();
            plan.links.clear();
            files(&plan)
        }),
        (
            "split",
            [
                arm::render_with(
                    &plan,
                    &env,
                    Limits {
                        max_resources: 2,
                        max_bytes: arm::MAX_BYTES,
                    },
                )
                .unwrap(),
                bicep::render_with(&plan, &env, 2).unwrap(),
            ]
            .concat(),
        ),
        (
            "linked",
            arm::render_with(
                &sample_plan(true),
                &env,
                Limits {
                    max_resources: 800,
                    max_bytes: 2000,
                },
            )
            .unwrap(),
        ),
    ];
    for (name, files) in variants {
        let dir = std::env::temp_dir().join(format!("azmesh-render-arm-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        for f in files {
            let path = dir.join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &f.contents).unwrap();
        }
        println!("wrote {}", dir.display());
    }
}
