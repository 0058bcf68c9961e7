//! `azmesh import netcfg`: a classic NetworkConfiguration XML -> topology.
//!
//! In: the netcfg XML (namespace
//! `http://schemas.microsoft.com/ServiceHosting/2011/07/NetworkConfiguration`,
//! elements matched by local name). Out: a topology in which every
//! `VirtualNetworkSite` is a VNet (address space, subnets, DNS servers),
//! every `LocalNetworkSite` a `site`, gateways noted, and either
//!
//! - classic mode (default): the VNets stay `classic=#true` and each is
//!   peered to a Resource Manager hub with an explicit `peering "HUB" "X"`.
//!   Not as spokes: a spoke's link towards its hub lives on the spoke, and a
//!   classic VNet can hold no link; with an explicit peering only the hub's
//!   side is created. DNS servers and subnets of a classic VNet are
//!   comments (azmesh never changes it). The hub has no gateway, so there is no gateway
//!   transit (a classic VNet cannot set useRemoteGateways); classic
//!   gateways are noted in comments, never written (AZM031);
//! - `--as-resource-manager`: Resource Manager spokes with the same
//!   addresses around the hub; a classic `Gateway` becomes a `gateway`
//!   when the VNet has a GatewaySubnet.

use std::collections::BTreeMap;

use ipnet::{IpNet, Ipv4Net};
use roxmltree::{Document, Node};

use super::emit::{
    Draft, DraftGateway, DraftPeering, DraftRole, DraftSite, DraftSubscription, DraftVnet, emit,
};
use super::{Imported, PLACEHOLDER_SUBSCRIPTION_ID, topology_name};
use crate::diagnostic::{Code, Diagnostic, Level, did_you_mean};
use crate::source::{Lang, Source, Span};

/// The namespace of a netcfg file.
pub const NETCFG_NAMESPACE: &str =
    "http://schemas.microsoft.com/ServiceHosting/2011/07/NetworkConfiguration";

/// The resource group the classic tools put classic VNets in.
const CLASSIC_RESOURCE_GROUP: &str = "Default-Networking";
/// The resource group written for Resource Manager VNets.
const RM_RESOURCE_GROUP: &str = "rg-network";

/// How `azmesh import netcfg` imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetcfgOptions {
    /// `--hub NAME`: the Resource Manager hub (default `hub`). With
    /// `as_resource_manager` it may name an imported VNet, which then is the hub.
    pub hub: Option<String>,
    /// `--lang kdl|yaml`: the language written.
    pub lang: Lang,
    /// `--as-resource-manager`: rebuild the VNets as Resource Manager VNets.
    pub as_resource_manager: bool,
    /// `--location REGION`: the region of VNets that give only an `AffinityGroup`.
    pub location: Option<String>,
}

impl Default for NetcfgOptions {
    fn default() -> Self {
        NetcfgOptions {
            hub: None,
            lang: Lang::Kdl,
            as_resource_manager: false,
            location: None,
        }
    }
}

/// Imports a netcfg XML file: `azmesh import netcfg FILE.xml [--hub NAME]
/// [--lang kdl|yaml] [--as-resource-manager] [--location REGION]`
/// (`-o FILE` / `--force` are the caller's: this returns the text).
///
/// # Errors
///
/// Malformed XML (AZM002 at its line:col), a missing name or address space,
/// an unknown DNS server reference, a VNet with only an `AffinityGroup`
/// and no `--location` (AZM013 at the attribute), a `--hub` that clashes
/// with a classic VNet: every error found, with the warnings.
pub fn import_netcfg(source: &Source, opts: &NetcfgOptions) -> Result<Imported, Vec<Diagnostic>> {
    let doc = match Document::parse(&source.text) {
        Ok(doc) => doc,
        Err(e) => return Err(vec![xml_error(source, &e)]),
    };
    let mut reader = Reader {
        source,
        opts,
        diags: Vec::new(),
    };
    let config = reader.read(&doc);
    let draft = config
        .filter(|_| !reader.diags.iter().any(Diagnostic::is_error))
        .and_then(|c| reader.draft(&c));
    let Reader { mut diags, .. } = reader;
    crate::diagnostic::normalize(&mut diags);
    match draft {
        Some(draft) if !diags.iter().any(Diagnostic::is_error) => Ok(Imported {
            text: emit(&draft, opts.lang),
            diagnostics: diags,
        }),
        _ => Err(diags),
    }
}

fn xml_error(source: &Source, e: &roxmltree::Error) -> Diagnostic {
    let start = match e {
        roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => {
            source.text.trim_end().len()
        }
        _ => {
            let pos = e.pos();
            source.offset_of(pos.row as usize, pos.col as usize)
        }
    };
    let end = source
        .text
        .get(start..)
        .and_then(|t| t.chars().next())
        .map_or(start, |c| start + c.len_utf8());
    // The position is the diagnostic's own; drop roxmltree's ` at L:C`.
    let message = e.to_string();
    let message = match message.rsplit_once(" at ") {
        Some((m, pos)) if pos.split(':').all(|n| n.parse::<u32>().is_ok()) => m.to_string(),
        _ => message,
    };
    Diagnostic::new(
        Code::Syntax,
        Span::new(start, end),
        format!("the netcfg file is not well-formed XML: {message}"),
    )
    .with_help("fix the XML here (export it again with `Get-AzureVNetConfig -ExportToFile` if it was edited by hand)")
}

/// A value read from the XML and where.
#[derive(Debug, Clone)]
struct At {
    value: String,
    span: Span,
}

#[derive(Debug)]
struct Config {
    vnets: Vec<NetVnet>,
    sites: Vec<NetSite>,
}

#[derive(Debug)]
struct NetVnet {
    name: At,
    line: usize,
    /// The Azure region, and a note when it was converted or given by flag.
    location: String,
    location_note: Option<String>,
    address_space: Vec<At>,
    subnets: Vec<(String, Vec<String>)>,
    dns_servers: Vec<String>,
    dns_names: Vec<String>,
    gateway: Option<NetGateway>,
}

#[derive(Debug)]
struct NetGateway {
    span: Span,
    line: usize,
    /// `(local site, connection type)`.
    connections: Vec<(String, String)>,
}

impl NetGateway {
    /// `vpn`, or `expressroute` when every connection is `Dedicated`.
    fn kind(&self) -> &'static str {
        if !self.connections.is_empty()
            && self
                .connections
                .iter()
                .all(|(_, t)| t.eq_ignore_ascii_case("Dedicated"))
        {
            "expressroute"
        } else {
            "vpn"
        }
    }
}

#[derive(Debug)]
struct NetSite {
    name: At,
    line: usize,
    address_space: Vec<At>,
    gateway_address: Option<String>,
}

struct Reader<'a> {
    source: &'a Source,
    opts: &'a NetcfgOptions,
    diags: Vec<Diagnostic>,
}

fn elements<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn element<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    elements(node, name).next()
}

impl Reader<'_> {
    fn line(&self, node: Node) -> usize {
        self.source.line_col(node.range().start).0
    }

    /// The span of an element's start tag name (`<Gateway`).
    fn tag_span(&self, node: Node) -> Span {
        let start = node.range().start;
        let rest = self.source.text.get(start..).unwrap_or("");
        let len = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c.is_whitespace() || c == '>' || c == '/')
            .map_or(rest.len(), |(i, _)| i);
        Span::new(start, start + len)
    }

    fn attr(&self, node: Node, name: &str) -> Option<At> {
        let a = node.attribute_node(name)?;
        let r = a.range_value();
        Some(At {
            value: a.value().trim().to_string(),
            span: Span::new(r.start, r.end),
        })
    }

    /// The `name` attribute, or an error at the element.
    fn name(&mut self, node: Node, what: &str) -> Option<At> {
        match self.attr(node, "name") {
            Some(a) if !a.value.is_empty() => Some(a),
            _ => {
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingValue,
                        self.tag_span(node),
                        format!("this {what} has no name"),
                    )
                    .with_help(format!("add a `name=\"...\"` attribute to the {what}")),
                );
                None
            }
        }
    }

    /// The trimmed text of an element.
    fn text(&self, node: Node) -> At {
        let range = node
            .first_child()
            .filter(Node::is_text)
            .map_or(node.range(), |t| t.range());
        let raw = self.source.text.get(range.clone()).unwrap_or("");
        let lead = raw.len() - raw.trim_start().len();
        let value = node.text().unwrap_or("").trim().to_string();
        let start = range.start + lead;
        let end = if node.first_child().is_some_and(|c| c.is_text()) {
            start + raw.trim().len()
        } else {
            range.end
        };
        At {
            value,
            span: Span::new(start, end),
        }
    }

    /// `AddressSpace/AddressPrefix` of a site or VNet, each checked to parse.
    fn prefixes(&mut self, node: Node, owner: &str) -> Vec<At> {
        let mut out = Vec::new();
        for space in elements(node, "AddressSpace") {
            for p in elements(space, "AddressPrefix") {
                let at = self.text(p);
                if at.value.parse::<IpNet>().is_err() {
                    self.diags.push(
                        Diagnostic::new(
                            Code::InvalidPrefix,
                            at.span,
                            format!("`{}` in {owner} is not an address prefix", at.value),
                        )
                        .with_help("write a prefix in CIDR form, e.g. `10.1.0.0/16`"),
                    );
                } else {
                    out.push(at);
                }
            }
        }
        out
    }

    fn read(&mut self, doc: &Document) -> Option<Config> {
        let root = doc.root_element();
        if root.tag_name().name() != "NetworkConfiguration" {
            self.diags.push(
                Diagnostic::new(
                    Code::UnknownField,
                    self.tag_span(root),
                    format!(
                        "the root element is `{}`, not `NetworkConfiguration`",
                        root.tag_name().name()
                    ),
                )
                .with_help("pass the file written by `Get-AzureVNetConfig -ExportToFile` (or `azure network export`)"),
            );
            return None;
        }
        if root.tag_name().namespace() != Some(NETCFG_NAMESPACE) {
            self.diags.push(
                Diagnostic::new(
                    Code::UnknownField,
                    self.tag_span(root),
                    "the NetworkConfiguration element is not in the netcfg namespace",
                )
                .with_level(Level::Warning)
                .with_help(format!(
                    "netcfg files declare `xmlns=\"{NETCFG_NAMESPACE}\"`; the file is read anyway"
                )),
            );
        }
        let Some(config) = element(root, "VirtualNetworkConfiguration") else {
            self.diags.push(
                Diagnostic::new(
                    Code::MissingValue,
                    self.tag_span(root),
                    "the file has no VirtualNetworkConfiguration",
                )
                .with_help("a netcfg file holds `<VirtualNetworkConfiguration>` with `<VirtualNetworkSites>`"),
            );
            return None;
        };
        let dns = self.dns_servers(config);
        let sites = element(config, "LocalNetworkSites")
            .map(|s| {
                elements(s, "LocalNetworkSite")
                    .filter_map(|n| self.site(n))
                    .collect()
            })
            .unwrap_or_default();
        let mut vnets: Vec<NetVnet> = Vec::new();
        if let Some(list) = element(config, "VirtualNetworkSites") {
            for node in elements(list, "VirtualNetworkSite") {
                if let Some(vnet) = self.vnet(node, &dns) {
                    if let Some(first) = vnets.iter().find(|v| v.name.value == vnet.name.value) {
                        self.diags.push(
                            Diagnostic::new(
                                Code::DuplicateName,
                                vnet.name.span,
                                format!(
                                    "VirtualNetworkSite `{}` is defined twice",
                                    vnet.name.value
                                ),
                            )
                            .with_related(first.name.span, "first defined here")
                            .with_help("remove or rename one of them"),
                        );
                    } else {
                        vnets.push(vnet);
                    }
                }
            }
        }
        Some(Config { vnets, sites })
    }

    /// `Dns/DnsServers/DnsServer@name,@IPAddress`, by name.
    fn dns_servers(&mut self, config: Node) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let servers = element(config, "Dns")
            .and_then(|d| element(d, "DnsServers"))
            .into_iter()
            .flat_map(|s| elements(s, "DnsServer"));
        for server in servers {
            let Some(name) = self.name(server, "DnsServer") else {
                continue;
            };
            match self.attr(server, "IPAddress") {
                Some(ip) if !ip.value.is_empty() => {
                    out.insert(name.value, ip.value);
                }
                _ => self.diags.push(
                    Diagnostic::new(
                        Code::MissingValue,
                        name.span,
                        format!("DNS server `{}` has no IPAddress", name.value),
                    )
                    .with_help("add `IPAddress=\"...\"` to the DnsServer element"),
                ),
            }
        }
        out
    }

    fn site(&mut self, node: Node) -> Option<NetSite> {
        let name = self.name(node, "LocalNetworkSite")?;
        let address_space = self.prefixes(node, &format!("local network site `{}`", name.value));
        let gateway_address = element(node, "VPNGatewayAddress")
            .map(|n| self.text(n).value)
            .filter(|a| !a.is_empty());
        Some(NetSite {
            line: self.line(node),
            name,
            address_space,
            gateway_address,
        })
    }

    fn vnet(&mut self, node: Node, dns: &BTreeMap<String, String>) -> Option<NetVnet> {
        let name = self.name(node, "VirtualNetworkSite")?;
        let (location, location_note) = self
            .location(node, &name)
            .unwrap_or_else(|| (String::new(), None));
        let owner = format!("VirtualNetworkSite `{}`", name.value);
        let address_space = self.prefixes(node, &owner);
        let written = elements(node, "AddressSpace")
            .flat_map(|a| elements(a, "AddressPrefix"))
            .count();
        if written == 0 {
            self.diags.push(
                Diagnostic::new(
                    Code::MissingValue,
                    name.span,
                    format!("{owner} has no address prefix"),
                )
                .with_help(
                    "add `<AddressSpace><AddressPrefix>10.1.0.0/16</AddressPrefix></AddressSpace>`",
                ),
            );
        }
        let mut subnets = Vec::new();
        for subnet in element(node, "Subnets")
            .into_iter()
            .flat_map(|s| elements(s, "Subnet"))
        {
            let Some(subnet_name) = self.name(subnet, "Subnet") else {
                continue;
            };
            let prefixes: Vec<String> = elements(subnet, "AddressPrefix")
                .map(|p| self.text(p).value)
                .collect();
            if prefixes.is_empty() {
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingValue,
                        subnet_name.span,
                        format!(
                            "subnet `{}` of {owner} has no AddressPrefix",
                            subnet_name.value
                        ),
                    )
                    .with_help("add `<AddressPrefix>...</AddressPrefix>` inside the Subnet"),
                );
                continue;
            }
            subnets.push((subnet_name.value, prefixes));
        }
        let mut dns_servers = Vec::new();
        let mut dns_names = Vec::new();
        for r in element(node, "DnsServersRef")
            .into_iter()
            .flat_map(|d| elements(d, "DnsServerRef"))
        {
            let Some(ref_name) = self.name(r, "DnsServerRef") else {
                continue;
            };
            if let Some(ip) = dns.get(&ref_name.value) {
                dns_servers.push(ip.clone());
                dns_names.push(ref_name.value);
            } else {
                let mut d = Diagnostic::new(
                    Code::UnknownReference,
                    ref_name.span,
                    format!(
                        "DNS server `{}` is not defined under Dns/DnsServers",
                        ref_name.value
                    ),
                );
                d = match did_you_mean(&ref_name.value, dns.keys().map(String::as_str)) {
                    Some(m) => d.with_help(format!("did you mean `{m}`?")),
                    None => d.with_help(
                        "add a `<DnsServer name=\"...\" IPAddress=\"...\"/>` under Dns/DnsServers",
                    ),
                };
                self.diags.push(d);
            }
        }
        let gateway = element(node, "Gateway").map(|g| NetGateway {
            span: self.tag_span(g),
            line: self.line(g),
            connections: element(g, "ConnectionsToLocalNetwork")
                .into_iter()
                .flat_map(|c| elements(c, "LocalNetworkSiteRef"))
                .filter_map(|r| {
                    let site = r.attribute("name")?.to_string();
                    let kind = element(r, "Connection")
                        .and_then(|c| c.attribute("type"))
                        .unwrap_or("IPsec")
                        .to_string();
                    Some((site, kind))
                })
                .collect(),
        });
        Some(NetVnet {
            line: self.line(node),
            name,
            location,
            location_note,
            address_space,
            subnets,
            dns_servers,
            dns_names,
            gateway,
        })
    }

    /// The region: `Location` (display names become region names), else
    /// `--location` for an `AffinityGroup`-only VNet.
    fn location(&mut self, node: Node, name: &At) -> Option<(String, Option<String>)> {
        if let Some(loc) = self.attr(node, "Location").filter(|l| !l.value.is_empty()) {
            let region: String = loc
                .value
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            let note =
                (region != loc.value).then(|| format!("Location \"{}\" in netcfg", loc.value));
            return Some((region, note));
        }
        let group = self
            .attr(node, "AffinityGroup")
            .filter(|g| !g.value.is_empty());
        match (&self.opts.location, group) {
            (Some(location), group) => {
                let note = match group {
                    Some(g) => format!(
                        "affinity group \"{}\" in netcfg; location from --location",
                        g.value
                    ),
                    None => "no location in netcfg; location from --location".to_string(),
                };
                Some((location.clone(), Some(note)))
            }
            (None, Some(group)) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::NoDefault,
                        group.span,
                        format!(
                            "VirtualNetworkSite `{}` gives only the affinity group `{}`, not a location",
                            name.value, group.value
                        ),
                    )
                    .with_label("an affinity group is not a region")
                    .with_help("pass the affinity group's region with `--location REGION`, e.g. `--location westeurope`"),
                );
                None
            }
            (None, None) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::NoDefault,
                        name.span,
                        format!("VirtualNetworkSite `{}` has no Location", name.value),
                    )
                    .with_help("add `Location=\"West Europe\"` to it or pass `--location REGION`"),
                );
                None
            }
        }
    }

    fn placeholder(&mut self, alias: &str, what: &str) -> DraftSubscription {
        self.diags.push(
            Diagnostic::new(
                Code::MissingValue,
                None,
                format!("netcfg names no subscription: `{alias}` ({what}) is written with the placeholder id {PLACEHOLDER_SUBSCRIPTION_ID}"),
            )
            .with_level(Level::Warning)
            .with_help(format!("replace the id of subscription `{alias}` in the imported topology with the real subscription id")),
        );
        DraftSubscription {
            comments: vec![format!(
                "PLACEHOLDER: netcfg has no subscription id; fill in the id of {what}"
            )],
            alias: alias.to_string(),
            id: PLACEHOLDER_SUBSCRIPTION_ID.to_string(),
        }
    }

    fn draft(&mut self, config: &Config) -> Option<Draft> {
        let hub_name = self.opts.hub.clone().unwrap_or_else(|| "hub".to_string());
        let hub_is_imported = config.vnets.iter().find(|v| v.name.value == hub_name);
        if let (Some(v), false) = (hub_is_imported, self.opts.as_resource_manager) {
            self.diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    v.name.span,
                    format!("the hub `{hub_name}` has the name of a classic VNet"),
                )
                .with_help("a classic VNet cannot be the hub (it holds no peering link): pass another `--hub NAME`, or `--as-resource-manager` to rebuild it as the Resource Manager hub"),
            );
            return None;
        }
        let mut draft = Draft {
            name: topology_name(&self.source.name),
            ..Draft::default()
        };
        draft.header.push(format!(
            "Imported by `azmesh import netcfg` from {}.",
            self.source.name
        ));
        // The hub's region: the most common one among the imported VNets.
        let mut regions: BTreeMap<&str, usize> = BTreeMap::new();
        for v in &config.vnets {
            *regions.entry(v.location.as_str()).or_default() += 1;
        }
        let hub_location = config
            .vnets
            .iter()
            .map(|v| v.location.as_str())
            .max_by_key(|l| (regions.get(l).copied().unwrap_or(0), std::cmp::Reverse(*l)))
            .map(str::to_string)
            .or_else(|| self.opts.location.clone())
            .unwrap_or_else(|| "westeurope".to_string());
        draft.default_location = Some(hub_location.clone());

        let rm = self.opts.as_resource_manager;
        let (vnet_alias, hub_alias) = if rm {
            ("subscription", "subscription")
        } else {
            ("classic-subscription", "hub-subscription")
        };
        if rm {
            let s = self.placeholder(vnet_alias, "the subscription the VNets are rebuilt in");
            draft.subscriptions.push(s);
            draft.header.push(
                "The VNets are rebuilt as Resource Manager VNets with the same addresses, subnets and DNS servers.".to_string(),
            );
        } else {
            let s = self.placeholder(vnet_alias, "the subscription that holds the classic VNets");
            draft.subscriptions.push(s);
            let s = self.placeholder(hub_alias, "the subscription of the Resource Manager hub");
            draft.subscriptions.push(s);
            draft.header.push(format!(
                "The VNets stay classic and are peered to the Resource Manager hub \"{hub_name}\": only the hub's side gets a link."
            ));
            draft.header.push(
                "They are explicit peerings, not spokes: a spoke's link to its hub would live on the classic VNet, which can hold none.".to_string(),
            );
        }

        if hub_is_imported.is_none() {
            let space = free_hub_space(config);
            let Some(space) = space else {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidPrefix,
                        None,
                        "no /16 in 10.0.0.0/8 is free for the hub's placeholder address space",
                    )
                    .with_help("pass `--hub NAME` with `--as-resource-manager` to make an imported VNet the hub"),
                );
                return None;
            };
            let mut hub = DraftVnet::new(hub_name.clone(), DraftRole::Hub);
            hub.comments.push(
                "Resource Manager hub (not in netcfg). Placeholder address space: the first /16 in 10.0.0.0/8 that overlaps no imported range; change it if it is used elsewhere."
                    .to_string(),
            );
            hub.location = Some(hub_location);
            hub.subscription = Some(hub_alias.to_string());
            hub.resource_group = Some(RM_RESOURCE_GROUP.to_string());
            hub.address_space = vec![space.to_string()];
            draft.vnets.push(hub);
        }

        for v in &config.vnets {
            let is_hub = v.name.value == hub_name;
            let role = if !rm {
                DraftRole::Vnet
            } else if is_hub {
                DraftRole::Hub
            } else {
                DraftRole::Spoke(hub_name.clone())
            };
            let mut d = DraftVnet::new(v.name.value.clone(), role);
            d.comments.push(format!(
                "from netcfg VirtualNetworkSite \"{}\" (line {})",
                v.name.value, v.line
            ));
            if let Some(note) = &v.location_note {
                d.comments.push(note.clone());
            }
            if !v.dns_names.is_empty() {
                d.comments
                    .push(format!("DNS servers: {}", v.dns_names.join(", ")));
            }
            d.location = Some(v.location.clone());
            d.subscription = Some(vnet_alias.to_string());
            d.address_space = v.address_space.iter().map(|a| a.value.clone()).collect();
            d.dns_servers = v.dns_servers.clone();
            d.subnets = v.subnets.clone();
            if rm {
                d.resource_group = Some(RM_RESOURCE_GROUP.to_string());
            } else {
                d.classic = true;
                d.resource_group = Some(CLASSIC_RESOURCE_GROUP.to_string());
                d.reference_only = Some(
                    "from netcfg, for reference: azmesh never changes a classic VNet".to_string(),
                );
            }
            if let Some(g) = &v.gateway {
                self.gateway(&mut d, v, g);
            }
            draft.vnets.push(d);
            if !rm {
                draft.peerings.push(DraftPeering {
                    comments: vec![format!(
                        "{hub_name} -> {} only ({} is classic); no gateway transit: a classic VNet cannot use a remote gateway",
                        v.name.value, v.name.value
                    )],
                    a: hub_name.clone(),
                    b: v.name.value.clone(),
                    ..DraftPeering::default()
                });
            }
        }

        for s in &config.sites {
            let connected: Vec<&str> = config
                .vnets
                .iter()
                .filter(|v| {
                    v.gateway
                        .as_ref()
                        .is_some_and(|g| g.connections.iter().any(|(n, _)| *n == s.name.value))
                })
                .map(|v| v.name.value.as_str())
                .collect();
            let mut site = DraftSite {
                comments: vec![format!(
                    "from netcfg LocalNetworkSite \"{}\" (line {})",
                    s.name.value, s.line
                )],
                name: s.name.value.clone(),
                address_space: s.address_space.iter().map(|a| a.value.clone()).collect(),
                hub: None,
                gateway_address: s.gateway_address.clone(),
            };
            if rm && connected.contains(&hub_name.as_str()) {
                site.hub = Some(hub_name.clone());
            } else if !connected.is_empty() {
                site.comments.push(format!(
                    "connected in netcfg through the gateway of {}",
                    connected.join(", ")
                ));
            }
            draft.sites.push(site);
        }
        Some(draft)
    }

    /// A classic gateway: a comment (classic mode), or a Resource Manager
    /// gateway when the VNet has a GatewaySubnet.
    fn gateway(&mut self, d: &mut DraftVnet, v: &NetVnet, g: &NetGateway) {
        let sites: Vec<String> = g
            .connections
            .iter()
            .map(|(s, t)| format!("{s} ({t})"))
            .collect();
        let to = if sites.is_empty() {
            "no local site".to_string()
        } else {
            sites.join(", ")
        };
        d.comments
            .push(format!("netcfg Gateway (line {}) connects to {to}", g.line));
        if !self.opts.as_resource_manager {
            d.comments.push(
                "the classic gateway is not written: a gateway used over the peering must be on the Resource Manager side (AZM031)".to_string(),
            );
            self.diags.push(
                Diagnostic::new(
                    Code::ClassicGateway,
                    g.span,
                    format!("the gateway of classic VNet `{}` is not imported", v.name.value),
                )
                .with_level(Level::Warning)
                .with_help("its on-premises connections stay on the classic side; to move them, add a gateway to the Resource Manager hub"),
            );
            return;
        }
        let has_subnet = v.subnets.iter().any(|(n, _)| n == "GatewaySubnet");
        if !has_subnet {
            d.comments
                .push("no GatewaySubnet in netcfg: the gateway is not written".to_string());
            self.diags.push(
                Diagnostic::new(
                    Code::GatewayWithoutSubnet,
                    g.span,
                    format!("VNet `{}` has a Gateway but no GatewaySubnet: the gateway is not imported", v.name.value),
                )
                .with_level(Level::Warning)
                .with_help("add a `subnet \"GatewaySubnet\" \"PREFIX\"` (/27 recommended) and a `gateway` to the imported VNet"),
            );
            return;
        }
        let kind = g.kind();
        let sku = if kind == "vpn" { "VpnGw1AZ" } else { "ErGw1AZ" };
        d.comments.push(format!(
            "gateway SKU {sku} is a choice: netcfg does not record one"
        ));
        self.diags.push(
            Diagnostic::new(
                Code::MissingValue,
                g.span,
                format!(
                    "netcfg gives no SKU for the gateway of `{}`: {sku} is written",
                    v.name.value
                ),
            )
            .with_level(Level::Warning)
            .with_help("set the gateway's `sku` in the imported topology to the size you need"),
        );
        d.gateway = Some(DraftGateway {
            name: format!("vgw-{}", v.name.value),
            kind: kind.to_string(),
            sku: sku.to_string(),
        });
    }
}

/// The first /16 in 10.0.0.0/8 that overlaps no imported VNet or site prefix.
fn free_hub_space(config: &Config) -> Option<Ipv4Net> {
    let used: Vec<Ipv4Net> = config
        .vnets
        .iter()
        .flat_map(|v| v.address_space.iter())
        .chain(config.sites.iter().flat_map(|s| s.address_space.iter()))
        .filter_map(|a| match a.value.parse::<IpNet>() {
            Ok(IpNet::V4(n)) => Some(n.trunc()),
            _ => None,
        })
        .collect();
    (0u8..=255)
        .filter_map(|i| Ipv4Net::new(std::net::Ipv4Addr::new(10, i, 0, 0), 16).ok())
        .find(|c| {
            used.iter()
                .all(|u| !c.contains(&u.network()) && !u.contains(&c.network()))
        })
}
