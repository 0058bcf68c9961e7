//! The estate shown: Mermaid and DOT graphs, reachability verdicts and
//! REVIEW.md, on the hand-built fixture plan and small variations of it
//! that pin each reachability rule.

use azmesh::plan::{Link, Origin, Plan, PlanFirewall, Route, RouteTable};
use azmesh::reach::{self, How};
use azmesh::render::fixture::sample_plan;
use azmesh::{graph, review};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

fn link_mut<'a>(plan: &'a mut Plan, name: &str) -> &'a mut Link {
    plan.links
        .iter_mut()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("fixture link {name}"))
}

fn verdict(plan: &Plan, a: &str, b: &str) -> reach::Verdict {
    reach::reach(plan, a, b).unwrap_or_else(|e| panic!("{e}"))
}

fn new_link(plan: &Plan, local: &str, remote: &str, flags: [bool; 4], origin: Origin) -> Link {
    let template = plan.links.first().expect("fixture links").clone();
    let remote_id = plan.vnet(remote).expect("remote").id.clone();
    let unit = plan.vnet(local).expect("local").unit;
    Link {
        name: format!("{local}-to-{remote}"),
        local: local.into(),
        remote: remote.into(),
        remote_id,
        unit,
        allow_virtual_network_access: flags[0],
        allow_forwarded_traffic: flags[1],
        allow_gateway_transit: flags[2],
        use_remote_gateways: flags[3],
        origin,
        global: plan.vnet(local).map(|v| &v.location) != plan.vnet(remote).map(|v| &v.location),
        ..template
    }
}

fn sort_links(plan: &mut Plan) {
    plan.links
        .sort_by(|a, b| (&a.local, &a.name).cmp(&(&b.local, &b.name)));
}

#[test]
fn snapshots_of_the_fixture() {
    let plan = sample_plan(false);
    let warnings = vec!["app1 and app2 overlap | `nothing` <b>really</b>".to_string()];
    settings().bind(|| {
        insta::assert_snapshot!("graph-fixture.mermaid", graph::mermaid(&plan));
        insta::assert_snapshot!("graph-fixture.dot", graph::dot(&plan));
        let m = reach::matrix(&plan);
        insta::assert_snapshot!("reach-fixture.matrix", reach::render_human(&m));
        insta::assert_snapshot!("reach-fixture.matrix.json", reach::render_json(&m));
        insta::assert_snapshot!("review-fixture.md", review::review(&plan, &warnings));
    });
}

#[test]
fn spokes_reach_each_other_through_the_hub_firewall() {
    let plan = sample_plan(false);
    let v = verdict(&plan, "app1", "app2");
    assert!(v.reachable);
    assert_eq!(
        v.how,
        How::Firewall {
            there: vec!["hub-weu".into()],
            back: vec!["hub-weu".into()]
        }
    );
    assert!(reach::render_human(&v).contains("yes, through the firewall of hub-weu"));
}

#[test]
fn spokes_without_routes_do_not_reach_each_other() {
    let mut plan = sample_plan(false);
    plan.route_tables.clear();
    let v = verdict(&plan, "app1", "app2");
    assert!(!v.reachable);
    assert_eq!(v.how, How::None);
    assert!(
        v.why_not
            .contains(&"app1 and app2 are not peered".to_string()),
        "{:?}",
        v.why_not
    );
    assert!(
        v.why_not
            .contains(&"app1 has no route to 10.2.0.0/16 via a firewall".to_string()),
        "{:?}",
        v.why_not
    );
    assert!(reach::render_human(&v).starts_with("app1 -> app2: no\n"));
}

#[test]
fn forwarded_traffic_off_on_one_side_is_named() {
    let mut plan = sample_plan(false);
    link_mut(&mut plan, "app2-to-hub-weu").allow_forwarded_traffic = false;
    let there = verdict(&plan, "app1", "app2");
    assert!(!there.reachable);
    assert!(
        there
            .why_not
            .contains(&"app2-to-hub-weu does not allow forwarded traffic".to_string()),
        "{:?}",
        there.why_not
    );
    // The other side's flag is fine: only the broken link is named.
    assert!(
        !there.why_not.iter().any(|r| r.contains("app1-to-hub-weu")),
        "{:?}",
        there.why_not
    );
    // And the way back from app2 fails on the same link.
    let back = verdict(&plan, "app2", "app1");
    assert!(!back.reachable);
    assert!(
        back.why_not
            .iter()
            .any(|r| r.contains("app2-to-hub-weu does not allow forwarded traffic")),
        "{:?}",
        back.why_not
    );
}

#[test]
fn a_route_to_an_unknown_next_hop_is_named() {
    let mut plan = sample_plan(false);
    plan.route_tables[0].routes[0].next_hop_ip_address = "10.9.9.9".into();
    let v = verdict(&plan, "app1", "app2");
    assert!(!v.reachable);
    assert!(
        v.why_not.contains(
            &"route to-app2 of rt-app1 sends 10.2.0.0/16 to 10.9.9.9, which is no firewall in the estate"
                .to_string()
        ),
        "{:?}",
        v.why_not
    );
}

#[test]
fn a_mesh_group_is_direct() {
    let mut plan = sample_plan(false);
    plan.route_tables.clear();
    let mesh = Origin::Mesh {
        mesh: "apps".into(),
    };
    let ab = new_link(
        &plan,
        "app1",
        "app2",
        [true, false, false, false],
        mesh.clone(),
    );
    let ba = new_link(&plan, "app2", "app1", [true, false, false, false], mesh);
    plan.links.extend([ab, ba]);
    sort_links(&mut plan);
    let v = verdict(&plan, "app1", "app2");
    assert_eq!(
        v.how,
        How::Direct {
            links: vec!["app1-to-app2".into(), "app2-to-app1".into()]
        }
    );
    // Blocking access on one link breaks it, and names that link.
    link_mut(&mut plan, "app2-to-app1").allow_virtual_network_access = false;
    let v = verdict(&plan, "app1", "app2");
    assert!(!v.reachable);
    assert!(
        v.why_not
            .contains(&"app2-to-app1 does not allow virtual network access".to_string()),
        "{:?}",
        v.why_not
    );
}

#[test]
fn peering_is_not_transitive() {
    // app1 - hub-weu - hub-neu are all peered, but app1 has no route to
    // hub-neu through a firewall: no.
    let plan = sample_plan(false);
    let v = verdict(&plan, "app1", "hub-neu");
    assert!(!v.reachable);
    assert_eq!(
        v.why_not,
        vec![
            "app1 and hub-neu are not peered".to_string(),
            "app1 has no route to 10.100.0.0/16 via a firewall".to_string(),
            "on the way back: hub-neu has no route to 10.1.0.0/16 via a firewall".to_string(),
        ]
    );
}

#[test]
fn gateway_transit_reaches_the_site() {
    let mut plan = sample_plan(false);
    let v = verdict(&plan, "app1", "onprem");
    assert_eq!(
        v.how,
        How::Gateway {
            hub: "hub-weu".into(),
            gateway: "vgw-weu".into()
        }
    );
    // The site reaches back the same way, the hub directly.
    assert!(verdict(&plan, "onprem", "app1").reachable);
    assert!(verdict(&plan, "hub-weu", "onprem").reachable);
    // hub-neu is peered with hub-weu but uses no gateway transit.
    let v = verdict(&plan, "hub-neu", "onprem");
    assert!(!v.reachable);
    assert_eq!(
        v.why_not,
        vec![
            "hub-neu-to-hub-weu does not use remote gateways".to_string(),
            "hub-weu-to-hub-neu does not allow gateway transit".to_string(),
        ]
    );
    link_mut(&mut plan, "app1-to-hub-weu").use_remote_gateways = false;
    let v = verdict(&plan, "app1", "onprem");
    assert!(!v.reachable);
    assert_eq!(
        v.why_not,
        vec!["app1-to-hub-weu does not use remote gateways".to_string()]
    );
    // Sites do not reach each other.
    assert!(
        !verdict(&plan, "onprem", "onprem")
            .why_not
            .iter()
            .any(|_| true)
    );
}

#[test]
fn a_classic_spoke_needs_only_the_resource_manager_link() {
    let mut plan = sample_plan(false);
    let v = verdict(&plan, "app2", "legacy");
    assert_eq!(
        v.how,
        How::Direct {
            links: vec!["app2-to-legacy".into()]
        }
    );
    assert!(verdict(&plan, "legacy", "app2").reachable);
    let v = verdict(&plan, "app1", "legacy");
    assert!(!v.reachable);
    assert!(
        v.why_not
            .contains(&"app1 and legacy are not peered".to_string()),
        "{:?}",
        v.why_not
    );
    // A classic spoke uses the hub's gateway through the hub's link alone.
    let gw = new_link(
        &plan,
        "hub-weu",
        "legacy",
        [true, false, true, false],
        Origin::Peering,
    );
    plan.links.push(Link {
        remote_classic: true,
        ..gw
    });
    sort_links(&mut plan);
    assert_eq!(
        verdict(&plan, "legacy", "onprem").how,
        How::Gateway {
            hub: "hub-weu".into(),
            gateway: "vgw-weu".into()
        }
    );
    // Forwarded traffic cannot enter a classic VNet (it has no link to allow it).
    plan.route_tables[0].routes.push(Route {
        name: "to-legacy".into(),
        address_prefix: "10.50.0.0/16".into(),
        next_hop_type: "VirtualAppliance".into(),
        next_hop_ip_address: "10.0.254.4".into(),
    });
    let v = verdict(&plan, "app1", "legacy");
    assert!(
        v.why_not.iter().any(|r| r.contains("legacy is classic")),
        "{:?}",
        v.why_not
    );
    link_mut(&mut plan, "hub-weu-to-legacy").allow_gateway_transit = false;
    assert_eq!(
        verdict(&plan, "legacy", "onprem").why_not,
        vec!["hub-weu-to-legacy does not allow gateway transit".to_string()]
    );
    link_mut(&mut plan, "app2-to-legacy").allow_virtual_network_access = false;
    let v = verdict(&plan, "legacy", "app2");
    assert_eq!(
        v.why_not,
        vec![
            "app2-to-legacy does not allow virtual network access".to_string(),
            "legacy has no route to 10.2.0.0/16 via a firewall".to_string(),
            "on the way back: app2 has no route to 10.50.0.0/16 via a firewall".to_string(),
        ]
    );
}

/// A spoke of hub-neu (app3) and a route from app1 to it: app1 -> hub-weu
/// firewall -> hub-neu firewall -> app3, and back the other way.
fn two_region_plan() -> Plan {
    let mut plan = sample_plan(false);
    let mut app3 = plan.vnet("app2").expect("app2").clone();
    app3.name = "app3".into();
    app3.hub = Some("hub-neu".into());
    app3.location = "northeurope".into();
    app3.address_space = vec!["10.3.0.0/16".into()];
    app3.id = app3.id.replace("app2", "app3");
    plan.vnets.push(app3);
    plan.vnets.sort_by(|a, b| a.name.cmp(&b.name));
    for v in &mut plan.vnets {
        if v.name == "hub-neu" {
            v.firewall = Some(PlanFirewall {
                name: "fw-neu".into(),
                private_ip: "10.100.254.4".into(),
            });
        }
    }
    let to_hub = new_link(
        &plan,
        "app3",
        "hub-neu",
        [true, true, false, false],
        Origin::HubSpoke,
    );
    let from_hub = new_link(
        &plan,
        "hub-neu",
        "app3",
        [true, false, false, false],
        Origin::HubSpoke,
    );
    plan.links.extend([to_hub, from_hub]);
    sort_links(&mut plan);
    plan.route_tables[0].routes.push(Route {
        name: "to-app3".into(),
        address_prefix: "10.3.0.0/16".into(),
        next_hop_type: "VirtualAppliance".into(),
        next_hop_ip_address: "10.0.254.4".into(),
    });
    let mut rt3: RouteTable = plan.route_tables[1].clone();
    rt3.name = "rt-app3".into();
    rt3.vnet = "app3".into();
    rt3.routes = vec![Route {
        name: "default".into(),
        address_prefix: "0.0.0.0/0".into(),
        next_hop_type: "VirtualAppliance".into(),
        next_hop_ip_address: "10.100.254.4".into(),
    }];
    plan.route_tables.push(rt3);
    plan
}

#[test]
fn hub_to_hub_firewall_chains_count() {
    let mut plan = two_region_plan();
    let v = verdict(&plan, "app1", "app3");
    assert_eq!(
        v.how,
        How::Firewall {
            there: vec!["hub-weu".into(), "hub-neu".into()],
            back: vec!["hub-neu".into(), "hub-weu".into()]
        },
        "{:?}",
        v.why_not
    );
    // app2 has no route to app3: no, although all hubs forward.
    let v = verdict(&plan, "app2", "app3");
    assert!(!v.reachable);
    assert!(
        v.why_not
            .contains(&"app2 has no route to 10.3.0.0/16 via a firewall".to_string()),
        "{:?}",
        v.why_not
    );
    // hub-neu refusing traffic forwarded by hub-weu breaks the chain.
    link_mut(&mut plan, "hub-neu-to-hub-weu").allow_forwarded_traffic = false;
    let v = verdict(&plan, "app1", "app3");
    assert!(!v.reachable);
    assert!(
        v.why_not
            .iter()
            .any(|r| r.contains("hub-weu and app3 are not peered")),
        "{:?}",
        v.why_not
    );
}

#[test]
fn unknown_names_suggest_a_close_one() {
    let plan = sample_plan(false);
    let e = reach::reach(&plan, "app3", "app1").expect_err("app3 is unknown");
    assert!(
        e.contains("`app3`") && e.contains("did you mean `app1`?"),
        "{e}"
    );
    let e = reach::reach(&plan, "app1", "zzzzzzzz").expect_err("unknown");
    assert!(!e.contains("did you mean"), "{e}");
    assert!(reach::reach(&plan, "app1", "onprem").is_ok());
}

#[test]
fn the_matrix_agrees_with_single_verdicts() {
    let plan = two_region_plan();
    let m = reach::matrix(&plan);
    let n = m.endpoints.len();
    assert_eq!(n, plan.vnets.len() + plan.sites.len());
    assert_eq!(m.verdicts.len(), n * n);
    for (i, a) in m.endpoints.iter().enumerate() {
        for (j, b) in m.endpoints.iter().enumerate() {
            assert_eq!(m.get(i, j), Some(&verdict(&plan, a, b)));
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&reach::render_json(&m)).expect("matrix json parses");
    assert_eq!(json["endpoints"][0], "app1");
    assert_eq!(json["verdicts"][1]["how"]["kind"], "firewall");
}

/// A plan whose names carry every character Mermaid, DOT and Markdown care about.
fn hostile_names_plan() -> Plan {
    let mut plan = sample_plan(true);
    let evil = "app1\"]; x[\"<b>|`#&\\";
    for v in &mut plan.vnets {
        if v.name == "app1" {
            v.name = evil.into();
        }
    }
    for l in &mut plan.links {
        if l.local == "app1" {
            l.local = evil.into();
            l.name = l.name.replace("app1", evil);
        }
        if l.remote == "app1" {
            l.remote = evil.into();
            l.name = l.name.replace("app1", evil);
        }
    }
    plan.vnets.sort_by(|a, b| a.name.cmp(&b.name));
    plan
}

#[test]
fn hostile_names_stay_labels() {
    let plan = hostile_names_plan();
    let m = graph::mermaid(&plan);
    for line in m.lines() {
        // Quotes only delimit labels: an even number on every line.
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        assert!(!line.contains('<') || line.contains("<br/>"), "{line}");
        assert!(!line.contains('`'), "{line}");
    }
    assert!(m.contains("app1#quot;#93;#59; x#91;#quot;#60;b#62;#124;#96;#35;#38;#92;"));
    let d = graph::dot(&plan);
    assert!(d.contains(r#"app1\"]; x[\"<b>|`#&\\"#), "{d}");
    assert!(!d.contains("\nline2"), "newlines in labels are removed");
    let r = review::review(&plan, &["a | b\nc".to_string()]);
    // Every table row has as many unescaped pipes as its header.
    let mut expected = None;
    for line in r.lines() {
        if !line.starts_with('|') {
            expected = None;
            continue;
        }
        let pipes = line
            .replace("\\\\", "")
            .replace("\\|", "")
            .matches('|')
            .count();
        match expected {
            None => expected = Some(pipes),
            Some(n) => assert_eq!(pipes, n, "{line}"),
        }
    }
    assert!(r.contains("- a \\| b c\n"), "warnings are escaped");
    assert!(!r.contains("<b>"), "no raw HTML from names");
    let mut lines = r.lines();
    assert!(
        lines.next().is_some_and(|l| l.contains("line2")),
        "the title keeps the text on one line"
    );
    assert_eq!(lines.next(), Some(""));
}

#[test]
fn review_lists_roles_and_waves() {
    let plan = sample_plan(false);
    let r = review::review(&plan, &[]);
    assert!(r.contains(
        "| (default) | apps (22222222-2222-2222-2222-222222222222) | rg-classic | Classic Network Contributor | legacy |"
    ));
    assert!(r.contains(
        "| (default) | conn (11111111-1111-1111-1111-111111111111) | rg-hub | Network Contributor | hub-weu |"
    ));
    assert!(r.contains("| 0 | resource group conn/rg-hub<br>"));
    assert!(r.contains("## Warnings\n\nNone.\n"));
    assert!(r.contains("```mermaid\nflowchart LR\n"));
}

#[test]
fn dot_output_renders_with_graphviz() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        println!("skipped: Graphviz `dot` is not installed");
        return;
    }
    for plan in [sample_plan(false), hostile_names_plan(), two_region_plan()] {
        let svg = graph::svg(&plan).unwrap_or_else(|e| panic!("{e}"));
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains("weu"), "{svg}");
    }
}

#[test]
fn hostile_names_snapshot() {
    let plan = hostile_names_plan();
    settings().bind(|| {
        insta::assert_snapshot!("graph-hostile.mermaid", graph::mermaid(&plan));
        insta::assert_snapshot!("graph-hostile.dot", graph::dot(&plan));
    });
}

#[test]
fn a_large_estate_gets_no_matrix_or_oversized_diagram() {
    let mut plan = sample_plan(false);
    let template = plan.vnet("app2").expect("app2").clone();
    for i in 0..600 {
        let mut v = template.clone();
        v.name = format!("spoke-{i:03}-with-a-rather-long-name-for-the-diagram");
        v.address_space = vec![format!("10.{}.{}.0/24", 10 + i / 256, i % 256)];
        plan.vnets.push(v);
    }
    plan.vnets.sort_by(|a, b| a.name.cmp(&b.name));
    let r = review::review(&plan, &[]);
    assert!(r.contains("606 VNets and sites are too many for a matrix on this page"));
    assert!(!r.contains("```mermaid"), "a diagram Mermaid would refuse");
    assert!(r.contains("more than Mermaid renders (50000)"));
    // Small estates keep both.
    let r = review::review(&sample_plan(false), &[]);
    assert!(r.contains("```mermaid") && r.contains("| from \\\\ to |"));
}
