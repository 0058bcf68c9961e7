//! Address rules: prefixes, subnets, special subnets, DNS and firewall IPs.
//!
//! In: the resolved `Estate`. Out: every VNet's and site's parsed, canonical
//! prefixes and firewall IP filled in; diagnostics for unparseable,
//! non-canonical, forbidden or misplaced prefixes and addresses. Overlaps
//! between VNets are `overlap`'s work.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net};

use super::resolve::{Estate, Net};
use crate::diagnostic::{Code, Diagnostic, Level};
use crate::model::{Subnet, Text};
use crate::plan::Kind;
use crate::spanned::Spanned;

/// The exact names of Azure's special subnets.
pub const SPECIAL_SUBNETS: [&str; 5] = [
    "GatewaySubnet",
    "AzureFirewallSubnet",
    "AzureFirewallManagementSubnet",
    "AzureBastionSubnet",
    "RouteServerSubnet",
];

const FORBIDDEN: [&str; 5] = [
    "224.0.0.0/4",
    "255.255.255.255/32",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "168.63.129.16/32",
];

/// A prefix, canonical (host bits cleared); `None` if it does not parse.
pub fn prefix(text: &Text, diags: &mut Vec<Diagnostic>) -> Option<Spanned<IpNet>> {
    let Ok(net) = text.value.trim().parse::<IpNet>() else {
        diags.push(
            Diagnostic::new(
                Code::InvalidPrefix,
                text.span,
                format!("`{}` is not an address prefix", text.value.escape_debug()),
            )
            .with_label("not a prefix")
            .with_help(
                "write an IPv4 or IPv6 prefix in CIDR form, e.g. `10.1.0.0/16` or `fd00:1::/64`",
            ),
        );
        return None;
    };
    let canonical = net.trunc();
    if canonical != net {
        diags.push(
            Diagnostic::new(
                Code::NonCanonicalPrefix,
                text.span,
                format!("`{net}` has host bits set; the network is `{canonical}`"),
            )
            .with_label("host bits set")
            .with_help(format!("write `{canonical}`")),
        );
    }
    Some(Spanned::new(canonical, text.span))
}

/// An IP address, or `None` after an `InvalidPrefix` diagnostic.
pub fn address(text: &Text, what: &str, diags: &mut Vec<Diagnostic>) -> Option<IpAddr> {
    if let Ok(ip) = text.value.trim().parse::<IpAddr>() {
        return Some(ip);
    }
    diags.push(
        Diagnostic::new(
            Code::InvalidPrefix,
            text.span,
            format!(
                "{what} `{}` is not an IP address",
                text.value.escape_debug()
            ),
        )
        .with_help("write a single IPv4 or IPv6 address, e.g. `10.0.254.4`"),
    );
    None
}

/// Fills prefixes and firewall IPs and checks every address rule per VNet and site.
pub fn check(estate: &mut Estate<'_>, diags: &mut Vec<Diagnostic>) {
    let forbidden: Vec<Ipv4Net> = FORBIDDEN.iter().filter_map(|p| p.parse().ok()).collect();
    for net in &mut estate.vnets {
        net.prefixes = net
            .src
            .address_space
            .iter()
            .filter_map(|t| prefix(t, diags))
            .collect();
        for p in &net.prefixes {
            if let IpNet::V4(v4) = p.value
                && let Some(bad) = forbidden
                    .iter()
                    .find(|f| f.contains(&v4) || v4.contains(*f))
            {
                diags.push(
                        Diagnostic::new(
                            Code::ForbiddenRange,
                            p.span,
                            format!("`{v4}` overlaps `{bad}`, which Azure reserves"),
                        )
                        .with_help("Azure does not allow multicast, broadcast, loopback, link-local or 168.63.129.16 in a VNet; choose a private range such as 10.0.0.0/8"),
                    );
            }
        }
        if net.kind.is_managed() && net.src.address_space.is_empty() {
            diags.push(
                Diagnostic::new(
                    Code::MissingValue,
                    net.span(),
                    format!("VNet `{}` has no address space", net.name),
                )
                .with_help("add `address-space \"10.x.0.0/16\"` (YAML `addressSpace: [..]`)"),
            );
        }
        subnets(net, diags);
        for dns in &net.src.dns_servers {
            address(dns, "DNS server", diags);
        }
        firewall(net, diags);
        gateway_subnets(net, diags);
    }
    for site in &mut estate.sites {
        site.prefixes = site
            .src
            .address_space
            .iter()
            .filter_map(|t| prefix(t, diags))
            .collect();
        if let Some(a) = &site.src.gateway_address {
            address(a, "gateway address", diags);
        }
    }
}

fn subnets(net: &Net<'_>, diags: &mut Vec<Diagnostic>) {
    // (prefix, subnet index) of every parsed subnet prefix, for the overlap sweep.
    let mut all: Vec<(Spanned<IpNet>, usize)> = Vec::new();
    for (i, subnet) in net.src.subnets.iter().enumerate() {
        special_name(subnet, diags);
        if subnet.prefixes.is_empty() {
            diags.push(
                Diagnostic::new(
                    Code::MissingValue,
                    subnet.name.span,
                    format!("subnet `{}` has no prefix", subnet.name.value),
                )
                .with_help("give the subnet a prefix inside the VNet's address space"),
            );
        }
        for text in &subnet.prefixes {
            let Some(p) = prefix(text, diags) else {
                continue;
            };
            let len = p.value.prefix_len();
            let size_ok = match p.value {
                IpNet::V4(_) => (2..=29).contains(&len),
                IpNet::V6(_) => len == 64,
            };
            if !size_ok {
                diags.push(
                    Diagnostic::new(
                        Code::SubnetSize,
                        p.span,
                        format!("subnet `{}` is a /{len}", subnet.name.value),
                    )
                    .with_help("IPv4 subnets are /2 to /29; IPv6 subnets are exactly /64"),
                );
            }
            if space_known(net) && !net.prefixes.iter().any(|v| v.value.contains(&p.value)) {
                let spaces: Vec<String> =
                    net.prefixes.iter().map(|v| v.value.to_string()).collect();
                diags.push(
                    Diagnostic::new(
                        Code::SubnetOutsideVnet,
                        p.span,
                        format!(
                            "subnet `{}` ({}) is outside VNet `{}`'s address space",
                            subnet.name.value, p.value, net.name
                        ),
                    )
                    .with_help(format!(
                        "choose a prefix inside {}, or add a covering prefix to the address space",
                        spaces.join(", ")
                    )),
                );
            }
            special_size(subnet, &p, diags);
            all.push((p, i));
        }
    }
    // CIDR blocks nest or are disjoint: after sorting by (start, length) a
    // block overlaps an earlier one only if that one contains it, and the
    // containing ones form a stack.
    all.sort_by_key(|(p, i)| (p.value.network(), p.value.prefix_len(), *i));
    let mut stack: Vec<&(Spanned<IpNet>, usize)> = Vec::new();
    for item in &all {
        while stack
            .last()
            .is_some_and(|top| !top.0.value.contains(&item.0.value))
        {
            stack.pop();
        }
        if let Some(other) = stack.iter().rev().find(|o| o.1 != item.1) {
            let (a, b) = if other.0.span.start <= item.0.span.start {
                (*other, item)
            } else {
                (item, *other)
            };
            let name = |i: usize| net.src.subnets.get(i).map_or("", |s| s.name.value.as_str());
            diags.push(
                Diagnostic::new(
                    Code::SubnetOverlap,
                    b.0.span,
                    format!(
                        "subnet `{}` ({}) overlaps subnet `{}` ({})",
                        name(b.1),
                        b.0.value,
                        name(a.1),
                        a.0.value
                    ),
                )
                .with_related(a.0.span, "overlapping prefix")
                .with_help("give every subnet of a VNet its own, disjoint prefix"),
            );
        }
        stack.push(item);
    }
}

/// Whether the whole address space parsed (and is not empty): only then
/// can "outside the address space" be decided.
fn space_known(net: &Net<'_>) -> bool {
    !net.prefixes.is_empty() && net.prefixes.len() == net.src.address_space.len()
}

fn special_name(subnet: &Subnet, diags: &mut Vec<Diagnostic>) {
    let name = &subnet.name.value;
    if let Some(exact) = SPECIAL_SUBNETS
        .iter()
        .find(|s| s.eq_ignore_ascii_case(name) && *s != name)
    {
        diags.push(
            Diagnostic::new(
                Code::SpecialSubnet,
                subnet.name.span,
                format!("special subnet `{name}` must be spelled `{exact}`"),
            )
            .with_help(format!("Azure recognises only the exact name `{exact}`")),
        );
    }
}

fn special_size(subnet: &Subnet, p: &Spanned<IpNet>, diags: &mut Vec<Diagnostic>) {
    let IpNet::V4(_) = p.value else {
        return;
    };
    let len = p.value.prefix_len();
    let name = subnet.name.value.as_str();
    let (max_len, rule) = match name {
        "GatewaySubnet" => (
            29,
            "GatewaySubnet is /29 or larger (/27 or larger recommended)",
        ),
        "AzureFirewallSubnet" => (26, "AzureFirewallSubnet is /26 or larger"),
        "AzureBastionSubnet" => (26, "AzureBastionSubnet is /26 or larger"),
        "RouteServerSubnet" => (27, "RouteServerSubnet is /27 or larger"),
        _ => return,
    };
    if len > max_len {
        diags.push(
            Diagnostic::new(
                Code::SpecialSubnet,
                p.span,
                format!("{name} is too small: /{len}"),
            )
            .with_help(rule.to_string()),
        );
    } else if name == "GatewaySubnet" && len > 27 {
        diags.push(
            Diagnostic::new(
                Code::SpecialSubnet,
                p.span,
                format!("GatewaySubnet /{len} is smaller than the recommended /27"),
            )
            .with_level(Level::Warning)
            .with_help(
                "use /27 or larger so that ExpressRoute and VPN gateways can coexist and grow",
            ),
        );
    }
}

fn firewall(net: &mut Net<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(fw) = &net.src.firewall else {
        return;
    };
    let Some(text) = &fw.private_ip else {
        diags.push(
            Diagnostic::new(
                Code::MissingValue,
                fw.name.span,
                format!("firewall `{}` has no private IP", fw.name.value),
            )
            .with_help("add `private-ip=\"<address in the hub>\"`: spokes route through it"),
        );
        return;
    };
    let Some(ip) = address(text, "firewall private IP", diags) else {
        return;
    };
    if space_known(net) && !net.prefixes.iter().any(|p| p.value.contains(&ip)) {
        diags.push(
            Diagnostic::new(
                Code::AddressOutsideVnet,
                text.span,
                format!(
                    "firewall IP {ip} is outside VNet `{}`'s address space",
                    net.name
                ),
            )
            .with_help(
                "use the firewall's private address inside the hub (e.g. in AzureFirewallSubnet)",
            ),
        );
    }
    net.firewall_ip = Some(ip);
}

/// A managed VNet's gateway needs a GatewaySubnet, its route server a RouteServerSubnet.
fn gateway_subnets(net: &Net<'_>, diags: &mut Vec<Diagnostic>) {
    if net.kind != Kind::Managed {
        return;
    }
    let has = |n: &str| net.src.subnets.iter().any(|s| s.name.value == n);
    let needs = [
        (
            net.src.gateway.as_ref().map(|g| &g.name),
            "gateway",
            "GatewaySubnet",
            "/27",
        ),
        (
            net.src.route_server.as_ref().map(|r| &r.name),
            "route server",
            "RouteServerSubnet",
            "/27",
        ),
    ];
    for (name, what, subnet, size) in needs {
        if let Some(name) = name
            && !has(subnet)
        {
            diags.push(
                Diagnostic::new(
                    Code::GatewayWithoutSubnet,
                    name.span,
                    format!(
                        "{what} `{}` needs a subnet named {subnet} in VNet `{}`",
                        name.value, net.name
                    ),
                )
                .with_help(format!("add `subnet \"{subnet}\" \"<{size} prefix>\"`")),
            );
        }
    }
}
