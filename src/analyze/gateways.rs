//! Gateways and route servers: type, SKU and public IP.
//!
//! In: a VNet's `model::Gateway` / `model::RouteServer`. Out: the plan's
//! `PlanGateway` / `PlanRouteServer` with defaults applied (type `vpn`, SKU
//! `VpnGw1AZ` or `ErGw1AZ`, public IP `<name>-pip`); `InvalidValue`
//! diagnostics for an unknown type or SKU.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Gateway, RouteServer};
use crate::plan::{PlanGateway, PlanRouteServer};

const VPN_SKUS: &[&str] = &[
    "Basic", "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5", "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ",
    "VpnGw4AZ", "VpnGw5AZ",
];
const ER_SKUS: &[&str] = &[
    "Standard",
    "HighPerformance",
    "UltraPerformance",
    "ErGw1AZ",
    "ErGw2AZ",
    "ErGw3AZ",
    "ErGwScale",
];

/// The planned gateway; `None` after a diagnostic.
pub fn gateway(g: &Gateway, diags: &mut Vec<Diagnostic>) -> Option<PlanGateway> {
    let (gateway_type, skus, default_sku) = match g.kind.as_ref().map(|k| k.value.as_str()) {
        None | Some("vpn") => ("Vpn", VPN_SKUS, "VpnGw1AZ"),
        Some("expressroute") => ("ExpressRoute", ER_SKUS, "ErGw1AZ"),
        Some(other) => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    g.kind.as_ref().map_or(g.name.span, |k| k.span),
                    format!("unknown gateway type `{}`", other.escape_debug()),
                )
                .with_help("type is `vpn` (the default) or `expressroute`"),
            );
            return None;
        }
    };
    let sku = match &g.sku {
        None => default_sku.to_string(),
        Some(s) if skus.contains(&s.value.as_str()) => s.value.clone(),
        Some(s) => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    s.span,
                    format!(
                        "`{}` is not a {gateway_type} gateway SKU",
                        s.value.escape_debug()
                    ),
                )
                .with_help(format!("use one of: {}", skus.join(", "))),
            );
            return None;
        }
    };
    Some(PlanGateway {
        name: g.name.value.clone(),
        gateway_type: gateway_type.to_string(),
        sku,
        public_ip: format!("{}-pip", g.name.value),
    })
}

/// The planned route server.
#[must_use]
pub fn route_server(r: &RouteServer) -> PlanRouteServer {
    PlanRouteServer {
        name: r.name.value.clone(),
        public_ip: format!("{}-pip", r.name.value),
    }
}
