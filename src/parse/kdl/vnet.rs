//! `hub`, `spoke` and `vnet` nodes and their children.
//!
//! In: one VNet node. Out: a `model::Vnet`, or `None` when the node has no
//! usable name (the problem is reported; nothing can refer to it).

use std::collections::BTreeMap;

use ::kdl::KdlNode;

use super::Mapper;
use super::settings::SETTINGS;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Firewall, Gateway, Role, RouteServer, Subnet, Vnet};

/// Properties every VNet takes.
const VNET_PROPS: [&str; 6] = [
    "location",
    "subscription",
    "resource-group",
    "existing",
    "classic",
    "id",
];

/// Child nodes of a VNet.
const VNET_CHILDREN: [&str; 8] = [
    "address-space",
    "dns-servers",
    "subnet",
    "gateway",
    "route-server",
    "firewall",
    "peering-defaults",
    "tags",
];

impl Mapper<'_> {
    /// `hub "NAME" ...`, `spoke "NAME" hub="HUB" ...` or `vnet "NAME" ...`.
    pub(super) fn vnet(&mut self, node: &KdlNode) -> Option<Vnet> {
        let keyword = node.name().value();
        let is_spoke = keyword == "spoke";
        let usage = if is_spoke {
            "spoke \"NAME\" hub=\"HUB\" { ... }".to_owned()
        } else {
            format!("{keyword} \"NAME\" {{ ... }}")
        };
        let name = self.name_arg(node, &usage);
        self.extra_args(node, 1, &usage);

        let mut known: Vec<&str> = VNET_PROPS.to_vec();
        if is_spoke {
            known.push("hub");
            known.extend(SETTINGS);
        }
        self.check_props(node, &known, |key| wrong_place_hint(keyword, key));

        let role = match keyword {
            "hub" => Role::Hub,
            "spoke" => Role::Spoke {
                hub: self.prop_str(node, "hub"),
            },
            _ => Role::Vnet,
        };
        let mut vnet = Vnet::new(name.clone().unwrap_or_default(), role, self.node_span(node));
        vnet.location = self.prop_str(node, "location");
        vnet.subscription = self.prop_str(node, "subscription");
        vnet.resource_group = self.prop_str(node, "resource-group");
        vnet.existing = self.prop_flag(node, "existing");
        vnet.classic = self.prop_flag(node, "classic");
        vnet.id = self.prop_str(node, "id");
        if is_spoke {
            self.settings_from_props(node, &mut vnet.spoke_link);
        }
        let place = match &name {
            Some(n) => format!("in {keyword} `{}`", n.value),
            None => format!("in `{keyword}`"),
        };
        self.vnet_children(node, &mut vnet, &place);
        name.map(|_| vnet)
    }

    /// The `{ ... }` block of a VNet.
    fn vnet_children(&mut self, node: &KdlNode, vnet: &mut Vnet, place: &str) {
        let keyword = node.name().value();
        let mut seen = BTreeMap::new();
        for child in Self::children(node) {
            match child.name().value() {
                "address-space" => {
                    let prefixes = self.string_args(child, "address-space \"10.0.0.0/16\"");
                    self.check_props(child, &[], |_| None);
                    self.no_children(child);
                    vnet.address_space.extend(prefixes);
                }
                "dns-servers" => {
                    let servers = self.string_args(child, "dns-servers \"10.0.0.4\"");
                    self.check_props(child, &[], |_| None);
                    self.no_children(child);
                    vnet.dns_servers.extend(servers);
                }
                "subnet" => {
                    if let Some(subnet) = self.subnet(child) {
                        vnet.subnets.push(subnet);
                    }
                }
                "gateway" => {
                    let gateway = self.gateway(child);
                    if self.first_of_kind(&mut seen, child) {
                        vnet.gateway = gateway;
                    }
                }
                "route-server" => {
                    let route_server = self.route_server(child);
                    if self.first_of_kind(&mut seen, child) {
                        vnet.route_server = route_server;
                    }
                }
                "firewall" => {
                    let firewall = self.firewall(child);
                    if self.first_of_kind(&mut seen, child) {
                        vnet.firewall = firewall;
                    }
                }
                "peering-defaults" => {
                    let settings = self.settings_block(child);
                    if self.first_of_kind(&mut seen, child) {
                        vnet.peering_defaults = settings;
                    }
                }
                "tags" => {
                    let tags = self.tags(child);
                    vnet.tags.extend(tags);
                }
                setting if SETTINGS.contains(&setting) => {
                    self.setting_in_vnet(child, keyword, place);
                }
                _ => self.unknown_node(child, place, &VNET_CHILDREN),
            }
        }
    }

    /// A peering setting written directly in a VNet's block: AZM003 that
    /// says where it goes.
    fn setting_in_vnet(&mut self, child: &KdlNode, keyword: &str, place: &str) {
        let setting = child.name().value();
        let mut help = format!("write it in a block: `peering-defaults {{ {setting} #true }}`");
        if keyword == "spoke" {
            help.push_str(&format!(
                ", or, for the link to the hub only, as a property: `spoke \"NAME\" {setting}=#true`"
            ));
        }
        self.push(
            Diagnostic::new(
                Code::UnknownField,
                Self::name_span(child),
                format!("peering setting `{setting}` is not a child node {place}"),
            )
            .with_label("not expected here")
            .with_help(help),
        );
    }

    /// `subnet "NAME" "PREFIX" ...`.
    fn subnet(&mut self, node: &KdlNode) -> Option<Subnet> {
        const USAGE: &str = "subnet \"NAME\" \"10.0.0.0/24\"";
        self.check_props(node, &[], |_| None);
        self.no_children(node);
        let name = self.name_arg(node, USAGE)?;
        let prefixes: Vec<_> = Self::args(node)
            .into_iter()
            .skip(1)
            .filter_map(|entry| self.string(entry, "a subnet prefix"))
            .collect();
        if Self::args(node).len() < 2 {
            self.missing(
                name.span,
                format!("subnet `{}` needs an address prefix", name.value),
                USAGE,
            );
        }
        Some(Subnet {
            name,
            prefixes,
            span: self.node_span(node),
        })
    }

    /// `gateway "NAME" type="vpn" sku="VpnGw1"`.
    fn gateway(&mut self, node: &KdlNode) -> Option<Gateway> {
        const USAGE: &str = "gateway \"NAME\" type=\"vpn\" sku=\"VpnGw1\"";
        self.check_props(node, &["type", "sku"], |_| None);
        self.extra_args(node, 1, USAGE);
        self.no_children(node);
        let name = self.name_arg(node, USAGE);
        let kind = self.prop_str(node, "type");
        let sku = self.prop_str(node, "sku");
        Some(Gateway {
            name: name?,
            kind,
            sku,
            span: self.node_span(node),
        })
    }

    /// `route-server "NAME"`.
    fn route_server(&mut self, node: &KdlNode) -> Option<RouteServer> {
        const USAGE: &str = "route-server \"NAME\"";
        self.check_props(node, &[], |_| None);
        self.extra_args(node, 1, USAGE);
        self.no_children(node);
        let name = self.name_arg(node, USAGE)?;
        Some(RouteServer {
            name,
            span: self.node_span(node),
        })
    }

    /// `firewall "NAME" private-ip="IP" default-route=#true`.
    fn firewall(&mut self, node: &KdlNode) -> Option<Firewall> {
        const USAGE: &str = "firewall \"NAME\" private-ip=\"10.0.1.4\"";
        self.check_props(node, &["private-ip", "default-route"], |_| None);
        self.extra_args(node, 1, USAGE);
        self.no_children(node);
        let name = self.name_arg(node, USAGE);
        let private_ip = self.prop_str(node, "private-ip");
        let default_route = self.prop_flag(node, "default-route");
        Some(Firewall {
            name: name?,
            private_ip,
            default_route,
            span: self.node_span(node),
        })
    }
}

/// Help for a property that is valid on another VNet kind.
fn wrong_place_hint(keyword: &str, key: &str) -> Option<String> {
    if SETTINGS.contains(&key) {
        return Some(format!(
            "peering settings are properties of a spoke only; on a {keyword}, \
             write them in a block: `peering-defaults {{ {key} #true }}`"
        ));
    }
    if key == "hub" {
        return Some(format!(
            "only a `spoke` names its hub; write `spoke \"NAME\" hub=\"HUB\"` \
             instead of `{keyword}`"
        ));
    }
    None
}
