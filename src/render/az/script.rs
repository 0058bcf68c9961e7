//! The plan walked once for both script targets (az bash and PowerShell).
//!
//! In: a `Plan`. Out: a `Script` context whose every value is final (ids,
//! tags as JSON, flags, comment lines), so the templates stay loops. Steps
//! keep the plan's order (`steps`, what PowerShell runs sequentially) and are
//! also grouped by wave (`waves`, what bash runs): in a wave the links on
//! different VNets become parallel jobs, the links on one VNet stay one job.
//! Free text reaches the templates only as values for the escaping
//! formatter, or through `comment()` for comment lines.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::plan::{Kind, Link, Plan, PlanVnet, Resource, RouteTable, Tags, Unit};
use crate::render::RenderError;

/// Everything a script template reads.
#[derive(Debug, Clone, Serialize)]
pub struct Script {
    /// Header comment lines (already comment-safe).
    pub header: Vec<String>,
    /// Tenants to log in to when the estate spans several (comment-safe).
    pub tenants: Vec<String>,
    /// The cloud's name for `az cloud set` / `Connect-AzAccount -Environment`.
    pub cloud_name: String,
    /// Microsoft.Network API version (for generic resource writes).
    pub api_version: String,
    /// Every step in plan order (PowerShell runs these one at a time).
    pub steps: Vec<StepCtx>,
    /// Steps grouped by wave, for the bash script.
    pub waves: Vec<Wave>,
    /// Gateways nobody waited for inside the waves: waited for at the end.
    pub final_waits: Vec<GatewayWait>,
    /// Links to re-sync after everything else (`plan.peering_syncs`).
    pub syncs: Vec<SyncCtx>,
}

/// A peering sync: the link's VNet changed nothing, its remote's address
/// space did (`azmesh build --since OLD`).
#[derive(Debug, Clone, Serialize)]
pub struct SyncCtx {
    pub subscription_id: String,
    pub tenant: Option<String>,
    pub resource_group: String,
    pub vnet: String,
    pub link: String,
}

/// The syncs of `plan`, each placed in its link's unit.
fn syncs(plan: &Plan) -> Result<Vec<SyncCtx>, RenderError> {
    plan.peering_syncs
        .iter()
        .map(|s| {
            let unit = plan
                .links
                .iter()
                .find(|l| l.local == s.vnet && l.name == s.link)
                .and_then(|l| plan.units.get(l.unit))
                .ok_or_else(|| RenderError {
                    template: "az/deploy.sh".to_string(),
                    message: format!("peering sync for unknown link {}/{}", s.vnet, s.link),
                })?;
            Ok(SyncCtx {
                subscription_id: unit.subscription_id.clone(),
                tenant: unit.tenant.clone(),
                resource_group: unit.resource_group.clone(),
                vnet: s.vnet.clone(),
                link: s.link.clone(),
            })
        })
        .collect()
}

/// One wave of the plan order: sequential steps first, then parallel jobs.
#[derive(Debug, Clone, Serialize)]
pub struct Wave {
    pub index: usize,
    /// Gateways that steps of this wave depend on.
    pub waits: Vec<GatewayWait>,
    /// Run one after the other in the main shell.
    pub steps: Vec<StepCtx>,
    /// Run in parallel (background jobs), each job's steps in order.
    pub jobs: Vec<Job>,
}

/// The links of one VNet in one wave, run one after the other.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub comment: String,
    pub steps: Vec<StepCtx>,
}

/// A gateway created with `--no-wait`, waited for before its dependents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayWait {
    pub name: String,
    pub resource_group: String,
    pub subscription_id: String,
}

/// One tag, for templates that spell tags out (hashtables, `k=v` words).
#[derive(Debug, Clone, Serialize)]
pub struct TagCtx {
    pub key: String,
    pub value: String,
    /// `key=value`, the form `az group create --tags` reads.
    pub word: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteCtx {
    pub name: String,
    pub address_prefix: String,
    pub next_hop_type: String,
    pub next_hop_ip_address: String,
}

/// Where a step runs.
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub unit: usize,
    pub subscription_id: String,
    pub tenant: Option<String>,
    pub resource_group: String,
    pub location: String,
    /// Set on the first step of a run of steps in one unit (comment-safe):
    /// the template switches subscription there.
    pub section: Option<String>,
}

/// One step of the plan with everything its commands need.
#[derive(Debug, Clone, Serialize)]
pub struct StepCtx {
    /// Index in `plan.order.steps`.
    pub index: usize,
    /// What the step does (comment-safe).
    pub comment: String,
    pub place: Place,
    pub tags: Vec<TagCtx>,
    /// The tags as one JSON object (for `az network ... --tags`).
    pub tags_json: String,
    /// `tags=<JSON>`, the generic-update form (`--set`) of the same tags.
    pub tags_set: String,
    #[serde(flatten)]
    pub what: What,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum What {
    ResourceGroup {
        name: String,
    },
    Vnet {
        name: String,
        address_space: Vec<String>,
        dns_servers: Vec<String>,
    },
    Subnet {
        vnet: String,
        name: String,
        prefixes: Vec<String>,
        route_table_id: Option<String>,
    },
    PublicIp {
        vnet: String,
        name: String,
        /// Availability zones (for zone-redundant gateway SKUs).
        zones: Vec<String>,
    },
    Gateway {
        vnet: String,
        name: String,
        public_ip: String,
        gateway_type: String,
        vpn_type: Option<String>,
        sku: String,
    },
    RouteServer {
        vnet: String,
        name: String,
        public_ip: String,
        hosted_subnet_id: String,
    },
    RouteTable {
        name: String,
        routes: Vec<RouteCtx>,
    },
    Link {
        vnet: String,
        name: String,
        remote: String,
        remote_id: String,
        allow_virtual_network_access: bool,
        allow_forwarded_traffic: bool,
        allow_gateway_transit: bool,
        use_remote_gateways: bool,
        remote_classic: bool,
        /// `vnet/link`: the child name `az resource create` takes.
        child_name: String,
        /// The peering's `properties` as JSON (for the classic remote).
        properties_json: String,
        cross_tenant: bool,
        /// The remote VNet's tenant, when known (comment-safe).
        remote_tenant: Option<String>,
    },
}

/// A text made safe for a `#` line comment in bash and PowerShell: line
/// breaks and other control characters become visible escapes, so no text
/// can end the comment and become code.
#[must_use]
pub fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push(' '),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') => {
                out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

fn broken(message: String) -> RenderError {
    RenderError {
        template: "az/pwsh script context".to_string(),
        message,
    }
}

fn tags_ctx(tags: &Tags) -> (Vec<TagCtx>, String) {
    let list = tags
        .iter()
        .map(|(k, v)| TagCtx {
            key: k.clone(),
            value: v.clone(),
            word: format!("{k}={v}"),
        })
        .collect();
    let json = serde_json::to_string(tags).unwrap_or_else(|_| "{}".to_string());
    (list, json)
}

fn unit_of(plan: &Plan, unit: usize) -> Result<&Unit, RenderError> {
    plan.units
        .get(unit)
        .ok_or_else(|| broken(format!("the plan names unit {unit}, which does not exist")))
}

fn vnet_of<'a>(plan: &'a Plan, name: &str) -> Result<&'a PlanVnet, RenderError> {
    plan.vnet(name).ok_or_else(|| {
        broken(format!(
            "the plan names VNet {name:?}, which does not exist"
        ))
    })
}

/// Look-ups by name, built once per plan (the plan's lists are scanned
/// once, not once per step).
struct Index<'a> {
    links: BTreeMap<(&'a str, &'a str), &'a Link>,
    route_tables: BTreeMap<&'a str, &'a RouteTable>,
}

impl<'a> Index<'a> {
    fn new(plan: &'a Plan) -> Index<'a> {
        Index {
            links: plan
                .links
                .iter()
                .map(|l| ((l.local.as_str(), l.name.as_str()), l))
                .collect(),
            route_tables: plan
                .route_tables
                .iter()
                .map(|t| (t.name.as_str(), t))
                .collect(),
        }
    }

    fn link(&self, vnet: &str, name: &str) -> Option<&'a Link> {
        self.links.get(&(vnet, name)).copied()
    }

    fn route_table(&self, name: &str) -> Option<&'a RouteTable> {
        self.route_tables.get(name).copied()
    }
}

fn place(unit: &Unit, location: &str) -> Place {
    Place {
        unit: 0,
        subscription_id: unit.subscription_id.clone(),
        tenant: unit.tenant.clone(),
        resource_group: unit.resource_group.clone(),
        location: location.to_string(),
        section: None,
    }
}

fn step_ctx(
    plan: &Plan,
    idx: &Index<'_>,
    index: usize,
    resource: &Resource,
) -> Result<StepCtx, RenderError> {
    let no_tags = Tags::new();
    let (unit_index, location, tags, comment_text, what) = match resource {
        Resource::ResourceGroup { unit } => {
            let u = unit_of(plan, *unit)?;
            (
                *unit,
                u.location.clone(),
                &plan.tags,
                format!("resource group {}", u.resource_group),
                What::ResourceGroup {
                    name: u.resource_group.clone(),
                },
            )
        }
        Resource::Vnet { vnet } => {
            let v = vnet_of(plan, vnet)?;
            (
                v.unit,
                v.location.clone(),
                &v.tags,
                format!("VNet {}", v.name),
                What::Vnet {
                    name: v.name.clone(),
                    address_space: v.address_space.clone(),
                    dns_servers: v.dns_servers.clone(),
                },
            )
        }
        Resource::Subnet { vnet, subnet } => {
            let v = vnet_of(plan, vnet)?;
            let s = v
                .subnets
                .iter()
                .find(|s| &s.name == subnet)
                .ok_or_else(|| broken(format!("VNet {vnet:?} has no subnet {subnet:?}")))?;
            let route_table_id = match &s.route_table {
                Some(rt) => {
                    let table = idx
                        .route_table(rt)
                        .ok_or_else(|| broken(format!("no route table {rt:?}")))?;
                    let u = unit_of(plan, table.unit)?;
                    Some(format!(
                        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/routeTables/{}",
                        u.subscription_id, u.resource_group, table.name
                    ))
                }
                None => None,
            };
            (
                v.unit,
                v.location.clone(),
                &no_tags,
                format!("subnet {} of VNet {}", s.name, v.name),
                What::Subnet {
                    vnet: v.name.clone(),
                    name: s.name.clone(),
                    prefixes: s.prefixes.clone(),
                    route_table_id,
                },
            )
        }
        Resource::PublicIp { vnet, name } => {
            let v = vnet_of(plan, vnet)?;
            let zones = match &v.gateway {
                Some(g) if &g.public_ip == name && g.sku.ends_with("AZ") => {
                    vec!["1".to_string(), "2".to_string(), "3".to_string()]
                }
                _ => Vec::new(),
            };
            (
                v.unit,
                v.location.clone(),
                &v.tags,
                format!("public IP {name} (VNet {})", v.name),
                What::PublicIp {
                    vnet: v.name.clone(),
                    name: name.clone(),
                    zones,
                },
            )
        }
        Resource::Gateway { vnet, name } => {
            let v = vnet_of(plan, vnet)?;
            let g = v
                .gateway
                .as_ref()
                .filter(|g| &g.name == name)
                .ok_or_else(|| broken(format!("VNet {vnet:?} has no gateway {name:?}")))?;
            (
                v.unit,
                v.location.clone(),
                &v.tags,
                format!("{} gateway {} (VNet {})", g.gateway_type, g.name, v.name),
                What::Gateway {
                    vnet: v.name.clone(),
                    name: g.name.clone(),
                    public_ip: g.public_ip.clone(),
                    vpn_type: (g.gateway_type == "Vpn").then(|| "RouteBased".to_string()),
                    gateway_type: g.gateway_type.clone(),
                    sku: g.sku.clone(),
                },
            )
        }
        Resource::RouteServer { vnet, name } => {
            let v = vnet_of(plan, vnet)?;
            let r = v
                .route_server
                .as_ref()
                .filter(|r| &r.name == name)
                .ok_or_else(|| broken(format!("VNet {vnet:?} has no route server {name:?}")))?;
            (
                v.unit,
                v.location.clone(),
                &v.tags,
                format!("route server {} (VNet {})", r.name, v.name),
                What::RouteServer {
                    vnet: v.name.clone(),
                    name: r.name.clone(),
                    public_ip: r.public_ip.clone(),
                    hosted_subnet_id: format!("{}/subnets/RouteServerSubnet", v.id),
                },
            )
        }
        Resource::RouteTable { name } => {
            let t = idx
                .route_table(name)
                .ok_or_else(|| broken(format!("no route table {name:?}")))?;
            (
                t.unit,
                t.location.clone(),
                &t.tags,
                format!("route table {} (VNet {})", t.name, t.vnet),
                What::RouteTable {
                    name: t.name.clone(),
                    routes: t
                        .routes
                        .iter()
                        .map(|r| RouteCtx {
                            name: r.name.clone(),
                            address_prefix: r.address_prefix.clone(),
                            next_hop_type: r.next_hop_type.clone(),
                            next_hop_ip_address: r.next_hop_ip_address.clone(),
                        })
                        .collect(),
                },
            )
        }
        Resource::Link { vnet, name } => {
            let l = idx
                .link(vnet, name)
                .ok_or_else(|| broken(format!("VNet {vnet:?} has no link {name:?}")))?;
            let local = vnet_of(plan, &l.local)?;
            let remote_tenant = plan.vnet(&l.remote).and_then(|r| r.tenant.clone());
            // The peering's properties, in the order ARM documents them.
            let properties = format!(
                "{{\"remoteVirtualNetwork\":{{\"id\":{}}},\"allowVirtualNetworkAccess\":{},\"allowForwardedTraffic\":{},\"allowGatewayTransit\":{},\"useRemoteGateways\":{}}}",
                serde_json::Value::from(l.remote_id.as_str()),
                l.allow_virtual_network_access,
                l.allow_forwarded_traffic,
                l.allow_gateway_transit,
                l.use_remote_gateways,
            );
            (
                l.unit,
                local.location.clone(),
                &no_tags,
                format!(
                    "link {} on VNet {} to {}{}{}",
                    l.name,
                    l.local,
                    l.remote,
                    if l.remote_classic { " (classic)" } else { "" },
                    if l.cross_tenant {
                        " (cross-tenant)"
                    } else {
                        ""
                    }
                ),
                What::Link {
                    vnet: l.local.clone(),
                    name: l.name.clone(),
                    remote: l.remote.clone(),
                    remote_id: l.remote_id.clone(),
                    allow_virtual_network_access: l.allow_virtual_network_access,
                    allow_forwarded_traffic: l.allow_forwarded_traffic,
                    allow_gateway_transit: l.allow_gateway_transit,
                    use_remote_gateways: l.use_remote_gateways,
                    remote_classic: l.remote_classic,
                    child_name: format!("{}/{}", l.local, l.name),
                    properties_json: properties,
                    cross_tenant: l.cross_tenant,
                    remote_tenant: remote_tenant.map(|t| comment(&t)),
                },
            )
        }
    };
    let unit = unit_of(plan, unit_index)?;
    let mut place = place(unit, &location);
    place.unit = unit_index;
    let (tags, tags_json) = tags_ctx(tags);
    Ok(StepCtx {
        index,
        comment: comment(&comment_text),
        place,
        tags,
        tags_set: format!("tags={tags_json}"),
        tags_json,
        what,
    })
}

fn section_text(plan: &Plan, unit: usize) -> String {
    let Some(u) = plan.units.get(unit) else {
        return String::new();
    };
    let tenant = u
        .tenant
        .as_ref()
        .map(|t| format!(", tenant {t}"))
        .unwrap_or_default();
    comment(&format!(
        "unit {}: subscription {} ({}), resource group {}{tenant}",
        u.name, u.subscription, u.subscription_id, u.resource_group
    ))
}

/// Marks the first step of each run of steps in one unit. A unit's first
/// section says everything about it; its later ones (large estates switch
/// back and forth thousands of times) only name it.
fn mark_sections<'a>(
    plan: &Plan,
    steps: impl IntoIterator<Item = &'a mut StepCtx>,
    current: &mut Option<usize>,
    seen: &mut BTreeSet<usize>,
) {
    for step in steps {
        let unit = step.place.unit;
        if *current != Some(unit) {
            step.place.section = Some(if seen.insert(unit) {
                section_text(plan, unit)
            } else {
                let name = plan.units.get(unit).map_or("", |u| u.name.as_str());
                comment(&format!("unit {name} (continued)"))
            });
            *current = Some(unit);
        }
    }
}

fn cloud_name(cloud: &str) -> &'static str {
    match cloud {
        "china" => "AzureChinaCloud",
        "usgov" => "AzureUSGovernment",
        _ => "AzureCloud",
    }
}

/// The header: what the script builds, the roles it needs, the logins.
fn header(plan: &Plan, tenants: &[String], wave_count: usize) -> Vec<String> {
    let managed: Vec<&PlanVnet> = plan.vnets.iter().filter(|v| v.kind.is_managed()).collect();
    let referenced = plan.vnets.len() - managed.len();
    let subnets: usize = managed.iter().map(|v| v.subnets.len()).sum();
    let gateways = managed.iter().filter(|v| v.gateway.is_some()).count();
    let route_servers = managed.iter().filter(|v| v.route_server.is_some()).count();
    let routes: usize = plan.route_tables.iter().map(|t| t.routes.len()).sum();
    let used_units: BTreeSet<usize> = plan
        .order
        .steps
        .iter()
        .filter_map(|s| match &s.resource {
            Resource::ResourceGroup { unit } => Some(*unit),
            Resource::RouteTable { name } => plan
                .route_tables
                .iter()
                .find(|t| &t.name == name)
                .map(|t| t.unit),
            Resource::Link { vnet, .. }
            | Resource::Vnet { vnet }
            | Resource::Subnet { vnet, .. }
            | Resource::PublicIp { vnet, .. }
            | Resource::Gateway { vnet, .. }
            | Resource::RouteServer { vnet, .. } => plan.vnet(vnet).map(|v| v.unit),
        })
        .collect();
    let mut lines = vec![
        format!("azmesh deployment script for topology {}", plan.topology),
        format!(
            "cloud {} ({}), Microsoft.Network API {}",
            plan.cloud,
            cloud_name(&plan.cloud),
            plan.api_version
        ),
        String::new(),
        "Builds:".to_string(),
        format!(
            "  {} VNet(s) created ({} subnet(s), {} gateway(s), {} route server(s)), {} referenced only",
            managed.len(),
            subnets,
            gateways,
            route_servers,
            referenced
        ),
        format!(
            "  {} route table(s) with {} route(s)",
            plan.route_tables.len(),
            routes
        ),
        format!(
            "  {} peering link(s) ({} to classic VNets, {} cross-tenant, {} global)",
            plan.links.len(),
            plan.links.iter().filter(|l| l.remote_classic).count(),
            plan.links.iter().filter(|l| l.cross_tenant).count(),
            plan.links.iter().filter(|l| l.global).count()
        ),
        format!(
            "  {} step(s) in {} wave(s), in {} deployment unit(s):",
            plan.order.steps.len(),
            wave_count,
            used_units.len()
        ),
    ];
    for &u in &used_units {
        if let Some(unit) = plan.units.get(u) {
            let links = plan.links.iter().filter(|l| l.unit == u).count();
            lines.push(format!(
                "    {}: subscription {}, resource group {} ({}), {} link(s){}",
                unit.name,
                unit.subscription_id,
                unit.resource_group,
                unit.location,
                links,
                if unit.creates_resources {
                    ""
                } else {
                    ", links on existing VNets only"
                }
            ));
        }
    }
    lines.push(String::new());
    lines.push("Roles needed, per subscription:".to_string());
    // Roles and reasons per subscription alias, in one pass over the units
    // and one over the links.
    let mut needs: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<String>)> = BTreeMap::new();
    for &u in &used_units {
        if let Some(unit) = plan.units.get(u) {
            let (roles, why) = needs.entry(unit.subscription.as_str()).or_default();
            roles.insert("Network Contributor");
            why.insert("creates resources or links here".to_string());
        }
    }
    let mut remotes: BTreeSet<&str> = BTreeSet::new();
    for l in &plan.links {
        if !remotes.insert(l.remote.as_str()) {
            continue;
        }
        if let Some(r) = plan.vnet(&l.remote) {
            let (roles, why) = needs.entry(r.subscription.as_str()).or_default();
            if r.kind == Kind::Classic {
                roles.insert("Classic Network Contributor");
                why.insert(format!("classic VNet {} is peered", r.name));
            } else {
                roles.insert("Network Contributor");
                why.insert(format!("VNet {} is a peering remote", r.name));
            }
        }
    }
    for sub in &plan.subscriptions {
        let Some((roles, why)) = needs.remove(sub.alias.as_str()) else {
            continue;
        };
        let tenant = sub
            .tenant
            .as_ref()
            .map(|t| format!(", tenant {t}"))
            .unwrap_or_default();
        lines.push(format!(
            "  {} ({}{tenant}): {}",
            sub.alias,
            sub.id,
            roles.into_iter().collect::<Vec<_>>().join(", ")
        ));
        let why: Vec<String> = why.into_iter().collect();
        lines.push(format!("    because: {}", why.join("; ")));
    }
    if !tenants.is_empty() {
        lines.push(String::new());
        lines.push(
            "Several Entra tenants: log in to each before running (cross-tenant peering needs both):"
                .to_string(),
        );
    }
    lines.iter().map(|l| comment(l)).collect()
}

/// The wave each step runs in: the plan's wave, except that a link also
/// waits for its remote VNet's creation chain (the VNet and its subnets,
/// when azmesh creates them earlier in the plan): a peering cannot point at
/// a VNet that does not exist yet, nor safely at one whose subnets are
/// still being written. The plan's order does not carry that edge; adding
/// it here only ever delays a step (and, through `after`, its dependents).
fn effective_waves(plan: &Plan, idx: &Index<'_>) -> Vec<usize> {
    let mut chain_end: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in plan.order.steps.iter().enumerate() {
        if let Resource::Vnet { vnet } | Resource::Subnet { vnet, .. } = &s.resource {
            chain_end.insert(vnet.as_str(), i);
        }
    }
    let mut waves: Vec<usize> = Vec::with_capacity(plan.order.steps.len());
    for (i, s) in plan.order.steps.iter().enumerate() {
        let mut w = s.wave;
        for &a in &s.after {
            if let Some(&aw) = waves.get(a) {
                w = w.max(aw + 1);
            }
        }
        if let Resource::Link { vnet, name } = &s.resource
            && let Some(link) = idx.link(vnet, name)
            && let Some(&end) = chain_end.get(link.remote.as_str())
            && let Some(&ew) = waves.get(end)
            && end < i
        {
            w = w.max(ew + 1);
        }
        waves.push(w);
    }
    waves
}

/// Builds the script context for `plan`.
pub fn build(plan: &Plan) -> Result<Script, RenderError> {
    let idx = Index::new(plan);
    let mut steps = Vec::with_capacity(plan.order.steps.len());
    for (i, s) in plan.order.steps.iter().enumerate() {
        steps.push(step_ctx(plan, &idx, i, &s.resource)?);
    }

    let tenant_set: BTreeSet<String> = plan
        .subscriptions
        .iter()
        .filter_map(|s| s.tenant.clone())
        .chain(plan.units.iter().filter_map(|u| u.tenant.clone()))
        .collect();
    let tenants: Vec<String> = if tenant_set.len() > 1 || plan.links.iter().any(|l| l.cross_tenant)
    {
        tenant_set.iter().map(|t| comment(t)).collect()
    } else {
        Vec::new()
    };

    // Waves for bash.
    let gateways: BTreeMap<usize, GatewayWait> = steps
        .iter()
        .filter_map(|s| match &s.what {
            What::Gateway { name, .. } => Some((
                s.index,
                GatewayWait {
                    name: name.clone(),
                    resource_group: s.place.resource_group.clone(),
                    subscription_id: s.place.subscription_id.clone(),
                },
            )),
            _ => None,
        })
        .collect();
    let mut waited: BTreeSet<usize> = BTreeSet::new();
    let effective = effective_waves(plan, &idx);
    let wave_count = effective.iter().map(|w| w + 1).max().unwrap_or(0);
    let mut by_wave: Vec<Vec<usize>> = vec![Vec::new(); wave_count];
    for (i, &ew) in effective.iter().enumerate() {
        if let Some(members) = by_wave.get_mut(ew) {
            members.push(i);
        }
    }
    let mut waves = Vec::new();
    let mut current_unit = None;
    let mut seen = BTreeSet::new();
    for (w, members) in by_wave.into_iter().enumerate() {
        let mut waits = Vec::new();
        for &i in &members {
            for a in &plan.order.steps[i].after {
                if let Some(g) = gateways.get(a)
                    && waited.insert(*a)
                {
                    waits.push(g.clone());
                }
            }
        }
        let mut sequential = Vec::new();
        let mut by_vnet: BTreeMap<String, Vec<StepCtx>> = BTreeMap::new();
        let mut vnet_order: Vec<String> = Vec::new();
        for &i in &members {
            let step = steps[i].clone();
            if let What::Link { vnet, .. } = &step.what {
                if !by_vnet.contains_key(vnet) {
                    vnet_order.push(vnet.clone());
                }
                by_vnet.entry(vnet.clone()).or_default().push(step);
            } else {
                sequential.push(step);
            }
        }
        let mut jobs = Vec::new();
        if by_vnet.len() > 1 {
            for vnet in vnet_order {
                if let Some(job_steps) = by_vnet.remove(&vnet) {
                    jobs.push(Job {
                        comment: comment(&format!("links on VNet {vnet}")),
                        steps: job_steps,
                    });
                }
            }
        } else {
            sequential.extend(by_vnet.into_values().flatten());
        }
        // Steps of one wave do not depend on each other: grouped by unit
        // (stable, so links on one VNet keep their order), each unit's run
        // gets one section instead of one per alternation.
        sequential.sort_by_key(|s| s.place.unit);
        mark_sections(plan, sequential.iter_mut(), &mut current_unit, &mut seen);
        waves.push(Wave {
            index: w,
            waits,
            steps: sequential,
            jobs,
        });
    }
    let final_waits = gateways
        .iter()
        .filter(|(i, _)| !waited.contains(i))
        .map(|(_, g)| g.clone())
        .collect();

    let mut current_unit = None;
    let mut seen = BTreeSet::new();
    mark_sections(plan, steps.iter_mut(), &mut current_unit, &mut seen);

    Ok(Script {
        header: header(plan, &tenants, wave_count),
        tenants,
        cloud_name: cloud_name(&plan.cloud).to_string(),
        api_version: plan.api_version.clone(),
        steps,
        waves,
        final_waits,
        syncs: syncs(plan)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixture::sample_plan;

    #[test]
    fn comment_cannot_end_the_line() {
        assert_eq!(comment("a\nb\r\u{2028}c"), "a\\nb\\r\\u{2028}c");
    }

    #[test]
    fn waves_cover_every_step_once_in_dependency_order() {
        let plan = sample_plan(false);
        let script = build(&plan).expect("fixture builds");
        let mut seen: Vec<usize> = Vec::new();
        for wave in &script.waves {
            let mut this_wave: Vec<usize> = wave.steps.iter().map(|s| s.index).collect();
            this_wave.extend(
                wave.jobs
                    .iter()
                    .flat_map(|j| j.steps.iter().map(|s| s.index)),
            );
            for &i in &this_wave {
                for a in &plan.order.steps[i].after {
                    assert!(seen.contains(a), "step {i} runs before its dependency {a}");
                }
            }
            seen.extend(this_wave);
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..plan.order.steps.len()).collect::<Vec<_>>());
    }

    #[test]
    fn parallel_jobs_hold_links_of_distinct_vnets() {
        let plan = sample_plan(false);
        let script = build(&plan).expect("fixture builds");
        let mut parallel_waves = 0;
        for wave in &script.waves {
            let vnets: Vec<&str> = wave
                .jobs
                .iter()
                .map(|j| match &j.steps[0].what {
                    What::Link { vnet, .. } => vnet.as_str(),
                    other => panic!("a job holds a non-link step: {other:?}"),
                })
                .collect();
            let distinct: BTreeSet<&str> = vnets.iter().copied().collect();
            assert_eq!(distinct.len(), vnets.len());
            if vnets.len() > 1 {
                parallel_waves += 1;
            }
        }
        assert!(parallel_waves > 0, "the fixture has parallel link waves");
    }

    #[test]
    fn gateway_is_waited_for_before_its_transit_links() {
        let plan = sample_plan(false);
        let script = build(&plan).expect("fixture builds");
        let wait_wave = script
            .waves
            .iter()
            .position(|w| w.waits.iter().any(|g| g.name == "vgw-weu"))
            .expect("the gateway is waited for");
        let first_transit = script
            .waves
            .iter()
            .position(|w| {
                w.steps
                    .iter()
                    .chain(w.jobs.iter().flat_map(|j| &j.steps))
                    .any(|s| {
                        matches!(
                            &s.what,
                            What::Link {
                                allow_gateway_transit: true,
                                ..
                            }
                        )
                    })
            })
            .expect("a transit link");
        assert_eq!(wait_wave, first_transit);
        assert!(script.final_waits.is_empty());
    }

    #[test]
    fn links_of_one_vnet_in_one_wave_share_one_job_in_plan_order() {
        let mut plan = sample_plan(false);
        let last = plan.order.steps.iter().map(|s| s.wave).max().unwrap_or(0);
        for step in &mut plan.order.steps {
            if matches!(step.resource, Resource::Link { .. }) {
                step.wave = last + 1;
                step.after.clear();
            }
        }
        let script = build(&plan).expect("builds");
        let wave = script.waves.last().expect("a last wave");
        assert!(wave.steps.is_empty());
        let names: Vec<Vec<&str>> = wave
            .jobs
            .iter()
            .map(|j| {
                j.steps
                    .iter()
                    .map(|s| match &s.what {
                        What::Link { name, .. } => name.as_str(),
                        _ => "",
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            names,
            // Jobs in the plan order of their first link.
            vec![
                vec!["hub-neu-to-hub-weu"],
                vec!["hub-weu-to-app1", "hub-weu-to-app2", "hub-weu-to-hub-neu"],
                vec!["app1-to-hub-weu"],
                vec!["app2-to-hub-weu", "app2-to-legacy"],
            ]
        );
    }

    #[test]
    fn a_units_first_section_describes_it_and_later_ones_only_name_it() {
        let plan = sample_plan(false);
        let script = build(&plan).expect("fixture builds");
        let mut seen = BTreeSet::new();
        let mut continued = 0;
        for s in &script.steps {
            let Some(section) = &s.place.section else {
                continue;
            };
            let name = &plan.units[s.place.unit].name;
            if seen.insert(s.place.unit) {
                assert!(section.starts_with(&format!("unit {name}: subscription ")));
            } else {
                assert_eq!(section, &format!("unit {name} (continued)"));
                continued += 1;
            }
        }
        assert!(continued > 0, "the fixture returns to a unit");
        let used: BTreeSet<usize> = script.steps.iter().map(|s| s.place.unit).collect();
        assert_eq!(seen, used);
    }

    #[test]
    fn a_plan_naming_a_missing_vnet_is_an_error_not_a_panic() {
        let mut plan = sample_plan(false);
        plan.vnets.retain(|v| v.name != "app1");
        assert!(build(&plan).is_err());
    }

    #[test]
    fn a_link_waits_for_its_remote_vnet_chain_even_if_the_plan_does_not_say_so() {
        let mut plan = sample_plan(false);
        let link = plan
            .order
            .steps
            .iter()
            .position(|s| {
                matches!(&s.resource, Resource::Link { name, .. } if name == "hub-neu-to-hub-weu")
            })
            .expect("link step");
        plan.order.steps[link].after.clear();
        plan.order.steps[link].wave = 0;
        let remote_end = plan
            .order
            .steps
            .iter()
            .rposition(
                |s| matches!(&s.resource, Resource::Subnet { vnet, .. } if vnet == "hub-weu"),
            )
            .expect("hub-weu subnets");
        let waves = effective_waves(&plan, &Index::new(&plan));
        assert!(waves[link] > waves[remote_end]);
        // In the fixture only that link moves: its plan wave is the wave of
        // hub-weu's last subnet.
        let fixture = sample_plan(false);
        let planned: Vec<usize> = fixture.order.steps.iter().map(|s| s.wave).collect();
        let effective = effective_waves(&fixture, &Index::new(&fixture));
        let moved: Vec<usize> = (0..planned.len())
            .filter(|&i| planned[i] != effective[i])
            .collect();
        assert_eq!(moved, vec![link]);
        assert_eq!(effective[link], planned[remote_end] + 1);
    }
}
