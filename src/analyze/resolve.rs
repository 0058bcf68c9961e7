//! Resolution: the estate's settings, subscriptions, VNets and sites.
//!
//! In: a `model::Topology`. Out: an `Estate` whose VNets have their
//! location, subscription, resource group, kind and resource id resolved
//! (defaults applied, references looked up, duplicates dropped), plus the
//! diagnostics for every name, id, reference and default that is wrong.
//! Addresses are left to `address`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::names::{self, Rule};
use super::regions::{self, Cloud};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::model::{self, Name, Role, Text, Topology};
use crate::plan::{self, Kind};
use crate::source::Span;
use crate::spanned::Spanned;

/// The Microsoft.Network API version used unless `defaults api-version=` says otherwise.
pub const DEFAULT_API_VERSION: &str = "2024-07-01";
/// The documented per-VNet peering limit.
pub const DEFAULT_MAX_PEERINGS: u64 = 500;

/// Estate-wide settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub cloud: Cloud,
    pub api_version: String,
    pub max_peerings: u64,
}

/// A declared subscription.
#[derive(Debug, Clone)]
pub struct Sub {
    pub alias: String,
    /// Lowercase UUID, `None` when missing or malformed (already reported).
    pub id: Option<String>,
    pub tenant: Option<String>,
}

/// A VNet with everything resolved that analysis needs later.
#[derive(Debug, Clone)]
pub struct Net<'a> {
    pub src: &'a model::Vnet,
    pub name: String,
    pub role: plan::Role,
    /// A spoke's hub (index into `Estate::vnets`), when it resolves to a hub.
    pub hub: Option<usize>,
    pub kind: Kind,
    /// Canonical region name.
    pub location: Option<String>,
    /// Alias (or, for an external VNet in an undeclared subscription, the id).
    pub subscription: Option<String>,
    pub subscription_id: Option<String>,
    pub tenant: Option<String>,
    pub resource_group: Option<String>,
    pub id: Option<String>,
    /// Parsed, canonical prefixes of the address space (filled by `address`).
    pub prefixes: Vec<Spanned<IpNet>>,
    /// A gateway or Route Server usable for transit (never on a classic VNet).
    pub has_gateway: bool,
    /// The firewall's private IP, when it parsed (filled by `address`).
    pub firewall_ip: Option<IpAddr>,
}

impl Net<'_> {
    /// Where a diagnostic about this VNet as a whole points.
    #[must_use]
    pub fn span(&self) -> Span {
        self.src.name.span
    }
}

/// A site with its parsed prefixes.
#[derive(Debug, Clone)]
pub struct SiteNet<'a> {
    pub src: &'a model::Site,
    pub hub: Option<usize>,
    pub prefixes: Vec<Spanned<IpNet>>,
}

/// The resolved estate.
#[derive(Debug)]
pub struct Estate<'a> {
    pub topology: &'a Topology,
    pub settings: Settings,
    /// By alias.
    pub subscriptions: BTreeMap<String, Sub>,
    /// In source order, duplicates dropped.
    pub vnets: Vec<Net<'a>>,
    /// Exact name -> index into `vnets`.
    pub by_name: BTreeMap<String, usize>,
    /// In source order, duplicates dropped.
    pub sites: Vec<SiteNet<'a>>,
}

impl<'a> Estate<'a> {
    /// The VNet a reference names, or an `UnknownReference` diagnostic.
    pub fn lookup(&self, name: &Name, what: &str, diags: &mut Vec<Diagnostic>) -> Option<usize> {
        self.lookup_among(
            name,
            what,
            |_| true,
            "declare it with `hub`, `spoke` or `vnet`, or fix the name",
            diags,
        )
    }

    /// Like `lookup`, suggesting only VNets that `fits` (e.g. hubs for a spoke's hub).
    pub fn lookup_among(
        &self,
        name: &Name,
        what: &str,
        fits: impl Fn(&Net<'_>) -> bool,
        otherwise: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        if let Some(&i) = self.by_name.get(&name.value) {
            return Some(i);
        }
        let candidates = self
            .vnets
            .iter()
            .filter(|n| fits(n))
            .map(|n| n.name.as_str());
        let mut d = Diagnostic::new(
            Code::UnknownReference,
            name.span,
            format!("{what} `{}` is not a VNet of this estate", name.value),
        )
        .with_label("not defined");
        d = match did_you_mean(&name.value, candidates) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(otherwise.to_string()),
        };
        diags.push(d);
        None
    }
}

/// Resolves the whole topology.
pub fn resolve<'a>(topology: &'a Topology, diags: &mut Vec<Diagnostic>) -> Estate<'a> {
    if let Some(name) = &topology.name {
        names::check_text(name, "the topology name", diags);
    }
    names::check_tags(&topology.tags, diags);
    let settings = settings(&topology.defaults, diags);
    let subscriptions = subscriptions(topology, diags);
    if let Some(alias) = &topology.defaults.subscription {
        check_alias(alias, &subscriptions, diags);
    }
    if let Some(rg) = &topology.defaults.resource_group {
        names::check(rg, "resource group", Rule::ResourceGroup, diags);
    }
    let default_location = topology
        .defaults
        .location
        .as_ref()
        .and_then(|l| location(l, settings.cloud, diags));

    let mut estate = Estate {
        topology,
        settings,
        subscriptions,
        vnets: Vec::new(),
        by_name: BTreeMap::new(),
        sites: Vec::new(),
    };
    let mut folded: BTreeMap<String, Span> = BTreeMap::new();
    for vnet in &topology.vnets {
        names::check(&vnet.name, "VNet", Rule::Vnet, diags);
        let key = vnet.name.value.to_lowercase();
        if let Some(&first) = folded.get(&key) {
            diags.push(duplicate("VNet", &vnet.name, first, "VNet names are unique in the estate, whatever their case (hubs, spokes and vnets share one namespace); rename one"));
            continue;
        }
        folded.insert(key, vnet.name.span);
        let net = resolve_vnet(vnet, &estate, default_location.as_deref(), diags);
        estate
            .by_name
            .insert(vnet.name.value.clone(), estate.vnets.len());
        estate.vnets.push(net);
    }
    resolve_hubs(&mut estate, diags);
    resolve_sites(&mut estate, diags);
    estate
}

fn duplicate(what: &str, name: &Name, first: Span, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        name.span,
        format!("{what} `{}` is defined twice", name.value),
    )
    .with_label("second definition")
    .with_related(first, "first defined here")
    .with_help(help.to_string())
}

fn settings(defaults: &model::Defaults, diags: &mut Vec<Diagnostic>) -> Settings {
    let cloud = match &defaults.cloud {
        None => Cloud::Public,
        Some(text) => Cloud::parse(&text.value).unwrap_or_else(|| {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    text.span,
                    format!("unknown cloud `{}`", text.value.escape_debug()),
                )
                .with_help("cloud is `public` (the default), `china` or `usgov`"),
            );
            Cloud::Public
        }),
    };
    let api_version = match &defaults.api_version {
        None => DEFAULT_API_VERSION.to_string(),
        Some(text) if is_api_version(&text.value) => text.value.clone(),
        Some(text) => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    text.span,
                    format!("`{}` is not an API version", text.value.escape_debug()),
                )
                .with_help(format!(
                    "write YYYY-MM-DD or YYYY-MM-DD-preview, e.g. `{DEFAULT_API_VERSION}`"
                )),
            );
            DEFAULT_API_VERSION.to_string()
        }
    };
    let max_peerings = match &defaults.max_peerings {
        None => DEFAULT_MAX_PEERINGS,
        Some(n) if (1..=1000).contains(&n.value) => n.value,
        Some(n) => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    n.span,
                    format!("max-peerings {} is out of range", n.value),
                )
                .with_help("max-peerings is between 1 and 1000 (500 is Azure's limit per VNet, 1000 through Virtual Network Manager)"),
            );
            DEFAULT_MAX_PEERINGS
        }
    };
    Settings {
        cloud,
        api_version,
        max_peerings,
    }
}

/// `YYYY-MM-DD` or `YYYY-MM-DD-preview`.
#[must_use]
pub fn is_api_version(text: &str) -> bool {
    let date = text.strip_suffix("-preview").unwrap_or(text);
    let b = date.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// A UUID in 8-4-4-4-12 hex form.
#[must_use]
pub fn is_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn uuid(text: &Text, what: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    if is_uuid(&text.value) {
        return Some(text.value.to_lowercase());
    }
    diags.push(
        Diagnostic::new(
            Code::InvalidId,
            text.span,
            format!("{what} `{}` is not a UUID", text.value.escape_debug()),
        )
        .with_help("write it as 8-4-4-4-12 hexadecimal digits, e.g. `11111111-1111-1111-1111-111111111111`"),
    );
    None
}

fn subscriptions(topology: &Topology, diags: &mut Vec<Diagnostic>) -> BTreeMap<String, Sub> {
    let mut subs: BTreeMap<String, Sub> = BTreeMap::new();
    let mut spans: BTreeMap<String, Span> = BTreeMap::new();
    for s in &topology.subscriptions {
        names::check(&s.alias, "subscription alias", Rule::Child, diags);
        if let Some(&first) = spans.get(&s.alias.value) {
            diags.push(duplicate(
                "subscription alias",
                &s.alias,
                first,
                "each subscription alias is declared once; rename or remove one",
            ));
            continue;
        }
        let id = match &s.id {
            Some(id) => uuid(id, "subscription id", diags),
            None => {
                diags.push(
                    Diagnostic::new(
                        Code::MissingValue,
                        s.alias.span,
                        format!("subscription `{}` has no id", s.alias.value),
                    )
                    .with_help("add `id=\"<subscription UUID>\"` (YAML `id:`)"),
                );
                None
            }
        };
        let tenant = s.tenant.as_ref().and_then(|t| uuid(t, "tenant id", diags));
        spans.insert(s.alias.value.clone(), s.alias.span);
        subs.insert(
            s.alias.value.clone(),
            Sub {
                alias: s.alias.value.clone(),
                id,
                tenant,
            },
        );
    }
    subs
}

fn check_alias(alias: &Name, subs: &BTreeMap<String, Sub>, diags: &mut Vec<Diagnostic>) -> bool {
    if subs.contains_key(&alias.value) {
        return true;
    }
    let mut d = Diagnostic::new(
        Code::UnknownReference,
        alias.span,
        format!("subscription `{}` is not declared", alias.value),
    )
    .with_label("unknown alias");
    d = match did_you_mean(&alias.value, subs.keys().map(String::as_str)) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!(
            "declare it: `subscription \"{}\" id=\"<UUID>\"`",
            alias.value
        )),
    };
    diags.push(d);
    false
}

/// Canonical region of a location, with its warnings and errors.
fn location(text: &Text, cloud: Cloud, diags: &mut Vec<Diagnostic>) -> Option<String> {
    if !names::check_text(text, "a location", diags) {
        return None;
    }
    let region = regions::canonical(&text.value);
    match regions::cloud_of(&region) {
        Some(c) if c == cloud => {}
        Some(c) => diags.push(
            Diagnostic::new(
                Code::MixedClouds,
                text.span,
                format!(
                    "`{region}` is a region of the {} cloud, but the estate is in the {} cloud",
                    c.as_str(),
                    cloud.as_str()
                ),
            )
            .with_help(format!(
                "one estate lives in one cloud: use a {} region, or set `defaults cloud=\"{}\"`",
                cloud.as_str(),
                c.as_str()
            )),
        ),
        None => {
            let mut d = Diagnostic::new(
                Code::UnknownLocation,
                text.span,
                format!(
                    "`{}` is not a known Azure region",
                    text.value.escape_debug()
                ),
            );
            d = match did_you_mean(&region, regions::all_regions()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(
                    "use a region name such as `westeurope` (see `az account list-locations`)",
                ),
            };
            diags.push(d);
        }
    }
    Some(region)
}

fn no_default(vnet: &model::Vnet, property: &str, diags: &mut Vec<Diagnostic>) {
    diags.push(
        Diagnostic::new(
            Code::NoDefault,
            vnet.name.span,
            format!("VNet `{}` has no {property}", vnet.name.value),
        )
        .with_help(format!("set `{property}=` on the VNet or in `defaults`")),
    );
}

fn resolve_vnet<'a>(
    vnet: &'a model::Vnet,
    estate: &Estate<'a>,
    default_location: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Net<'a> {
    let defaults = &estate.topology.defaults;
    let role = match vnet.role {
        Role::Hub => plan::Role::Hub,
        Role::Spoke { .. } => plan::Role::Spoke,
        Role::Vnet => plan::Role::Vnet,
    };
    let classic = vnet.classic.as_ref().is_some_and(|f| f.value);
    let existing = vnet.existing.as_ref().is_some_and(|f| f.value);
    let kind = if classic {
        Kind::Classic
    } else if vnet.id.is_some() {
        Kind::External
    } else if existing {
        Kind::Existing
    } else {
        Kind::Managed
    };

    let location = match &vnet.location {
        Some(l) => location(l, estate.settings.cloud, diags),
        None if defaults.location.is_some() => default_location.map(str::to_string),
        None => {
            no_default(vnet, "location", diags);
            None
        }
    };

    let mut net = Net {
        src: vnet,
        name: vnet.name.value.clone(),
        role,
        hub: None,
        kind,
        location,
        subscription: None,
        subscription_id: None,
        tenant: None,
        resource_group: None,
        id: None,
        prefixes: Vec::new(),
        has_gateway: false,
        firewall_ip: None,
    };

    if kind == Kind::External {
        if let Some(id) = &vnet.id {
            external(&mut net, id, estate, diags);
        }
    } else {
        let alias = vnet
            .subscription
            .as_ref()
            .or(defaults.subscription.as_ref());
        match (&vnet.subscription, alias) {
            (Some(a), _) => {
                if check_alias(a, &estate.subscriptions, diags) {
                    net.subscription = Some(a.value.clone());
                }
            }
            (None, Some(a)) => {
                if estate.subscriptions.contains_key(&a.value) {
                    net.subscription = Some(a.value.clone());
                }
            }
            (None, None) => no_default(vnet, "subscription", diags),
        }
        if let Some(sub) = net
            .subscription
            .as_ref()
            .and_then(|a| estate.subscriptions.get(a))
        {
            net.subscription_id.clone_from(&sub.id);
            net.tenant.clone_from(&sub.tenant);
        }
        match (&vnet.resource_group, &defaults.resource_group) {
            (Some(rg), _) => {
                names::check(rg, "resource group", Rule::ResourceGroup, diags);
                net.resource_group = Some(rg.value.clone());
            }
            (None, Some(rg)) => net.resource_group = Some(rg.value.clone()),
            (None, None) => no_default(vnet, "resource-group", diags),
        }
        if let (Some(s), Some(rg)) = (&net.subscription_id, &net.resource_group) {
            let provider = if classic {
                "Microsoft.ClassicNetwork"
            } else {
                "Microsoft.Network"
            };
            net.id = Some(format!(
                "/subscriptions/{s}/resourceGroups/{rg}/providers/{provider}/virtualNetworks/{}",
                vnet.name.value
            ));
        }
    }

    check_children(vnet, kind, diags);
    net.has_gateway =
        kind != Kind::Classic && (vnet.gateway.is_some() || vnet.route_server.is_some());
    net
}

/// An external VNet: subscription and resource group come from its id.
fn external(net: &mut Net<'_>, id: &Text, estate: &Estate<'_>, diags: &mut Vec<Diagnostic>) {
    let Some((sub, rg, name)) = parse_vnet_id(&id.value) else {
        diags.push(
            Diagnostic::new(
                Code::InvalidId,
                id.span,
                format!("`{}` is not a virtual network resource id", id.value.escape_debug()),
            )
            .with_help("write /subscriptions/{uuid}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"),
        );
        return;
    };
    let sub = sub.to_lowercase();
    let declared = estate
        .subscriptions
        .values()
        .find(|s| s.id.as_deref() == Some(sub.as_str()));
    net.subscription = Some(declared.map_or_else(|| sub.clone(), |s| s.alias.clone()));
    net.tenant = declared.and_then(|s| s.tenant.clone());
    net.id = Some(format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"
    ));
    net.subscription_id = Some(sub);
    net.resource_group = Some(rg.to_string());
    if net.src.subscription.is_some() || net.src.resource_group.is_some() {
        let span = net
            .src
            .subscription
            .as_ref()
            .or(net.src.resource_group.as_ref())
            .map_or(net.span(), |n| n.span);
        diags.push(
            Diagnostic::new(
                Code::ClassicNotManaged,
                span,
                format!(
                    "VNet `{}` is given by id: its subscription and resource group come from the id",
                    net.name
                ),
            )
            .with_help("remove `subscription` / `resource-group` from this VNet"),
        );
    }
}

/// `(subscription, resource group, name)` of a `Microsoft.Network` VNet id.
#[must_use]
pub fn parse_vnet_id(id: &str) -> Option<(&str, &str, &str)> {
    let parts: Vec<&str> = id.split('/').collect();
    let [
        "",
        subscriptions,
        sub,
        resource_groups,
        rg,
        providers,
        provider,
        vnets,
        name,
    ] = parts.as_slice()
    else {
        return None;
    };
    let ok = subscriptions.eq_ignore_ascii_case("subscriptions")
        && is_uuid(sub)
        && resource_groups.eq_ignore_ascii_case("resourceGroups")
        && names::is_valid(rg, Rule::ResourceGroup)
        && providers.eq_ignore_ascii_case("providers")
        && provider.eq_ignore_ascii_case("Microsoft.Network")
        && vnets.eq_ignore_ascii_case("virtualNetworks")
        && names::is_valid(name, Rule::Vnet);
    ok.then_some((*sub, *rg, *name))
}

/// Names of subnets, gateway, route server and firewall; settings that an
/// existing or classic VNet ignores.
fn check_children(vnet: &model::Vnet, kind: Kind, diags: &mut Vec<Diagnostic>) {
    names::check_tags(&vnet.tags, diags);
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for s in &vnet.subnets {
        names::check(&s.name, "subnet", Rule::Child, diags);
        if let Some(&first) = seen.get(s.name.value.as_str()) {
            diags.push(duplicate(
                "subnet",
                &s.name,
                first,
                "subnet names are unique within their VNet; rename or remove one",
            ));
        } else {
            seen.insert(&s.name.value, s.name.span);
        }
    }
    if let Some(g) = &vnet.gateway {
        names::check(&g.name, "gateway", Rule::Child, diags);
        public_ip_room(&g.name, "gateway", diags);
    }
    if let Some(r) = &vnet.route_server {
        names::check(&r.name, "route server", Rule::Child, diags);
        public_ip_room(&r.name, "route server", diags);
    }
    if let Some(f) = &vnet.firewall {
        names::check(&f.name, "firewall", Rule::Child, diags);
    }
    if kind == Kind::Classic
        && let Some(span) = vnet
            .gateway
            .as_ref()
            .map(|g| g.name.span)
            .or(vnet.route_server.as_ref().map(|r| r.name.span))
    {
        diags.push(
                Diagnostic::new(
                    Code::ClassicGateway,
                    span,
                    format!("classic VNet `{}` declares a gateway", vnet.name.value),
                )
                .with_help("a gateway used over a classic peering must be in the Resource Manager VNet: move it there"),
            );
    }
    if kind.is_managed() {
        return;
    }
    let what = if kind == Kind::Classic {
        "classic"
    } else {
        "existing"
    };
    let name = &vnet.name.value;
    let mut ignored: Vec<(Span, String)> = Vec::new();
    if let Some(s) = vnet.subnets.first() {
        ignored.push((
            s.name.span,
            format!("the subnets of {what} VNet `{name}` are not created"),
        ));
    }
    if kind != Kind::Classic {
        if let Some(g) = &vnet.gateway {
            ignored.push((
                g.name.span,
                format!("gateway `{}` of {what} VNet `{name}` is not created; it is taken as present for gateway transit", g.name.value),
            ));
        }
        if let Some(r) = &vnet.route_server {
            ignored.push((
                r.name.span,
                format!("route server `{}` of {what} VNet `{name}` is not created; it is taken as present for gateway transit", r.name.value),
            ));
        }
    }
    if let Some(d) = vnet.dns_servers.first() {
        ignored.push((
            d.span,
            format!("the DNS servers of {what} VNet `{name}` are not applied"),
        ));
    }
    if let Some(t) = vnet.tags.first() {
        ignored.push((
            t.key.span,
            format!("the tags of {what} VNet `{name}` are not applied"),
        ));
    }
    if kind == Kind::Classic {
        let first = [
            &vnet.peering_defaults.allow_virtual_network_access,
            &vnet.peering_defaults.allow_forwarded_traffic,
            &vnet.peering_defaults.allow_gateway_transit,
            &vnet.peering_defaults.use_remote_gateways,
        ]
        .into_iter()
        .flatten()
        .map(|f| f.span)
        .min();
        if let Some(span) = first {
            ignored.push((span, format!("the peering defaults of classic VNet `{name}` are not applied: it gets no link of its own")));
        }
    }
    for (span, message) in ignored {
        diags.push(
            Diagnostic::new(Code::ClassicNotManaged, span, message)
                .with_help("azmesh never creates or changes an existing or classic VNet: remove these, or drop `existing` / `classic` / `id` to let azmesh manage the VNet (its prefixes still take part in overlap checks)"),
        );
    }
}

/// A gateway's public IP is named `<name>-pip`, which must fit in 80 characters.
fn public_ip_room(name: &Name, what: &str, diags: &mut Vec<Diagnostic>) {
    let len = name.value.chars().count();
    if len > 76 && len <= 80 {
        diags.push(
            Diagnostic::new(
                Code::InvalidName,
                name.span,
                format!(
                    "{what} name `{}` leaves no room for its public IP's name",
                    name.value
                ),
            )
            .with_help(
                "use at most 76 characters: its public IP is named `<name>-pip` (80 at most)",
            ),
        );
    }
}

fn resolve_hubs(estate: &mut Estate<'_>, diags: &mut Vec<Diagnostic>) {
    for i in 0..estate.vnets.len() {
        let Some(net) = estate.vnets.get(i) else {
            continue;
        };
        let Role::Spoke { hub } = &net.src.role else {
            continue;
        };
        let Some(hub) = hub else {
            diags.push(
                Diagnostic::new(
                    Code::MissingValue,
                    net.span(),
                    format!("spoke `{}` names no hub", net.name),
                )
                .with_help("add `hub=\"<hub name>\"` (YAML `hub:`)"),
            );
            continue;
        };
        let is_hub = |n: &Net<'_>| n.role == plan::Role::Hub;
        let Some(h) = estate.lookup_among(
            hub,
            "hub",
            is_hub,
            "name a hub declared with `hub \"NAME\"`, or declare this one",
            diags,
        ) else {
            continue;
        };
        let Some(hub_net) = estate.vnets.get(h) else {
            continue;
        };
        if hub_net.role == plan::Role::Hub {
            if let Some(net) = estate.vnets.get_mut(i) {
                net.hub = Some(h);
            }
        } else {
            diags.push(
                Diagnostic::new(
                    Code::SpokeOfSpoke,
                    hub.span,
                    format!("`{}` is not a hub", hub.value),
                )
                .with_related(hub_net.span(), "declared here")
                .with_help(format!(
                    "attach the spoke to a hub, or declare `{}` with `hub`",
                    hub.value
                )),
            );
        }
    }
}

fn resolve_sites(estate: &mut Estate<'_>, diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    let topology = estate.topology;
    for site in &topology.sites {
        names::check(&site.name, "site", Rule::Child, diags);
        if let Some(&first) = seen.get(site.name.value.as_str()) {
            diags.push(duplicate(
                "site",
                &site.name,
                first,
                "site names are unique; rename or remove one",
            ));
            continue;
        }
        seen.insert(&site.name.value, site.name.span);
        let hub = site.hub.as_ref().and_then(|h| {
            let is_hub = |n: &Net<'_>| n.role == plan::Role::Hub;
            let i = estate.lookup_among(
                h,
                "the site's hub",
                is_hub,
                "name a hub declared with `hub \"NAME\"`",
                diags,
            )?;
            if estate
                .vnets
                .get(i)
                .is_some_and(|n| n.role == plan::Role::Hub)
            {
                Some(i)
            } else {
                diags.push(
                    Diagnostic::new(
                        Code::UnknownReference,
                        h.span,
                        format!("`{}` is not a hub", h.value),
                    )
                    .with_help("a site connects through a hub's gateway: name a hub"),
                );
                None
            }
        });
        estate.sites.push(SiteNet {
            src: site,
            hub,
            prefixes: Vec::new(),
        });
    }
}
