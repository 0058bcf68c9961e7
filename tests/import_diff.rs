//! `azmesh import` and `azmesh diff` as library functions: imported text
//! reads back with no diagnostic in both languages and the two languages
//! give the same model; malformed inputs give AZM002 at their line:col;
//! diff reports each kind of change in reading order. Import outputs
//! (`import-<fixture>.<lang>`) and diff outputs (`diff-<case>`) are
//! snapshots in `snapshots/`.

mod common;

use azmesh::diagnostic::{Code, Diagnostic, Level};
use azmesh::diff::{Change, Diff, Item, diff, render_human, render_json, sync_warnings};
use azmesh::import::{Imported, NetcfgOptions, import_az_vnets, import_netcfg};
use azmesh::model::{Role, Topology};
use azmesh::plan::{Kind, Plan};
use azmesh::render::fixture::sample_plan;
use azmesh::source::{Lang, Source, Span};

// ---------------------------------------------------------------- helpers

fn fixture(name: &str) -> Source {
    let path = common::root().join("tests/fixtures/import").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // The language of an XML/JSON source is not used by the importers.
    Source::new(format!("tests/fixtures/import/{name}"), text, Lang::Kdl)
}

/// Reads imported text back; it must give no diagnostic at all.
fn read_back(text: &str, lang: Lang) -> Topology {
    let source = Source::new(format!("imported.{lang}"), text, lang);
    let (topology, diagnostics) = azmesh::parse::parse(&source);
    assert!(
        diagnostics.is_empty(),
        "imported {lang} does not read back cleanly: {diagnostics:#?}\n{text}"
    );
    topology.without_spans()
}

/// Imports in both languages, checks both read back to the same model,
/// snapshots both texts as `import-<name>.<lang>`, returns the KDL model
/// and the warnings.
fn both_languages(
    name: &str,
    import: impl Fn(Lang) -> Result<Imported, Vec<Diagnostic>>,
) -> (Topology, Vec<Diagnostic>) {
    let settings = common::settings();
    let mut models = Vec::new();
    let mut warnings = Vec::new();
    for lang in [Lang::Kdl, Lang::Yaml] {
        let imported = import(lang).unwrap_or_else(|d| panic!("{name} ({lang}) failed: {d:#?}"));
        assert!(
            imported
                .diagnostics
                .iter()
                .all(|d| d.level == Level::Warning),
            "an Ok import carries only warnings: {:#?}",
            imported.diagnostics
        );
        settings.bind(|| {
            insta::assert_snapshot!(format!("import-{name}.{lang}"), &imported.text);
        });
        models.push(read_back(&imported.text, lang));
        warnings = imported.diagnostics;
    }
    assert_eq!(models[0], models[1], "{name}: KDL and YAML models differ");
    (models.swap_remove(0), warnings)
}

fn netcfg(opts: NetcfgOptions) -> impl Fn(Lang) -> Result<Imported, Vec<Diagnostic>> {
    move |lang| {
        let source = fixture_for(&opts);
        import_netcfg(
            &source,
            &NetcfgOptions {
                lang,
                ..opts.clone()
            },
        )
    }
}

fn fixture_for(opts: &NetcfgOptions) -> Source {
    if opts.location.is_some() {
        fixture("legacy-affinity.xml")
    } else {
        fixture("contoso-netcfg.xml")
    }
}

fn vnet<'t>(t: &'t Topology, name: &str) -> &'t azmesh::model::Vnet {
    t.vnets
        .iter()
        .find(|v| v.name.value == name)
        .unwrap_or_else(|| panic!("no VNet {name}"))
}

fn strs(list: &[azmesh::model::Text]) -> Vec<&str> {
    list.iter().map(|t| t.value.as_str()).collect()
}

fn flag(f: &azmesh::model::Flag) -> Option<bool> {
    f.as_ref().map(|s| s.value)
}

/// `(code, line, col)` of a diagnostic in `source`.
fn at(source: &Source, d: &Diagnostic) -> (Code, usize, usize) {
    let span = d.span.expect("a span");
    let (l, c) = source.line_col(span.start);
    (d.code, l, c)
}

// ------------------------------------------------------------- netcfg

#[test]
fn netcfg_classic_mode_peers_classic_vnets_to_a_new_hub() {
    let (t, warnings) = both_languages("contoso-netcfg", netcfg(NetcfgOptions::default()));

    let hub = vnet(&t, "hub");
    assert_eq!(hub.role, Role::Hub);
    assert_eq!(flag(&hub.classic), None);
    // 10.10/16, 10.20/16, 10.30/16 and the sites are taken; 10.0/16 is free.
    assert_eq!(strs(&hub.address_space), ["10.0.0.0/16"]);

    let core = vnet(&t, "contoso-core");
    assert_eq!(core.role, Role::Vnet);
    assert_eq!(flag(&core.classic), Some(true));
    assert_eq!(
        core.location.as_ref().map(|l| l.value.as_str()),
        Some("westeurope")
    );
    // A classic VNet's DNS servers and subnets are comments for reference
    // (azmesh never changes a classic VNet).
    assert!(core.dns_servers.is_empty() && core.subnets.is_empty());
    assert!(
        core.gateway.is_none(),
        "a classic VNet gets no gateway node (AZM031)"
    );
    let dr = vnet(&t, "contoso-dr");
    assert_eq!(
        dr.location.as_ref().map(|l| l.value.as_str()),
        Some("northeurope")
    );
    assert_eq!(strs(&dr.address_space), ["10.30.0.0/16", "172.20.0.0/22"]);

    // Every classic VNet is peered with the hub, and only with the hub.
    let pairs: Vec<(String, String)> = t
        .peerings
        .iter()
        .map(|p| (p.between[0].value.clone(), p.between[1].value.clone()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("hub".to_string(), "contoso-core".to_string()),
            ("hub".to_string(), "contoso-web".to_string()),
            ("hub".to_string(), "contoso-dr".to_string()),
        ]
    );

    let sites: Vec<&str> = t.sites.iter().map(|s| s.name.value.as_str()).collect();
    assert_eq!(sites, ["amsterdam-hq", "rotterdam-branch"]);
    assert_eq!(
        strs(&t.sites[0].address_space),
        ["192.168.0.0/20", "192.168.16.0/24"]
    );
    assert_eq!(
        t.sites[0]
            .gateway_address
            .as_ref()
            .map(|a| a.value.as_str()),
        Some("203.0.113.10")
    );

    // Placeholder subscriptions: id zero and a warning each, with no span.
    assert!(t.subscriptions.iter().all(|s| {
        s.id.as_ref()
            .is_some_and(|i| i.value == azmesh::import::PLACEHOLDER_SUBSCRIPTION_ID)
    }));
    let placeholders = warnings
        .iter()
        .filter(|d| d.code == Code::MissingValue && d.span.is_none())
        .count();
    assert_eq!(placeholders, 2, "{warnings:#?}");
    // The classic gateway is noted with a warning at its element.
    let source = fixture("contoso-netcfg.xml");
    let gateway = warnings
        .iter()
        .find(|d| d.code == Code::ClassicGateway)
        .expect("a classic gateway warning");
    assert_eq!(at(&source, gateway), (Code::ClassicGateway, 46, 9));
    assert!(gateway.help.is_some());
}

#[test]
fn netcfg_as_resource_manager_rebuilds_spokes_with_gateway() {
    let opts = NetcfgOptions {
        as_resource_manager: true,
        ..NetcfgOptions::default()
    };
    let (t, warnings) = both_languages("contoso-netcfg-rm", netcfg(opts));
    assert!(t.vnets.iter().all(|v| v.classic.is_none()));
    assert_eq!(vnet(&t, "hub").role, Role::Hub);
    let core = vnet(&t, "contoso-core");
    assert_eq!(
        core.role,
        Role::Spoke {
            hub: Some(azmesh::spanned::Spanned::new(
                "hub".to_string(),
                Span::default()
            ))
        }
    );
    let gateway = core
        .gateway
        .as_ref()
        .expect("the netcfg Gateway becomes a gateway");
    assert_eq!(gateway.kind.as_ref().map(|k| k.value.as_str()), Some("vpn"));
    assert!(core.subnets.iter().any(|s| s.name.value == "GatewaySubnet"));
    assert!(t.peerings.is_empty(), "spokes need no explicit peering");
    assert!(
        warnings
            .iter()
            .any(|d| d.code == Code::MissingValue && d.message.contains("SKU")),
        "{warnings:#?}"
    );
}

#[test]
fn netcfg_hub_named_by_flag_becomes_the_hub_in_resource_manager_mode() {
    let source = fixture("contoso-netcfg.xml");
    let opts = NetcfgOptions {
        hub: Some("contoso-core".into()),
        as_resource_manager: true,
        ..NetcfgOptions::default()
    };
    let imported = import_netcfg(&source, &opts).expect("imports");
    let t = read_back(&imported.text, Lang::Kdl);
    assert_eq!(vnet(&t, "contoso-core").role, Role::Hub);
    assert_eq!(t.vnets.len(), 3, "no extra hub is invented");
    // The sites connected to the hub's gateway name it.
    assert!(
        t.sites
            .iter()
            .all(|s| s.hub.as_ref().is_some_and(|h| h.value == "contoso-core"))
    );
}

#[test]
fn netcfg_classic_vnet_cannot_be_the_hub() {
    let source = fixture("contoso-netcfg.xml");
    let opts = NetcfgOptions {
        hub: Some("contoso-web".into()),
        ..NetcfgOptions::default()
    };
    let errors = import_netcfg(&source, &opts).expect_err("a classic hub is refused");
    let e = errors.iter().find(|d| d.is_error()).expect("an error");
    assert_eq!(at(&source, e), (Code::DuplicateName, 57, 33));
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("--as-resource-manager"))
    );
}

#[test]
fn netcfg_affinity_group_takes_location_from_the_flag() {
    let opts = NetcfgOptions {
        location: Some("westeurope".into()),
        ..NetcfgOptions::default()
    };
    let (t, _) = both_languages("legacy-affinity", netcfg(opts));
    for name in ["fabrikam-erp", "fabrikam-sql"] {
        let v = vnet(&t, name);
        assert_eq!(
            v.location.as_ref().map(|l| l.value.as_str()),
            Some("westeurope")
        );
    }
    // 10.0/16 and 10.1/16 overlap imported ranges: the hub takes 10.2/16.
    assert_eq!(strs(&vnet(&t, "hub").address_space), ["10.2.0.0/16"]);
}

#[test]
fn netcfg_affinity_group_without_location_is_an_error_at_the_attribute() {
    let source = fixture("legacy-affinity.xml");
    let errors = import_netcfg(&source, &NetcfgOptions::default()).expect_err("needs --location");
    let found: Vec<_> = errors.iter().map(|d| at(&source, d)).collect();
    assert_eq!(found, [(Code::NoDefault, 7, 62), (Code::NoDefault, 17, 62)]);
    let span = errors[0].span.expect("span");
    assert_eq!(&source.text[span.start..span.end], "fabrikam-ag-weu");
    assert!(
        errors[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("--location"))
    );
}

#[test]
fn netcfg_malformed_xml_is_a_syntax_error_at_its_position() {
    let source = fixture("malformed.xml");
    let errors = import_netcfg(&source, &NetcfgOptions::default()).expect_err("malformed");
    assert_eq!(errors.len(), 1);
    assert_eq!(at(&source, &errors[0]), (Code::Syntax, 8, 9));
    assert_eq!(
        errors[0].message,
        "the netcfg file is not well-formed XML: expected 'AddressSpace' tag, not 'AddressSpce'"
    );
    assert!(errors[0].help.is_some());
}

#[test]
fn netcfg_problems_are_reported_together_with_spans() {
    let xml = r#"<NetworkConfiguration xmlns="http://schemas.microsoft.com/ServiceHosting/2011/07/NetworkConfiguration">
  <VirtualNetworkConfiguration>
    <Dns><DnsServers><DnsServer name="dns1" IPAddress="10.0.0.4"/></DnsServers></Dns>
    <VirtualNetworkSites>
      <VirtualNetworkSite name="a" Location="West Europe">
        <AddressSpace><AddressPrefix>10.0.0.0/33</AddressPrefix></AddressSpace>
        <DnsServersRef><DnsServerRef name="dnz1"/></DnsServersRef>
      </VirtualNetworkSite>
      <VirtualNetworkSite Location="West Europe"/>
    </VirtualNetworkSites>
  </VirtualNetworkConfiguration>
</NetworkConfiguration>"#;
    let source = Source::new("bad.xml", xml, Lang::Kdl);
    let errors = import_netcfg(&source, &NetcfgOptions::default()).expect_err("errors");
    let found: Vec<_> = errors.iter().map(|d| at(&source, d)).collect();
    assert_eq!(
        found,
        [
            (Code::InvalidPrefix, 6, 38),
            (Code::UnknownReference, 7, 44),
            (Code::MissingValue, 9, 7),
        ],
        "{errors:#?}"
    );
    let typo = &errors[1];
    assert_eq!(typo.help.as_deref(), Some("did you mean `dns1`?"));
}

#[test]
fn netcfg_hostile_names_survive_both_languages() {
    let names = [
        "yes",
        "123",
        "a: b # c",
        "quote\"back\\slash",
        "line&#10;break",
        "tab&#9;and ünïcödé",
        "-dash",
        "[x]",
    ];
    let subnets: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "<Subnet name=\"{}\"><AddressPrefix>10.9.{i}.0/24</AddressPrefix></Subnet>",
                n.replace('"', "&quot;")
            )
        })
        .collect();
    let xml = format!(
        r#"<NetworkConfiguration xmlns="http://schemas.microsoft.com/ServiceHosting/2011/07/NetworkConfiguration">
  <VirtualNetworkConfiguration>
    <VirtualNetworkSites>
      <VirtualNetworkSite name="odd&#10;&#x2028;vnet" Location="West Europe">
        <AddressSpace><AddressPrefix>10.9.0.0/16</AddressPrefix></AddressSpace>
        <Subnets>{subnets}</Subnets>
      </VirtualNetworkSite>
    </VirtualNetworkSites>
  </VirtualNetworkConfiguration>
</NetworkConfiguration>"#
    );
    let source = Source::new("odd.xml", xml, Lang::Kdl);
    let mut models = Vec::new();
    for lang in [Lang::Kdl, Lang::Yaml] {
        let opts = NetcfgOptions {
            lang,
            as_resource_manager: true,
            ..NetcfgOptions::default()
        };
        let imported = import_netcfg(&source, &opts).expect("imports");
        models.push(read_back(&imported.text, lang));
    }
    assert_eq!(models[0], models[1]);
    let v = vnet(&models[0], "odd\n\u{2028}vnet");
    let got: Vec<&str> = v.subnets.iter().map(|s| s.name.value.as_str()).collect();
    let want: Vec<String> = names
        .iter()
        .map(|n| n.replace("&#10;", "\n").replace("&#9;", "\t"))
        .collect();
    assert_eq!(got, want);
}

// ------------------------------------------------------------- az-vnets

#[test]
fn az_vnets_two_subscriptions_with_a_hub_spoke() {
    let source = fixture("two-subscriptions-az.json");
    let (t, warnings) = both_languages("two-subscriptions-az", |lang| {
        import_az_vnets(&source, lang)
    });

    let aliases: Vec<(&str, &str)> = t
        .subscriptions
        .iter()
        .map(|s| {
            (
                s.alias.value.as_str(),
                s.id.as_ref().map_or("", |i| i.value.as_str()),
            )
        })
        .collect();
    assert_eq!(
        aliases,
        [
            ("sub-3f2a9c1e", "3f2a9c1e-7b4d-4e8a-9c2b-5d6e7f8a9b0c"),
            ("sub-8b1d2e3f", "8b1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"),
        ]
    );

    // The hub-spoke is recognised although ids differ in case.
    let hub = vnet(&t, "vnet-hub-weu");
    assert_eq!(hub.role, Role::Hub);
    assert_eq!(flag(&hub.existing), Some(true));
    assert_eq!(
        hub.subscription.as_ref().map(|s| s.value.as_str()),
        Some("sub-3f2a9c1e")
    );
    assert_eq!(
        hub.resource_group.as_ref().map(|s| s.value.as_str()),
        Some("rg-connectivity")
    );
    assert_eq!(
        flag(&hub.peering_defaults.allow_gateway_transit),
        Some(true)
    );
    for spoke in ["vnet-app1", "vnet-app2"] {
        let v = vnet(&t, spoke);
        assert!(matches!(&v.role, Role::Spoke { hub: Some(h) } if h.value == "vnet-hub-weu"));
        assert_eq!(
            v.subscription.as_ref().map(|s| s.value.as_str()),
            Some("sub-8b1d2e3f")
        );
        assert_eq!(flag(&v.spoke_link.use_remote_gateways), Some(true));
        assert_eq!(flag(&v.spoke_link.allow_forwarded_traffic), Some(true));
    }

    // Remote VNets outside the input: external by id, or classic.
    let partner = vnet(&t, "vnet-partner");
    assert!(
        partner
            .id
            .as_ref()
            .is_some_and(|i| i.value.contains("/c0ffee00-"))
    );
    assert_eq!(flag(&vnet(&t, "legacy-classic").classic), Some(true));
    // Two VNets called vnet-data: the second is named apart and kept by id.
    let renamed = vnet(&t, "vnet-data-3f2a9c1e");
    assert!(
        renamed
            .id
            .as_ref()
            .is_some_and(|i| i.value.contains("/RG-Data/"))
    );

    // The other peerings, each pair once, with both directions' flags.
    let pairs: Vec<(&str, &str)> = t
        .peerings
        .iter()
        .map(|p| (p.between[0].value.as_str(), p.between[1].value.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("vnet-shared", "legacy-classic"),
            ("vnet-shared", "vnet-data-3f2a9c1e"),
            ("vnet-shared", "vnet-partner"),
        ]
    );
    assert_eq!(
        flag(&t.peerings[2].settings.allow_forwarded_traffic),
        Some(true)
    );
    assert!(t.peerings.iter().all(|p| p.reverse.is_empty()));

    let source_codes: Vec<_> = warnings.iter().map(|d| at(&source, d)).collect();
    assert_eq!(
        source_codes,
        [
            // at the hub's id
            (Code::TransitWithoutGateway, 10, 11),
            // at `"name": "hub-to-app1"`, the first link azmesh names otherwise
            (Code::LinkName, 47, 17),
            // at the remote id of `shared-to-data`, which has no link back
            (Code::MissingValue, 289, 17),
        ],
        "{warnings:#?}"
    );
}

#[test]
fn az_vnets_single_object_and_mutual_peering() {
    let json = r#"{
  "id": "/subscriptions/AAAAAAAA-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/a",
  "location": "westeurope",
  "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
  "virtualNetworkPeerings": [
    { "name": "a-b", "remoteVirtualNetwork": { "id": "/subscriptions/bbbbbbbb-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/b" },
      "allowForwardedTraffic": true }
  ]
}"#;
    let source = Source::new("show.json", json, Lang::Kdl);
    let imported = import_az_vnets(&source, Lang::Yaml).expect("imports");
    let t = read_back(&imported.text, Lang::Yaml);
    assert_eq!(t.subscriptions[0].alias.value, "sub-aaaaaaaa");
    assert_eq!(vnet(&t, "a").role, Role::Vnet);
    let p = &t.peerings[0];
    assert_eq!(flag(&p.settings.allow_forwarded_traffic), Some(true));
    assert_eq!(flag(&p.settings.allow_virtual_network_access), Some(true));
}

#[test]
fn az_vnets_malformed_json_is_a_syntax_error_at_its_position() {
    let source = fixture("malformed-az.json");
    let errors = import_az_vnets(&source, Lang::Kdl).expect_err("malformed");
    assert_eq!(errors.len(), 1);
    assert_eq!(at(&source, &errors[0]), (Code::Syntax, 6, 5));
    assert!(errors[0].message.contains("expected `,` or `}`"));
}

#[test]
fn az_vnets_bad_ids_and_shapes_are_errors() {
    let source = Source::new(
        "x.json",
        r#"[{"id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/z"}]"#,
        Lang::Kdl,
    );
    let errors = import_az_vnets(&source, Lang::Kdl).expect_err("bad id");
    assert_eq!(at(&source, &errors[0]), (Code::InvalidId, 1, 9));
    let source = Source::new("x.json", "42", Lang::Kdl);
    let errors = import_az_vnets(&source, Lang::Kdl).expect_err("no VNet");
    assert_eq!(errors[0].code, Code::WrongType);
}

// ------------------------------------------------------------------ diff

fn find_vnet<'p>(plan: &'p mut Plan, name: &str) -> &'p mut azmesh::plan::PlanVnet {
    plan.vnets
        .iter_mut()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no VNet {name}"))
}

fn snapshot_diff(case: &str, d: &Diff) {
    common::settings().bind(|| {
        insta::assert_snapshot!(format!("diff-{case}"), render_human(d));
    });
}

#[test]
fn diff_of_equal_plans_is_empty() {
    let d = diff(&sample_plan(false), &sample_plan(false));
    assert!(d.is_empty());
    assert_eq!(render_human(&d), "no changes\n");
    assert!(sync_warnings(&d).is_empty());
    let json: serde_json::Value = serde_json::from_str(&render_json(&d)).expect("json");
    assert_eq!(json["removed"].as_array().map(Vec::len), Some(0));
}

#[test]
fn diff_vnet_added_with_its_links() {
    let old = sample_plan(false);
    let mut new = old.clone();
    let mut app3 = old.vnet("app2").expect("app2").clone();
    app3.name = "app3".into();
    app3.address_space = vec!["10.3.0.0/16".into()];
    new.vnets.push(app3);
    new.vnets.sort_by(|a, b| a.name.cmp(&b.name));
    for l in old
        .links
        .iter()
        .filter(|l| l.local == "app2" && l.remote == "hub-weu")
    {
        let mut l = l.clone();
        l.local = "app3".into();
        l.name = "app3-to-hub-weu".into();
        new.links.push(l);
    }
    let d = diff(&old, &new);
    assert!(d.removed.is_empty() && d.changed.is_empty());
    assert!(matches!(&d.added[0], Item::Vnet { name, .. } if name == "app3"));
    assert!(
        matches!(&d.added[1], Item::Link { local, remote, flags, .. }
        if local == "app3" && remote == "hub-weu" && flags.contains(&"useRemoteGateways"))
    );
    snapshot_diff("vnet-added", &d);
}

#[test]
fn diff_vnet_removed_with_links_and_route_table() {
    let old = sample_plan(false);
    let mut new = old.clone();
    new.vnets.retain(|v| v.name != "app2");
    new.links
        .retain(|l| l.local != "app2" && l.remote != "app2");
    new.route_tables.retain(|t| t.vnet != "app2");
    for t in &mut new.route_tables {
        t.routes.retain(|r| r.name != "to-app2");
    }
    let d = diff(&old, &new);
    assert!(d.added.is_empty() && d.changed.is_empty());
    let lines: Vec<String> = d
        .removed
        .iter()
        .map(|i| match i {
            Item::Vnet { name, .. } => format!("vnet {name}"),
            Item::Link { local, name, .. } => format!("link {local}/{name}"),
            Item::RouteTable { name, .. } => format!("table {name}"),
            Item::Route { table, name, .. } => format!("route {table}/{name}"),
        })
        .collect();
    // Grouped by VNet: app1's route first, then app2 and everything of it,
    // then hub-weu's link to it.
    assert_eq!(
        lines,
        [
            "route rt-app1/to-app2",
            "vnet app2",
            "link app2/app2-to-hub-weu",
            "link app2/app2-to-legacy",
            "table rt-app2",
            "link hub-weu/hub-weu-to-app2",
        ]
    );
    snapshot_diff("vnet-removed", &d);
}

#[test]
fn diff_link_flags_and_name_changes() {
    let old = sample_plan(false);
    let mut new = old.clone();
    for l in &mut new.links {
        if l.local == "app1" {
            l.use_remote_gateways = false;
            l.allow_forwarded_traffic = false;
        }
        if l.local == "hub-neu" {
            l.name = "peer-hub-neu-hub-weu".into();
        }
    }
    let d = diff(&old, &new);
    assert!(d.removed.is_empty() && d.added.is_empty());
    let vnets: Vec<&str> = d.changed.iter().map(|c| c.vnet.as_str()).collect();
    assert_eq!(vnets, ["app1", "hub-neu"]);
    let Change::Link {
        flags,
        renamed_from,
        ..
    } = &d.changed[0].changes[0]
    else {
        panic!("a link change: {d:#?}");
    };
    assert!(renamed_from.is_none());
    let changed: Vec<(&str, bool, bool)> = flags.iter().map(|f| (f.flag, f.from, f.to)).collect();
    assert_eq!(
        changed,
        [
            ("allowForwardedTraffic", true, false),
            ("useRemoteGateways", true, false)
        ]
    );
    let Change::Link {
        renamed_from,
        flags,
        ..
    } = &d.changed[1].changes[0]
    else {
        panic!("a link change");
    };
    assert_eq!(renamed_from.as_deref(), Some("hub-neu-to-hub-weu"));
    assert!(flags.is_empty());
    assert!(sync_warnings(&d).is_empty());
    snapshot_diff("link-changed", &d);
}

#[test]
fn diff_address_space_of_peered_vnet_lists_syncs_and_warns() {
    let old = sample_plan(false);
    let mut new = old.clone();
    find_vnet(&mut new, "app2")
        .address_space
        .push("10.12.0.0/16".into());
    let d = diff(&old, &new);
    assert_eq!(d.changed.len(), 1);
    let Change::AddressSpace { from, to, syncs } = &d.changed[0].changes[0] else {
        panic!("an address-space change");
    };
    assert_eq!(from, &["10.2.0.0/16"]);
    assert_eq!(to, &["10.2.0.0/16", "10.12.0.0/16"]);
    // Only links that point at app2 need a sync: the hub's (legacy is classic
    // and holds no link).
    let on: Vec<(&str, &str)> = syncs
        .iter()
        .map(|s| (s.vnet.as_str(), s.link.as_str()))
        .collect();
    assert_eq!(on, [("hub-weu", "hub-weu-to-app2")]);
    assert_eq!(
        syncs[0].az,
        "az network vnet peering sync --subscription '11111111-1111-1111-1111-111111111111' -g 'rg-hub' --vnet-name 'hub-weu' -n 'hub-weu-to-app2'"
    );
    assert!(syncs[0].pwsh.contains(
        "Sync-AzVirtualNetworkPeering -Name 'hub-weu-to-app2' -VirtualNetworkName 'hub-weu' -ResourceGroupName 'rg-hub'"
    ));
    let warnings = sync_warnings(&d);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].code, Code::AddressSpaceSync);
    assert_eq!(warnings[0].level, Level::Warning);
    assert!(warnings[0].span.is_none());
    assert!(warnings[0].message.contains("hub-weu/hub-weu-to-app2"));
    snapshot_diff("address-space", &d);
}

#[test]
fn diff_kind_and_route_changes() {
    let old = sample_plan(false);
    let mut new = old.clone();
    find_vnet(&mut new, "hub-neu").kind = Kind::Existing;
    for t in &mut new.route_tables {
        for r in &mut t.routes {
            if r.name == "to-app2" {
                r.next_hop_ip_address = "10.0.254.5".into();
            }
        }
    }
    let d = diff(&old, &new);
    let vnets: Vec<&str> = d.changed.iter().map(|c| c.vnet.as_str()).collect();
    assert_eq!(vnets, ["app1", "hub-neu"]);
    assert!(
        matches!(&d.changed[0].changes[0], Change::Route { table, name, from, to }
        if table == "rt-app1" && name == "to-app2" && from.next_hop_ip_address == "10.0.254.4"
            && to.next_hop_ip_address == "10.0.254.5")
    );
    assert_eq!(
        d.changed[1].changes[0],
        Change::VnetKind {
            from: Kind::Managed,
            to: Kind::Existing
        }
    );
    snapshot_diff("kind-and-route", &d);
}

#[test]
fn diff_reads_removals_then_additions_then_changes() {
    let old = sample_plan(false);
    let mut new = old.clone();
    new.links
        .retain(|l| l.local != "app2" || l.remote != "legacy");
    new.route_tables[0].routes.push(azmesh::plan::Route {
        name: "to-default".into(),
        address_prefix: "0.0.0.0/0".into(),
        next_hop_type: "VirtualAppliance".into(),
        next_hop_ip_address: "10.0.254.4".into(),
    });
    find_vnet(&mut new, "hub-weu").address_space = vec!["10.0.0.0/15".into()];
    let d = diff(&old, &new);
    let human = render_human(&d);
    let removed = human.find("removed:").expect("removed section");
    let added = human.find("added:").expect("added section");
    let changed = human.find("changed:").expect("changed section");
    assert!(removed < added && added < changed, "{human}");
    let json: serde_json::Value = serde_json::from_str(&render_json(&d)).expect("json");
    assert_eq!(json["removed"][0]["kind"], "link");
    assert_eq!(json["added"][0]["kind"], "route");
    assert_eq!(json["changed"][0]["vnet"], "hub-weu");
    assert_eq!(json["changed"][0]["changes"][0]["kind"], "addressSpace");
    // hub-weu is pointed at by app1, app2 and hub-neu.
    assert_eq!(
        json["changed"][0]["changes"][0]["syncs"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    snapshot_diff("mixed", &d);
}

// ---------------------------------------------------- check round trips

/// Compiles imported text: a plan, no error, and only the warnings given.
fn check(name: &str, text: &str, lang: Lang, allowed: &[Code]) -> Plan {
    let source = Source::new(format!("{name}.{lang}"), text, lang);
    let c = azmesh::compile(&source);
    let unexpected: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || !allowed.contains(&d.code))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{name}.{lang} does not check clean:\n{}",
        azmesh::report::diagnostics::human(&source, &c.diagnostics, false)
    );
    c.plan
        .unwrap_or_else(|| panic!("{name}.{lang} has no plan"))
}

fn checked_plans(
    name: &str,
    allowed: &[Code],
    import: impl Fn(Lang) -> Result<Imported, Vec<Diagnostic>>,
) -> Plan {
    let mut plans = Vec::new();
    for lang in [Lang::Kdl, Lang::Yaml] {
        let imported = import(lang).unwrap_or_else(|d| panic!("{name}: {d:#?}"));
        plans.push(check(name, &imported.text, lang, allowed));
    }
    let json = |p: &Plan| serde_json::to_string_pretty(p).expect("plan serializes");
    assert_eq!(
        json(&plans[0]),
        json(&plans[1]),
        "{name}: KDL and YAML plans differ"
    );
    plans.swap_remove(0)
}

#[test]
fn netcfg_imports_check_clean() {
    let classic = checked_plans("classic", &[], netcfg(NetcfgOptions::default()));
    // Only the hub's side of each classic peering is created.
    let links: Vec<(&str, &str, bool)> = classic
        .links
        .iter()
        .map(|l| (l.local.as_str(), l.remote.as_str(), l.remote_classic))
        .collect();
    assert_eq!(
        links,
        [
            ("hub", "contoso-core", true),
            ("hub", "contoso-dr", true),
            ("hub", "contoso-web", true),
        ]
    );
    assert!(
        classic
            .vnets
            .iter()
            .filter(|v| v.name != "hub")
            .all(|v| v.kind == Kind::Classic && v.id.contains("/Microsoft.ClassicNetwork/"))
    );

    let rm = checked_plans(
        "rm",
        &[],
        netcfg(NetcfgOptions {
            as_resource_manager: true,
            ..NetcfgOptions::default()
        }),
    );
    assert!(rm.vnets.iter().all(|v| v.kind == Kind::Managed));
    assert_eq!(rm.links.len(), 6, "hub <-> three spokes");
    let with_hub = checked_plans(
        "rm-hub",
        &[],
        netcfg(NetcfgOptions {
            as_resource_manager: true,
            hub: Some("contoso-core".into()),
            ..NetcfgOptions::default()
        }),
    );
    // The hub keeps its gateway: its spokes use it.
    assert!(
        with_hub
            .links
            .iter()
            .filter(|l| l.local == "contoso-web")
            .all(|l| l.use_remote_gateways)
    );
    checked_plans(
        "affinity",
        &[],
        netcfg(NetcfgOptions {
            location: Some("westeurope".into()),
            ..NetcfgOptions::default()
        }),
    );
}

#[test]
fn az_vnets_import_checks_with_its_placeholder_gateway_noted() {
    let source = fixture("two-subscriptions-az.json");
    let plan = checked_plans("az", &[Code::ClassicNotManaged], |lang| {
        import_az_vnets(&source, lang)
    });
    // The existing links keep their flags.
    let hub_links: Vec<(&str, bool, bool)> = plan
        .links
        .iter()
        .filter(|l| l.remote == "vnet-hub-weu")
        .map(|l| {
            (
                l.local.as_str(),
                l.allow_forwarded_traffic,
                l.use_remote_gateways,
            )
        })
        .collect();
    assert_eq!(
        hub_links,
        [("vnet-app1", true, true), ("vnet-app2", true, true)]
    );
    assert!(plan.vnets.iter().all(|v| v.kind != Kind::Managed));
}

#[test]
fn diff_of_a_classic_import_and_its_resource_manager_rebuild() {
    let classic = checked_plans("classic", &[], netcfg(NetcfgOptions::default()));
    let rm = checked_plans(
        "rm",
        &[],
        netcfg(NetcfgOptions {
            as_resource_manager: true,
            ..NetcfgOptions::default()
        }),
    );
    let d = diff(&classic, &rm);
    // The hub's three links stay (same names), the spokes' links are new,
    // and every imported VNet changes kind and role.
    assert!(d.removed.is_empty(), "{d:#?}");
    let added: Vec<&str> = d
        .added
        .iter()
        .filter_map(|i| match i {
            Item::Link { local, .. } => Some(local.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(added, ["contoso-core", "contoso-dr", "contoso-web"]);
    for vc in &d.changed {
        if vc.vnet == "hub" {
            continue;
        }
        assert!(vc.changes.contains(&Change::VnetKind {
            from: Kind::Classic,
            to: Kind::Managed
        }));
    }
    // The hub's links now point at Resource Manager ids: recreated.
    let hub = d
        .changed
        .iter()
        .find(|c| c.vnet == "hub")
        .expect("hub changes");
    assert_eq!(hub.changes.len(), 3);
    for c in &hub.changes {
        let Change::Link {
            remote_id: Some(id),
            ..
        } = c
        else {
            panic!("a remote id change: {c:#?}");
        };
        assert!(id.from.contains("/Microsoft.ClassicNetwork/"));
        assert!(id.to.contains("/Microsoft.Network/"));
    }
    snapshot_diff("classic-to-rm", &d);
}

#[test]
fn importers_answer_any_input_with_a_result() {
    let inputs = [
        "",
        " ",
        "<",
        "<a/>",
        "<NetworkConfiguration/>",
        "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>",
        "{}",
        "[]",
        "[1, \"x\", null]",
        "{\"value\": [{\"id\": 3}]}",
        "[{\"id\": \"/subscriptions//resourceGroups//providers/Microsoft.Network/virtualNetworks/\"}]",
        "\u{FEFF}ü\u{0}",
    ];
    for text in inputs {
        let source = Source::new("x", text, Lang::Kdl);
        for result in [
            import_netcfg(&source, &NetcfgOptions::default()),
            import_az_vnets(&source, Lang::Yaml),
        ] {
            let Err(errors) = result else {
                panic!("{text:?} imported");
            };
            assert!(
                errors.iter().any(Diagnostic::is_error),
                "{text:?}: {errors:#?}"
            );
            for e in &errors {
                assert!(e.help.is_some(), "{text:?}: no help in {e:#?}");
                if let Some(span) = e.span {
                    assert!(span.end <= text.len() && text.is_char_boundary(span.start));
                }
            }
        }
    }
}

#[test]
fn az_vnets_hub_with_uneven_links_stays_explicit_peerings() {
    let id = |n: &str| {
        format!(
            "/subscriptions/11111111-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/{n}"
        )
    };
    let peer = |name: &str, to: &str, forwarded: bool| serde_json::json!({"name": name, "remoteVirtualNetwork": {"id": id(to)}, "allowForwardedTraffic": forwarded});
    let vnet = |n: &str, prefix: &str, peerings: Vec<serde_json::Value>| {
        serde_json::json!({"id": id(n), "name": n, "location": "westeurope",
            "addressSpace": {"addressPrefixes": [prefix]}, "virtualNetworkPeerings": peerings})
    };
    let list = serde_json::json!([
        vnet(
            "hub",
            "10.0.0.0/16",
            vec![
                peer("hub-to-app-a", "app-a", false),
                peer("hub-to-app-b", "app-b", true)
            ]
        ),
        vnet(
            "app-a",
            "10.1.0.0/16",
            vec![peer("app-a-to-hub", "hub", false)]
        ),
        vnet(
            "app-b",
            "10.2.0.0/16",
            vec![peer("app-b-to-hub", "hub", false)]
        ),
    ]);
    let source = Source::new("x.json", list.to_string(), Lang::Kdl);
    let imported = import_az_vnets(&source, Lang::Kdl).expect("imports");
    let t = read_back(&imported.text, Lang::Kdl);
    // The hub's two links differ (allowForwardedTraffic), which hub-level
    // peering defaults cannot say: explicit peerings keep each link's flags.
    assert!(t.vnets.iter().all(|v| v.role == Role::Vnet));
    let forwarded: Vec<(&str, Option<bool>, Option<bool>)> = t
        .peerings
        .iter()
        .map(|p| {
            (
                p.between[1].value.as_str(),
                flag(&p.settings.allow_forwarded_traffic),
                flag(&p.reverse.allow_forwarded_traffic),
            )
        })
        .collect();
    assert_eq!(
        forwarded,
        [
            ("hub", Some(false), Some(false)),
            ("hub", Some(false), Some(true))
        ]
    );
    check("uneven", &imported.text, Lang::Kdl, &[]);
}

#[test]
fn diff_sync_commands_quote_names() {
    let old = sample_plan(false);
    let mut new = old.clone();
    for l in &mut new.links {
        if l.local == "hub-weu" && l.remote == "app1" {
            l.name = "it's $(x)".into();
        }
    }
    find_vnet(&mut new, "app1").address_space = vec!["10.1.0.0/15".into()];
    let d = diff(&old, &new);
    let Some(Change::AddressSpace { syncs, .. }) = d
        .changed
        .iter()
        .find(|c| c.vnet == "app1")
        .and_then(|c| c.changes.first())
    else {
        panic!("an address-space change: {d:#?}");
    };
    assert!(
        syncs[0].az.ends_with("-n 'it'\\''s $(x)'"),
        "{}",
        syncs[0].az
    );
    assert!(
        syncs[0].pwsh.contains("-Name 'it''s $(x)'"),
        "{}",
        syncs[0].pwsh
    );
}
