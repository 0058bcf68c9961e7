//! A `Res` as the template value the ARM and Bicep templates read.
//!
//! The same shape as serialising the `Res` (camelCase fields, `kind` and
//! the body's own fields beside them) plus each renderer's extra fields,
//! answered from the Rust value on look-up instead of being turned into a
//! map first (a 10,000-VNet estate writes about 45,000 resources twice).

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Serde, Value};

use super::context::{Body, Res};

/// A resource and the renderer's own fields (`dependsOn`, `symbol`...).
#[derive(Debug)]
pub struct ResValue {
    res: Res,
    extra: Vec<(&'static str, Value)>,
}

impl ResValue {
    /// The template value of `res` with `extra` fields (which win over the
    /// resource's own of the same name).
    #[must_use]
    pub fn value(res: Res, extra: Vec<(&'static str, Value)>) -> Value {
        Value::from_object(ResValue { res, extra })
    }
}

/// `Some(text)` as a string value, `None` as none.
#[must_use]
pub fn maybe(text: Option<&str>) -> Value {
    text.map_or(Value::from(()), Value::from)
}

fn texts(items: &[String]) -> Value {
    Value::from(items.to_vec())
}

/// The kind-specific field names, as serde names them.
fn body_keys(body: &Body) -> &'static [&'static str] {
    match body {
        Body::ResourceGroup {} => &[],
        Body::Vnet { .. } => &["addressPrefixes", "dnsServers", "subnets"],
        Body::PublicIp { .. } => &["zones"],
        Body::Gateway { .. } => &["gatewayType", "vpnType", "sku", "subnetId", "publicIpId"],
        Body::RouteServer { .. } => &["ipConfiguration", "subnetId", "publicIpId"],
        Body::RouteTable { .. } => &["routes"],
        Body::Link { .. } => &[
            "vnet",
            "remote",
            "remoteId",
            "allowVirtualNetworkAccess",
            "allowForwardedTraffic",
            "allowGatewayTransit",
            "useRemoteGateways",
        ],
    }
}

fn kind(body: &Body) -> &'static str {
    match body {
        Body::ResourceGroup {} => "resource-group",
        Body::Vnet { .. } => "vnet",
        Body::PublicIp { .. } => "public-ip",
        Body::Gateway { .. } => "gateway",
        Body::RouteServer { .. } => "route-server",
        Body::RouteTable { .. } => "route-table",
        Body::Link { .. } => "link",
    }
}

fn body_field(body: &Body, key: &str) -> Option<Value> {
    Some(match (body, key) {
        (
            Body::Vnet {
                address_prefixes, ..
            },
            "addressPrefixes",
        ) => texts(address_prefixes),
        (Body::Vnet { dns_servers, .. }, "dnsServers") => texts(dns_servers),
        (Body::Vnet { subnets, .. }, "subnets") => Value::from(Serde(subnets)),
        (Body::PublicIp { zones }, "zones") => texts(zones),
        (Body::Gateway { gateway_type, .. }, "gatewayType") => Value::from(gateway_type.as_str()),
        (Body::Gateway { vpn_type, .. }, "vpnType") => maybe(vpn_type.as_deref()),
        (Body::Gateway { sku, .. }, "sku") => Value::from(sku.as_str()),
        (Body::Gateway { subnet_id, .. } | Body::RouteServer { subnet_id, .. }, "subnetId") => {
            Value::from(subnet_id.as_str())
        }
        (
            Body::Gateway { public_ip_id, .. } | Body::RouteServer { public_ip_id, .. },
            "publicIpId",
        ) => Value::from(public_ip_id.as_str()),
        (
            Body::RouteServer {
                ip_configuration, ..
            },
            "ipConfiguration",
        ) => Value::from(ip_configuration.as_str()),
        (Body::RouteTable { routes }, "routes") => Value::from(Serde(routes)),
        (Body::Link { vnet, .. }, "vnet") => Value::from(vnet.as_str()),
        (Body::Link { remote, .. }, "remote") => Value::from(remote.as_str()),
        (Body::Link { remote_id, .. }, "remoteId") => Value::from(remote_id.as_str()),
        (
            Body::Link {
                allow_virtual_network_access,
                ..
            },
            "allowVirtualNetworkAccess",
        ) => Value::from(*allow_virtual_network_access),
        (
            Body::Link {
                allow_forwarded_traffic,
                ..
            },
            "allowForwardedTraffic",
        ) => Value::from(*allow_forwarded_traffic),
        (
            Body::Link {
                allow_gateway_transit,
                ..
            },
            "allowGatewayTransit",
        ) => Value::from(*allow_gateway_transit),
        (
            Body::Link {
                use_remote_gateways,
                ..
            },
            "useRemoteGateways",
        ) => Value::from(*use_remote_gateways),
        _ => return None,
    })
}

impl Object for ResValue {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        if let Some((_, v)) = self.extra.iter().find(|(k, _)| *k == key) {
            return Some(v.clone());
        }
        let r = &self.res;
        match key {
            "name" => Some(Value::from(r.name.as_str())),
            "armType" => Some(Value::from(r.arm_type)),
            "location" => Some(maybe(r.location.as_deref())),
            "tags" => Some(
                r.tags
                    .as_ref()
                    .map_or(Value::from(()), |t| Value::from(Serde(t))),
            ),
            "kind" => Some(Value::from(kind(&r.body))),
            _ => body_field(&r.body, key),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let own = ["name", "armType", "location", "tags", "kind"];
        let mut keys: Vec<Value> = own
            .iter()
            .chain(body_keys(&self.res.body))
            .filter(|k| !self.extra.iter().any(|(e, _)| e == *k))
            .map(|k| Value::from(*k))
            .collect();
        keys.extend(self.extra.iter().map(|(k, _)| Value::from(*k)));
        Enumerator::Values(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::arm::{context, layout};
    use crate::render::fixture::sample_plan;

    /// The object answers exactly what serialising the resource gives.
    #[test]
    fn the_value_is_the_serialised_resource() {
        let json = |v: &Value| serde_json::to_value(v).expect("a value serialises");
        let mut kinds = std::collections::BTreeSet::new();
        for hostile in [false, true] {
            let plan = sample_plan(hostile);
            let layout = layout::layout(&plan, layout::MAX_RESOURCES).expect("lays out");
            for d in &layout.deployments {
                for res in context::resources(&plan, d).expect("resources") {
                    kinds.insert(kind(&res.body));
                    let serialised = Value::from(Serde(&res));
                    let object = ResValue::value(res, Vec::new());
                    assert_eq!(json(&object), json(&serialised));
                }
            }
        }
        assert!(kinds.len() >= 6, "the fixture covers the kinds: {kinds:?}");
    }

    #[test]
    fn extra_fields_win_and_are_listed_once() {
        let plan = sample_plan(false);
        let layout = layout::layout(&plan, layout::MAX_RESOURCES).expect("lays out");
        let d = layout.deployments.first().expect("a deployment");
        let res = context::resources(&plan, d).expect("resources").remove(0);
        let v = ResValue::value(
            res,
            vec![("name", Value::from("other")), ("symbol", Value::from("s"))],
        );
        assert_eq!(v.get_attr("name").ok(), Some(Value::from("other")));
        assert_eq!(v.get_attr("symbol").ok(), Some(Value::from("s")));
        let keys: Vec<String> = v
            .try_iter()
            .expect("iterable")
            .map(|k| k.to_string())
            .collect();
        assert_eq!(keys.iter().filter(|k| *k == "name").count(), 1);
    }
}
