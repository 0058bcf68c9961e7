use super::*;
use crate::model::{Firewall, Gateway, PeeringSettings, Role, RouteServer, Subnet, Vnet};
use crate::source::Lang;

fn read(text: &str) -> (Topology, Vec<Diagnostic>, Source) {
    let source = Source::new("test.kdl", text, Lang::Kdl);
    let (topology, diagnostics) = parse(&source);
    (topology, diagnostics, source)
}

/// Reads a text that must be free of problems.
fn read_ok(text: &str) -> (Topology, Source) {
    let (topology, diagnostics, source) = read(text);
    assert!(
        diagnostics.is_empty(),
        "unexpected diagnostics: {diagnostics:#?}"
    );
    (topology, source)
}

/// Each diagnostic as (code, line, column) of its span's start.
fn positions(diagnostics: &[Diagnostic], source: &Source) -> Vec<(Code, usize, usize)> {
    diagnostics
        .iter()
        .map(|d| {
            let (line, col) = source.line_col(d.span.map_or(0, |s| s.start));
            (d.code, line, col)
        })
        .collect()
}

/// The only diagnostic of a text.
fn single(text: &str) -> (Diagnostic, (usize, usize), Source) {
    let (_, mut diagnostics, source) = read(text);
    assert_eq!(
        diagnostics.len(),
        1,
        "expected one diagnostic: {diagnostics:#?}"
    );
    let diagnostic = diagnostics.swap_remove(0);
    let at = source.line_col(diagnostic.span.map_or(0, |s| s.start));
    (diagnostic, at, source)
}

fn written(source: &Source, span: Span) -> &str {
    &source.text[span.start..span.end]
}

fn s(value: &str) -> Spanned<String> {
    Spanned::new(value.to_owned(), Span::default())
}

fn on(value: bool) -> crate::model::Flag {
    Some(Spanned::new(value, Span::default()))
}

const EXAMPLE: &str = r#"topology "contoso"
defaults location="westeurope" subscription="conn" resource-group="rg-net"
subscription "conn" id="11111111-1111-1111-1111-111111111111"
hub "hub-weu" {
    address-space "10.0.0.0/16"
    subnet "GatewaySubnet" "10.0.255.0/27"
    gateway "vgw-weu" type="vpn" sku="VpnGw1"
}
spoke "app1" hub="hub-weu" {
    address-space "10.1.0.0/16"
    subnet "web" "10.1.0.0/24"
}
"#;

fn example_model() -> Topology {
    let mut hub = Vnet::new(s("hub-weu"), Role::Hub, Span::default());
    hub.address_space = vec![s("10.0.0.0/16")];
    hub.subnets = vec![Subnet {
        name: s("GatewaySubnet"),
        prefixes: vec![s("10.0.255.0/27")],
        span: Span::default(),
    }];
    hub.gateway = Some(Gateway {
        name: s("vgw-weu"),
        kind: Some(s("vpn")),
        sku: Some(s("VpnGw1")),
        span: Span::default(),
    });
    let mut spoke = Vnet::new(
        s("app1"),
        Role::Spoke {
            hub: Some(s("hub-weu")),
        },
        Span::default(),
    );
    spoke.address_space = vec![s("10.1.0.0/16")];
    spoke.subnets = vec![Subnet {
        name: s("web"),
        prefixes: vec![s("10.1.0.0/24")],
        span: Span::default(),
    }];
    Topology {
        name: Some(s("contoso")),
        defaults: Defaults {
            location: Some(s("westeurope")),
            subscription: Some(s("conn")),
            resource_group: Some(s("rg-net")),
            ..Defaults::default()
        },
        subscriptions: vec![Subscription {
            alias: s("conn"),
            id: Some(s("11111111-1111-1111-1111-111111111111")),
            tenant: None,
            span: Span::default(),
        }],
        vnets: vec![hub, spoke],
        ..Topology::default()
    }
}

#[test]
fn language_example_reads_to_the_expected_model() {
    let (topology, _) = read_ok(EXAMPLE);
    assert_eq!(topology.without_spans(), example_model());
}

/// Every node kind and every property, in KDL 2.0.
const FULL: &str = r#"topology "estate"
defaults location="westeurope" subscription="conn" resource-group="rg-net" cloud="public" api-version="2024-05-01" max-peerings=500
subscription "conn" id="11111111-1111-1111-1111-111111111111" tenant="22222222-2222-2222-2222-222222222222"
tags {
    owner "net-team"
    "cost center" "42"
}
hub "hub-weu" location="westeurope" subscription="conn" resource-group="rg-hub" {
    address-space "10.0.0.0/16" "fd00::/48"
    address-space "10.9.0.0/16"
    dns-servers "10.0.0.4" "10.0.0.5"
    subnet "GatewaySubnet" "10.0.255.0/27"
    subnet "AzureFirewallSubnet" "10.0.254.0/26" "fd00:0:0:1::/64"
    gateway "vgw-weu" type="expressroute" sku="ErGw1AZ"
    route-server "rs-weu"
    firewall "fw-weu" private-ip="10.0.254.4" default-route=#true
    peering-defaults allow-forwarded-traffic=#true {
        allow-virtual-network-access #false
    }
    tags { tier "core"; }
}
spoke "app1" hub="hub-weu" use-remote-gateways=#false allow-forwarded-traffic=#true {
    address-space "10.1.0.0/16"
}
vnet "legacy" existing=#true classic=#true id="/subscriptions/x/resourceGroups/y/providers/Microsoft.ClassicNetwork/virtualNetworks/legacy"
mesh "hubs" allow-gateway-transit=#false {
    members "hub-weu" "legacy"
    members "app1"
    use-remote-gateways #false
}
peering "app1" "legacy" allow-forwarded-traffic=#true {
    allow-gateway-transit #false
    reverse use-remote-gateways=#false {
        allow-virtual-network-access #true
    }
}
site "office" hub="hub-weu" gateway-address="203.0.113.10" {
    address-space "192.168.0.0/16"
    address-space "172.16.0.0/24"
}
"#;

fn full_model() -> Topology {
    let mut hub = Vnet::new(s("hub-weu"), Role::Hub, Span::default());
    hub.location = Some(s("westeurope"));
    hub.subscription = Some(s("conn"));
    hub.resource_group = Some(s("rg-hub"));
    hub.address_space = vec![s("10.0.0.0/16"), s("fd00::/48"), s("10.9.0.0/16")];
    hub.dns_servers = vec![s("10.0.0.4"), s("10.0.0.5")];
    hub.subnets = vec![
        Subnet {
            name: s("GatewaySubnet"),
            prefixes: vec![s("10.0.255.0/27")],
            span: Span::default(),
        },
        Subnet {
            name: s("AzureFirewallSubnet"),
            prefixes: vec![s("10.0.254.0/26"), s("fd00:0:0:1::/64")],
            span: Span::default(),
        },
    ];
    hub.gateway = Some(Gateway {
        name: s("vgw-weu"),
        kind: Some(s("expressroute")),
        sku: Some(s("ErGw1AZ")),
        span: Span::default(),
    });
    hub.route_server = Some(RouteServer {
        name: s("rs-weu"),
        span: Span::default(),
    });
    hub.firewall = Some(Firewall {
        name: s("fw-weu"),
        private_ip: Some(s("10.0.254.4")),
        default_route: on(true),
        span: Span::default(),
    });
    hub.peering_defaults = PeeringSettings {
        allow_forwarded_traffic: on(true),
        allow_virtual_network_access: on(false),
        ..PeeringSettings::default()
    };
    hub.tags = vec![Tag {
        key: s("tier"),
        value: s("core"),
    }];

    let mut spoke = Vnet::new(
        s("app1"),
        Role::Spoke {
            hub: Some(s("hub-weu")),
        },
        Span::default(),
    );
    spoke.address_space = vec![s("10.1.0.0/16")];
    spoke.spoke_link = PeeringSettings {
        use_remote_gateways: on(false),
        allow_forwarded_traffic: on(true),
        ..PeeringSettings::default()
    };

    let mut legacy = Vnet::new(s("legacy"), Role::Vnet, Span::default());
    legacy.existing = on(true);
    legacy.classic = on(true);
    legacy.id = Some(s(
        "/subscriptions/x/resourceGroups/y/providers/Microsoft.ClassicNetwork/virtualNetworks/legacy",
    ));

    Topology {
        name: Some(s("estate")),
        defaults: Defaults {
            location: Some(s("westeurope")),
            subscription: Some(s("conn")),
            resource_group: Some(s("rg-net")),
            cloud: Some(s("public")),
            api_version: Some(s("2024-05-01")),
            max_peerings: Some(Spanned::new(500, Span::default())),
            span: Span::default(),
        },
        subscriptions: vec![Subscription {
            alias: s("conn"),
            id: Some(s("11111111-1111-1111-1111-111111111111")),
            tenant: Some(s("22222222-2222-2222-2222-222222222222")),
            span: Span::default(),
        }],
        vnets: vec![hub, spoke, legacy],
        meshes: vec![Mesh {
            name: s("hubs"),
            members: vec![s("hub-weu"), s("legacy"), s("app1")],
            settings: PeeringSettings {
                allow_gateway_transit: on(false),
                use_remote_gateways: on(false),
                ..PeeringSettings::default()
            },
            span: Span::default(),
        }],
        peerings: vec![Peering {
            between: vec![s("app1"), s("legacy")],
            settings: PeeringSettings {
                allow_forwarded_traffic: on(true),
                allow_gateway_transit: on(false),
                ..PeeringSettings::default()
            },
            reverse: PeeringSettings {
                use_remote_gateways: on(false),
                allow_virtual_network_access: on(true),
                ..PeeringSettings::default()
            },
            span: Span::default(),
        }],
        sites: vec![Site {
            name: s("office"),
            address_space: vec![s("192.168.0.0/16"), s("172.16.0.0/24")],
            hub: Some(s("hub-weu")),
            gateway_address: Some(s("203.0.113.10")),
            span: Span::default(),
        }],
        tags: vec![
            Tag {
                key: s("owner"),
                value: s("net-team"),
            },
            Tag {
                key: s("cost center"),
                value: s("42"),
            },
        ],
    }
}

#[test]
fn every_node_kind_reads_to_the_expected_model() {
    let (topology, _) = read_ok(FULL);
    assert_eq!(topology.without_spans(), full_model());
}

#[test]
fn kdl_1_reads_to_the_same_model() {
    // KDL 1.0: bare `true`/`false`, no `;` needed inside one-line blocks.
    let v1 = FULL.replace("#true", "true").replace("#false", "false");
    assert!(
        KdlDocument::parse_v2(&v1).is_err(),
        "the text must be KDL 1.0 only"
    );
    let (topology, source) = read_ok(&v1);
    assert_eq!(topology.clone().without_spans(), full_model());

    // Spans still point at the values as written.
    let spoke = &topology.vnets[1];
    let flag = spoke.spoke_link.use_remote_gateways.unwrap_or_default();
    assert_eq!(written(&source, flag.span), "false");
    assert_eq!(source.line_col(flag.span.start), (22, 48));
}

#[test]
fn kdl_1_raw_strings_are_read() {
    let (topology, source) =
        read_ok("topology r\"contoso\"\nhub r#\"hub-\"weu\"\"# existing=true\n");
    let name = topology.name.unwrap_or_default();
    assert_eq!(name.value, "contoso");
    assert_eq!(written(&source, name.span), "r\"contoso\"");
    assert_eq!(topology.vnets[0].name.value, "hub-\"weu\"");
}

#[test]
fn spans_point_at_values_as_written() {
    let (topology, source) = read_ok(EXAMPLE);
    let at = |span: Span| source.line_col(span.start);

    let name = topology.name.clone().unwrap_or_default();
    assert_eq!(written(&source, name.span), "\"contoso\"");
    assert_eq!(at(name.span), (1, 10));

    let location = topology.defaults.location.clone().unwrap_or_default();
    assert_eq!(written(&source, location.span), "\"westeurope\"");
    assert_eq!(at(location.span), (2, 19));

    let hub = &topology.vnets[0];
    assert_eq!(written(&source, hub.name.span), "\"hub-weu\"");
    assert_eq!(at(hub.name.span), (4, 5));
    // A struct's span covers its whole node, children included.
    assert_eq!(at(hub.span), (4, 1));
    assert!(written(&source, hub.span).ends_with("sku=\"VpnGw1\"\n}"));

    let subnet = &hub.subnets[0];
    assert_eq!(at(subnet.prefixes[0].span), (6, 28));
    assert_eq!(
        written(&source, subnet.span),
        "subnet \"GatewaySubnet\" \"10.0.255.0/27\""
    );

    let gateway = hub.gateway.clone().unwrap_or_default();
    let sku = gateway.sku.unwrap_or_default();
    assert_eq!(written(&source, sku.span), "\"VpnGw1\"");
    assert_eq!(at(sku.span), (7, 38));

    let Role::Spoke { hub: Some(hub_ref) } = &topology.vnets[1].role else {
        panic!("app1 must be a spoke with a hub");
    };
    assert_eq!(at(hub_ref.span), (9, 18));
    assert_eq!(at(topology.subscriptions[0].span), (3, 1));
}

#[test]
fn spans_of_flags_counts_and_tag_keys() {
    let (topology, source) = read_ok(FULL);
    let max = topology.defaults.max_peerings.unwrap_or_default();
    assert_eq!(written(&source, max.span), "500");

    let firewall = topology.vnets[0].firewall.clone().unwrap_or_default();
    let route = firewall.default_route.unwrap_or_default();
    assert_eq!(written(&source, route.span), "#true");
    assert_eq!(source.line_col(route.span.start), (16, 61));

    let child_flag = topology.vnets[0]
        .peering_defaults
        .allow_virtual_network_access
        .unwrap_or_default();
    assert_eq!(source.line_col(child_flag.span.start), (18, 38));

    let key = &topology.tags[1].key;
    assert_eq!(written(&source, key.span), "\"cost center\"");
    assert_eq!(source.line_col(key.span.start), (6, 5));
}

#[test]
fn type_annotations_are_ignored() {
    let (topology, source) =
        read_ok("(estate)topology (name)\"contoso\"\ndefaults location=(region)\"westeurope\"\n");
    let location = topology.defaults.location.unwrap_or_default();
    assert_eq!(location.value, "westeurope");
    assert_eq!(written(&source, location.span), "\"westeurope\"");
    assert_eq!(topology.name.unwrap_or_default().value, "contoso");
}

// ----- AZM002 syntax ----------------------------------------------------

#[test]
fn syntax_error_is_reported_at_its_place() {
    let (topology, diagnostics, source) =
        read("topology \"a\"\nhub \"x\" location=\"unterminated\n");
    assert_eq!(topology, Topology::default());
    assert_eq!(
        positions(&diagnostics, &source),
        vec![(Code::Syntax, 2, 18)]
    );
    assert!(
        diagnostics[0]
            .message
            .contains("newline in single-line quoted string")
    );
    assert!(diagnostics[0].help.is_some());
}

#[test]
fn every_syntax_error_is_reported() {
    let (_, diagnostics, source) = read("hub \"x\" {\n  address-space \"10.0.0.0/16\"\n");
    let found = positions(&diagnostics, &source);
    assert!(found.len() >= 2, "{diagnostics:#?}");
    assert!(found.iter().all(|(code, _, _)| *code == Code::Syntax));
    assert_eq!(found[0], (Code::Syntax, 1, 9));
}

#[test]
fn kdl_1_text_with_a_real_error_reports_that_error() {
    // `true` is fine in KDL 1.0: only the unterminated string is reported.
    let (_, diagnostics, source) = read("hub \"x\" existing=true {\n  foo \"1\n}\n");
    assert_eq!(positions(&diagnostics, &source), vec![(Code::Syntax, 2, 7)]);
}

#[test]
fn kdl_1_error_comes_from_the_kdl_1_parser() {
    // KDL 2.0 only objects to `true`; KDL 1.0 objects to the bare `x`.
    let (_, diagnostics, source) = read("hub x existing=true\n");
    assert_eq!(positions(&diagnostics, &source), vec![(Code::Syntax, 1, 5)]);
    assert!(diagnostics[0].message.starts_with("invalid KDL 1.0:"));
}

#[test]
fn bare_true_in_kdl_2_text_gets_a_hint() {
    let (_, diagnostics, source) = read("hub \"x\" existing=#true classic=true\n");
    assert_eq!(
        positions(&diagnostics, &source),
        vec![(Code::Syntax, 1, 32)]
    );
    assert_eq!(
        diagnostics[0].help.as_deref(),
        Some("KDL 2.0 writes it `#true`")
    );
}

#[test]
fn node_span_leaves_out_trailing_comments() {
    let (topology, source) = read_ok("hub \"x\" /* note */ ;\nspoke \"y\" hub=\"x\" // note\n");
    assert_eq!(written(&source, topology.vnets[0].span), "hub \"x\"");
    assert_eq!(
        written(&source, topology.vnets[1].span),
        "spoke \"y\" hub=\"x\""
    );
}

#[test]
fn broken_input_does_not_panic() {
    for text in [
        "",
        "{",
        "}",
        "hub",
        "hub \"",
        "hub \"x\" {{{",
        "\"",
        "hub \"é\" location=#nul",
        "peering {\n reverse { reverse { } }\n}",
        "tags { a; b 1; c #null; d \"x\" \"y\" k=1 { e } }",
        "spoke (t)",
        "defaults max-peerings=99999999999999999999999999999",
        "subnet \"a\" \"b\"\n/- hub \"x\"",
    ] {
        let _ = read(text);
    }
}

// ----- AZM003 unknown ---------------------------------------------------

#[test]
fn unknown_node_suggests_a_close_name() {
    let (d, at, _) = single("topology \"a\"\nhubb \"x\"\n");
    assert_eq!((d.code, at), (Code::UnknownField, (2, 1)));
    assert_eq!(d.help.as_deref(), Some("did you mean `hub`?"));
}

#[test]
fn unknown_child_lists_the_valid_ones_when_nothing_is_close() {
    let (d, at, _) = single("hub \"x\" {\n    zzzzzzzz \"1\"\n}\n");
    assert_eq!((d.code, at), (Code::UnknownField, (2, 5)));
    let help = d.help.unwrap_or_default();
    assert!(
        help.contains("`address-space`") && help.contains("`peering-defaults`"),
        "{help}"
    );
}

#[test]
fn unknown_property_points_at_its_key() {
    let (d, at, _) = single("hub \"x\" locaton=\"westeurope\"\n");
    assert_eq!((d.code, at), (Code::UnknownField, (1, 9)));
    assert_eq!(d.help.as_deref(), Some("did you mean `location`?"));
}

#[test]
fn peering_setting_on_a_hub_points_to_peering_defaults() {
    let (d, at, _) = single("hub \"x\" allow-forwarded-traffic=#true\n");
    assert_eq!((d.code, at), (Code::UnknownField, (1, 9)));
    assert!(d.help.unwrap_or_default().contains("peering-defaults"));
}

#[test]
fn hub_property_on_a_hub_is_explained() {
    let (d, at, _) = single("hub \"x\" hub=\"y\"\n");
    assert_eq!((d.code, at), (Code::UnknownField, (1, 9)));
    assert!(
        d.help
            .unwrap_or_default()
            .contains("only a `spoke` names its hub")
    );
}

#[test]
fn extra_argument_is_reported() {
    let (d, at, _) = single("hub \"x\" \"y\"\n");
    assert_eq!((d.code, at), (Code::UnknownField, (1, 9)));
}

// ----- AZM004 wrong type ------------------------------------------------

#[test]
fn string_where_a_flag_is_expected() {
    let (d, at, _) = single("vnet \"x\" existing=\"true\"\n");
    assert_eq!((d.code, at), (Code::WrongType, (1, 19)));
    assert_eq!(d.help.as_deref(), Some("write #true without quotes"));
}

#[test]
fn flag_where_a_string_is_expected() {
    let (d, at, _) = single("defaults\nhub \"x\" {\n    subnet \"a\" #true\n}\n");
    assert_eq!((d.code, at), (Code::WrongType, (3, 16)));
}

#[test]
fn max_peerings_must_be_a_whole_number() {
    let (_, diagnostics, source) = read("defaults max-peerings=-1\ndefaults max-peerings=1.5\n");
    // The second `defaults` is also a duplicate, but its value is still checked.
    assert_eq!(
        positions(&diagnostics, &source),
        vec![
            (Code::WrongType, 1, 23),
            (Code::WrongType, 2, 23),
            (Code::DuplicateField, 2, 1)
        ]
    );
}

#[test]
fn null_is_a_wrong_type() {
    let (d, at, _) = single("topology #null\n");
    assert_eq!((d.code, at), (Code::WrongType, (1, 10)));
}

#[test]
fn a_wrong_value_is_left_unset_and_the_rest_kept() {
    let (topology, diagnostics, _) = read("hub \"x\" location=#true existing=#true\n");
    assert_eq!(diagnostics.len(), 1);
    let hub = &topology.vnets[0];
    assert_eq!(hub.location, None);
    assert_eq!(hub.existing, on(true));
}

// ----- AZM005 missing ---------------------------------------------------

#[test]
fn missing_values_are_reported_where_they_belong() {
    let text = r#"topology
hub {
    address-space "10.0.0.0/16"
}
vnet "v" {
    subnet "web"
    gateway type="vpn"
}
peering "v"
tags {
    owner
}
"#;
    let (topology, diagnostics, source) = read(text);
    assert_eq!(
        positions(&diagnostics, &source),
        vec![
            (Code::MissingValue, 1, 1),
            (Code::MissingValue, 2, 1),
            (Code::MissingValue, 6, 12),
            (Code::MissingValue, 7, 5),
            (Code::MissingValue, 9, 9),
            (Code::MissingValue, 11, 5),
        ]
    );
    // What could be read is kept: the named VNet with its nameless subnet's name.
    assert_eq!(topology.vnets.len(), 1);
    assert_eq!(topology.vnets[0].subnets[0].name.value, "web");
    assert_eq!(topology.vnets[0].gateway, None);
    assert!(topology.peerings.is_empty() && topology.tags.is_empty());
}

#[test]
fn mesh_needs_members() {
    let (d, at, _) = single("mesh \"m\" allow-forwarded-traffic=#true\n");
    assert_eq!((d.code, at), (Code::MissingValue, (1, 6)));
}

#[test]
fn a_setting_node_needs_its_value() {
    let (d, at, _) =
        single("mesh \"m\" {\n    members \"a\" \"b\"\n    allow-forwarded-traffic\n}\n");
    assert_eq!((d.code, at), (Code::MissingValue, (3, 5)));
}

// ----- AZM006 duplicate -------------------------------------------------

#[test]
fn property_given_twice_relates_to_the_first() {
    let (d, at, source) = single("hub \"x\" location=\"a\" location=\"b\"\n");
    assert_eq!((d.code, at), (Code::DuplicateField, (1, 22)));
    assert_eq!(d.related.len(), 1);
    assert_eq!(source.line_col(d.related[0].span.start), (1, 9));
}

#[test]
fn once_only_children_given_twice() {
    let text =
        "topology \"a\"\ntopology \"b\"\nhub \"x\" {\n    gateway \"g1\"\n    gateway \"g2\"\n}\n";
    let (topology, diagnostics, source) = read(text);
    assert_eq!(
        positions(&diagnostics, &source),
        vec![(Code::DuplicateField, 2, 1), (Code::DuplicateField, 5, 5)]
    );
    assert_eq!(
        source.line_col(diagnostics[1].related[0].span.start),
        (4, 5)
    );
    // The first one counts.
    assert_eq!(topology.name.unwrap_or_default().value, "a");
    let gateway = topology.vnets[0].gateway.clone().unwrap_or_default();
    assert_eq!(gateway.name.value, "g1");
}

#[test]
fn reverse_peering_defaults_and_firewall_may_appear_once() {
    let text = r#"peering "a" "b" {
    reverse { allow-forwarded-traffic #true; }
    reverse { allow-forwarded-traffic #false; }
}
hub "h" {
    peering-defaults allow-gateway-transit=#true
    peering-defaults allow-gateway-transit=#false
    firewall "fw1"
    firewall "fw2"
}
"#;
    let (topology, diagnostics, source) = read(text);
    assert_eq!(
        positions(&diagnostics, &source),
        vec![
            (Code::DuplicateField, 3, 5),
            (Code::DuplicateField, 7, 5),
            (Code::DuplicateField, 9, 5)
        ]
    );
    assert_eq!(
        topology.peerings[0].reverse.allow_forwarded_traffic,
        on(true)
    );
    assert_eq!(
        topology.vnets[0].peering_defaults.allow_gateway_transit,
        on(true)
    );
}

#[test]
fn peering_setting_inside_a_spoke_block_is_explained() {
    let (d, at, _) = single("spoke \"s\" hub=\"h\" {\n    use-remote-gateways #false\n}\n");
    assert_eq!((d.code, at), (Code::UnknownField, (2, 5)));
    let help = d.help.unwrap_or_default();
    assert!(
        help.contains("peering-defaults") && help.contains("use-remote-gateways=#true"),
        "{help}"
    );
}

#[test]
fn setting_given_as_property_and_child_is_a_duplicate() {
    let text =
        "peering \"a\" \"b\" use-remote-gateways=#true {\n    use-remote-gateways #false\n}\n";
    let (d, at, source) = single(text);
    assert_eq!((d.code, at), (Code::DuplicateField, (2, 25)));
    assert_eq!(source.line_col(d.related[0].span.start), (1, 37));
}

#[test]
fn address_space_repeats_and_accumulates_but_tag_keys_do_not() {
    let text = "hub \"x\" {\n    address-space \"10.0.0.0/16\"\n    address-space \"10.1.0.0/16\"\n    tags { a \"1\"; a \"2\"; }\n}\n";
    let (topology, diagnostics, source) = read(text);
    assert_eq!(
        positions(&diagnostics, &source),
        vec![(Code::DuplicateField, 4, 19)]
    );
    assert_eq!(topology.vnets[0].address_space.len(), 2);
    assert_eq!(topology.vnets[0].tags.len(), 1);
}

// ----- all at once ------------------------------------------------------

#[test]
fn every_problem_is_reported_in_one_run() {
    let text = r#"topology "t"
defaults locaton="westeurope" max-peerings="500"
hub "h" existing="yes" {
    address-space "10.0.0.0/16"
    route-server "rs"
    route-server "rs2"
    firewal "fw"
}
spoke "s" hub="h" use-remote-gateways=#true {
    subnet "web" 10
}
site "office" {
    address-space "192.168.0.0/16"
}
"#;
    let (topology, diagnostics, source) = read(text);
    assert_eq!(
        positions(&diagnostics, &source),
        vec![
            (Code::UnknownField, 2, 10),
            (Code::WrongType, 2, 44),
            (Code::WrongType, 3, 18),
            (Code::DuplicateField, 6, 5),
            (Code::UnknownField, 7, 5),
            (Code::WrongType, 10, 18),
        ]
    );
    assert_eq!(
        diagnostics[1].help.as_deref(),
        Some("write the number without quotes: 500")
    );
    // Everything readable is still there.
    assert_eq!(topology.vnets.len(), 2);
    assert_eq!(topology.sites.len(), 1);
    assert_eq!(topology.vnets[1].spoke_link.use_remote_gateways, on(true));
}
