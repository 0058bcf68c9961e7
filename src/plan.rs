//! The expanded plan: everything the renderers need, nothing they must decide.
//!
//! In: produced by `expand` from a validated estate. Out: read by every
//! renderer and by `azmesh plan`. Invariants: all names, ids and prefixes
//! are final and valid; every list is sorted so that the same estate gives
//! the same plan whichever language it was written in; `order.steps` is a
//! topological order of the creation graph.

use std::collections::BTreeMap;

use serde::Serialize;

pub type Tags = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub topology: String,
    /// `public`, `china` or `usgov`.
    pub cloud: String,
    /// Microsoft.Network API version used for every resource.
    pub api_version: String,
    pub max_peerings: u64,
    /// The topology's own tags (VNets carry the merged set).
    pub tags: Tags,
    /// Sorted by alias.
    pub subscriptions: Vec<PlanSubscription>,
    /// Sorted by (subscription alias, resource group).
    pub units: Vec<Unit>,
    /// Sorted by name.
    pub vnets: Vec<PlanVnet>,
    /// Sorted by (local VNet, link name).
    pub links: Vec<Link>,
    /// Sorted by name.
    pub route_tables: Vec<RouteTable>,
    /// Sorted by name.
    pub sites: Vec<PlanSite>,
    pub order: Order,
    /// Links whose remote VNet's address space changed since the previous
    /// topology (`azmesh build --since OLD`): the scripts re-sync them after
    /// everything else. Empty without `--since`. Sorted by (VNet, link).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub peering_syncs: Vec<SyncLink>,
}

/// A link to re-sync (`az network vnet peering sync`,
/// `Sync-AzVirtualNetworkPeering`) because its remote address space changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncLink {
    /// The VNet that holds the link.
    pub vnet: String,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanSubscription {
    pub alias: String,
    pub id: String,
    pub tenant: Option<String>,
}

/// A deployment unit: one subscription and resource group. Every resource
/// azmesh writes lives in exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    /// `ALIAS/RESOURCE-GROUP`, unique.
    pub name: String,
    pub subscription: String,
    pub subscription_id: String,
    pub tenant: Option<String>,
    pub resource_group: String,
    /// Where the resource group is created (the location of its first VNet).
    pub location: String,
    /// True when azmesh creates VNets or route tables here (and so the
    /// resource group); false when the unit holds only links on existing VNets.
    pub creates_resources: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Hub,
    Spoke,
    Vnet,
}

/// Whether azmesh creates the VNet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Created and owned by this estate.
    Managed,
    /// Exists already: referenced and peered, never created or modified.
    Existing,
    /// Given by resource id, possibly in another estate or tenant (existing).
    External,
    /// A classic VNet: referenced; only the other side gets a link.
    Classic,
}

impl Kind {
    /// True when azmesh creates the VNet and its subnets.
    #[must_use]
    pub fn is_managed(self) -> bool {
        self == Kind::Managed
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanVnet {
    pub name: String,
    pub role: Role,
    /// A spoke's hub.
    pub hub: Option<String>,
    pub kind: Kind,
    pub location: String,
    pub subscription: String,
    pub subscription_id: String,
    pub tenant: Option<String>,
    pub resource_group: String,
    /// Index into `Plan::units`.
    pub unit: usize,
    /// Full resource id (`Microsoft.ClassicNetwork/virtualNetworks` for classic).
    pub id: String,
    /// Canonical prefixes, in source order.
    pub address_space: Vec<String>,
    pub dns_servers: Vec<String>,
    /// In source order (the order they are created in).
    pub subnets: Vec<PlanSubnet>,
    pub gateway: Option<PlanGateway>,
    pub route_server: Option<PlanRouteServer>,
    pub firewall: Option<PlanFirewall>,
    /// The topology's tags merged with the VNet's own.
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanSubnet {
    pub name: String,
    pub prefixes: Vec<String>,
    /// The route table associated with it, by name.
    pub route_table: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanGateway {
    pub name: String,
    /// ARM `gatewayType`: `Vpn` or `ExpressRoute`.
    pub gateway_type: String,
    /// ARM sku name, e.g. `VpnGw1AZ`.
    pub sku: String,
    /// The public IP created for it.
    pub public_ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRouteServer {
    pub name: String,
    pub public_ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanFirewall {
    pub name: String,
    pub private_ip: String,
}

/// Why a link exists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Origin {
    HubSpoke,
    HubHub,
    Mesh { mesh: String },
    Peering,
}

/// One peering link: the half of a peering that lives on `local`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Unique within the local VNet, at most 80 characters.
    pub name: String,
    pub local: String,
    pub remote: String,
    /// The remote VNet's full resource id.
    pub remote_id: String,
    /// Index into `Plan::units`: where the link is created (the local VNet's unit).
    pub unit: usize,
    pub allow_virtual_network_access: bool,
    pub allow_forwarded_traffic: bool,
    pub allow_gateway_transit: bool,
    pub use_remote_gateways: bool,
    pub origin: Origin,
    /// The two VNets are in different regions (Global VNet Peering).
    pub global: bool,
    /// The remote VNet's subscription is in another tenant.
    pub cross_tenant: bool,
    /// The remote VNet is classic (this is the peering's only link).
    pub remote_classic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTable {
    pub name: String,
    /// The VNet whose subnets use it (a spoke).
    pub vnet: String,
    pub unit: usize,
    pub location: String,
    /// Sorted by name.
    pub routes: Vec<Route>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub name: String,
    pub address_prefix: String,
    /// Always `VirtualAppliance` today.
    pub next_hop_type: String,
    pub next_hop_ip_address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanSite {
    pub name: String,
    pub address_space: Vec<String>,
    pub hub: Option<String>,
    pub gateway_address: Option<String>,
}

/// Something azmesh creates; a node of the order graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Resource {
    ResourceGroup { unit: usize },
    Vnet { vnet: String },
    Subnet { vnet: String, subnet: String },
    PublicIp { vnet: String, name: String },
    Gateway { vnet: String, name: String },
    RouteServer { vnet: String, name: String },
    RouteTable { name: String },
    Link { vnet: String, name: String },
}

/// One creation step and the steps it must wait for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub resource: Resource,
    /// Indices into `Order::steps` of the steps this one waits for directly
    /// (transitively reduced: nothing listed is implied by another entry).
    pub after: Vec<usize>,
    /// Length of the longest chain of steps before this one: steps of one
    /// wave never depend on each other and may run in parallel.
    pub wave: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// A topological order: every step comes after all steps in its `after`.
    pub steps: Vec<Step>,
}

impl Link {
    /// The four flags in Resource Manager's order: allowVirtualNetworkAccess,
    /// allowForwardedTraffic, allowGatewayTransit, useRemoteGateways.
    #[must_use]
    pub fn flags(&self) -> [bool; 4] {
        [
            self.allow_virtual_network_access,
            self.allow_forwarded_traffic,
            self.allow_gateway_transit,
            self.use_remote_gateways,
        ]
    }
}

impl Plan {
    /// The VNet called `name`.
    #[must_use]
    pub fn vnet(&self, name: &str) -> Option<&PlanVnet> {
        self.vnets
            .binary_search_by(|v| v.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.vnets[i])
    }

    /// The links created on VNet `name`, in creation order.
    pub fn links_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Link> + 'a {
        self.links.iter().filter(move |l| l.local == name)
    }
}
