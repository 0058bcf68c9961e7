//! Bicep renderer: `bicep/main.bicep` (targetScope = 'subscription', the
//! same scope as the ARM entry template), `bicep/resource-group.bicep`
//! (creates one resource group) and one module per resource deployment of
//! the ARM layout (`bicep/<unit>.bicep`, then `bicep/<unit>-2.bicep`... for
//! a unit's later phases or chunks).
//!
//! In: a `Plan`. Out: `OutputFile`s under `bicep/`. Same resources, same
//! order as ARM (`arm::layout`): module `dependsOn` between deployments,
//! resource `dependsOn` inside a module; links on one VNet are chained by
//! the plan's own order. A link's parent is the VNet's symbol when the
//! module creates it, otherwise an `existing` reference; every other id
//! is a plain literal. No interpolation, no spread operator. An estate
//! spanning tenants gets `main-<n>-<tenant>.bicep` files like the ARM
//! entries, each saying in a comment which ones to deploy first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use minijinja::Environment;
use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::arm::context::{self, Body, RESOURCES_API, Res};
use super::arm::layout::{self, Deployment, DeploymentKind, Layout, MAX_RESOURCES, Node};
use super::arm::value::{ResValue, maybe};
use super::{OutputFile, RenderError};
use crate::plan::{Plan, Tags};

/// Renders the Bicep files for `plan`.
pub fn render(plan: &Plan, env: &Environment<'static>) -> Result<Vec<OutputFile>, RenderError> {
    render_with(plan, env, MAX_RESOURCES)
}

/// A Bicep identifier from `prefix` and `name`, unique among `taken`.
fn symbol(prefix: &str, name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut clean = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            clean.push(c);
        } else if !clean.ends_with('_') {
            clean.push('_');
        }
    }
    let clean = clean.trim_matches('_');
    let base = if clean.starts_with(&format!("{prefix}_")) {
        clean.to_string()
    } else if clean.is_empty() {
        prefix.to_string()
    } else {
        format!("{prefix}_{clean}")
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    candidate
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Existing {
    symbol: String,
    type_ref: String,
    name: String,
}

#[derive(Clone, Serialize)]
struct RgCtx {
    name: String,
    location: String,
    tags: Tags,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeploymentCtx {
    symbol: String,
    name: String,
    file: String,
    subscription_id: String,
    resource_group: String,
    rg: Option<RgCtx>,
    depends_on: Vec<String>,
}

#[derive(Serialize)]
struct MainCtx {
    /// Main files to deploy first (an estate across tenants).
    deploy_after: Vec<String>,
    deployments: Vec<DeploymentCtx>,
}

fn type_ref(arm_type: &str, api: &str) -> String {
    format!("{arm_type}@{api}")
}

fn module(
    plan: &Plan,
    env: &Environment<'static>,
    deployment: &Deployment,
) -> Result<String, RenderError> {
    let resources = context::resources(plan, deployment)?;
    let api = plan.api_version.as_str();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let prefix = |r: &Res| match r.body {
        Body::ResourceGroup {} => "rg",
        Body::Vnet { .. } => "vnet",
        Body::PublicIp { .. } => "pip",
        Body::Gateway { .. } => "gw",
        Body::RouteServer { .. } => "rs",
        Body::RouteTable { .. } => "rt",
        Body::Link { .. } => "link",
    };
    let symbols: Vec<String> = resources
        .iter()
        .map(|r| symbol(prefix(r), &r.name, &mut taken))
        .collect();
    let ip_symbols: Vec<Option<String>> = resources
        .iter()
        .zip(&symbols)
        .map(|(r, s)| match r.body {
            Body::RouteServer { .. } => Some(symbol(s, "ip", &mut taken)),
            _ => None,
        })
        .collect();
    // What a dependent waits for: a route server's IP configuration.
    let waits: Vec<String> = symbols
        .iter()
        .zip(&ip_symbols)
        .map(|(s, ip)| ip.clone().unwrap_or_else(|| s.clone()))
        .collect();
    let mut existing: Vec<Existing> = Vec::new();
    // VNet name -> the symbol a link on it names as its parent: the
    // module's own VNet (the first node creating it), else an `existing`.
    let mut parents: BTreeMap<String, String> = BTreeMap::new();
    for (n, s) in deployment.nodes.iter().zip(&symbols) {
        if let Node::Vnet { vnet } = n
            && !parents.contains_key(vnet)
        {
            parents.insert(vnet.clone(), s.clone());
        }
    }
    let mut out = Vec::with_capacity(resources.len());
    for (i, r) in resources.into_iter().enumerate() {
        let parent = match &r.body {
            Body::Link { vnet, .. } => Some(match parents.get(vnet) {
                Some(p) => p.clone(),
                None => {
                    let s = symbol("vnet", vnet, &mut taken);
                    existing.push(Existing {
                        symbol: s.clone(),
                        type_ref: type_ref("Microsoft.Network/virtualNetworks", api),
                        name: vnet.clone(),
                    });
                    parents.insert(vnet.clone(), s.clone());
                    s
                }
            }),
            _ => None,
        };
        // The parent already implies waiting for it.
        let depends_on: Vec<String> = r
            .after
            .iter()
            .filter_map(|&j| waits.get(j).cloned())
            .filter(|s| Some(s) != parent.as_ref())
            .collect();
        let ip_type_ref = ip_symbols[i]
            .as_ref()
            .map(|_| type_ref("Microsoft.Network/virtualHubs/ipConfigurations", api));
        let extra = vec![
            ("symbol", Value::from(symbols[i].as_str())),
            ("typeRef", Value::from(type_ref(r.arm_type, api))),
            ("dependsOn", Value::from(depends_on)),
            ("parent", maybe(parent.as_deref())),
            ("ipSymbol", maybe(ip_symbols[i].as_deref())),
            ("ipTypeRef", maybe(ip_type_ref.as_deref())),
        ];
        out.push(ResValue::value(r, extra));
    }
    let ctx = BTreeMap::from([
        ("existing", Value::from(Serde(&existing))),
        ("resources", Value::from(out)),
    ]);
    super::render_value(env, "bicep/module.bicep", &Value::from(ctx))
}

/// Renders with an explicit per-template resource limit.
pub fn render_with(
    plan: &Plan,
    env: &Environment<'static>,
    max_resources: usize,
) -> Result<Vec<OutputFile>, RenderError> {
    render_layout(plan, env, &layout::layout(plan, max_resources)?)
}

/// Renders an already computed `layout` (shared with ARM).
pub fn render_layout(
    plan: &Plan,
    env: &Environment<'static>,
    layout: &Layout,
) -> Result<Vec<OutputFile>, RenderError> {
    let mut files = Vec::new();
    let mut deployments = Vec::with_capacity(layout.deployments.len());
    let mut taken = BTreeSet::new();
    let symbols: Vec<String> = layout
        .deployments
        .iter()
        .map(|d| symbol("m", &d.stem, &mut taken))
        .collect();
    for (i, d) in layout.deployments.iter().enumerate() {
        let unit = plan.units.get(d.unit).ok_or_else(|| RenderError {
            template: "bicep".to_string(),
            message: format!("unit {} is not in the plan", d.unit),
        })?;
        let rg = match d.kind {
            DeploymentKind::ResourceGroup => Some(RgCtx {
                name: unit.resource_group.clone(),
                location: unit.location.clone(),
                tags: plan.tags.clone(),
            }),
            DeploymentKind::Resources => None,
        };
        let file = match d.kind {
            DeploymentKind::ResourceGroup => "resource-group.bicep".to_string(),
            DeploymentKind::Resources => {
                let file = format!("{}.bicep", d.stem);
                files.push(OutputFile {
                    path: PathBuf::from(format!("bicep/{file}")),
                    contents: module(plan, env, d)?,
                });
                file
            }
        };
        deployments.push(DeploymentCtx {
            symbol: symbols[i].clone(),
            name: d.name.clone(),
            file,
            subscription_id: unit.subscription_id.clone(),
            resource_group: unit.resource_group.clone(),
            rg,
            depends_on: d
                .depends_on
                .iter()
                .filter_map(|&p| symbols.get(p).cloned())
                .collect(),
        });
    }
    // One main file per entry (per tenant and stage; usually just one).
    let entries = layout::entries(plan, layout);
    let file_of = |e: &layout::Entry| format!("main{}.bicep", e.suffix);
    let mut out = Vec::new();
    for entry in &entries {
        let in_entry: Vec<DeploymentCtx> = entry
            .deployments
            .iter()
            .filter_map(|&i| deployments.get(i))
            .map(|d| DeploymentCtx {
                depends_on: d
                    .depends_on
                    .iter()
                    .filter(|s| {
                        entry
                            .deployments
                            .iter()
                            .any(|&j| symbols.get(j) == Some(*s))
                    })
                    .cloned()
                    .collect(),
                ..d.clone()
            })
            .collect();
        let ctx = MainCtx {
            deploy_after: entry
                .after
                .iter()
                .filter_map(|&a| entries.get(a).map(file_of))
                .collect(),
            deployments: in_entry,
        };
        out.push(OutputFile {
            path: PathBuf::from(format!("bicep/{}", file_of(entry))),
            contents: super::render_template(env, "bicep/main.bicep", &ctx)?,
        });
    }
    if layout
        .deployments
        .iter()
        .any(|d| d.kind == DeploymentKind::ResourceGroup)
    {
        #[derive(Serialize)]
        struct RgModuleCtx {
            type_ref: String,
        }
        out.push(OutputFile {
            path: PathBuf::from("bicep/resource-group.bicep"),
            contents: super::render_template(
                env,
                "bicep/resource-group.bicep",
                &RgModuleCtx {
                    type_ref: type_ref("Microsoft.Resources/resourceGroups", RESOURCES_API),
                },
            )?,
        });
    }
    out.extend(files);
    Ok(out)
}
