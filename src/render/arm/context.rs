//! Template context shared by the ARM and Bicep renderers: one `Res` per
//! layout node, with every value final (ids, SKUs, flags), so templates
//! only loop and print.
//!
//! In: a `Plan` and one `layout::Deployment`. Out: `Vec<Res>` in the
//! deployment's node order, `after` holding indices of the resources each
//! waits for inside the deployment.

use serde::Serialize;

use super::layout::{Deployment, Node};
use crate::plan::{Link, Plan, PlanVnet, Route, RouteTable, Tags};
use crate::render::RenderError;

/// Microsoft.Resources API version for deployments and resource groups
/// (available in every cloud).
pub const RESOURCES_API: &str = "2022-09-01";

/// The name of a route server's IP configuration.
pub const ROUTE_SERVER_IPCONFIG: &str = "ipconfig1";

#[derive(Debug, Clone, Serialize)]
pub struct SubnetCtx {
    pub name: String,
    pub prefixes: Vec<String>,
    pub route_table_id: Option<String>,
}

/// A resource's kind-specific values.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Body {
    #[serde(rename_all = "camelCase")]
    ResourceGroup {},
    #[serde(rename_all = "camelCase")]
    Vnet {
        address_prefixes: Vec<String>,
        dns_servers: Vec<String>,
        subnets: Vec<SubnetCtx>,
    },
    #[serde(rename_all = "camelCase")]
    PublicIp { zones: Vec<String> },
    #[serde(rename_all = "camelCase")]
    Gateway {
        gateway_type: String,
        vpn_type: Option<String>,
        sku: String,
        subnet_id: String,
        public_ip_id: String,
    },
    #[serde(rename_all = "camelCase")]
    RouteServer {
        ip_configuration: String,
        subnet_id: String,
        public_ip_id: String,
    },
    #[serde(rename_all = "camelCase")]
    RouteTable { routes: Vec<Route> },
    #[serde(rename_all = "camelCase")]
    Link {
        /// The local VNet (the peering's parent).
        vnet: String,
        remote: String,
        remote_id: String,
        allow_virtual_network_access: bool,
        allow_forwarded_traffic: bool,
        allow_gateway_transit: bool,
        use_remote_gateways: bool,
    },
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Res {
    /// The resource's own name (a link's name without its VNet).
    pub name: String,
    /// The ARM `type`.
    pub arm_type: &'static str,
    pub location: Option<String>,
    /// None for resources that carry no tags (peerings).
    pub tags: Option<Tags>,
    #[serde(flatten)]
    pub body: Body,
    /// Indices into the deployment's resources this one waits for.
    #[serde(skip)]
    pub after: Vec<usize>,
}

impl Res {
    /// The ARM `name` (`vnet/link` for a peering).
    #[must_use]
    pub fn full_name(&self) -> String {
        match &self.body {
            Body::Link { vnet, .. } => format!("{vnet}/{}", self.name),
            _ => self.name.clone(),
        }
    }

    /// What a dependent waits for: (ARM type, name segments).
    #[must_use]
    pub fn wait_target(&self) -> (&'static str, Vec<String>) {
        match &self.body {
            Body::Link { vnet, .. } => (self.arm_type, vec![vnet.clone(), self.name.clone()]),
            Body::RouteServer {
                ip_configuration, ..
            } => (
                "Microsoft.Network/virtualHubs/ipConfigurations",
                vec![self.name.clone(), ip_configuration.clone()],
            ),
            _ => (self.arm_type, vec![self.name.clone()]),
        }
    }
}

fn bug(message: impl Into<String>) -> RenderError {
    RenderError {
        template: "arm context".to_string(),
        message: message.into(),
    }
}

fn resource_id(sub: &str, rg: &str, arm_type: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{arm_type}/{name}")
}

fn vnet<'a>(plan: &'a Plan, name: &str) -> Result<&'a PlanVnet, RenderError> {
    plan.vnet(name)
        .ok_or_else(|| bug(format!("VNet {name} is not in the plan")))
}

fn managed<'a>(plan: &'a Plan, name: &str) -> Result<&'a PlanVnet, RenderError> {
    let v = vnet(plan, name)?;
    if v.kind.is_managed() {
        Ok(v)
    } else {
        Err(bug(format!(
            "the order creates VNet {name}, which is not managed"
        )))
    }
}

/// The link `vnet/name` (the plan keeps links sorted by (local, name)).
pub fn link<'a>(plan: &'a Plan, vnet: &str, name: &str) -> Result<&'a Link, RenderError> {
    plan.links
        .binary_search_by(|l| (l.local.as_str(), l.name.as_str()).cmp(&(vnet, name)))
        .ok()
        .and_then(|i| plan.links.get(i))
        .or_else(|| {
            plan.links
                .iter()
                .find(|l| l.local == vnet && l.name == name)
        })
        .ok_or_else(|| bug(format!("link {vnet}/{name} is not in the plan")))
}

/// The route table `name` (the plan keeps them sorted by name).
pub fn route_table<'a>(plan: &'a Plan, name: &str) -> Result<&'a RouteTable, RenderError> {
    plan.route_tables
        .binary_search_by(|t| t.name.as_str().cmp(name))
        .ok()
        .and_then(|i| plan.route_tables.get(i))
        .or_else(|| plan.route_tables.iter().find(|t| t.name == name))
        .ok_or_else(|| bug(format!("route table {name} is not in the plan")))
}

/// One `Res` per node of `deployment`.
pub fn resources(plan: &Plan, deployment: &Deployment) -> Result<Vec<Res>, RenderError> {
    let mut out = Vec::with_capacity(deployment.nodes.len());
    for (i, node) in deployment.nodes.iter().enumerate() {
        let mut res = resource(plan, node)?;
        res.after = deployment
            .node_depends_on
            .get(i)
            .cloned()
            .unwrap_or_default();
        out.push(res);
    }
    Ok(out)
}

fn resource(plan: &Plan, node: &Node) -> Result<Res, RenderError> {
    Ok(match node {
        Node::ResourceGroup { unit } => {
            let u = plan
                .units
                .get(*unit)
                .ok_or_else(|| bug(format!("unit {unit} is not in the plan")))?;
            Res {
                name: u.resource_group.clone(),
                arm_type: "Microsoft.Resources/resourceGroups",
                location: Some(u.location.clone()),
                tags: Some(plan.tags.clone()),
                body: Body::ResourceGroup {},
                after: Vec::new(),
            }
        }
        Node::Vnet { vnet } => {
            let v = managed(plan, vnet)?;
            let mut subnets = Vec::with_capacity(v.subnets.len());
            for s in &v.subnets {
                let route_table_id = match &s.route_table {
                    None => None,
                    Some(rt) => {
                        let table = route_table(plan, rt)?;
                        let u = plan.units.get(table.unit).ok_or_else(|| {
                            bug(format!("unit {} is not in the plan", table.unit))
                        })?;
                        Some(resource_id(
                            &u.subscription_id,
                            &u.resource_group,
                            "Microsoft.Network/routeTables",
                            rt,
                        ))
                    }
                };
                subnets.push(SubnetCtx {
                    name: s.name.clone(),
                    prefixes: s.prefixes.clone(),
                    route_table_id,
                });
            }
            Res {
                name: v.name.clone(),
                arm_type: "Microsoft.Network/virtualNetworks",
                location: Some(v.location.clone()),
                tags: Some(v.tags.clone()),
                body: Body::Vnet {
                    address_prefixes: v.address_space.clone(),
                    dns_servers: v.dns_servers.clone(),
                    subnets,
                },
                after: Vec::new(),
            }
        }
        Node::PublicIp { vnet, name } => {
            let v = managed(plan, vnet)?;
            let zone_redundant = v
                .gateway
                .as_ref()
                .is_some_and(|g| &g.public_ip == name && g.sku.ends_with("AZ"));
            Res {
                name: name.clone(),
                arm_type: "Microsoft.Network/publicIPAddresses",
                location: Some(v.location.clone()),
                tags: Some(v.tags.clone()),
                body: Body::PublicIp {
                    zones: if zone_redundant {
                        vec!["1".into(), "2".into(), "3".into()]
                    } else {
                        Vec::new()
                    },
                },
                after: Vec::new(),
            }
        }
        Node::Gateway { vnet, name } => {
            let v = managed(plan, vnet)?;
            let g = v
                .gateway
                .as_ref()
                .filter(|g| &g.name == name)
                .ok_or_else(|| bug(format!("gateway {name} is not on VNet {vnet}")))?;
            Res {
                name: name.clone(),
                arm_type: "Microsoft.Network/virtualNetworkGateways",
                location: Some(v.location.clone()),
                tags: Some(v.tags.clone()),
                body: Body::Gateway {
                    gateway_type: g.gateway_type.clone(),
                    vpn_type: (g.gateway_type == "Vpn").then(|| "RouteBased".to_string()),
                    sku: g.sku.clone(),
                    subnet_id: format!("{}/subnets/GatewaySubnet", v.id),
                    public_ip_id: resource_id(
                        &v.subscription_id,
                        &v.resource_group,
                        "Microsoft.Network/publicIPAddresses",
                        &g.public_ip,
                    ),
                },
                after: Vec::new(),
            }
        }
        Node::RouteServer { vnet, name } => {
            let v = managed(plan, vnet)?;
            let rs = v
                .route_server
                .as_ref()
                .filter(|r| &r.name == name)
                .ok_or_else(|| bug(format!("route server {name} is not on VNet {vnet}")))?;
            Res {
                name: name.clone(),
                arm_type: "Microsoft.Network/virtualHubs",
                location: Some(v.location.clone()),
                tags: Some(v.tags.clone()),
                body: Body::RouteServer {
                    ip_configuration: ROUTE_SERVER_IPCONFIG.to_string(),
                    subnet_id: format!("{}/subnets/RouteServerSubnet", v.id),
                    public_ip_id: resource_id(
                        &v.subscription_id,
                        &v.resource_group,
                        "Microsoft.Network/publicIPAddresses",
                        &rs.public_ip,
                    ),
                },
                after: Vec::new(),
            }
        }
        Node::RouteTable { name } => {
            let t = route_table(plan, name)?;
            Res {
                name: name.clone(),
                arm_type: "Microsoft.Network/routeTables",
                location: Some(t.location.clone()),
                tags: Some(t.tags.clone()),
                body: Body::RouteTable {
                    routes: t.routes.clone(),
                },
                after: Vec::new(),
            }
        }
        Node::Link { vnet, name } => {
            let l = link(plan, vnet, name)?;
            Res {
                name: name.clone(),
                arm_type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                location: None,
                tags: None,
                body: Body::Link {
                    vnet: vnet.clone(),
                    remote: l.remote.clone(),
                    remote_id: l.remote_id.clone(),
                    allow_virtual_network_access: l.allow_virtual_network_access,
                    allow_forwarded_traffic: l.allow_forwarded_traffic,
                    allow_gateway_transit: l.allow_gateway_transit,
                    use_remote_gateways: l.use_remote_gateways,
                },
                after: Vec::new(),
            }
        }
    })
}
