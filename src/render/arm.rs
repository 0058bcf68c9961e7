//! ARM JSON renderer: `arm/<topology>.json`, one subscription-scoped entry
//! template (plus `arm/<topology>-<part>.json` linked templates when the
//! whole would pass ARM's 4 MB limit; one entry per tenant when the estate
//! spans tenants).
//!
//! In: a `Plan`. Out: `OutputFile`s under `arm/`, each parsed back with
//! serde_json (which also rejects a key written twice in one object) and
//! re-emitted as serde_json prints it (`arm/json.rs`): valid JSON by
//! construction.
//!
//! Scope and shape. The entry template is a *subscription* deployment
//! (`az deployment sub create --location <loc> --template-file
//! arm/<topology>.json`, `New-AzSubscriptionDeployment`): it can be
//! started from any subscription the operator may deploy to, and reaches
//! every unit through nested `Microsoft.Resources/deployments` that name
//! their `subscriptionId` (plus `resourceGroup` for resources). A tenant
//! deployment would need tenant-root rights that network teams rarely have.
//! - Each unit that creates resources gets a subscription-scoped nested
//!   deployment (`subscriptionId` + `location`) creating its resource group.
//! - A unit's resources go into resource-group-scoped nested deployments
//!   (inner expression scope, so `resourceId()` resolves in the unit).
//!   VNets carry their subnets inline (a re-deploy never drops them) and
//!   route table ids on subnets; existing, external and classic VNets are
//!   only referenced by id. Links are `virtualNetworks/virtualNetworkPeerings`
//!   with the four flags and `remoteVirtualNetwork.id`, nothing read-only.
//!
//! Order. `plan.order` is followed exactly (`arm/layout.rs`): a step
//! waiting for a step of the same deployment gets a `dependsOn` by
//! `resourceId()`; a step waiting for a step elsewhere makes its deployment
//! depend on that deployment. A deployment waits as a whole, so units are
//! split into phases until no resource waits for anything it does not
//! need. Example: a hub with a VPN gateway and spokes with
//! useRemoteGateways. The hub VNet, the gateway (30+ minutes) and each
//! transit link get deployments of their own; the spoke unit's VNets go
//! into a base deployment that waits for nothing of the hub's, and each
//! spoke link waits only for the deployment holding the hub link it needs
//! (not for the hub's other links, nor the gateway directly). Links on one
//! VNet stay serialised by the plan's own order. The price is more nested
//! deployments (seconds of overhead each) instead of links idling behind
//! a gateway; past 800 deployments coarser groupings are used. One wait
//! is added to the plan's: a link waits for its remote VNet when this
//! estate creates it (a peering to a VNet that does not exist yet fails).
//!
//! Tenants. A deployment runs in one tenant: an estate whose units span
//! tenants gets one entry template per (stage, tenant),
//! `arm/<topology>-<n>-<tenant>.json`, whose `metadata.deployAfter` lists
//! the entries to deploy first (a deployment waiting for one in another
//! tenant moves to a later stage). Links to VNets in other tenants are
//! listed under `metadata.crossTenant` (they need auxiliary-tenant tokens).
//!
//! Limits. A deployment holding more than 800 ARM resources is cut into
//! chunks (more nested deployments, chained where the order says so). When
//! the entry template with every nested template inline would pass 4 MB,
//! each resource deployment is written to its own file and linked by
//! `templateLink.relativePath` (deploy the entry template from a URL or a
//! template spec, which resolves relative links). Deployment names are
//! 1-64 characters, deterministic and unique.

pub mod context;
pub mod json;
pub mod layout;
pub mod value;

use std::collections::BTreeMap;
use std::path::PathBuf;

use minijinja::{Environment, Value};
use serde::Serialize;

use self::context::{Body, RESOURCES_API};
use self::layout::{Deployment, DeploymentKind, Entry, Layout, MAX_RESOURCES};
use self::value::ResValue;
use super::{OutputFile, RenderError};
use crate::plan::Plan;

/// The most bytes one template may have.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Template limits (tests use small ones to force splitting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_resources: usize,
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_resources: MAX_RESOURCES,
            max_bytes: MAX_BYTES,
        }
    }
}

/// Renders the ARM files for `plan`.
pub fn render(plan: &Plan, env: &Environment<'static>) -> Result<Vec<OutputFile>, RenderError> {
    render_with(plan, env, Limits::default())
}

/// An ARM template expression string literal: `'` doubled.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `[resourceId('type', 'seg', ...)]` as a complete JSON literal.
fn resource_id_literal(arm_type: &str, segments: &[String]) -> String {
    let mut expr = format!("[resourceId({}", quote(arm_type));
    for s in segments {
        expr.push_str(", ");
        expr.push_str(&quote(s));
    }
    expr.push_str(")]");
    json_string(&expr)
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeploymentCtx {
    name: String,
    subscription_id: String,
    resource_group: Option<String>,
    location: String,
    depends_on: Vec<String>,
    /// The nested template's JSON text (inline), or
    template: Option<String>,
    /// its relative path (linked).
    link: Option<String>,
}

#[derive(Serialize)]
struct MainCtx<'a> {
    topology: &'a str,
    comment: &'a str,
    resources_api: &'a str,
    /// The tenant this entry deploys in (None: the default one).
    tenant: Option<&'a str>,
    /// Entry files to deploy first (an estate across tenants).
    deploy_after: &'a [String],
    /// Tenants of remote VNets that links here peer with.
    remote_tenants: Vec<String>,
    deployments: Vec<DeploymentCtx>,
}

const COMMENT: &str = "Generated by azmesh. Subscription-scoped: az deployment sub create --location <location> --template-file <this file>. One nested deployment per resource group to create and per group of a unit's resources, ordered by dependsOn.";

/// Renders one nested template and checks that it is JSON.
fn nested_template(
    plan: &Plan,
    env: &Environment<'static>,
    deployment: &Deployment,
) -> Result<String, RenderError> {
    let resources = context::resources(plan, deployment)?;
    let refs: Vec<String> = resources
        .iter()
        .map(|r| {
            let (t, segs) = r.wait_target();
            resource_id_literal(t, &segs)
        })
        .collect();
    let name = match deployment.kind {
        DeploymentKind::ResourceGroup => "arm/resource-group.json",
        DeploymentKind::Resources => "arm/resources.json",
    };
    let arm: Vec<Value> = resources
        .into_iter()
        .map(|r| {
            let extra = vec![
                ("fullName", Value::from(r.full_name())),
                (
                    "dependsOn",
                    Value::from(
                        r.after
                            .iter()
                            .filter_map(|&i| refs.get(i).cloned())
                            .collect::<Vec<_>>(),
                    ),
                ),
                (
                    "selfRef",
                    Value::from(resource_id_literal(
                        r.arm_type,
                        std::slice::from_ref(&r.name),
                    )),
                ),
                (
                    "ipConfigurationFullName",
                    match &r.body {
                        Body::RouteServer {
                            ip_configuration, ..
                        } => Value::from(format!("{}/{ip_configuration}", r.name)),
                        _ => Value::from(()),
                    },
                ),
            ];
            ResValue::value(r, extra)
        })
        .collect();
    let ctx = BTreeMap::from([
        ("api_version", Value::from(plan.api_version.as_str())),
        ("resources_api", Value::from(RESOURCES_API)),
        ("resources", Value::from(arm)),
    ]);
    let text = super::render_value(env, name, &Value::from(ctx))?;
    check(name, &text)?;
    Ok(text)
}

fn check(template: &str, text: &str) -> Result<(), RenderError> {
    json::check(text).map_err(|e| RenderError {
        template: template.to_string(),
        message: format!("the rendered text is not JSON: {e}"),
    })
}

/// Renders with explicit limits.
pub fn render_with(
    plan: &Plan,
    env: &Environment<'static>,
    limits: Limits,
) -> Result<Vec<OutputFile>, RenderError> {
    let layout = layout::layout(plan, limits.max_resources)?;
    render_layout(plan, env, &layout, limits.max_bytes)
}

/// Renders an already computed `layout` (shared with Bicep), linking
/// nested templates once an entry template would pass `max_bytes`.
pub fn render_layout(
    plan: &Plan,
    env: &Environment<'static>,
    layout: &Layout,
    max_bytes: usize,
) -> Result<Vec<OutputFile>, RenderError> {
    let entries = layout::entries(plan, layout);
    let stem = layout::topology_stem(plan);
    let mut nested = Vec::with_capacity(layout.deployments.len());
    for d in &layout.deployments {
        nested.push(nested_template(plan, env, d)?);
    }
    let file_of = |e: &Entry| format!("{stem}{}.json", e.suffix);
    let mut files = Vec::new();
    for entry in &entries {
        let after: Vec<String> = entry
            .after
            .iter()
            .filter_map(|&a| entries.get(a).map(file_of))
            .collect();
        let path = PathBuf::from(format!("arm/{}", file_of(entry)));
        // Each nested template as its own file would print it. Inline, it
        // is the same text indented deeper: when these alone pass the
        // limit, the inline entry would too, and is not rendered at all.
        let mut printed: Vec<(usize, String)> = Vec::new();
        for &i in &entry.deployments {
            if let (Some(d), Some(template)) = (layout.deployments.get(i), nested.get(i))
                && d.kind == DeploymentKind::Resources
            {
                printed.push((i, json::pretty(template)));
            }
        }
        if printed.iter().map(|(_, t)| t.len()).sum::<usize>() <= max_bytes {
            let text = main_template(plan, env, layout, entry, &after, &nested, None)?;
            if text.len() <= max_bytes {
                files.push(OutputFile {
                    path,
                    contents: text,
                });
                continue;
            }
        }
        // Too big inline: every resource deployment in its own file.
        let mut linked = Vec::new();
        let mut links = vec![None; layout.deployments.len()];
        for (i, contents) in printed {
            if let Some(d) = layout.deployments.get(i) {
                let file = format!("{stem}-{}.json", d.stem);
                linked.push(OutputFile {
                    path: PathBuf::from(format!("arm/{file}")),
                    contents,
                });
                links[i] = Some(file);
            }
        }
        files.push(OutputFile {
            path,
            contents: main_template(plan, env, layout, entry, &after, &nested, Some(&links))?,
        });
        files.extend(linked);
    }
    Ok(files)
}

#[allow(clippy::too_many_arguments)]
fn main_template(
    plan: &Plan,
    env: &Environment<'static>,
    layout: &Layout,
    entry: &Entry,
    after: &[String],
    nested: &[String],
    links: Option<&[Option<String>]>,
) -> Result<String, RenderError> {
    let mut deployments = Vec::with_capacity(entry.deployments.len());
    for &i in &entry.deployments {
        let Some(d) = layout.deployments.get(i) else {
            continue;
        };
        let unit = plan.units.get(d.unit).ok_or_else(|| RenderError {
            template: "arm".to_string(),
            message: format!("unit {} is not in the plan", d.unit),
        })?;
        let link = links.and_then(|l| l.get(i).cloned().flatten());
        deployments.push(DeploymentCtx {
            name: d.name.clone(),
            subscription_id: unit.subscription_id.clone(),
            resource_group: (d.kind == DeploymentKind::Resources)
                .then(|| unit.resource_group.clone()),
            location: unit.location.clone(),
            // Deployments of other entries are ordered by `deployAfter`.
            depends_on: d
                .depends_on
                .iter()
                .filter(|p| entry.deployments.contains(p))
                .filter_map(|&p| layout.deployments.get(p).map(|x| x.name.clone()))
                .collect(),
            template: match link {
                Some(_) => None,
                None => nested.get(i).cloned(),
            },
            link,
        });
    }
    let mut remote_tenants: Vec<String> = plan
        .links
        .iter()
        .filter(|l| {
            l.cross_tenant
                && entry
                    .deployments
                    .iter()
                    .any(|&i| layout.deployments.get(i).is_some_and(|d| d.unit == l.unit))
        })
        .filter_map(|l| plan.vnet(&l.remote).and_then(|v| v.tenant.clone()))
        .collect();
    remote_tenants.sort();
    remote_tenants.dedup();
    let ctx = MainCtx {
        topology: &plan.topology,
        comment: COMMENT,
        resources_api: RESOURCES_API,
        tenant: entry.tenant.as_deref(),
        deploy_after: after,
        remote_tenants,
        deployments,
    };
    let name = "arm/main.json";
    let text = super::render_template(env, name, &ctx)?;
    check(name, &text)?;
    Ok(json::pretty(&text))
}
