use super::*;
use crate::diagnostic::Code;
use crate::model::{
    Defaults, Firewall, Gateway, Mesh, Peering, PeeringSettings, Role, RouteServer, Site, Subnet,
    Subscription, Tag, Text, Vnet,
};
use crate::source::{Lang, Span};
use crate::spanned::Spanned;

fn source(text: &str) -> Source {
    Source::new("test.yaml", text, Lang::Yaml)
}

/// Parses text that must be free of diagnostics.
fn parse_ok(text: &str) -> Topology {
    let (topology, diagnostics) = parse(&source(text));
    assert!(diagnostics.is_empty(), "unexpected: {diagnostics:#?}");
    topology.without_spans()
}

/// Parses text that must give exactly one diagnostic; returns it with the
/// line:col of its start and the text it covers.
fn parse_one_error(text: &str) -> (Diagnostic, (usize, usize), String) {
    let src = source(text);
    let (_, diagnostics) = parse(&src);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let diagnostic = diagnostics.into_iter().next().expect("one diagnostic");
    let span = diagnostic.span.expect("a span");
    assert!(diagnostic.help.is_some(), "no help in {diagnostic:#?}");
    let covered = src.text[span.start..span.end].to_owned();
    (diagnostic, src.line_col(span.start), covered)
}

/// A value with no span: `Spanned` equality ignores spans.
fn t(value: &str) -> Text {
    Spanned::new(value.to_owned(), Span::default())
}

fn yes(value: bool) -> crate::model::Flag {
    Some(Spanned::new(value, Span::default()))
}

fn at(src: &Source, span: Span) -> ((usize, usize), &str) {
    (src.line_col(span.start), &src.text[span.start..span.end])
}

const EXAMPLE: &str = "\
topology: contoso
defaults: { location: westeurope, subscription: conn, resourceGroup: rg-net }
subscriptions:
  conn: { id: 11111111-1111-1111-1111-111111111111 }
hubs:
  hub-weu:
    addressSpace: [10.0.0.0/16]
    subnets: { GatewaySubnet: 10.0.255.0/27 }
    gateway: { name: vgw-weu, type: vpn, sku: VpnGw1 }
spokes:
  app1:
    hub: hub-weu
    addressSpace: [10.1.0.0/16]
    subnets: { web: 10.1.0.0/24 }
";

fn example_model() -> Topology {
    let mut hub = Vnet::new(t("hub-weu"), Role::Hub, Span::default());
    hub.address_space = vec![t("10.0.0.0/16")];
    hub.subnets = vec![Subnet {
        name: t("GatewaySubnet"),
        prefixes: vec![t("10.0.255.0/27")],
        span: Span::default(),
    }];
    hub.gateway = Some(Gateway {
        name: t("vgw-weu"),
        kind: Some(t("vpn")),
        sku: Some(t("VpnGw1")),
        span: Span::default(),
    });
    let mut spoke = Vnet::new(
        t("app1"),
        Role::Spoke {
            hub: Some(t("hub-weu")),
        },
        Span::default(),
    );
    spoke.address_space = vec![t("10.1.0.0/16")];
    spoke.subnets = vec![Subnet {
        name: t("web"),
        prefixes: vec![t("10.1.0.0/24")],
        span: Span::default(),
    }];
    Topology {
        name: Some(t("contoso")),
        defaults: Defaults {
            location: Some(t("westeurope")),
            subscription: Some(t("conn")),
            resource_group: Some(t("rg-net")),
            ..Defaults::default()
        },
        subscriptions: vec![Subscription {
            alias: t("conn"),
            id: Some(t("11111111-1111-1111-1111-111111111111")),
            tenant: None,
            span: Span::default(),
        }],
        vnets: vec![hub, spoke],
        ..Topology::default()
    }
}

#[test]
fn language_example_parses_to_the_expected_model() {
    assert_eq!(parse_ok(EXAMPLE), example_model());
}

#[test]
fn spans_point_at_values_and_name_keys() {
    let src = source(EXAMPLE);
    let (topology, _) = parse(&src);
    let location = topology.defaults.location.expect("location");
    assert_eq!(at(&src, location.span), ((2, 23), "westeurope"));
    let hub = &topology.vnets[0];
    assert_eq!(at(&src, hub.name.span), ((6, 3), "hub-weu"));
    assert_eq!(
        at(&src, hub.address_space[0].span),
        ((7, 20), "10.0.0.0/16")
    );
    assert_eq!(
        at(&src, hub.subnets[0].name.span),
        ((8, 16), "GatewaySubnet")
    );
    assert_eq!(
        at(&src, hub.subnets[0].prefixes[0].span),
        ((8, 31), "10.0.255.0/27")
    );
    let gateway = hub.gateway.as_ref().expect("gateway");
    assert_eq!(at(&src, gateway.name.span), ((9, 22), "vgw-weu"));
    assert_eq!(
        at(&src, gateway.span),
        ((9, 14), "{ name: vgw-weu, type: vpn, sku: VpnGw1 }")
    );
    // A VNet's span runs from its name to the end of its mapping.
    let (start, text) = at(&src, hub.span);
    assert_eq!(start, (6, 3));
    assert!(text.starts_with("hub-weu:\n"), "{text:?}");
    assert!(text.ends_with("sku: VpnGw1 }"), "{text:?}");
    let spoke = &topology.vnets[1];
    let Role::Spoke { hub: Some(hub_ref) } = &spoke.role else {
        panic!("not a spoke: {:?}", spoke.role);
    };
    assert_eq!(at(&src, hub_ref.span), ((12, 10), "hub-weu"));
    assert!(at(&src, spoke.span).1.ends_with("{ web: 10.1.0.0/24 }"));
    let subscription = &topology.subscriptions[0];
    assert_eq!(
        at(&src, subscription.id.as_ref().expect("id").span).0,
        (4, 15)
    );
}

#[test]
fn spans_count_bytes_after_multibyte_characters() {
    let src = source("topology: \"résumé\"\ntags: {owner: zoë, team: net}\n");
    let (topology, diagnostics) = parse(&src);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(topology.tags[1].value.value, "net");
    assert_eq!(at(&src, topology.tags[1].value.span), ((2, 26), "net"));
    assert_eq!(at(&src, topology.tags[0].value.span), ((2, 15), "zoë"));
}

#[test]
fn every_key_of_the_language_is_read() {
    let topology = parse_ok(
        "\
topology: full
defaults:
  location: westeurope
  subscription: conn
  resourceGroup: rg-net
  cloud: public
  apiVersion: 2024-05-01
  maxPeerings: 500
subscriptions:
  conn: { id: 11111111-1111-1111-1111-111111111111, tenant: 22222222-2222-2222-2222-222222222222 }
hubs:
  hub:
    location: northeurope
    subscription: conn
    resourceGroup: rg-hub
    addressSpace: [10.0.0.0/16, 'fd00::/48']
    dnsServers: [10.0.0.4]
    subnets:
      GatewaySubnet: 10.0.255.0/27
      RouteServerSubnet: 10.0.254.0/27
      AzureFirewallSubnet: 10.0.253.0/26
    gateway: { name: vgw, type: expressroute, sku: ErGw1AZ }
    routeServer: { name: rs }
    firewall: { name: fw, privateIp: 10.0.253.4, defaultRoute: true }
    peeringDefaults: { allowForwardedTraffic: true }
    tags: { tier: core }
spokes:
  app:
    hub: hub
    allowVirtualNetworkAccess: true
    allowForwardedTraffic: false
    allowGatewayTransit: false
    useRemoteGateways: true
    addressSpace: [10.1.0.0/16]
vnets:
  legacy: { classic: true, addressSpace: [10.9.0.0/16] }
  partner: { existing: true, id: /subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/partner }
meshes:
  core: { members: [hub, legacy], allowForwardedTraffic: true }
peerings:
  - between: [hub, partner]
    allowGatewayTransit: true
    reverse: { useRemoteGateways: false }
sites:
  dc1: { addressSpace: [192.168.0.0/16], hub: hub, gatewayAddress: 203.0.113.10 }
tags: { owner: net-team, cost-center: 42 }
",
    );
    assert_eq!(topology.name, Some(t("full")));
    assert_eq!(
        topology.defaults,
        Defaults {
            location: Some(t("westeurope")),
            subscription: Some(t("conn")),
            resource_group: Some(t("rg-net")),
            cloud: Some(t("public")),
            api_version: Some(t("2024-05-01")),
            max_peerings: Some(Spanned::new(500, Span::default())),
            span: Span::default(),
        }
    );
    assert_eq!(
        topology.subscriptions[0].tenant,
        Some(t("22222222-2222-2222-2222-222222222222"))
    );
    let names: Vec<&str> = topology.vnets.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["hub", "app", "legacy", "partner"]);

    let hub = &topology.vnets[0];
    assert_eq!(hub.location, Some(t("northeurope")));
    assert_eq!(hub.subscription, Some(t("conn")));
    assert_eq!(hub.resource_group, Some(t("rg-hub")));
    assert_eq!(hub.address_space, [t("10.0.0.0/16"), t("fd00::/48")]);
    assert_eq!(hub.dns_servers, [t("10.0.0.4")]);
    let subnet_names: Vec<&str> = hub.subnets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        subnet_names,
        ["GatewaySubnet", "RouteServerSubnet", "AzureFirewallSubnet"]
    );
    assert_eq!(
        hub.gateway.as_ref().and_then(|g| g.kind.clone()),
        Some(t("expressroute"))
    );
    assert_eq!(
        hub.route_server,
        Some(RouteServer {
            name: t("rs"),
            span: Span::default()
        })
    );
    assert_eq!(
        hub.firewall,
        Some(Firewall {
            name: t("fw"),
            private_ip: Some(t("10.0.253.4")),
            default_route: yes(true),
            span: Span::default(),
        })
    );
    assert_eq!(
        hub.peering_defaults,
        PeeringSettings {
            allow_forwarded_traffic: yes(true),
            ..PeeringSettings::default()
        }
    );
    assert_eq!(
        hub.tags,
        [Tag {
            key: t("tier"),
            value: t("core")
        }]
    );
    assert!(hub.spoke_link.is_empty());

    let app = &topology.vnets[1];
    assert_eq!(
        app.role,
        Role::Spoke {
            hub: Some(t("hub"))
        }
    );
    assert_eq!(
        app.spoke_link,
        PeeringSettings {
            allow_virtual_network_access: yes(true),
            allow_forwarded_traffic: yes(false),
            allow_gateway_transit: yes(false),
            use_remote_gateways: yes(true),
        }
    );
    assert!(app.peering_defaults.is_empty());

    let legacy = &topology.vnets[2];
    assert_eq!(legacy.role, Role::Vnet);
    assert_eq!(legacy.classic, yes(true));
    let partner = &topology.vnets[3];
    assert_eq!(partner.existing, yes(true));
    assert!(
        partner
            .id
            .as_ref()
            .is_some_and(|id| id.value.ends_with("/partner"))
    );

    assert_eq!(
        topology.meshes,
        [Mesh {
            name: t("core"),
            members: vec![t("hub"), t("legacy")],
            settings: PeeringSettings {
                allow_forwarded_traffic: yes(true),
                ..PeeringSettings::default()
            },
            span: Span::default(),
        }]
    );
    assert_eq!(
        topology.peerings,
        [Peering {
            between: vec![t("hub"), t("partner")],
            settings: PeeringSettings {
                allow_gateway_transit: yes(true),
                ..PeeringSettings::default()
            },
            reverse: PeeringSettings {
                use_remote_gateways: yes(false),
                ..PeeringSettings::default()
            },
            span: Span::default(),
        }]
    );
    assert_eq!(
        topology.sites,
        [Site {
            name: t("dc1"),
            address_space: vec![t("192.168.0.0/16")],
            hub: Some(t("hub")),
            gateway_address: Some(t("203.0.113.10")),
            span: Span::default(),
        }]
    );
    assert_eq!(
        topology.tags,
        [
            Tag {
                key: t("owner"),
                value: t("net-team")
            },
            Tag {
                key: t("cost-center"),
                value: t("42")
            }
        ]
    );
}

#[test]
fn tag_values_keep_any_scalar_as_written() {
    let topology = parse_ok("tags: { a: 42, b: 1.50, c: true, d: 0x1F, e: '007' }\n");
    let values: Vec<&str> = topology.tags.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(values, ["42", "1.50", "true", "0x1F", "007"]);
}

#[test]
fn vnets_are_hubs_then_spokes_then_vnets_in_document_order() {
    let topology = parse_ok(
        "\
vnets: { v2: {}, v1: {} }
spokes: { s2: { hub: h }, s1: { hub: h } }
hubs: { h: {}, a: {} }
",
    );
    let names: Vec<&str> = topology.vnets.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["h", "a", "s2", "s1", "v2", "v1"]);
}

#[test]
fn subnets_in_both_forms() {
    let src = source(
        "\
hubs:
  h:
    subnets:
      short: 10.0.0.0/24
      long: { prefixes: [10.0.1.0/24, 'fd00:0:0:1::/64'] }
      block:
        prefixes:
          - 10.0.2.0/24
",
    );
    let (topology, diagnostics) = parse(&src);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let subnets = &topology.vnets[0].subnets;
    assert_eq!(
        &topology.clone().without_spans().vnets[0].subnets,
        &[
            Subnet {
                name: t("short"),
                prefixes: vec![t("10.0.0.0/24")],
                span: Span::default(),
            },
            Subnet {
                name: t("long"),
                prefixes: vec![t("10.0.1.0/24"), t("fd00:0:0:1::/64")],
                span: Span::default(),
            },
            Subnet {
                name: t("block"),
                prefixes: vec![t("10.0.2.0/24")],
                span: Span::default(),
            },
        ]
    );
    assert_eq!(
        at(&src, subnets[0].prefixes[0].span),
        ((4, 14), "10.0.0.0/24")
    );
    assert_eq!(
        at(&src, subnets[1].prefixes[1].span),
        ((5, 39), "'fd00:0:0:1::/64'")
    );
    assert_eq!(
        at(&src, subnets[2].prefixes[0].span),
        ((8, 13), "10.0.2.0/24")
    );
    assert_eq!(at(&src, subnets[2].span).0, (6, 7));
}

#[test]
fn flow_and_block_style_give_the_same_model() {
    let flow = "{topology: contoso, defaults: {location: westeurope, subscription: conn, \
                resourceGroup: rg-net}, subscriptions: {conn: {id: 11111111-1111-1111-1111-111111111111}}, \
                hubs: {hub-weu: {addressSpace: [10.0.0.0/16], subnets: {GatewaySubnet: 10.0.255.0/27}, \
                gateway: {name: vgw-weu, type: vpn, sku: VpnGw1}}}, spokes: {app1: {hub: hub-weu, \
                addressSpace: [10.1.0.0/16], subnets: {web: 10.1.0.0/24}}}}\n";
    let block = "\
topology: contoso
defaults:
  location: westeurope
  subscription: conn
  resourceGroup: rg-net
subscriptions:
  conn:
    id: 11111111-1111-1111-1111-111111111111
hubs:
  hub-weu:
    addressSpace:
      - 10.0.0.0/16
    subnets:
      GatewaySubnet: 10.0.255.0/27
    gateway:
      name: vgw-weu
      type: vpn
      sku: VpnGw1
spokes:
  app1:
    hub: hub-weu
    addressSpace:
    - 10.1.0.0/16
    subnets:
      web: 10.1.0.0/24
";
    assert_eq!(parse_ok(flow), parse_ok(block));
    assert_eq!(parse_ok(block), example_model());
}

#[test]
fn empty_sections_and_an_empty_file_read_as_nothing() {
    assert_eq!(parse_ok(""), Topology::default());
    assert_eq!(parse_ok("# only a comment\n"), Topology::default());
    assert_eq!(parse_ok("hubs:\nspokes:\npeerings:\n"), Topology::default());
}

#[test]
fn yaml_syntax_errors_are_azm002_at_the_fault() {
    let cases = [
        (
            "topology: x\nhubs: { h: {addressSpace: [10.0.0.0/16 }\n",
            (2, 27),
            "[",
        ),
        ("hubs:\n\th: {}\n", (2, 2), "h"),
        ("topology: \"unterminated\n", (1, 11), "\""),
        ("hubs:\n  h: {}\n h2: {}\n", (3, 2), "h"),
        ("topology: a: b\n", (1, 12), ":"),
        ("hubs: {h: *nope}\n", (1, 11), "*"),
        ("---\ntopology: a\n---\ntopology: b\n", (4, 1), "topology"),
    ];
    for (text, position, covered) in cases {
        let (d, pos, text_covered) = parse_one_error(text);
        assert_eq!(d.code, Code::Syntax, "{text:?}: {d:#?}");
        assert_eq!(
            (pos, text_covered.as_str()),
            (position, covered),
            "{text:?}"
        );
    }
}

#[test]
fn unknown_key_is_azm003_with_the_camel_case_spelling() {
    let (d, pos, covered) = parse_one_error("hubs:\n  hub-weu:\n    resource-group: rg\n");
    assert_eq!(d.code, Code::UnknownField);
    assert_eq!(pos, (3, 5));
    assert_eq!(covered, "resource-group");
    assert_eq!(d.help.as_deref(), Some("did you mean `resourceGroup`?"));
}

#[test]
fn unknown_key_suggests_a_close_typo() {
    let (d, pos, covered) = parse_one_error("spokes:\n  a:\n    hub: h\n    adressSpace: []\n");
    assert_eq!(d.code, Code::UnknownField);
    assert_eq!(pos, (4, 5));
    assert_eq!(covered, "adressSpace");
    assert_eq!(d.help.as_deref(), Some("did you mean `addressSpace`?"));
}

#[test]
fn unknown_key_without_a_close_match_lists_the_keys() {
    let (d, pos, _) = parse_one_error("topology: x\nzzz: 1\n");
    assert_eq!(d.code, Code::UnknownField);
    assert_eq!(pos, (2, 1));
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("hubs, spokes")),
        "{d:#?}"
    );
}

#[test]
fn hub_key_on_a_hub_is_unknown() {
    let (d, pos, _) = parse_one_error("hubs:\n  h:\n    hub: other\n");
    assert_eq!(d.code, Code::UnknownField);
    assert_eq!(pos, (3, 5));
}

#[test]
fn wrong_type_is_azm004() {
    let (d, pos, covered) = parse_one_error("hubs:\n  h:\n    existing: maybe\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!(pos, (3, 15));
    assert_eq!(covered, "maybe");

    let (d, pos, _) = parse_one_error("hubs:\n  h:\n    addressSpace: 10.0.0.0/16\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!(pos, (3, 19));

    let (d, pos, covered) = parse_one_error("defaults: { maxPeerings: many }\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!((pos, covered.as_str()), ((1, 26), "many"));

    let (d, pos, covered) = parse_one_error("hubs:\n  h:\n    subnets: { a: [10.0.0.0/24] }\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!((pos, covered.as_str()), ((3, 19), "[10.0.0.0/24]"));
}

#[test]
fn wrong_type_covers_the_whole_offending_collection() {
    let (d, pos, covered) = parse_one_error("hubs: [a, b]\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!((pos, covered.as_str()), ((1, 7), "[a, b]"));
    assert!(d.message.contains("mapping"), "{}", d.message);

    let (d, pos, covered) =
        parse_one_error("hubs:\n  h:\n    existing:\n      - true\n      - false\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!((pos, covered.as_str()), ((4, 7), "- true\n      - false"));

    let (d, pos, covered) =
        parse_one_error("hubs:\n  h:\n    subnets:\n      a:\n        - 10.0.0.0/24\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!((pos, covered.as_str()), ((5, 9), "- 10.0.0.0/24"));

    let (d, pos, covered) = parse_one_error("hubs: { h: { subnets: { a: true } } }\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!((pos, covered.as_str()), ((1, 28), "true"));

    let (d, pos, covered) = parse_one_error("peerings: { a: 1 }\n");
    assert_eq!(d.code, Code::WrongType);
    assert_eq!((pos, covered.as_str()), ((1, 11), "{ a: 1 }"));
    assert!(d.message.contains("list"), "{}", d.message);
}

#[test]
fn spoke_without_hub_is_azm005() {
    let (d, pos, covered) = parse_one_error("spokes:\n  app1:\n    addressSpace: [10.1.0.0/16]\n");
    assert_eq!(d.code, Code::MissingValue);
    assert_eq!((pos, covered.as_str()), ((2, 3), "app1"));
}

#[test]
fn peering_without_between_is_azm005() {
    let (d, pos, _) = parse_one_error("peerings:\n  - allowForwardedTraffic: true\n");
    assert_eq!(d.code, Code::MissingValue);
    assert_eq!(pos, (2, 5));
}

#[test]
fn between_with_other_than_two_names_is_azm005() {
    let (d, pos, covered) = parse_one_error("peerings:\n  - between: [a, b, c]\n");
    assert_eq!(d.code, Code::MissingValue);
    assert_eq!((pos, covered.as_str()), ((2, 14), "[a, b, c]"));
    let (d, _, _) = parse_one_error("peerings:\n  - between: [a]\n");
    assert_eq!(d.code, Code::MissingValue);
    assert!(d.message.contains("1 VNet,"), "{}", d.message);
}

#[test]
fn gateway_without_name_is_azm005() {
    let (d, pos, covered) = parse_one_error("hubs:\n  h:\n    gateway: { type: vpn }\n");
    assert_eq!(d.code, Code::MissingValue);
    assert_eq!((pos, covered.as_str()), ((3, 14), "{ type: vpn }"));
}

#[test]
fn every_missing_value_is_reported() {
    let src = source(
        "\
spokes:
  a: {}
  b: {}
peerings:
  - {}
  - between: [x]
",
    );
    let (topology, diagnostics) = parse(&src);
    let found: Vec<(Code, (usize, usize))> = diagnostics
        .iter()
        .map(|d| (d.code, src.line_col(d.span.expect("span").start)))
        .collect();
    assert_eq!(
        found,
        [
            (Code::MissingValue, (2, 3)),
            (Code::MissingValue, (3, 3)),
            (Code::MissingValue, (5, 5)),
            (Code::MissingValue, (6, 14)),
        ]
    );
    // What could be read is still returned.
    assert_eq!(topology.vnets.len(), 2);
    assert_eq!(topology.peerings.len(), 2);
}

#[test]
fn duplicate_key_is_azm006() {
    let (d, pos, covered) = parse_one_error("hubs:\n  h:\n    location: a\n    location: b\n");
    assert_eq!(d.code, Code::DuplicateField);
    assert_eq!((pos, covered.as_str()), ((4, 5), "location"));
    let first = d.related.first().expect("the first key is shown");
    let src = source("hubs:\n  h:\n    location: a\n    location: b\n");
    assert_eq!(at(&src, first.span), ((3, 5), "location"));

    // In a list item, and past a nested mapping of the first entry.
    let text = "peerings:\n  - between: [a, b]\n    reverse:\n      useRemoteGateways: true\n    between: [c, d]\n";
    let (d, pos, _) = parse_one_error(text);
    assert_eq!(d.code, Code::DuplicateField);
    assert_eq!(pos, (5, 5));
    let first = d.related.first().expect("the first key is shown");
    assert_eq!(at(&source(text), first.span), ((2, 5), "between"));
}

#[test]
fn duplicate_vnet_name_is_azm006() {
    let (d, pos, covered) = parse_one_error("hubs:\n  h: {}\n  h: {}\n");
    assert_eq!(d.code, Code::DuplicateField);
    assert_eq!((pos, covered.as_str()), ((3, 3), "h"));
    let first = d.related.first().expect("the first name is shown");
    assert_eq!(first.span, Span::new(8, 9));
}

#[test]
fn alias_bomb_is_refused_with_a_diagnostic() {
    // n^3 prefixes from 3n aliases, all in places the language allows.
    let n = 120;
    let x = vec!["10.0.0.0/24"; n].join(", ");
    let mut text = format!(
        "hubs:\n  h0: &v {{ subnets: {{ s0: &d {{ prefixes: &p [{x}] }} }} }}\n  h1:\n    subnets:\n"
    );
    for i in 1..n {
        text.push_str(&format!("      s{i}: {{ prefixes: *p }}\n"));
    }
    for i in 1..n {
        text.push_str(&format!("      t{i}: *d\n"));
    }
    for i in 2..n {
        text.push_str(&format!("  h{i}: *v\n"));
    }
    let (topology, diagnostics) = parse(&source(&text));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0].code, Code::Syntax, "{diagnostics:#?}");
    assert!(diagnostics[0].span.is_some());
    assert!(topology.vnets.is_empty());
}

#[test]
fn aliases_within_the_budget_are_expanded() {
    let topology = parse_ok(
        "\
hubs:
  h1: { location: &loc westeurope, addressSpace: [10.0.0.0/16] }
  h2: { location: *loc, addressSpace: [10.1.0.0/16] }
",
    );
    assert_eq!(topology.vnets[1].location, Some(t("westeurope")));
}

#[test]
fn odd_inputs_never_panic_and_stay_in_bounds() {
    let inputs = [
        "[]",
        "42",
        "~",
        "- a\n- b\n",
        "topology: [a]\n",
        "hubs: [a, b]\n",
        "hubs: { ? [a] : {} }\n",
        "tags: { a: { b: c } }\n",
        "peerings: { a: b }\n",
        "peerings:\n  - between: a\n",
        "spokes: { s: { hub: [h] } }\n",
        "---\ntopology: a\n---\ntopology: b\n",
        "topology: \"unterminated\n",
        "hubs:\n  h:\n    subnets:\n      a: ",
        "\u{feff}topology: bom\n",
        "topology: é\u{1F600}: x\n",
        "&a [*a]",
        "!!binary x: 1",
        "hubs: {h: {gateway: }}\n",
    ];
    for text in inputs {
        let src = source(text);
        let (_, diagnostics) = parse(&src);
        for d in diagnostics {
            if let Some(span) = d.span {
                assert!(
                    span.start <= span.end && span.end <= text.len(),
                    "{text:?}: {d:#?}"
                );
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            }
            assert!(d.help.is_some(), "{text:?}: {d:#?}");
        }
    }
}

#[test]
fn each_broken_section_is_reported() {
    let src = source(
        "\
topology: multi
hubs:
  h:
    resource-group: rg
spokes:
  s: { hub: h, existing: perhaps }
vnets:
  v: { addressSpace: [10.9.0.0/16] }
colour: blue
peerings:
  - between: [v]
",
    );
    let (topology, diagnostics) = parse(&src);
    let found: Vec<(Code, (usize, usize))> = diagnostics
        .iter()
        .map(|d| (d.code, src.line_col(d.span.expect("span").start)))
        .collect();
    // The missing value is found in the last, clean read: its position is
    // still right after the broken sections were blanked out.
    assert_eq!(
        found,
        [
            (Code::UnknownField, (4, 5)),
            (Code::WrongType, (6, 26)),
            (Code::UnknownField, (9, 1)),
            (Code::MissingValue, (11, 14)),
        ]
    );
    // No partial model: analysis would report the dropped hub's spokes.
    assert_eq!(topology, Topology::default());
}

#[test]
fn a_syntax_error_ends_the_read() {
    let src = source(
        "hubs:\n  h: {unknownKey: 1}\nspokes: { s: { addressSpace: [10.0.0.0/16 } }\nvnets: { v: { zz: 1 } }\n",
    );
    let (_, diagnostics) = parse(&src);
    let codes: Vec<(Code, usize)> = diagnostics
        .iter()
        .map(|d| (d.code, src.line_col(d.span.expect("span").start).0))
        .collect();
    assert_eq!(codes, [(Code::UnknownField, 2), (Code::Syntax, 3)]);
}

#[test]
fn merge_keys_are_expanded() {
    let src = source(
        "\
hubs:
  h1: &base { location: westeurope, resourceGroup: rg }
  h2:
    <<: *base
    resourceGroup: rg2
",
    );
    let (topology, diagnostics) = parse(&src);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let h2 = &topology.vnets[1];
    assert_eq!(h2.location, Some(t("westeurope")));
    assert_eq!(h2.resource_group, Some(t("rg2")));
    assert_eq!(
        at(&src, h2.resource_group.as_ref().expect("rg").span).0,
        (5, 20)
    );
}
