//! Tests of the whole analysis on estates built in Rust (independent of the readers).

use std::cell::Cell;

use super::analyze;
use crate::diagnostic::{Code, Diagnostic, Level};
use crate::model::{
    Firewall, Gateway, Mesh, Name, Peering, PeeringSettings, Role, RouteServer, Site, Subnet,
    Subscription, Tag, Text, Topology, Vnet,
};
use crate::plan::{Kind, Link, Origin, Plan, Resource};
use crate::source::Span;
use crate::spanned::Spanned;

const SUB: &str = "11111111-1111-1111-1111-111111111111";
const SUB2: &str = "22222222-2222-2222-2222-222222222222";

thread_local! {
    static NEXT: Cell<usize> = const { Cell::new(0) };
}

/// A value with a span of its own, so tests can check where diagnostics point.
fn t(value: &str) -> Text {
    let start = NEXT.with(|n| {
        let s = n.get();
        n.set(s + 10);
        s
    });
    Spanned::new(value.to_string(), Span::new(start, start + 5))
}

fn yes(value: bool) -> Option<Spanned<bool>> {
    let span = t("").span;
    Some(Spanned::new(value, span))
}

fn base() -> Topology {
    let mut topo = Topology {
        name: Some(t("contoso")),
        ..Topology::default()
    };
    topo.defaults.location = Some(t("westeurope"));
    topo.defaults.subscription = Some(t("conn"));
    topo.defaults.resource_group = Some(t("rg-net"));
    topo.subscriptions.push(Subscription {
        alias: t("conn"),
        id: Some(t(SUB)),
        tenant: None,
        span: t("").span,
    });
    topo
}

fn net(name: &str, role: Role, prefix: &str) -> Vnet {
    let mut v = Vnet::new(t(name), role, t("").span);
    if !prefix.is_empty() {
        v.address_space.push(t(prefix));
    }
    v
}

fn hub(name: &str, prefix: &str) -> Vnet {
    net(name, Role::Hub, prefix)
}

fn spoke(name: &str, hub: &str, prefix: &str) -> Vnet {
    net(name, Role::Spoke { hub: Some(t(hub)) }, prefix)
}

fn plain(name: &str, prefix: &str) -> Vnet {
    net(name, Role::Vnet, prefix)
}

fn subnet(v: &mut Vnet, name: &str, prefix: &str) {
    v.subnets.push(Subnet {
        name: t(name),
        prefixes: vec![t(prefix)],
        span: t("").span,
    });
}

fn gateway(v: &mut Vnet, subnet_prefix: &str) {
    subnet(v, "GatewaySubnet", subnet_prefix);
    v.gateway = Some(Gateway {
        name: t(&format!("vgw-{}", v.name.value)),
        kind: None,
        sku: None,
        span: t("").span,
    });
}

fn firewall(v: &mut Vnet, subnet_prefix: &str, ip: &str) {
    subnet(v, "AzureFirewallSubnet", subnet_prefix);
    v.firewall = Some(Firewall {
        name: t(&format!("fw-{}", v.name.value)),
        private_ip: Some(t(ip)),
        default_route: None,
        span: t("").span,
    });
}

fn peering(a: &str, b: &str) -> Peering {
    Peering {
        between: vec![t(a), t(b)],
        settings: PeeringSettings::default(),
        reverse: PeeringSettings::default(),
        span: t("").span,
    }
}

fn mesh(name: &str, members: &[&str]) -> Mesh {
    Mesh {
        name: t(name),
        members: members.iter().map(|m| t(m)).collect(),
        settings: PeeringSettings::default(),
        span: t("").span,
    }
}

/// The language.md example: a hub with a VPN gateway and one spoke.
fn example() -> Topology {
    let mut topo = base();
    let mut h = hub("hub-weu", "10.0.0.0/16");
    gateway(&mut h, "10.0.255.0/27");
    let mut s = spoke("app1", "hub-weu", "10.1.0.0/16");
    subnet(&mut s, "web", "10.1.0.0/24");
    topo.vnets.push(h);
    topo.vnets.push(s);
    topo
}

fn plan_of(topo: &Topology) -> Plan {
    let a = analyze(topo);
    let errors: Vec<&Diagnostic> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    a.plan.expect("a plan without errors")
}

fn diags(topo: &Topology) -> Vec<Diagnostic> {
    analyze(topo).diagnostics
}

fn with_code(topo: &Topology, code: Code) -> Vec<Diagnostic> {
    diags(topo).into_iter().filter(|d| d.code == code).collect()
}

/// The single diagnostic of `code`, checking there is exactly one.
fn one(topo: &Topology, code: Code) -> Diagnostic {
    let found = with_code(topo, code);
    assert_eq!(found.len(), 1, "expected one {code}: {:#?}", diags(topo));
    found.into_iter().next().expect("one")
}

fn link<'a>(plan: &'a Plan, local: &str, remote: &str) -> &'a Link {
    plan.links
        .iter()
        .find(|l| l.local == local && l.remote == remote)
        .unwrap_or_else(|| panic!("no link {local} -> {remote}: {:#?}", plan.links))
}

// ---------------------------------------------------------------- expansion

#[test]
fn example_pair_expands_as_language_md_says() {
    let plan = plan_of(&example());
    assert_eq!(plan.links.len(), 2);
    let down = link(&plan, "hub-weu", "app1");
    assert_eq!(down.name, "hub-weu-to-app1");
    assert_eq!(down.flags(), [true, false, true, false]);
    assert_eq!(down.origin, Origin::HubSpoke);
    let up = link(&plan, "app1", "hub-weu");
    assert_eq!(up.name, "app1-to-hub-weu");
    assert_eq!(up.flags(), [true, false, false, true]);
    assert!(!up.global && !up.cross_tenant && !up.remote_classic);
    let hub = plan.vnet("hub-weu").expect("hub");
    assert_eq!(up.remote_id, hub.id);
    assert_eq!(
        hub.id,
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub-weu"
        )
    );
    let gw = hub.gateway.as_ref().expect("gateway");
    assert_eq!(
        (
            gw.gateway_type.as_str(),
            gw.sku.as_str(),
            gw.public_ip.as_str()
        ),
        ("Vpn", "VpnGw1AZ", "vgw-hub-weu-pip")
    );
    assert_eq!(plan.api_version, "2024-07-01");
    assert_eq!(plan.max_peerings, 500);
    assert_eq!(plan.cloud, "public");
    assert!(plan.route_tables.is_empty());
}

#[test]
fn hub_without_gateway_gives_no_transit() {
    let mut topo = base();
    topo.vnets.push(hub("hub", "10.0.0.0/16"));
    topo.vnets.push(spoke("ss", "hub", "10.1.0.0/16"));
    let plan = plan_of(&topo);
    assert_eq!(
        link(&plan, "hub", "ss").flags(),
        [true, false, false, false]
    );
    assert_eq!(
        link(&plan, "ss", "hub").flags(),
        [true, false, false, false]
    );
}

#[test]
fn spoke_can_opt_out_of_remote_gateways() {
    let mut topo = example();
    topo.vnets[1].spoke_link.use_remote_gateways = yes(false);
    let plan = plan_of(&topo);
    assert!(!link(&plan, "app1", "hub-weu").use_remote_gateways);
    assert!(link(&plan, "hub-weu", "app1").allow_gateway_transit);
}

#[test]
fn spoke_with_own_gateway_does_not_use_the_hubs() {
    let mut topo = example();
    gateway(&mut topo.vnets[1], "10.1.255.0/27");
    let plan = plan_of(&topo);
    assert!(!link(&plan, "app1", "hub-weu").use_remote_gateways);
}

#[test]
fn hub_firewall_forwards_and_routes() {
    let mut topo = base();
    let mut h = hub("hub", "10.0.0.0/16");
    gateway(&mut h, "10.0.255.0/27");
    firewall(&mut h, "10.0.254.0/26", "10.0.254.4");
    topo.vnets.push(h);
    for (i, name) in ["aa", "bb"].iter().enumerate() {
        let mut s = spoke(name, "hub", &format!("10.{}.0.0/16", i + 1));
        subnet(&mut s, "web", &format!("10.{}.0.0/24", i + 1));
        subnet(
            &mut s,
            "AzureBastionSubnet",
            &format!("10.{}.1.0/26", i + 1),
        );
        topo.vnets.push(s);
    }
    let plan = plan_of(&topo);
    assert_eq!(link(&plan, "aa", "hub").flags(), [true, true, false, true]);
    assert_eq!(link(&plan, "hub", "aa").flags(), [true, false, true, false]);
    let names: Vec<&str> = plan.route_tables.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["rt-aa", "rt-bb"]);
    let rt = &plan.route_tables[0];
    assert_eq!(rt.vnet, "aa");
    assert_eq!(rt.routes.len(), 1);
    assert_eq!(rt.routes[0].name, "to-bb");
    assert_eq!(rt.routes[0].address_prefix, "10.2.0.0/16");
    assert_eq!(rt.routes[0].next_hop_type, "VirtualAppliance");
    assert_eq!(rt.routes[0].next_hop_ip_address, "10.0.254.4");
    let a = plan.vnet("aa").expect("aa");
    assert_eq!(a.subnets[0].route_table.as_deref(), Some("rt-aa"));
    assert_eq!(
        a.subnets[1].route_table, None,
        "bastion subnet keeps no UDR"
    );
    assert_eq!(
        plan.vnet("hub")
            .and_then(|h| h.firewall.as_ref())
            .map(|f| f.private_ip.as_str()),
        Some("10.0.254.4")
    );
}

#[test]
fn default_route_and_multi_prefix_route_names() {
    let mut topo = base();
    let mut h = hub("hub", "10.0.0.0/16");
    firewall(&mut h, "10.0.254.0/26", "10.0.254.4");
    h.firewall.as_mut().expect("fw").default_route = yes(true);
    topo.vnets.push(h);
    let mut a = spoke("aa", "hub", "10.1.0.0/16");
    subnet(&mut a, "web", "10.1.0.0/24");
    topo.vnets.push(a);
    let mut b = spoke("bb", "hub", "10.2.0.0/16");
    b.address_space.push(t("10.3.0.0/16"));
    b.address_space.push(t("fd00:2::/48"));
    topo.vnets.push(b);
    let plan = plan_of(&topo);
    let rt = plan
        .route_tables
        .iter()
        .find(|r| r.vnet == "aa")
        .expect("rt-aa");
    let got: Vec<(&str, &str)> = rt
        .routes
        .iter()
        .map(|r| (r.name.as_str(), r.address_prefix.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("default", "0.0.0.0/0"),
            ("to-bb-1", "10.2.0.0/16"),
            ("to-bb-2", "10.3.0.0/16")
        ]
    );
    // b has no subnet, but gets its table (with a's prefix and the default route).
    let rt_b = plan
        .route_tables
        .iter()
        .find(|r| r.vnet == "bb")
        .expect("rt-bb");
    assert_eq!(rt_b.routes.len(), 2);
}

#[test]
fn hubs_peer_with_each_other_and_route_to_remote_spokes() {
    let mut topo = base();
    let mut h1 = hub("hub-weu", "10.0.0.0/16");
    firewall(&mut h1, "10.0.254.0/26", "10.0.254.4");
    topo.vnets.push(h1);
    let mut h2 = hub("hub-neu", "10.100.0.0/16");
    h2.location = Some(t("northeurope"));
    topo.vnets.push(h2);
    topo.vnets.push(spoke("aa", "hub-weu", "10.1.0.0/16"));
    topo.vnets.push(spoke("zz", "hub-neu", "10.101.0.0/16"));
    let plan = plan_of(&topo);
    for (l, r) in [("hub-weu", "hub-neu"), ("hub-neu", "hub-weu")] {
        let hl = link(&plan, l, r);
        assert_eq!(hl.flags(), [true, true, false, false]);
        assert_eq!(hl.origin, Origin::HubHub);
        assert!(hl.global);
    }
    assert!(!link(&plan, "aa", "hub-weu").global);
    let rt = plan
        .route_tables
        .iter()
        .find(|r| r.vnet == "aa")
        .expect("rt-aa");
    assert_eq!(rt.routes.len(), 1);
    assert_eq!(rt.routes[0].name, "to-zz");
    assert!(
        plan.route_tables.iter().all(|r| r.vnet != "zz"),
        "hub-neu has no firewall"
    );
    assert_eq!(plan.links.len(), 6);
}

#[test]
fn mesh_links_every_pair_with_block_settings() {
    let mut topo = base();
    for (i, n) in ["aa", "bb", "cc"].iter().enumerate() {
        topo.vnets.push(plain(n, &format!("10.{i}.0.0/16")));
    }
    let mut m = mesh("m", &["aa", "bb", "cc"]);
    m.settings.allow_forwarded_traffic = yes(true);
    topo.meshes.push(m);
    let plan = plan_of(&topo);
    assert_eq!(plan.links.len(), 6);
    for l in &plan.links {
        assert_eq!(l.flags(), [true, true, false, false]);
        assert_eq!(l.origin, Origin::Mesh { mesh: "m".into() });
    }
}

#[test]
fn explicit_peering_has_settings_and_reverse() {
    let mut topo = base();
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    topo.vnets.push(plain("bb", "10.1.0.0/16"));
    let mut p = peering("aa", "bb");
    p.settings.allow_forwarded_traffic = yes(true);
    p.reverse.allow_virtual_network_access = yes(false);
    topo.peerings.push(p);
    let plan = plan_of(&topo);
    assert_eq!(link(&plan, "aa", "bb").flags(), [true, true, false, false]);
    assert_eq!(
        link(&plan, "bb", "aa").flags(),
        [false, false, false, false]
    );
    assert_eq!(link(&plan, "aa", "bb").origin, Origin::Peering);
}

#[test]
fn precedence_own_over_mesh_over_peering_defaults_over_derived() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    a.peering_defaults.allow_forwarded_traffic = yes(true);
    a.peering_defaults.allow_virtual_network_access = yes(false);
    topo.vnets.push(a);
    topo.vnets.push(plain("bb", "10.1.0.0/16"));
    topo.vnets.push(plain("cc", "10.2.0.0/16"));
    let mut m = mesh("m", &["aa", "bb"]);
    m.settings.allow_virtual_network_access = yes(true);
    topo.meshes.push(m);
    let mut p = peering("aa", "cc");
    p.settings.allow_forwarded_traffic = yes(false);
    topo.peerings.push(p);
    let plan = plan_of(&topo);
    // mesh beats a's peering-defaults for access; defaults give forwarded.
    assert_eq!(link(&plan, "aa", "bb").flags(), [true, true, false, false]);
    // the peering's own false beats defaults; defaults' access=false applies.
    assert_eq!(
        link(&plan, "aa", "cc").flags(),
        [false, false, false, false]
    );
    // b's side has no defaults: derived.
    assert_eq!(link(&plan, "cc", "aa").flags(), [true, false, false, false]);
}

#[test]
fn explicit_use_remote_gateways_sets_counterpart() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    gateway(&mut a, "10.0.255.0/27");
    topo.vnets.push(a);
    topo.vnets.push(plain("bb", "10.1.0.0/16"));
    let mut p = peering("bb", "aa");
    p.settings.use_remote_gateways = yes(true);
    topo.peerings.push(p);
    let plan = plan_of(&topo);
    assert!(link(&plan, "bb", "aa").use_remote_gateways);
    assert!(link(&plan, "aa", "bb").allow_gateway_transit);
}

#[test]
fn counterpart_conflict_points_at_the_explicit_false() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    gateway(&mut a, "10.0.255.0/27");
    topo.vnets.push(a);
    topo.vnets.push(plain("bb", "10.1.0.0/16"));
    let mut p = peering("bb", "aa");
    p.settings.use_remote_gateways = yes(true);
    p.reverse.allow_gateway_transit = yes(false);
    let urg = p.settings.use_remote_gateways.as_ref().expect("set").span;
    let no = p.reverse.allow_gateway_transit.as_ref().expect("set").span;
    topo.peerings.push(p);
    let d = one(&topo, Code::CounterpartConflict);
    assert_eq!(d.span, Some(no));
    assert_eq!(d.related[0].span, urg);
    assert!(d.help.is_some());
    assert!(with_code(&topo, Code::RemoteGatewayMissing).is_empty());
    assert!(analyze(&topo).plan.is_none());
}

#[test]
fn use_remote_gateways_without_remote_gateway() {
    let mut topo = base();
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    topo.vnets.push(plain("bb", "10.1.0.0/16"));
    let mut p = peering("bb", "aa");
    p.settings.use_remote_gateways = yes(true);
    let urg = p.settings.use_remote_gateways.as_ref().expect("set").span;
    topo.peerings.push(p);
    assert_eq!(one(&topo, Code::RemoteGatewayMissing).span, Some(urg));
}

#[test]
fn use_remote_gateways_with_local_gateway() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    gateway(&mut a, "10.0.255.0/27");
    let mut b = plain("bb", "10.1.0.0/16");
    gateway(&mut b, "10.1.255.0/27");
    topo.vnets.push(a);
    topo.vnets.push(b);
    let mut p = peering("bb", "aa");
    p.settings.use_remote_gateways = yes(true);
    topo.peerings.push(p);
    one(&topo, Code::LocalGatewayConflict);
}

#[test]
fn several_remote_gateway_links() {
    let mut topo = base();
    for (i, n) in ["g1", "g2"].iter().enumerate() {
        let mut g = plain(n, &format!("10.{i}.0.0/16"));
        gateway(&mut g, &format!("10.{i}.255.0/27"));
        topo.vnets.push(g);
    }
    topo.vnets.push(plain("xx", "10.9.0.0/16"));
    for g in ["g1", "g2"] {
        let mut p = peering("xx", g);
        p.settings.use_remote_gateways = yes(true);
        topo.peerings.push(p);
    }
    let d = one(&topo, Code::SeveralRemoteGateways);
    assert_eq!(d.related.len(), 1);
}

#[test]
fn transit_without_gateway() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    a.peering_defaults.allow_gateway_transit = yes(true);
    let span = a
        .peering_defaults
        .allow_gateway_transit
        .as_ref()
        .expect("set")
        .span;
    topo.vnets.push(a);
    topo.vnets.push(plain("bb", "10.1.0.0/16"));
    topo.peerings.push(peering("aa", "bb"));
    assert_eq!(one(&topo, Code::TransitWithoutGateway).span, Some(span));
}

#[test]
fn self_and_duplicate_peerings() {
    let mut topo = base();
    topo.vnets.push(hub("hh", "10.0.0.0/16"));
    topo.vnets.push(spoke("ss", "hh", "10.1.0.0/16"));
    topo.vnets.push(plain("vv", "10.2.0.0/16"));
    topo.peerings.push(peering("vv", "vv"));
    topo.peerings.push(peering("ss", "hh"));
    topo.meshes.push(mesh("m", &["vv", "hh", "vv"]));
    let self_peerings = with_code(&topo, Code::SelfPeering);
    assert_eq!(self_peerings.len(), 2, "{self_peerings:#?}");
    let dup = one(&topo, Code::DuplicatePeering);
    assert_eq!(dup.span, Some(topo.peerings[1].span));
    assert_eq!(dup.related[0].span, topo.vnets[1].role_hub_span());
    assert!(dup.help.as_deref().is_some_and(|h| h.contains("spoke")));
}

#[test]
fn mesh_of_two_hubs_duplicates_the_hub_link() {
    let mut topo = base();
    topo.vnets.push(hub("h1", "10.0.0.0/16"));
    topo.vnets.push(hub("h2", "10.1.0.0/16"));
    topo.meshes.push(mesh("m", &["h1", "h2"]));
    let d = one(&topo, Code::DuplicatePeering);
    assert_eq!(d.span, Some(topo.meshes[0].members[1].span));
}

impl Vnet {
    fn role_hub_span(&self) -> Span {
        match &self.role {
            Role::Spoke { hub: Some(h) } => h.span,
            _ => self.name.span,
        }
    }
}

// ---------------------------------------------------------------- classic, existing, external

#[test]
fn classic_remote_gets_no_link_of_its_own() {
    let mut topo = base();
    topo.vnets.push(plain("rm", "10.0.0.0/16"));
    let mut c = plain("legacy", "10.50.0.0/16");
    c.classic = yes(true);
    topo.vnets.push(c);
    topo.peerings.push(peering("legacy", "rm"));
    let plan = plan_of(&topo);
    assert_eq!(plan.links.len(), 1);
    let l = link(&plan, "rm", "legacy");
    assert!(l.remote_classic);
    assert!(
        l.remote_id
            .contains("/providers/Microsoft.ClassicNetwork/virtualNetworks/legacy")
    );
    assert_eq!(plan.vnet("legacy").map(|v| v.kind), Some(Kind::Classic));
}

#[test]
fn classic_to_classic_is_rejected() {
    let mut topo = base();
    for (i, n) in ["c1", "c2"].iter().enumerate() {
        let mut c = plain(n, &format!("10.{i}.0.0/16"));
        c.classic = yes(true);
        topo.vnets.push(c);
    }
    topo.meshes.push(mesh("m", &["c1", "c2"]));
    let d = one(&topo, Code::ClassicToClassic);
    assert!(d.help.as_deref().is_some_and(|h| h.contains("VPN gateway")));
}

#[test]
fn classic_gateway_rules() {
    let mut topo = base();
    let mut c = hub("legacy", "10.50.0.0/16");
    c.classic = yes(true);
    gateway(&mut c, "10.50.255.0/27");
    topo.vnets.push(c);
    let mut s = spoke("ss", "legacy", "10.1.0.0/16");
    s.spoke_link.use_remote_gateways = yes(true);
    topo.vnets.push(s);
    let found = with_code(&topo, Code::ClassicGateway);
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn existing_vnet_settings_are_warned_and_links_created() {
    let mut topo = base();
    let mut e = hub("hub", "10.0.0.0/16");
    e.existing = yes(true);
    subnet(&mut e, "web", "10.0.0.0/24");
    e.tags.push(Tag {
        key: t("k"),
        value: t("vv"),
    });
    topo.vnets.push(e);
    topo.vnets.push(spoke("ss", "hub", "10.1.0.0/16"));
    let a = analyze(&topo);
    let warnings: Vec<&Diagnostic> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ClassicNotManaged)
        .collect();
    assert_eq!(warnings.len(), 2);
    assert!(warnings.iter().all(|d| d.level == Level::Warning));
    let plan = a.plan.expect("warnings only");
    assert_eq!(plan.vnet("hub").map(|v| v.kind), Some(Kind::Existing));
    assert!(plan.vnet("hub").is_some_and(|v| v.subnets.is_empty()));
    link(&plan, "hub", "ss");
    let unit = &plan.units[plan.vnet("hub").expect("hub").unit];
    assert!(unit.creates_resources, "the spoke shares the unit");
}

#[test]
fn external_vnet_by_id() {
    let mut topo = base();
    topo.subscriptions.push(Subscription {
        alias: t("other"),
        id: Some(t(SUB2)),
        tenant: None,
        span: t("").span,
    });
    let mut x = plain("ext", "10.9.0.0/16");
    x.id = Some(t(&format!(
        "/subscriptions/{SUB2}/resourcegroups/rg-x/providers/microsoft.network/virtualnetworks/ext"
    )));
    topo.vnets.push(x);
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    topo.peerings.push(peering("aa", "ext"));
    let plan = plan_of(&topo);
    let ext = plan.vnet("ext").expect("ext");
    assert_eq!(ext.kind, Kind::External);
    assert_eq!(ext.subscription, "other");
    assert_eq!(ext.resource_group, "rg-x");
    assert_eq!(
        ext.id,
        format!(
            "/subscriptions/{SUB2}/resourceGroups/rg-x/providers/Microsoft.Network/virtualNetworks/ext"
        )
    );
    link(&plan, "ext", "aa");
    let unit = &plan.units[ext.unit];
    assert_eq!(unit.name, "other/rg-x");
    assert!(!unit.creates_resources);
    assert!(!plan.order.steps.contains(&crate::plan::Step {
        resource: Resource::ResourceGroup { unit: ext.unit },
        after: vec![],
        wave: 0
    }));
}

#[test]
fn external_id_must_be_a_vnet_id() {
    let mut topo = base();
    let mut x = plain("ext", "10.9.0.0/16");
    x.id = Some(t(
        "/subscriptions/nope/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/ext",
    ));
    let span = x.id.as_ref().expect("id").span;
    topo.vnets.push(x);
    assert_eq!(one(&topo, Code::InvalidId).span, Some(span));
}

// ---------------------------------------------------------------- resolution

#[test]
fn missing_defaults_name_the_property() {
    let mut topo = Topology::default();
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    let found = with_code(&topo, Code::NoDefault);
    assert_eq!(found.len(), 3);
    let helps: Vec<&str> = found.iter().filter_map(|d| d.help.as_deref()).collect();
    assert!(helps.iter().any(|h| h.contains("location")));
    assert!(helps.iter().any(|h| h.contains("subscription")));
    assert!(helps.iter().any(|h| h.contains("resource-group")));
    assert!(
        found
            .iter()
            .all(|d| d.span == Some(topo.vnets[0].name.span))
    );
}

#[test]
fn subscription_rules() {
    let mut topo = base();
    topo.subscriptions.push(Subscription {
        alias: t("conn"),
        id: Some(t(SUB)),
        tenant: None,
        span: t("").span,
    });
    topo.subscriptions.push(Subscription {
        alias: t("noid"),
        id: None,
        tenant: Some(t("not-a-uuid")),
        span: t("").span,
    });
    let mut a = plain("aa", "10.0.0.0/16");
    a.subscription = Some(t("con"));
    topo.vnets.push(a);
    one(&topo, Code::DuplicateName);
    one(&topo, Code::MissingValue);
    one(&topo, Code::InvalidId);
    let unknown = one(&topo, Code::UnknownReference);
    assert_eq!(unknown.help.as_deref(), Some("did you mean `conn`?"));
}

#[test]
fn clouds_and_locations() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    a.location = Some(t("westeurop"));
    topo.vnets.push(a);
    let mut b = plain("bb", "10.1.0.0/16");
    b.location = Some(t("chinanorth"));
    topo.vnets.push(b);
    let unknown = one(&topo, Code::UnknownLocation);
    assert_eq!(unknown.level, Level::Warning);
    assert_eq!(unknown.help.as_deref(), Some("did you mean `westeurope`?"));
    one(&topo, Code::MixedClouds);
    topo.defaults.cloud = Some(t("mars"));
    one(&topo, Code::InvalidValue);
}

#[test]
fn china_estate_accepts_china_regions() {
    let mut topo = base();
    topo.defaults.cloud = Some(t("china"));
    topo.defaults.location = Some(t("chinaeast2"));
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    let plan = plan_of(&topo);
    assert_eq!(plan.cloud, "china");
    assert!(diags(&topo).is_empty());
}

#[test]
fn api_version_and_max_peerings() {
    let mut topo = base();
    topo.defaults.api_version = Some(t("2025-07-01-preview"));
    topo.defaults.max_peerings = Some(Spanned::new(1000, t("").span));
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    let plan = plan_of(&topo);
    assert_eq!(plan.api_version, "2025-07-01-preview");
    assert_eq!(plan.max_peerings, 1000);
    topo.defaults.api_version = Some(t("latest"));
    topo.defaults.max_peerings = Some(Spanned::new(0, t("").span));
    assert_eq!(with_code(&topo, Code::InvalidValue).len(), 2);
}

#[test]
fn names_follow_azure_rules() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    subnet(&mut a, "-web", "10.0.0.0/24");
    a.resource_group = Some(t("rg."));
    topo.vnets.push(a);
    topo.vnets.push(plain("ok-name", "10.1.0.0/16"));
    topo.vnets.push(plain("x", "10.2.0.0/16"));
    let found = with_code(&topo, Code::InvalidName);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found.iter().all(|d| d.help.is_some()));
    assert!(
        found
            .iter()
            .any(|d| d.span == Some(topo.vnets[2].name.span))
    );
}

#[test]
fn duplicate_names() {
    let mut topo = base();
    let mut a = hub("Hub", "10.0.0.0/16");
    subnet(&mut a, "web", "10.0.0.0/24");
    subnet(&mut a, "web", "10.0.1.0/24");
    topo.vnets.push(a);
    topo.vnets.push(plain("hub", "10.1.0.0/16"));
    let found = with_code(&topo, Code::DuplicateName);
    assert_eq!(found.len(), 2);
    let vnet_dup = found
        .iter()
        .find(|d| d.span == Some(topo.vnets[1].name.span))
        .expect("the later VNet");
    assert_eq!(vnet_dup.related[0].span, topo.vnets[0].name.span);
}

#[test]
fn tags_and_control_characters() {
    let mut topo = base();
    topo.tags.push(Tag {
        key: t("a/b"),
        value: t("xx"),
    });
    topo.tags.push(Tag {
        key: t("ok"),
        value: t(&"vv".repeat(257)),
    });
    topo.tags.push(Tag {
        key: t("nul"),
        value: t("a\0b"),
    });
    topo.tags.push(Tag {
        key: t("multi"),
        value: t("line1\nline2\tx"),
    });
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    assert_eq!(with_code(&topo, Code::InvalidValue).len(), 3);
}

#[test]
fn references_resolve_with_suggestions() {
    let mut topo = base();
    topo.vnets.push(hub("hub-weu", "10.0.0.0/16"));
    topo.vnets.push(spoke("s1", "hub-wue", "10.1.0.0/16"));
    topo.vnets.push(spoke("s2", "s1", "10.2.0.0/16"));
    topo.meshes.push(mesh("m", &["s1", "nope"]));
    let unknown = with_code(&topo, Code::UnknownReference);
    assert_eq!(unknown.len(), 2);
    assert!(
        unknown
            .iter()
            .any(|d| d.help.as_deref() == Some("did you mean `hub-weu`?"))
    );
    let sos = one(&topo, Code::SpokeOfSpoke);
    assert_eq!(sos.related[0].span, topo.vnets[1].name.span);
}

// ---------------------------------------------------------------- addresses

#[test]
fn prefix_rules() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.1/16");
    a.address_space.push(t("banana"));
    a.address_space.push(t("169.254.0.0/24"));
    topo.vnets.push(a);
    topo.vnets.push(plain("bb", ""));
    let nc = one(&topo, Code::NonCanonicalPrefix);
    assert!(
        nc.help
            .as_deref()
            .is_some_and(|h| h.contains("10.0.0.0/16"))
    );
    one(&topo, Code::InvalidPrefix);
    one(&topo, Code::ForbiddenRange);
    let missing = one(&topo, Code::MissingValue);
    assert_eq!(missing.span, Some(topo.vnets[1].name.span));
}

#[test]
fn existing_vnet_may_omit_address_space() {
    let mut topo = base();
    let mut e = plain("ee", "");
    e.existing = yes(true);
    topo.vnets.push(e);
    plan_of(&topo);
}

#[test]
fn subnet_rules() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    subnet(&mut a, "out", "10.1.0.0/24");
    subnet(&mut a, "big", "10.0.0.0/20");
    subnet(&mut a, "inner", "10.0.1.0/24");
    subnet(&mut a, "tiny", "10.0.200.0/30");
    subnet(&mut a, "gatewaysubnet", "10.0.201.0/27");
    subnet(&mut a, "AzureFirewallSubnet", "10.0.202.0/27");
    topo.vnets.push(a);
    one(&topo, Code::SubnetOutsideVnet);
    let overlap = one(&topo, Code::SubnetOverlap);
    assert_eq!(
        overlap.span,
        Some(topo.vnets[0].subnets[2].prefixes[0].span)
    );
    assert_eq!(
        overlap.related[0].span,
        topo.vnets[0].subnets[1].prefixes[0].span
    );
    one(&topo, Code::SubnetSize);
    let special = with_code(&topo, Code::SpecialSubnet);
    assert_eq!(special.len(), 2);
    assert!(
        special
            .iter()
            .any(|d| d.message.contains("`GatewaySubnet`"))
    );
}

#[test]
fn small_gateway_subnet_is_a_warning() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    gateway(&mut a, "10.0.255.0/28");
    topo.vnets.push(a);
    let d = one(&topo, Code::SpecialSubnet);
    assert_eq!(d.level, Level::Warning);
    plan_of(&topo);
    topo.vnets[0].subnets[0].prefixes[0] = t("10.0.255.0/30");
    one(&topo, Code::SubnetSize);
}

#[test]
fn ipv6_subnets_are_slash_64() {
    let mut topo = base();
    let mut a = plain("aa", "10.0.0.0/16");
    a.address_space.push(t("fd00:1::/48"));
    subnet(&mut a, "v6", "fd00:1::/64");
    subnet(&mut a, "v6big", "fd00:1:0:1::/56");
    topo.vnets.push(a);
    one(&topo, Code::SubnetSize);
}

#[test]
fn addresses_of_dns_and_firewall() {
    let mut topo = base();
    let mut h = hub("hh", "10.0.0.0/16");
    h.dns_servers.push(t("10.0.0.4"));
    h.dns_servers.push(t("10.0.0.400"));
    firewall(&mut h, "10.0.254.0/26", "192.168.1.4");
    topo.vnets.push(h);
    one(&topo, Code::InvalidPrefix);
    one(&topo, Code::AddressOutsideVnet);
}

#[test]
fn gateway_and_route_server_need_their_subnets() {
    let mut topo = base();
    let mut h = hub("hh", "10.0.0.0/16");
    h.gateway = Some(Gateway {
        name: t("vgw"),
        kind: Some(t("expressroute")),
        sku: None,
        span: t("").span,
    });
    h.route_server = Some(RouteServer {
        name: t("rs"),
        span: t("").span,
    });
    topo.vnets.push(h);
    assert_eq!(with_code(&topo, Code::GatewayWithoutSubnet).len(), 2);
    subnet(&mut topo.vnets[0], "GatewaySubnet", "10.0.255.0/27");
    subnet(&mut topo.vnets[0], "RouteServerSubnet", "10.0.254.0/27");
    let plan = plan_of(&topo);
    let h = plan.vnet("hh").expect("hh");
    let gw = h.gateway.as_ref().expect("gw");
    assert_eq!(
        (gw.gateway_type.as_str(), gw.sku.as_str()),
        ("ExpressRoute", "ErGw1AZ")
    );
    assert_eq!(
        h.route_server.as_ref().map(|r| r.public_ip.as_str()),
        Some("rs-pip")
    );
}

#[test]
fn gateway_type_and_sku_are_checked() {
    let mut topo = example();
    topo.vnets[0].gateway.as_mut().expect("gw").sku = Some(t("ErGw1AZ"));
    let d = one(&topo, Code::InvalidValue);
    assert!(d.help.as_deref().is_some_and(|h| h.contains("VpnGw1AZ")));
    topo.vnets[0].gateway.as_mut().expect("gw").kind = Some(t("sdwan"));
    one(&topo, Code::InvalidValue);
}

#[test]
fn peered_overlap_is_an_error_other_overlap_a_warning() {
    let mut topo = base();
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    topo.vnets.push(plain("bb", "10.0.1.0/24"));
    topo.vnets.push(plain("cc", "10.0.0.0/8"));
    topo.peerings.push(peering("aa", "bb"));
    let peered = one(&topo, Code::PeeredOverlap);
    assert_eq!(peered.span, Some(topo.vnets[1].address_space[0].span));
    assert_eq!(peered.related[0].span, topo.vnets[0].address_space[0].span);
    let estate = with_code(&topo, Code::EstateOverlap);
    assert_eq!(estate.len(), 2, "c overlaps a and b: {estate:#?}");
    assert!(estate.iter().all(|d| d.level == Level::Warning));
}

#[test]
fn sites_take_part_in_overlap_checks() {
    let mut topo = base();
    topo.vnets.push(hub("hh", "10.0.0.0/16"));
    topo.sites.push(Site {
        name: t("onprem"),
        address_space: vec![t("10.0.128.0/17")],
        hub: Some(t("hh")),
        gateway_address: Some(t("203.0.113.10")),
        span: t("").span,
    });
    one(&topo, Code::EstateOverlap);
    topo.sites[0].address_space = vec![t("192.168.0.0/16")];
    let plan = plan_of(&topo);
    assert_eq!(plan.sites[0].hub.as_deref(), Some("hh"));
    assert_eq!(
        plan.sites[0].gateway_address.as_deref(),
        Some("203.0.113.10")
    );
}

// ---------------------------------------------------------------- names, limits, tenants, units

#[test]
fn long_link_names_are_shortened() {
    let mut topo = base();
    let a = "a".repeat(60);
    let b = "b".repeat(60);
    topo.vnets.push(plain(&a, "10.0.0.0/16"));
    topo.vnets.push(plain(&b, "10.1.0.0/16"));
    topo.peerings.push(peering(&a, &b));
    let plan = plan_of(&topo);
    let l = link(&plan, &a, &b);
    assert_eq!(l.name.chars().count(), 80);
    assert!(l.name.starts_with(&a));
}

#[test]
fn peering_limit() {
    let mut topo = base();
    topo.defaults.max_peerings = Some(Spanned::new(1, t("").span));
    topo.vnets.push(hub("hh", "10.0.0.0/16"));
    topo.vnets.push(spoke("s1", "hh", "10.1.0.0/16"));
    topo.vnets.push(spoke("s2", "hh", "10.2.0.0/16"));
    let d = one(&topo, Code::PeeringLimit);
    assert_eq!(d.span, Some(topo.vnets[0].name.span));
}

#[test]
fn cross_tenant_links_are_marked_and_warned_once() {
    let mut topo = base();
    topo.subscriptions[0].tenant = Some(t("aaaaaaaa-0000-0000-0000-000000000000"));
    topo.subscriptions.push(Subscription {
        alias: t("other"),
        id: Some(t(SUB2)),
        tenant: Some(t("bbbbbbbb-0000-0000-0000-000000000000")),
        span: t("").span,
    });
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    let mut b = plain("bb", "10.1.0.0/16");
    b.subscription = Some(t("other"));
    topo.vnets.push(b);
    topo.peerings.push(peering("aa", "bb"));
    let d = one(&topo, Code::CrossTenant);
    assert!(d.help.as_deref().is_some_and(|h| h.contains("guest")));
    let plan = plan_of(&topo);
    assert!(plan.links.iter().all(|l| l.cross_tenant));
    assert_eq!(plan.units.len(), 2);
    assert_eq!(
        plan.units[1].tenant.as_deref(),
        Some("bbbbbbbb-0000-0000-0000-000000000000")
    );
}

#[test]
fn units_and_tags() {
    let mut topo = base();
    topo.tags.push(Tag {
        key: t("owner"),
        value: t("net"),
    });
    topo.tags.push(Tag {
        key: t("env"),
        value: t("prod"),
    });
    let mut z = plain("zz", "10.0.0.0/16");
    z.location = Some(t("northeurope"));
    z.tags.push(Tag {
        key: t("env"),
        value: t("dev"),
    });
    topo.vnets.push(z);
    let mut b = plain("bb", "10.1.0.0/16");
    b.location = Some(t("West Europe"));
    topo.vnets.push(b);
    let mut c = plain("cc", "10.2.0.0/16");
    c.resource_group = Some(t("rg-c"));
    topo.vnets.push(c);
    let plan = plan_of(&topo);
    let names: Vec<&str> = plan.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["conn/rg-c", "conn/rg-net"]);
    assert_eq!(
        plan.units[1].location, "westeurope",
        "first VNet by name is b"
    );
    assert_eq!(plan.units[1].subscription_id, SUB);
    assert_eq!(plan.vnet("zz").map(|v| v.unit), Some(1));
    let z = plan.vnet("zz").expect("zz");
    assert_eq!(z.tags.get("env").map(String::as_str), Some("dev"));
    assert_eq!(z.tags.get("owner").map(String::as_str), Some("net"));
    assert_eq!(plan.tags.get("env").map(String::as_str), Some("prod"));
    let names: Vec<&str> = plan.vnets.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["bb", "cc", "zz"]);
}

#[test]
fn every_problem_in_one_run() {
    let mut topo = base();
    topo.vnets.push(plain("aa", "10.0.0.1/16"));
    topo.vnets.push(spoke("ss", "nohub", "banana"));
    topo.vnets.push(plain("xx", "10.5.0.0/16"));
    topo.peerings.push(peering("xx", "xx"));
    let codes: Vec<Code> = diags(&topo).iter().map(|d| d.code).collect();
    for c in [
        Code::NonCanonicalPrefix,
        Code::UnknownReference,
        Code::InvalidPrefix,
        Code::SelfPeering,
    ] {
        assert!(codes.contains(&c), "{c} missing from {codes:?}");
    }
    assert!(analyze(&topo).plan.is_none());
}

// ---------------------------------------------------------------- determinism and order

fn big_estate() -> Topology {
    let mut topo = base();
    let mut h = hub("hub-weu", "10.0.0.0/16");
    gateway(&mut h, "10.0.255.0/27");
    firewall(&mut h, "10.0.254.0/26", "10.0.254.4");
    topo.vnets.push(h);
    let mut h2 = hub("hub-neu", "10.100.0.0/16");
    h2.location = Some(t("northeurope"));
    subnet(&mut h2, "default", "10.100.0.0/24");
    topo.vnets.push(h2);
    for i in 1..=3 {
        let mut s = spoke(&format!("app{i}"), "hub-weu", &format!("10.{i}.0.0/16"));
        subnet(&mut s, "web", &format!("10.{i}.0.0/24"));
        subnet(&mut s, "db", &format!("10.{i}.1.0/24"));
        topo.vnets.push(s);
    }
    let mut c = plain("legacy", "10.50.0.0/16");
    c.classic = yes(true);
    topo.vnets.push(c);
    topo.peerings.push(peering("app2", "legacy"));
    topo
}

#[test]
fn plan_is_deterministic_and_independent_of_input_order() {
    let topo = big_estate();
    let first = plan_of(&topo);
    assert_eq!(first, plan_of(&topo));
    let mut reversed = topo.clone();
    reversed.vnets.reverse();
    assert_eq!(first, plan_of(&reversed));
    let json = |p: &Plan| serde_json::to_string(p).expect("json");
    assert_eq!(json(&first), json(&plan_of(&reversed)));
}

fn position(plan: &Plan, r: &Resource) -> usize {
    plan.order
        .steps
        .iter()
        .position(|s| &s.resource == r)
        .unwrap_or_else(|| panic!("no step {r:?}"))
}

fn link_res(vnet: &str, name: &str) -> Resource {
    Resource::Link {
        vnet: vnet.into(),
        name: name.into(),
    }
}

#[test]
fn order_puts_gateway_and_transit_link_before_remote_gateway_link() {
    let plan = plan_of(&big_estate());
    let gw = position(
        &plan,
        &Resource::Gateway {
            vnet: "hub-weu".into(),
            name: "vgw-hub-weu".into(),
        },
    );
    let transit = position(&plan, &link_res("hub-weu", "hub-weu-to-app1"));
    let urg = position(&plan, &link_res("app1", "app1-to-hub-weu"));
    assert!(gw < transit && transit < urg);
    assert!(plan.order.steps[urg].after.contains(&transit));
    let last_subnet = position(
        &plan,
        &Resource::Subnet {
            vnet: "app1".into(),
            subnet: "db".into(),
        },
    );
    assert!(last_subnet < urg);
    // Only RM-side links exist for the classic VNet, and no step creates it.
    assert!(
        plan.order
            .steps
            .iter()
            .all(|s| !matches!(&s.resource, Resource::Vnet { vnet } if vnet == "legacy"))
    );
}

#[test]
fn order_is_topological_reduced_and_chains_links_per_vnet() {
    let plan = plan_of(&big_estate());
    let steps = &plan.order.steps;
    // every managed resource appears once
    let mut seen = std::collections::BTreeSet::new();
    for s in steps {
        assert!(seen.insert(s.resource.clone()), "{:?} twice", s.resource);
    }
    assert_eq!(
        steps
            .iter()
            .filter(|s| matches!(s.resource, Resource::Link { .. }))
            .count(),
        plan.links.len()
    );
    let reaches = |from: usize, to: usize| {
        // backward search over `after`
        let mut stack = vec![to];
        let mut visited = std::collections::BTreeSet::new();
        while let Some(n) = stack.pop() {
            for &p in &steps[n].after {
                if p == from {
                    return true;
                }
                if visited.insert(p) {
                    stack.push(p);
                }
            }
        }
        false
    };
    for (i, s) in steps.iter().enumerate() {
        assert!(s.after.iter().all(|&a| a < i), "not topological at {i}");
        let wave = s
            .after
            .iter()
            .map(|&a| steps[a].wave + 1)
            .max()
            .unwrap_or(0);
        assert_eq!(s.wave, wave);
        for &a in &s.after {
            for &b in &s.after {
                assert!(a == b || !reaches(a, b), "after of {i} not reduced");
            }
        }
    }
    // links on one VNet follow each other in name order
    for v in &plan.vnets {
        let positions: Vec<usize> = plan
            .links_of(&v.name)
            .map(|l| position(&plan, &link_res(&l.local, &l.name)))
            .collect();
        for w in positions.windows(2) {
            assert!(
                w[0] < w[1] && reaches(w[0], w[1]),
                "links of {} not chained",
                v.name
            );
        }
    }
    // different spokes run in parallel: app1's and app3's first subnets share a wave
    let wave = |v: &str| {
        steps[position(
            &plan,
            &Resource::Subnet {
                vnet: v.into(),
                subnet: "web".into(),
            },
        )]
        .wave
    };
    assert_eq!(wave("app1"), wave("app3"));
}

#[test]
fn large_estate_has_no_quadratic_blowup() {
    // 2,000 hub-spoke VNets: finishes quickly even in debug builds.
    let mut topo = base();
    let mut h = hub("hub", "10.0.0.0/16");
    gateway(&mut h, "10.0.255.0/27");
    topo.vnets.push(h);
    for i in 0..2000u32 {
        let mut s = plain(
            &format!("v{i}"),
            &format!("10.{}.{}.0/24", 1 + i / 256, i % 256),
        );
        subnet(
            &mut s,
            "web",
            &format!("10.{}.{}.0/25", 1 + i / 256, i % 256),
        );
        topo.vnets.push(s);
    }
    topo.defaults.max_peerings = Some(Spanned::new(1000, t("").span));
    let plan = plan_of(&topo);
    assert_eq!(plan.vnets.len(), 2001);
}

#[test]
fn unused_name_helper_silences_nothing() {
    // `Name` is the model's spanned string; make sure helpers produce distinct spans.
    let a: Name = t("xx");
    let b: Name = t("xx");
    assert_eq!(a, b);
    assert_ne!(a.span, b.span);
}

/// 10,000 VNets shaped like `benches/scale.rs`: 25 hubs with gateways in
/// eight regions and 25 subscriptions, 399 spokes each, meshes of five
/// spokes of different hubs. Run in release:
/// `cargo test --release -- --ignored perf --nocapture`.
#[test]
#[ignore = "performance check, run in release"]
fn perf_ten_thousand_vnets() {
    const REGIONS: [&str; 4] = ["westeurope", "northeurope", "eastus", "uksouth"];
    let mut topo = base();
    let hubs = 25usize;
    let prefix = |i: usize| format!("10.{}.{}", i / 256, i % 256);
    for h in 0..hubs {
        topo.subscriptions.push(Subscription {
            alias: t(&format!("s{h}")),
            id: Some(t(&format!("{:08x}-0000-4000-8000-000000000000", h + 1))),
            tenant: None,
            span: t("").span,
        });
        let p = prefix(h);
        let mut v = hub(&format!("hub{h}"), &format!("{p}.0/24"));
        v.location = Some(t(REGIONS[h % REGIONS.len()]));
        v.subscription = Some(t(&format!("s{h}")));
        v.resource_group = Some(t(&format!("rg-hub{h}")));
        subnet(&mut v, "default", &format!("{p}.0/26"));
        gateway(&mut v, &format!("{p}.224/27"));
        topo.vnets.push(v);
    }
    let spokes = 10_000 - hubs;
    for i in 0..spokes {
        let h = i % hubs;
        let p = prefix(hubs + i);
        let mut s = spoke(
            &format!("spoke{i}"),
            &format!("hub{h}"),
            &format!("{p}.0/24"),
        );
        s.location = Some(t(REGIONS[h % REGIONS.len()]));
        s.subscription = Some(t(&format!("s{h}")));
        s.resource_group = Some(t(&format!("rg-spokes{h}")));
        subnet(&mut s, "app", &format!("{p}.0/26"));
        topo.vnets.push(s);
    }
    let meshed = (spokes / 10) / 5 * 5;
    for (m, chunk) in (0..meshed).collect::<Vec<_>>().chunks(5).enumerate() {
        let names: Vec<String> = chunk.iter().map(|i| format!("spoke{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        topo.meshes.push(mesh(&format!("mesh{m}"), &refs));
    }
    // The best of five runs: the machine may be busy with other work.
    let mut took = std::time::Duration::MAX;
    let mut a = analyze(&topo);
    for _ in 0..5 {
        let start = std::time::Instant::now();
        a = analyze(&topo);
        took = took.min(start.elapsed());
    }
    let errors: Vec<&Diagnostic> = a
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(3)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let plan = a.plan.expect("plan");
    eprintln!(
        "analyzed {} vnets, {} links, {} steps in {took:?}",
        plan.vnets.len(),
        plan.links.len(),
        plan.order.steps.len()
    );
}

#[test]
fn existing_hub_gateway_counts_for_transit() {
    let mut topo = base();
    let mut h = hub("hub", "10.0.0.0/16");
    h.existing = yes(true);
    gateway(&mut h, "10.0.255.0/27");
    topo.vnets.push(h);
    topo.vnets.push(spoke("s1", "hub", "10.1.0.0/16"));
    let plan = plan_of(&topo);
    assert!(link(&plan, "hub", "s1").allow_gateway_transit);
    assert!(link(&plan, "s1", "hub").use_remote_gateways);
    assert!(
        plan.vnet("hub").is_some_and(|v| v.gateway.is_none()),
        "not created"
    );
    // the transit link still precedes the spoke's link, without a gateway step
    let transit = position(&plan, &link_res("hub", "hub-to-s1"));
    let urg = position(&plan, &link_res("s1", "s1-to-hub"));
    assert!(plan.order.steps[urg].after.contains(&transit));
}

#[test]
fn classic_spoke_gets_no_transit_from_its_hub() {
    let mut topo = example();
    topo.vnets[1].classic = yes(true);
    topo.vnets[1].subnets.clear();
    let plan = plan_of(&topo);
    assert_eq!(plan.links.len(), 1);
    let l = link(&plan, "hub-weu", "app1");
    assert!(l.remote_classic && !l.allow_gateway_transit);
}

#[test]
fn hub_reference_suggests_hubs_only() {
    let mut topo = base();
    topo.vnets.push(hub("hub-one", "10.0.0.0/16"));
    topo.vnets.push(plain("hub-ona", "10.1.0.0/16"));
    topo.vnets.push(spoke("s1", "hub-onx", "10.2.0.0/16"));
    let d = one(&topo, Code::UnknownReference);
    assert_eq!(d.help.as_deref(), Some("did you mean `hub-one`?"));
}

#[test]
fn settings_for_a_classic_side_are_rejected_or_ignored() {
    let mut topo = base();
    topo.vnets.push(plain("rm", "10.0.0.0/16"));
    let mut c = plain("legacy", "10.50.0.0/16");
    c.classic = yes(true);
    c.peering_defaults.allow_forwarded_traffic = yes(true);
    topo.vnets.push(c);
    let mut p = peering("rm", "legacy");
    p.reverse.allow_gateway_transit = yes(true);
    p.reverse.allow_virtual_network_access = yes(false);
    let transit = p.reverse.allow_gateway_transit.as_ref().expect("set").span;
    topo.peerings.push(p);
    assert_eq!(one(&topo, Code::ClassicGateway).span, Some(transit));
    let ignored = with_code(&topo, Code::ClassicNotManaged);
    assert_eq!(ignored.len(), 2, "{ignored:#?}");
}

#[test]
fn unknown_default_subscription_is_reported_once() {
    let mut topo = base();
    topo.defaults.subscription = Some(t("connn"));
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    topo.vnets.push(plain("bb", "10.1.0.0/16"));
    let d = one(&topo, Code::UnknownReference);
    assert_eq!(d.span, topo.defaults.subscription.as_ref().map(|s| s.span));
    assert_eq!(d.help.as_deref(), Some("did you mean `conn`?"));
}

#[test]
fn duplicate_sites_and_meshes() {
    let mut topo = base();
    topo.vnets.push(plain("aa", "10.0.0.0/16"));
    topo.vnets.push(plain("bb", "10.1.0.0/16"));
    topo.meshes.push(mesh("m1", &["aa", "bb"]));
    topo.meshes.push(mesh("m1", &[]));
    for _ in 0..2 {
        topo.sites.push(Site {
            name: t("onprem"),
            address_space: vec![],
            hub: None,
            gateway_address: Some(t("not-an-ip")),
            span: t("").span,
        });
    }
    let dups = with_code(&topo, Code::DuplicateName);
    assert_eq!(dups.len(), 2);
    assert!(dups.iter().all(|d| d.related.len() == 1));
    one(&topo, Code::InvalidPrefix);
}

#[test]
fn transit_through_route_server() {
    let mut topo = base();
    let mut h = hub("hub", "10.0.0.0/16");
    subnet(&mut h, "RouteServerSubnet", "10.0.254.0/27");
    h.route_server = Some(RouteServer {
        name: t("rs"),
        span: t("").span,
    });
    topo.vnets.push(h);
    topo.vnets.push(spoke("s1", "hub", "10.1.0.0/16"));
    let plan = plan_of(&topo);
    assert!(link(&plan, "hub", "s1").allow_gateway_transit);
    assert!(link(&plan, "s1", "hub").use_remote_gateways);
    let rs = position(
        &plan,
        &Resource::RouteServer {
            vnet: "hub".into(),
            name: "rs".into(),
        },
    );
    let pip = position(
        &plan,
        &Resource::PublicIp {
            vnet: "hub".into(),
            name: "rs-pip".into(),
        },
    );
    let transit = position(&plan, &link_res("hub", "hub-to-s1"));
    assert!(pip < rs && rs < transit);
    assert!(plan.order.steps[transit].after.contains(&rs));
}

#[test]
fn a_link_waits_for_its_remote_vnet() {
    let plan = plan_of(&big_estate());
    let app1_db = position(
        &plan,
        &Resource::Subnet {
            vnet: "app1".into(),
            subnet: "db".into(),
        },
    );
    let down = position(&plan, &link_res("hub-weu", "hub-weu-to-app1"));
    assert!(app1_db < down);
    // an existing or classic remote adds no step
    let to_legacy = position(&plan, &link_res("app2", "app2-to-legacy"));
    let before: Vec<&Resource> = plan.order.steps[to_legacy]
        .after
        .iter()
        .map(|&a| &plan.order.steps[a].resource)
        .collect();
    assert!(
        before
            .iter()
            .all(|r| !matches!(r, Resource::Vnet { vnet } if vnet == "legacy"))
    );
}

#[test]
fn gateway_name_leaves_room_for_its_public_ip() {
    let mut topo = example();
    topo.vnets[0].gateway.as_mut().expect("gw").name = t(&"g".repeat(78));
    let d = one(&topo, Code::InvalidName);
    assert!(d.help.as_deref().is_some_and(|h| h.contains("-pip")));
}
