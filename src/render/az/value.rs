//! A `Script` as the template value both script templates read.
//!
//! The same shape as serialising the `Script` (every field name, a step's
//! `kind` beside its kind's own fields, nothing else), but each step and
//! its place are objects answering attribute look-ups from the Rust
//! values: a 10,000-VNet estate has about 60,000 steps, and turning each
//! into a map of values cost more time and memory than rendering them.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Serde, Value};

use super::script::{Place, Script, StepCtx, What};
use crate::render::arm::value::maybe;

impl Script {
    /// The template value (moves the context; no step is copied).
    #[must_use]
    pub fn into_value(self) -> Value {
        let waves: Vec<Value> = self
            .waves
            .into_iter()
            .map(|w| {
                let jobs: Vec<Value> = w
                    .jobs
                    .into_iter()
                    .map(|j| {
                        map([
                            ("comment", Value::from(j.comment)),
                            ("steps", steps(j.steps)),
                        ])
                    })
                    .collect();
                map([
                    ("index", Value::from(w.index)),
                    ("waits", Value::from(Serde(&w.waits))),
                    ("steps", steps(w.steps)),
                    ("jobs", Value::from(jobs)),
                ])
            })
            .collect();
        map([
            ("header", Value::from(self.header)),
            ("tenants", Value::from(self.tenants)),
            ("cloud_name", Value::from(self.cloud_name)),
            ("api_version", Value::from(self.api_version)),
            ("steps", steps(self.steps)),
            ("waves", Value::from(waves)),
            ("final_waits", Value::from(Serde(&self.final_waits))),
            ("syncs", Value::from(Serde(&self.syncs))),
        ])
    }
}

/// A map of field names to values.
fn map<const N: usize>(fields: [(&'static str, Value); N]) -> Value {
    Value::from(fields.into_iter().collect::<BTreeMap<_, _>>())
}

fn steps(steps: Vec<StepCtx>) -> Value {
    Value::from(
        steps
            .into_iter()
            .map(|s| Value::from_object(Step::from(s)))
            .collect::<Vec<_>>(),
    )
}

/// One step: its common fields, and its kind's.
#[derive(Debug)]
struct Step {
    index: usize,
    comment: String,
    place: Value,
    tags: Value,
    tags_json: String,
    tags_set: String,
    what: What,
}

impl From<StepCtx> for Step {
    fn from(s: StepCtx) -> Step {
        Step {
            index: s.index,
            comment: s.comment,
            place: Value::from_object(s.place),
            tags: Value::from(Serde(&s.tags)),
            tags_json: s.tags_json,
            tags_set: s.tags_set,
            what: s.what,
        }
    }
}

fn text(s: &str) -> Option<Value> {
    Some(Value::from(s))
}

fn texts(items: &[String]) -> Option<Value> {
    Some(Value::from(items.to_vec()))
}

impl Object for Step {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        match key {
            "index" => return Some(Value::from(self.index)),
            "comment" => return text(&self.comment),
            "place" => return Some(self.place.clone()),
            "tags" => return Some(self.tags.clone()),
            "tags_json" => return text(&self.tags_json),
            "tags_set" => return text(&self.tags_set),
            "kind" => return text(kind(&self.what)),
            _ => {}
        }
        match (&self.what, key) {
            (What::ResourceGroup { name }, "name") => text(name),
            (
                What::Vnet {
                    name,
                    address_space,
                    dns_servers,
                },
                _,
            ) => match key {
                "name" => text(name),
                "address_space" => texts(address_space),
                "dns_servers" => texts(dns_servers),
                _ => None,
            },
            (
                What::Subnet {
                    vnet,
                    name,
                    prefixes,
                    route_table_id,
                },
                _,
            ) => match key {
                "vnet" => text(vnet),
                "name" => text(name),
                "prefixes" => texts(prefixes),
                "route_table_id" => Some(maybe(route_table_id.as_deref())),
                _ => None,
            },
            (What::PublicIp { vnet, name, zones }, _) => match key {
                "vnet" => text(vnet),
                "name" => text(name),
                "zones" => texts(zones),
                _ => None,
            },
            (
                What::Gateway {
                    vnet,
                    name,
                    public_ip,
                    gateway_type,
                    vpn_type,
                    sku,
                },
                _,
            ) => match key {
                "vnet" => text(vnet),
                "name" => text(name),
                "public_ip" => text(public_ip),
                "gateway_type" => text(gateway_type),
                "vpn_type" => Some(maybe(vpn_type.as_deref())),
                "sku" => text(sku),
                _ => None,
            },
            (
                What::RouteServer {
                    vnet,
                    name,
                    public_ip,
                    hosted_subnet_id,
                },
                _,
            ) => match key {
                "vnet" => text(vnet),
                "name" => text(name),
                "public_ip" => text(public_ip),
                "hosted_subnet_id" => text(hosted_subnet_id),
                _ => None,
            },
            (What::RouteTable { name, routes }, _) => match key {
                "name" => text(name),
                "routes" => Some(Value::from(Serde(routes))),
                _ => None,
            },
            (
                What::Link {
                    vnet,
                    name,
                    remote,
                    remote_id,
                    allow_virtual_network_access,
                    allow_forwarded_traffic,
                    allow_gateway_transit,
                    use_remote_gateways,
                    remote_classic,
                    child_name,
                    properties_json,
                    cross_tenant,
                    remote_tenant,
                },
                _,
            ) => match key {
                "vnet" => text(vnet),
                "name" => text(name),
                "remote" => text(remote),
                "remote_id" => text(remote_id),
                "allow_virtual_network_access" => Some(Value::from(*allow_virtual_network_access)),
                "allow_forwarded_traffic" => Some(Value::from(*allow_forwarded_traffic)),
                "allow_gateway_transit" => Some(Value::from(*allow_gateway_transit)),
                "use_remote_gateways" => Some(Value::from(*use_remote_gateways)),
                "remote_classic" => Some(Value::from(*remote_classic)),
                "child_name" => text(child_name),
                "properties_json" => text(properties_json),
                "cross_tenant" => Some(Value::from(*cross_tenant)),
                "remote_tenant" => Some(maybe(remote_tenant.as_deref())),
                _ => None,
            },
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let own: &'static [&'static str] = match self.what {
            What::ResourceGroup { .. } => &["name"],
            What::Vnet { .. } => &["name", "address_space", "dns_servers"],
            What::Subnet { .. } => &["vnet", "name", "prefixes", "route_table_id"],
            What::PublicIp { .. } => &["vnet", "name", "zones"],
            What::Gateway { .. } => &[
                "vnet",
                "name",
                "public_ip",
                "gateway_type",
                "vpn_type",
                "sku",
            ],
            What::RouteServer { .. } => &["vnet", "name", "public_ip", "hosted_subnet_id"],
            What::RouteTable { .. } => &["name", "routes"],
            What::Link { .. } => &[
                "vnet",
                "name",
                "remote",
                "remote_id",
                "allow_virtual_network_access",
                "allow_forwarded_traffic",
                "allow_gateway_transit",
                "use_remote_gateways",
                "remote_classic",
                "child_name",
                "properties_json",
                "cross_tenant",
                "remote_tenant",
            ],
        };
        let common = [
            "index",
            "comment",
            "place",
            "tags",
            "tags_json",
            "tags_set",
            "kind",
        ];
        Enumerator::Values(common.iter().chain(own).map(|k| Value::from(*k)).collect())
    }
}

/// A step's `kind`, as the serialised `What` names it.
fn kind(what: &What) -> &'static str {
    match what {
        What::ResourceGroup { .. } => "resource-group",
        What::Vnet { .. } => "vnet",
        What::Subnet { .. } => "subnet",
        What::PublicIp { .. } => "public-ip",
        What::Gateway { .. } => "gateway",
        What::RouteServer { .. } => "route-server",
        What::RouteTable { .. } => "route-table",
        What::Link { .. } => "link",
    }
}

impl Object for Place {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "unit" => Some(Value::from(self.unit)),
            "subscription_id" => text(&self.subscription_id),
            "tenant" => Some(maybe(self.tenant.as_deref())),
            "resource_group" => text(&self.resource_group),
            "location" => text(&self.location),
            "section" => Some(maybe(self.section.as_deref())),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "unit",
            "subscription_id",
            "tenant",
            "resource_group",
            "location",
            "section",
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::az::script::build;
    use crate::render::fixture::sample_plan;

    /// The objects answer exactly what serialising the script gives.
    #[test]
    fn the_value_is_the_serialised_script() {
        for hostile in [false, true] {
            let script = build(&sample_plan(hostile)).expect("builds");
            let serialised = Value::from(Serde(&script));
            let objects = script.into_value();
            let json = |v: &Value| serde_json::to_value(v).expect("a value serialises");
            assert_eq!(json(&objects), json(&serialised));
        }
    }
}
