//! The typed source model: what the KDL and YAML readers produce.
//!
//! In: nothing (plain data). Out: a `Topology` that mirrors
//! `design/language.md` one to one. Every written value keeps its span; no
//! value is checked here beyond its syntax type (strings stay strings, so
//! `resolve` can point at a bad prefix). A reader fills what it found and
//! leaves the rest `None` / empty; defaults are applied later.

use crate::source::Span;
use crate::spanned::Spanned;

pub type Name = Spanned<String>;
pub type Text = Spanned<String>;
pub type Flag = Option<Spanned<bool>>;

/// One estate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Topology {
    /// `topology "NAME"` / `topology: NAME`.
    pub name: Option<Name>,
    pub defaults: Defaults,
    pub subscriptions: Vec<Subscription>,
    /// Hubs, spokes and plain VNets, in source order.
    pub vnets: Vec<Vnet>,
    pub meshes: Vec<Mesh>,
    pub peerings: Vec<Peering>,
    pub sites: Vec<Site>,
    pub tags: Vec<Tag>,
}

impl Topology {
    /// The model with every node span (the plain `span: Span` fields)
    /// cleared. `Spanned` values already compare without their spans; with
    /// this, a KDL and a YAML twin of one estate compare equal.
    #[must_use]
    pub fn without_spans(mut self) -> Topology {
        self.defaults.span = Span::default();
        self.subscriptions
            .iter_mut()
            .for_each(|x| x.span = Span::default());
        self.meshes
            .iter_mut()
            .for_each(|x| x.span = Span::default());
        self.peerings
            .iter_mut()
            .for_each(|x| x.span = Span::default());
        self.sites.iter_mut().for_each(|x| x.span = Span::default());
        for v in &mut self.vnets {
            v.span = Span::default();
            v.subnets.iter_mut().for_each(|x| x.span = Span::default());
            if let Some(x) = &mut v.gateway {
                x.span = Span::default();
            }
            if let Some(x) = &mut v.route_server {
                x.span = Span::default();
            }
            if let Some(x) = &mut v.firewall {
                x.span = Span::default();
            }
        }
        self
    }
}

/// `defaults ...` / `defaults: {...}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Defaults {
    pub location: Option<Text>,
    pub subscription: Option<Name>,
    pub resource_group: Option<Name>,
    /// `public` (default), `china` or `usgov`.
    pub cloud: Option<Text>,
    /// Microsoft.Network API version for every output (addition to the v1 language).
    /// KDL `api-version=`, YAML `apiVersion`.
    pub api_version: Option<Text>,
    /// Peering links allowed per VNet (addition). KDL `max-peerings=`, YAML `maxPeerings`.
    pub max_peerings: Option<Spanned<u64>>,
    pub span: Span,
}

/// `subscription "ALIAS" id=.. tenant=..`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subscription {
    pub alias: Name,
    pub id: Option<Text>,
    pub tenant: Option<Text>,
    pub span: Span,
}

/// A VNet's place in the topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// `hub "NAME"`.
    Hub,
    /// `spoke "NAME" hub="HUB"`; the hub reference, if written.
    Spoke { hub: Option<Name> },
    /// `vnet "NAME"`.
    Vnet,
}

/// A hub, spoke or plain VNet.
#[derive(Debug, Clone, PartialEq)]
pub struct Vnet {
    pub name: Name,
    pub role: Role,
    pub location: Option<Text>,
    pub subscription: Option<Name>,
    pub resource_group: Option<Name>,
    pub existing: Flag,
    pub classic: Flag,
    /// An external VNet's resource id (implies existing).
    pub id: Option<Text>,
    pub address_space: Vec<Text>,
    pub dns_servers: Vec<Text>,
    pub subnets: Vec<Subnet>,
    pub gateway: Option<Gateway>,
    pub route_server: Option<RouteServer>,
    pub firewall: Option<Firewall>,
    /// `peering-defaults { ... }`: every link this VNet originates.
    pub peering_defaults: PeeringSettings,
    /// A spoke's own properties (`spoke "a" hub="h" use-remote-gateways=#false`):
    /// its link towards its hub. Always empty for hubs and plain VNets.
    pub spoke_link: PeeringSettings,
    pub tags: Vec<Tag>,
    /// The whole node / mapping.
    pub span: Span,
}

impl Vnet {
    /// An empty VNet of `role` called `name`, for readers to fill.
    #[must_use]
    pub fn new(name: Name, role: Role, span: Span) -> Vnet {
        Vnet {
            name,
            role,
            location: None,
            subscription: None,
            resource_group: None,
            existing: None,
            classic: None,
            id: None,
            address_space: Vec::new(),
            dns_servers: Vec::new(),
            subnets: Vec::new(),
            gateway: None,
            route_server: None,
            firewall: None,
            peering_defaults: PeeringSettings::default(),
            spoke_link: PeeringSettings::default(),
            tags: Vec::new(),
            span,
        }
    }
}

/// `subnet "NAME" "PREFIX" ...` / `subnets: {NAME: PREFIX}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subnet {
    pub name: Name,
    pub prefixes: Vec<Text>,
    pub span: Span,
}

/// `gateway "NAME" type=.. sku=..`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gateway {
    pub name: Name,
    /// `vpn` or `expressroute`.
    pub kind: Option<Text>,
    pub sku: Option<Text>,
    pub span: Span,
}

/// `route-server "NAME"`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RouteServer {
    pub name: Name,
    pub span: Span,
}

/// `firewall "NAME" private-ip=..`: a firewall or NVA, next hop for spoke routes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Firewall {
    pub name: Name,
    pub private_ip: Option<Text>,
    /// Spokes send 0.0.0.0/0 to it as well (addition). KDL `default-route=`,
    /// YAML `defaultRoute`.
    pub default_route: Flag,
    pub span: Span,
}

/// The four peering flags, each unset, `#true` or `#false`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeeringSettings {
    pub allow_virtual_network_access: Flag,
    pub allow_forwarded_traffic: Flag,
    pub allow_gateway_transit: Flag,
    pub use_remote_gateways: Flag,
}

impl PeeringSettings {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.allow_virtual_network_access.is_none()
            && self.allow_forwarded_traffic.is_none()
            && self.allow_gateway_transit.is_none()
            && self.use_remote_gateways.is_none()
    }
}

/// `mesh "NAME" { members ...; <settings> }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mesh {
    pub name: Name,
    pub members: Vec<Name>,
    pub settings: PeeringSettings,
    pub span: Span,
}

/// `peering "A" "B" { <settings>; reverse { <settings> } }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Peering {
    /// `[A, B]`.
    pub between: Vec<Name>,
    /// The A -> B link.
    pub settings: PeeringSettings,
    /// The B -> A link.
    pub reverse: PeeringSettings,
    pub span: Span,
}

/// `site "NAME" { address-space .. }`: an on-premises network.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Site {
    pub name: Name,
    pub address_space: Vec<Text>,
    /// The hub whose gateway connects it (addition). KDL/YAML `hub`.
    pub hub: Option<Name>,
    /// Its VPN device's public address (addition). KDL `gateway-address=`, YAML `gatewayAddress`.
    pub gateway_address: Option<Text>,
    pub span: Span,
}

/// One `key "value"` tag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tag {
    pub key: Text,
    pub value: Text,
}
