//! The topology writer shared by every importer.
//!
//! In: a `Draft` (an estate as plain strings, with the comments that say
//! where each part came from). Out: KDL 2.0 or YAML text that the readers
//! in `parse` read back into the same model. Every string is quoted for its
//! target (KDL 2.0 escapes; YAML plain only when it is a safe scalar), and
//! comment text is kept on one line.

use std::fmt::Write as _;

use crate::source::Lang;

/// An estate ready to be written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    /// Comment lines at the top of the file.
    pub header: Vec<String>,
    pub name: String,
    pub default_location: Option<String>,
    pub subscriptions: Vec<DraftSubscription>,
    /// Written hubs first, then spokes, then plain VNets (the YAML order).
    pub vnets: Vec<DraftVnet>,
    pub peerings: Vec<DraftPeering>,
    pub sites: Vec<DraftSite>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DraftSubscription {
    pub comments: Vec<String>,
    pub alias: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DraftRole {
    Hub,
    Spoke(String),
    Vnet,
}

impl DraftRole {
    fn rank(&self) -> u8 {
        match self {
            DraftRole::Hub => 0,
            DraftRole::Spoke(_) => 1,
            DraftRole::Vnet => 2,
        }
    }
}

/// The four peering flags as written (`None`: not written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    pub allow_virtual_network_access: Option<bool>,
    pub allow_forwarded_traffic: Option<bool>,
    pub allow_gateway_transit: Option<bool>,
    pub use_remote_gateways: Option<bool>,
}

impl Flags {
    /// All four flags written with these values.
    pub fn all(access: bool, forwarded: bool, transit: bool, remote: bool) -> Flags {
        Flags {
            allow_virtual_network_access: Some(access),
            allow_forwarded_traffic: Some(forwarded),
            allow_gateway_transit: Some(transit),
            use_remote_gateways: Some(remote),
        }
    }

    /// `(kdl key, yaml key, value)` of every written flag.
    fn written(&self) -> Vec<(&'static str, &'static str, bool)> {
        [
            (
                "allow-virtual-network-access",
                "allowVirtualNetworkAccess",
                self.allow_virtual_network_access,
            ),
            (
                "allow-forwarded-traffic",
                "allowForwardedTraffic",
                self.allow_forwarded_traffic,
            ),
            (
                "allow-gateway-transit",
                "allowGatewayTransit",
                self.allow_gateway_transit,
            ),
            (
                "use-remote-gateways",
                "useRemoteGateways",
                self.use_remote_gateways,
            ),
        ]
        .into_iter()
        .filter_map(|(k, y, v)| v.map(|v| (k, y, v)))
        .collect()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct DraftVnet {
    pub comments: Vec<String>,
    pub name: String,
    pub role: DraftRole,
    pub location: Option<String>,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    pub existing: bool,
    pub classic: bool,
    pub id: Option<String>,
    pub address_space: Vec<String>,
    pub dns_servers: Vec<String>,
    pub subnets: Vec<(String, Vec<String>)>,
    pub gateway: Option<DraftGateway>,
    pub peering_defaults: Flags,
    /// A spoke's own link towards its hub.
    pub spoke_link: Flags,
    /// For a VNet azmesh never changes (classic, existing): why its DNS
    /// servers and subnets are written as comments, for reference, rather
    /// than as settings the analyzer would report as not applied (AZM032).
    pub reference_only: Option<String>,
}

impl DraftVnet {
    pub fn new(name: impl Into<String>, role: DraftRole) -> DraftVnet {
        DraftVnet {
            comments: Vec::new(),
            name: name.into(),
            role,
            location: None,
            subscription: None,
            resource_group: None,
            existing: false,
            classic: false,
            id: None,
            address_space: Vec::new(),
            dns_servers: Vec::new(),
            subnets: Vec::new(),
            gateway: None,
            peering_defaults: Flags::default(),
            spoke_link: Flags::default(),
            reference_only: None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct DraftGateway {
    pub name: String,
    /// `vpn` or `expressroute`.
    pub kind: String,
    pub sku: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DraftPeering {
    pub comments: Vec<String>,
    pub a: String,
    pub b: String,
    /// The A -> B link.
    pub forward: Flags,
    /// The B -> A link.
    pub reverse: Flags,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DraftSite {
    pub comments: Vec<String>,
    pub name: String,
    pub address_space: Vec<String>,
    pub hub: Option<String>,
    pub gateway_address: Option<String>,
}

/// Writes `draft` in `lang`.
pub(crate) fn emit(draft: &Draft, lang: Lang) -> String {
    let mut draft = draft.clone();
    draft.vnets.sort_by_key(|v| v.role.rank());
    match lang {
        Lang::Kdl => kdl(&draft),
        Lang::Yaml => yaml(&draft),
    }
}

/// A comment's text on one line: line breaks and other control or
/// invisible characters become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe_char(c) { ' ' } else { c })
        .collect()
}

/// Characters that KDL 2.0 forbids literally or reads as a line break, and
/// that YAML reads as a line break or byte order mark.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FEFF}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// A KDL 2.0 quoted string.
pub(crate) fn kdl_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{C}' => out.push_str("\\f"),
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML scalar: plain when it cannot be read as anything but this
/// string, double-quoted (JSON escapes, a subset of YAML's) otherwise.
pub(crate) fn yaml_string(text: &str) -> String {
    if is_plain_safe(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Names, regions and prefixes that YAML 1.1 and 1.2 both read as a string.
fn is_plain_safe(text: &str) -> bool {
    const RESERVED: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    let safe_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if !safe_chars || text.ends_with('.') {
        return false;
    }
    if first.is_ascii_alphabetic() {
        return !RESERVED.contains(&text.to_ascii_lowercase().as_str());
    }
    // An IPv4 address or prefix: digits with at least two dots is no number.
    first.is_ascii_digit()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '/')
        && text.matches('.').count() >= 2
}

fn kdl(d: &Draft) -> String {
    let mut o = String::new();
    for line in &d.header {
        let _ = writeln!(o, "// {}", one_line(line));
    }
    let _ = writeln!(o, "topology {}", kdl_string(&d.name));
    if let Some(location) = &d.default_location {
        let _ = writeln!(o, "defaults location={}", kdl_string(location));
    }
    if !d.subscriptions.is_empty() {
        o.push('\n');
    }
    for s in &d.subscriptions {
        kdl_comments(&mut o, &s.comments, "");
        let _ = writeln!(
            o,
            "subscription {} id={}",
            kdl_string(&s.alias),
            kdl_string(&s.id)
        );
    }
    for v in &d.vnets {
        o.push('\n');
        kdl_vnet(&mut o, v);
    }
    for p in &d.peerings {
        o.push('\n');
        kdl_comments(&mut o, &p.comments, "");
        let _ = write!(o, "peering {} {}", kdl_string(&p.a), kdl_string(&p.b));
        kdl_flags(&mut o, &p.forward);
        let reverse = p.reverse.written();
        if reverse.is_empty() {
            o.push('\n');
        } else {
            o.push_str(" {\n    reverse");
            kdl_flags(&mut o, &p.reverse);
            o.push_str("\n}\n");
        }
    }
    for s in &d.sites {
        o.push('\n');
        kdl_comments(&mut o, &s.comments, "");
        let _ = write!(o, "site {}", kdl_string(&s.name));
        if let Some(hub) = &s.hub {
            let _ = write!(o, " hub={}", kdl_string(hub));
        }
        if let Some(address) = &s.gateway_address {
            let _ = write!(o, " gateway-address={}", kdl_string(address));
        }
        if s.address_space.is_empty() {
            o.push('\n');
        } else {
            let _ = writeln!(
                o,
                " {{\n    address-space {}\n}}",
                kdl_list(&s.address_space)
            );
        }
    }
    o
}

fn kdl_comments(o: &mut String, comments: &[String], indent: &str) {
    for c in comments {
        let _ = writeln!(o, "{indent}// {}", one_line(c));
    }
}

fn kdl_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| kdl_string(i))
        .collect::<Vec<_>>()
        .join(" ")
}

fn kdl_flags(o: &mut String, flags: &Flags) {
    for (key, _, value) in flags.written() {
        let _ = write!(o, " {key}={}", if value { "#true" } else { "#false" });
    }
}

fn kdl_vnet(o: &mut String, v: &DraftVnet) {
    kdl_comments(o, &v.comments, "");
    let keyword = match &v.role {
        DraftRole::Hub => "hub",
        DraftRole::Spoke(_) => "spoke",
        DraftRole::Vnet => "vnet",
    };
    let _ = write!(o, "{keyword} {}", kdl_string(&v.name));
    if let DraftRole::Spoke(hub) = &v.role {
        let _ = write!(o, " hub={}", kdl_string(hub));
        kdl_flags(o, &v.spoke_link);
    }
    let props = [
        ("location", &v.location),
        ("subscription", &v.subscription),
        ("resource-group", &v.resource_group),
    ];
    for (key, value) in props {
        if let Some(value) = value {
            let _ = write!(o, " {key}={}", kdl_string(value));
        }
    }
    if v.existing {
        o.push_str(" existing=#true");
    }
    if v.classic {
        o.push_str(" classic=#true");
    }
    if let Some(id) = &v.id {
        let _ = write!(o, " id={}", kdl_string(id));
    }
    let mut body = String::new();
    if !v.address_space.is_empty() {
        let _ = writeln!(body, "    address-space {}", kdl_list(&v.address_space));
    }
    let mut settings = String::new();
    if !v.dns_servers.is_empty() {
        let _ = writeln!(settings, "dns-servers {}", kdl_list(&v.dns_servers));
    }
    for (name, prefixes) in &v.subnets {
        let _ = writeln!(
            settings,
            "subnet {} {}",
            kdl_string(name),
            kdl_list(prefixes)
        );
    }
    match &v.reference_only {
        Some(why) if !settings.is_empty() => {
            let _ = writeln!(body, "    // {}", one_line(why));
            for line in settings.lines() {
                let _ = writeln!(body, "    // {line}");
            }
        }
        _ => {
            for line in settings.lines() {
                let _ = writeln!(body, "    {line}");
            }
        }
    }
    if let Some(g) = &v.gateway {
        let _ = writeln!(
            body,
            "    gateway {} type={} sku={}",
            kdl_string(&g.name),
            kdl_string(&g.kind),
            kdl_string(&g.sku)
        );
    }
    if !v.peering_defaults.written().is_empty() {
        body.push_str("    peering-defaults");
        kdl_flags(&mut body, &v.peering_defaults);
        body.push('\n');
    }
    if body.is_empty() {
        o.push('\n');
    } else {
        let _ = write!(o, " {{\n{body}}}\n");
    }
}

fn yaml(d: &Draft) -> String {
    let mut o = String::new();
    for line in &d.header {
        let _ = writeln!(o, "# {}", one_line(line));
    }
    let _ = writeln!(o, "topology: {}", yaml_string(&d.name));
    if let Some(location) = &d.default_location {
        let _ = writeln!(o, "defaults:\n  location: {}", yaml_string(location));
    }
    if !d.subscriptions.is_empty() {
        o.push_str("\nsubscriptions:\n");
    }
    for s in &d.subscriptions {
        yaml_comments(&mut o, &s.comments, "  ");
        let _ = writeln!(
            o,
            "  {}:\n    id: {}",
            yaml_string(&s.alias),
            yaml_string(&s.id)
        );
    }
    for (key, rank) in [("hubs", 0), ("spokes", 1), ("vnets", 2)] {
        let group: Vec<&DraftVnet> = d.vnets.iter().filter(|v| v.role.rank() == rank).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(o, "\n{key}:");
        for (i, v) in group.into_iter().enumerate() {
            if i > 0 {
                o.push('\n');
            }
            yaml_vnet(&mut o, v);
        }
    }
    if !d.peerings.is_empty() {
        o.push_str("\npeerings:\n");
    }
    for p in &d.peerings {
        yaml_comments(&mut o, &p.comments, "  ");
        let _ = writeln!(
            o,
            "  - between: [{}, {}]",
            yaml_string(&p.a),
            yaml_string(&p.b)
        );
        yaml_flags(&mut o, &p.forward, "    ");
        if !p.reverse.written().is_empty() {
            o.push_str("    reverse:\n");
            yaml_flags(&mut o, &p.reverse, "      ");
        }
    }
    if !d.sites.is_empty() {
        o.push_str("\nsites:\n");
    }
    for s in &d.sites {
        yaml_comments(&mut o, &s.comments, "  ");
        let _ = writeln!(o, "  {}:", yaml_string(&s.name));
        if let Some(hub) = &s.hub {
            let _ = writeln!(o, "    hub: {}", yaml_string(hub));
        }
        if let Some(address) = &s.gateway_address {
            let _ = writeln!(o, "    gatewayAddress: {}", yaml_string(address));
        }
        if !s.address_space.is_empty() {
            let _ = writeln!(o, "    addressSpace: {}", yaml_list(&s.address_space));
        }
    }
    o
}

fn yaml_comments(o: &mut String, comments: &[String], indent: &str) {
    for c in comments {
        let _ = writeln!(o, "{indent}# {}", one_line(c));
    }
}

fn yaml_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| yaml_string(i)).collect();
    format!("[{}]", items.join(", "))
}

fn yaml_flags(o: &mut String, flags: &Flags, indent: &str) {
    for (_, key, value) in flags.written() {
        let _ = writeln!(o, "{indent}{key}: {value}");
    }
}

fn yaml_vnet(o: &mut String, v: &DraftVnet) {
    yaml_comments(o, &v.comments, "  ");
    let _ = writeln!(o, "  {}:", yaml_string(&v.name));
    if let DraftRole::Spoke(hub) = &v.role {
        let _ = writeln!(o, "    hub: {}", yaml_string(hub));
        yaml_flags(o, &v.spoke_link, "    ");
    }
    let props = [
        ("location", &v.location),
        ("subscription", &v.subscription),
        ("resourceGroup", &v.resource_group),
    ];
    for (key, value) in props {
        if let Some(value) = value {
            let _ = writeln!(o, "    {key}: {}", yaml_string(value));
        }
    }
    if v.existing {
        o.push_str("    existing: true\n");
    }
    if v.classic {
        o.push_str("    classic: true\n");
    }
    if let Some(id) = &v.id {
        let _ = writeln!(o, "    id: {}", yaml_string(id));
    }
    if !v.address_space.is_empty() {
        let _ = writeln!(o, "    addressSpace: {}", yaml_list(&v.address_space));
    }
    let mut settings = String::new();
    if !v.dns_servers.is_empty() {
        let _ = writeln!(settings, "dnsServers: {}", yaml_list(&v.dns_servers));
    }
    if !v.subnets.is_empty() {
        settings.push_str("subnets:\n");
    }
    for (name, prefixes) in &v.subnets {
        match prefixes.as_slice() {
            [one] => {
                let _ = writeln!(settings, "  {}: {}", yaml_string(name), yaml_string(one));
            }
            many => {
                let _ = writeln!(
                    settings,
                    "  {}: {{ prefixes: {} }}",
                    yaml_string(name),
                    yaml_list(many)
                );
            }
        }
    }
    match &v.reference_only {
        Some(why) if !settings.is_empty() => {
            let _ = writeln!(o, "    # {}", one_line(why));
            for line in settings.lines() {
                let _ = writeln!(o, "    # {line}");
            }
        }
        _ => {
            for line in settings.lines() {
                let _ = writeln!(o, "    {line}");
            }
        }
    }
    if let Some(g) = &v.gateway {
        let _ = writeln!(
            o,
            "    gateway:\n      name: {}\n      type: {}\n      sku: {}",
            yaml_string(&g.name),
            yaml_string(&g.kind),
            yaml_string(&g.sku)
        );
    }
    if !v.peering_defaults.written().is_empty() {
        o.push_str("    peeringDefaults:\n");
        yaml_flags(o, &v.peering_defaults, "      ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdl_strings_escape_quotes_and_line_breaks() {
        assert_eq!(kdl_string("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(kdl_string("x\u{2028}y"), r#""x\u{2028}y""#);
    }

    #[test]
    fn yaml_quotes_anything_not_plainly_a_string() {
        assert_eq!(yaml_string("vnet-a"), "vnet-a");
        assert_eq!(yaml_string("10.0.0.0/16"), "10.0.0.0/16");
        assert_eq!(yaml_string("yes"), "\"yes\"");
        assert_eq!(yaml_string("123"), "\"123\"");
        assert_eq!(yaml_string("1.5"), "\"1.5\"");
        assert_eq!(yaml_string("a: b"), "\"a: b\"");
        assert_eq!(yaml_string(""), "\"\"");
        assert_eq!(yaml_string("West Europe"), "\"West Europe\"");
        assert_eq!(yaml_string("x\ny\""), "\"x\\ny\\\"\"");
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(one_line("a\nb\u{2028}c"), "a b c");
    }
}
