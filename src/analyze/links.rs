//! Link expansion: hub-spoke, hub-hub, mesh and explicit peerings -> links.
//!
//! In: the resolved `Estate` (addresses checked). Out: `Links`, every
//! peering link on every VNet that gets one, with final flags, names and
//! the global / cross-tenant / classic marks; diagnostics for self and
//! duplicate peerings, classic rules, gateway-transit rules, name
//! collisions, peering limits and cross-tenant pairs.
//!
//! Each flag is taken from the first layer that sets it: the link's own
//! setting (spoke property, `peering` block or its `reverse`), the mesh
//! block, the local VNet's `peering-defaults`, then the derived default of
//! design/azure-rules.md.

use std::collections::{BTreeMap, BTreeSet};

use super::names;
use super::resolve::{Estate, Net};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Flag, Name, PeeringSettings};
use crate::plan::{Kind, Origin, Role};
use crate::source::Span;

/// The four flags, in `Setting` array order.
pub const ACCESS: usize = 0;
pub const FORWARDED: usize = 1;
pub const TRANSIT: usize = 2;
pub const REMOTE_GATEWAYS: usize = 3;

/// A final flag value and, when written by the user, where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub value: bool,
    pub span: Option<Span>,
}

/// One link on `local` towards `remote` (indices into `Estate::vnets`).
#[derive(Debug, Clone)]
pub struct Draft {
    pub local: usize,
    pub remote: usize,
    pub origin: Origin,
    pub flags: [Setting; 4],
    /// The link back (`remote -> local`), absent when `local` is classic's peer.
    pub back: Option<usize>,
    pub name: String,
    pub global: bool,
    pub cross_tenant: bool,
    pub remote_classic: bool,
}

/// Every link, plus the unordered pairs of VNets that are peered.
#[derive(Debug, Default)]
pub struct Links {
    pub drafts: Vec<Draft>,
    /// `(min, max)` VNet indices of every peered pair (classic pairs included).
    pub peered: BTreeSet<(usize, usize)>,
}

/// How a pair of VNets came to be peered; decides the derived defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `a` is the hub, `b` its spoke.
    HubSpoke,
    HubHub,
    /// Mesh and explicit peerings.
    Plain,
}

#[derive(Debug, Clone)]
struct Request<'a> {
    a: usize,
    b: usize,
    shape: Shape,
    origin: Origin,
    own_ab: Option<&'a PeeringSettings>,
    own_ba: Option<&'a PeeringSettings>,
    block: Option<&'a PeeringSettings>,
    span: Span,
}

fn flag(s: &PeeringSettings, f: usize) -> &Flag {
    match f {
        ACCESS => &s.allow_virtual_network_access,
        FORWARDED => &s.allow_forwarded_traffic,
        TRANSIT => &s.allow_gateway_transit,
        _ => &s.use_remote_gateways,
    }
}

fn span_of(net: &Net<'_>, s: Setting) -> Span {
    s.span.unwrap_or(net.span())
}

/// Expands every peering source of the estate into links.
pub fn expand(estate: &Estate<'_>, diags: &mut Vec<Diagnostic>) -> Links {
    let requests = requests(estate, diags);
    let mut links = Links::default();
    let mut first: BTreeMap<(usize, usize), &Request<'_>> = BTreeMap::new();
    for req in &requests {
        let key = (req.a.min(req.b), req.a.max(req.b));
        if let Some(earlier) = first.get(&key) {
            diags.push(duplicate(estate, req, earlier));
            continue;
        }
        first.insert(key, req);
        let (Some(a), Some(b)) = (estate.vnets.get(req.a), estate.vnets.get(req.b)) else {
            continue;
        };
        if a.kind == Kind::Classic && b.kind == Kind::Classic {
            diags.push(
                Diagnostic::new(
                    Code::ClassicToClassic,
                    req.span,
                    format!("classic VNets `{}` and `{}` cannot be peered", a.name, b.name),
                )
                .with_help("connect them with VPN gateways instead, or migrate one to Resource Manager first"),
            );
            continue;
        }
        links.peered.insert(key);
        classic_side(a, req.own_ab, diags);
        classic_side(b, req.own_ba, diags);
        add_pair(estate, req, &mut links.drafts);
    }
    counterparts(estate, &mut links.drafts, diags);
    names_and_limits(estate, &links.drafts, diags);
    tenants(estate, &mut links.drafts, diags);
    links
}

/// The pairs to peer, implicit ones (hub-spoke, hub-hub) first, then
/// meshes and explicit peerings in source order.
fn requests<'a>(estate: &Estate<'a>, diags: &mut Vec<Diagnostic>) -> Vec<Request<'a>> {
    let mut out = Vec::new();
    for (i, net) in estate.vnets.iter().enumerate() {
        if let Some(h) = net.hub {
            let span = match &net.src.role {
                crate::model::Role::Spoke { hub: Some(hub) } => hub.span,
                _ => net.span(),
            };
            out.push(Request {
                a: h,
                b: i,
                shape: Shape::HubSpoke,
                origin: Origin::HubSpoke,
                own_ab: None,
                own_ba: Some(&net.src.spoke_link),
                block: None,
                span,
            });
        }
    }
    let hubs: Vec<usize> = (0..estate.vnets.len())
        .filter(|&i| estate.vnets.get(i).is_some_and(|n| n.role == Role::Hub))
        .collect();
    for (x, &a) in hubs.iter().enumerate() {
        for &b in hubs.iter().skip(x + 1) {
            out.push(Request {
                a,
                b,
                shape: Shape::HubHub,
                origin: Origin::HubHub,
                own_ab: None,
                own_ba: None,
                block: None,
                span: estate.vnets.get(b).map_or_else(Span::default, Net::span),
            });
        }
    }
    let mut explicit = Vec::new();
    let mut mesh_names: BTreeMap<&str, Span> = BTreeMap::new();
    for mesh in &estate.topology.meshes {
        names::check(&mesh.name, "mesh", names::Rule::Child, diags);
        if let Some(&first) = mesh_names.get(mesh.name.value.as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    mesh.name.span,
                    format!("mesh `{}` is defined twice", mesh.name.value),
                )
                .with_related(first, "first defined here")
                .with_help("mesh names are unique; rename one or merge their members"),
            );
            continue;
        }
        mesh_names.insert(&mesh.name.value, mesh.name.span);
        let mut members: Vec<(usize, &Name)> = Vec::new();
        for m in &mesh.members {
            let Some(i) = estate.lookup(m, "mesh member", diags) else {
                continue;
            };
            if let Some((_, earlier)) = members.iter().find(|(j, _)| *j == i) {
                diags.push(self_peering(
                    m,
                    earlier.span,
                    "list each member of the mesh once",
                ));
                continue;
            }
            members.push((i, m));
        }
        for (x, &(a, _)) in members.iter().enumerate() {
            for &(b, b_name) in members.iter().skip(x + 1) {
                explicit.push(Request {
                    a,
                    b,
                    shape: Shape::Plain,
                    origin: Origin::Mesh {
                        mesh: mesh.name.value.clone(),
                    },
                    own_ab: None,
                    own_ba: None,
                    block: Some(&mesh.settings),
                    span: b_name.span,
                });
            }
        }
    }
    for peering in &estate.topology.peerings {
        let [a, b] = peering.between.as_slice() else {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    peering.span,
                    format!(
                        "a peering names {} VNets instead of two",
                        peering.between.len()
                    ),
                )
                .with_help("write `peering \"A\" \"B\" { .. }` (YAML `between: [A, B]`)"),
            );
            continue;
        };
        let (ia, ib) = (
            estate.lookup(a, "peering endpoint", diags),
            estate.lookup(b, "peering endpoint", diags),
        );
        let (Some(ia), Some(ib)) = (ia, ib) else {
            continue;
        };
        if ia == ib {
            diags.push(self_peering(b, a.span, "peer two different VNets"));
            continue;
        }
        explicit.push(Request {
            a: ia,
            b: ib,
            shape: Shape::Plain,
            origin: Origin::Peering,
            own_ab: Some(&peering.settings),
            own_ba: Some(&peering.reverse),
            block: None,
            span: peering.span,
        });
    }
    explicit.sort_by_key(|r| r.span.start);
    out.extend(explicit);
    out
}

fn self_peering(name: &Name, earlier: Span, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SelfPeering,
        name.span,
        format!("VNet `{}` would be peered with itself", name.value),
    )
    .with_related(earlier, "already named here")
    .with_help(help.to_string())
}

fn duplicate(estate: &Estate<'_>, later: &Request<'_>, earlier: &Request<'_>) -> Diagnostic {
    let name = |i: usize| estate.vnets.get(i).map_or("", |n| n.name.as_str());
    let (help, what) = match &earlier.origin {
        Origin::HubSpoke => (
            "a spoke is peered with its hub already: set its side's flags as properties of the spoke and the hub's side in the hub's `peering-defaults`, and remove this".to_string(),
            "the spoke's hub-spoke peering".to_string(),
        ),
        Origin::HubHub => (
            "hubs are peered with each other already: set the flags in the hubs' `peering-defaults` and remove this".to_string(),
            "the hub-to-hub peering".to_string(),
        ),
        Origin::Mesh { mesh } => (
            format!("the pair is linked by mesh `{mesh}` already: keep it in one mesh, or take it out of the mesh and give it a `peering` block for its own settings"),
            format!("mesh `{mesh}`"),
        ),
        Origin::Peering => (
            "merge the two `peering` blocks into one (settings of the other direction go in `reverse { .. }`)".to_string(),
            "an earlier peering".to_string(),
        ),
    };
    Diagnostic::new(
        Code::DuplicatePeering,
        later.span,
        format!(
            "`{}` and `{}` are already peered by {what}",
            name(later.a),
            name(later.b)
        ),
    )
    .with_related(earlier.span, "first peered here")
    .with_help(help)
}

/// Settings written for the link a classic VNet would originate: that link
/// never exists. Gateway settings there are errors, others are ignored.
fn classic_side(local: &Net<'_>, own: Option<&PeeringSettings>, diags: &mut Vec<Diagnostic>) {
    let Some(own) = own.filter(|_| local.kind == Kind::Classic) else {
        return;
    };
    for f in [ACCESS, FORWARDED, TRANSIT, REMOTE_GATEWAYS] {
        let Some(setting) = flag(own, f) else {
            continue;
        };
        let gateway_flag = f == TRANSIT || f == REMOTE_GATEWAYS;
        if gateway_flag && setting.value {
            diags.push(
                Diagnostic::new(
                    Code::ClassicGateway,
                    setting.span,
                    format!("classic VNet `{}` cannot offer or use gateway transit", local.name),
                )
                .with_help("a gateway used over a classic peering must be in the Resource Manager VNet: set the gateway settings on the Resource Manager side"),
            );
        } else {
            diags.push(
                Diagnostic::new(
                    Code::ClassicNotManaged,
                    setting.span,
                    format!("classic VNet `{}` gets no link of its own: this setting is not applied", local.name),
                )
                .with_help("only the Resource Manager side of a classic peering is created; remove the setting"),
            );
        }
    }
}

/// Creates `a -> b` and `b -> a` (each unless its local VNet is classic).
fn add_pair(estate: &Estate<'_>, req: &Request<'_>, drafts: &mut Vec<Draft>) {
    let (Some(a), Some(b)) = (estate.vnets.get(req.a), estate.vnets.get(req.b)) else {
        return;
    };
    let ab = (a.kind != Kind::Classic).then(|| {
        let flags = resolve_flags(a, req.own_ab, req.block, |f| match (req.shape, f) {
            (_, ACCESS) => true,
            // A classic spoke can never use it: no transit offered.
            (Shape::HubSpoke, TRANSIT) => a.has_gateway && b.kind != Kind::Classic,
            (Shape::HubHub, FORWARDED) => true,
            _ => false,
        });
        draft(req, a, b, req.a, req.b, flags)
    });
    let ab_transit = ab.as_ref().is_some_and(|d| d.flags[TRANSIT].value);
    let ba = (b.kind != Kind::Classic).then(|| {
        let flags = resolve_flags(b, req.own_ba, req.block, |f| match (req.shape, f) {
            (_, ACCESS) => true,
            (Shape::HubSpoke, FORWARDED) => a.src.firewall.is_some(),
            // Only when the hub's link back offers transit: a derived
            // default never produces an error of its own.
            (Shape::HubSpoke, REMOTE_GATEWAYS) => a.has_gateway && !b.has_gateway && ab_transit,
            (Shape::HubHub, FORWARDED) => true,
            _ => false,
        });
        draft(req, b, a, req.b, req.a, flags)
    });
    let base = drafts.len();
    match (ab, ba) {
        (Some(mut ab), Some(mut ba)) => {
            ab.back = Some(base + 1);
            ba.back = Some(base);
            drafts.push(ab);
            drafts.push(ba);
        }
        (Some(d), None) | (None, Some(d)) => drafts.push(d),
        (None, None) => {}
    }
}

fn resolve_flags(
    local: &Net<'_>,
    own: Option<&PeeringSettings>,
    block: Option<&PeeringSettings>,
    derived: impl Fn(usize) -> bool,
) -> [Setting; 4] {
    std::array::from_fn(|f| {
        let written = [own, block, Some(&local.src.peering_defaults)]
            .into_iter()
            .flatten()
            .find_map(|s| flag(s, f).as_ref());
        match written {
            Some(w) => Setting {
                value: w.value,
                span: Some(w.span),
            },
            None => Setting {
                value: derived(f),
                span: None,
            },
        }
    })
}

fn draft(
    req: &Request<'_>,
    local: &Net<'_>,
    remote: &Net<'_>,
    li: usize,
    ri: usize,
    flags: [Setting; 4],
) -> Draft {
    Draft {
        local: li,
        remote: ri,
        origin: req.origin.clone(),
        flags,
        back: None,
        name: names::shorten(&format!("{}-to-{}", local.name, remote.name)),
        global: local.location.is_some()
            && remote.location.is_some()
            && local.location != remote.location,
        cross_tenant: false,
        remote_classic: remote.kind == Kind::Classic,
    }
}

/// The parts of a draft the counterpart rule reads (no name to clone).
struct Lite {
    local: usize,
    remote: usize,
    back: Option<usize>,
    flags: [Setting; 4],
}

/// The counterpart rule and the gateway-transit rules on the final links.
fn counterparts(estate: &Estate<'_>, drafts: &mut [Draft], diags: &mut Vec<Diagnostic>) {
    let net = |i: usize| estate.vnets.get(i);
    // Links whose useRemoteGateways problem is already reported.
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    for i in 0..drafts.len() {
        let Some(d) = drafts.get(i).map(|d| (d.local, d.remote, d.back, d.flags)) else {
            continue;
        };
        let d = Lite {
            local: d.0,
            remote: d.1,
            back: d.2,
            flags: d.3,
        };
        let urg = d.flags[REMOTE_GATEWAYS];
        let (Some(urg_span), true) = (urg.span, urg.value) else {
            continue;
        };
        let (Some(remote), Some(local)) = (net(d.remote), net(d.local)) else {
            continue;
        };
        if remote.kind == Kind::Classic {
            diags.push(
                Diagnostic::new(
                    Code::ClassicGateway,
                    urg_span,
                    format!("`{}` cannot use the gateway of classic VNet `{}`", local.name, remote.name),
                )
                .with_help("a gateway used over a classic peering must be in the Resource Manager VNet: remove useRemoteGateways here"),
            );
            reported.insert(i);
            continue;
        }
        if !remote.has_gateway {
            diags.push(remote_gateway_missing(local, remote, urg_span));
            reported.insert(i);
            continue;
        }
        let Some(back) = d.back.and_then(|b| drafts.get_mut(b)) else {
            continue;
        };
        let transit = back.flags[TRANSIT];
        match (transit.value, transit.span) {
            (false, Some(span)) => {
                diags.push(
                    Diagnostic::new(
                        Code::CounterpartConflict,
                        span,
                        format!(
                            "`{}` uses `{}`'s gateway, but the link back sets allowGatewayTransit to false",
                            local.name, remote.name
                        ),
                    )
                    .with_related(urg_span, "useRemoteGateways set here")
                    .with_help("remove one of the two settings: useRemoteGateways needs allowGatewayTransit on the way back"),
                );
                reported.insert(i);
            }
            (_, None) => back.flags[TRANSIT].value = true,
            (true, Some(_)) => {}
        }
    }
    let mut first_urg: BTreeMap<usize, Span> = BTreeMap::new();
    for (i, d) in drafts.iter().enumerate() {
        let (Some(local), Some(remote)) = (net(d.local), net(d.remote)) else {
            continue;
        };
        let urg = d.flags[REMOTE_GATEWAYS];
        if urg.value {
            let span = span_of(local, urg);
            if !reported.contains(&i) {
                if remote.kind == Kind::Classic {
                    diags.push(
                        Diagnostic::new(
                            Code::ClassicGateway,
                            span,
                            format!("`{}` cannot use the gateway of classic VNet `{}`", local.name, remote.name),
                        )
                        .with_help("a gateway used over a classic peering must be in the Resource Manager VNet"),
                    );
                } else if !remote.has_gateway {
                    diags.push(remote_gateway_missing(local, remote, span));
                } else if let Some(back) = d.back.and_then(|b| drafts.get(b))
                    && !back.flags[TRANSIT].value
                {
                    diags.push(
                            Diagnostic::new(
                                Code::RemoteGatewayMissing,
                                span,
                                format!(
                                    "`{}` uses `{}`'s gateway, but `{}`'s link back does not allow gateway transit",
                                    local.name, remote.name, remote.name
                                ),
                            )
                            .with_help(format!("set allowGatewayTransit on `{}`'s side, or remove useRemoteGateways", remote.name)),
                        );
                }
            }
            if local.has_gateway {
                diags.push(
                    Diagnostic::new(
                        Code::LocalGatewayConflict,
                        span,
                        format!(
                            "`{}` has a gateway of its own and cannot use `{}`'s",
                            local.name, remote.name
                        ),
                    )
                    .with_help(
                        "remove useRemoteGateways, or remove the local gateway / route server",
                    ),
                );
            }
            if let Some(&first) = first_urg.get(&d.local) {
                diags.push(
                    Diagnostic::new(
                        Code::SeveralRemoteGateways,
                        span,
                        format!("`{}` uses remote gateways on more than one link", local.name),
                    )
                    .with_related(first, "first link using a remote gateway")
                    .with_help("at most one link of a VNet may set useRemoteGateways; set it to false on the others"),
                );
            } else {
                first_urg.insert(d.local, span);
            }
        }
        let transit = d.flags[TRANSIT];
        if transit.value && !local.has_gateway {
            diags.push(
                Diagnostic::new(
                    Code::TransitWithoutGateway,
                    span_of(local, transit),
                    format!(
                        "`{}` allows gateway transit towards `{}` but has no gateway or route server",
                        local.name, remote.name
                    ),
                )
                .with_help("add a gateway or route server to the VNet, or set allowGatewayTransit to false"),
            );
        }
    }
}

fn remote_gateway_missing(local: &Net<'_>, remote: &Net<'_>, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RemoteGatewayMissing,
        span,
        format!(
            "`{}` uses remote gateways, but `{}` has no gateway or route server",
            local.name, remote.name
        ),
    )
    .with_help(format!(
        "add a gateway or route server to `{}`, or remove useRemoteGateways",
        remote.name
    ))
}

/// Unique link names per VNet, and the per-VNet peering limit.
///
/// `<local>-to-<remote>` differs for every remote of one VNet (VNet names
/// are unique whatever their case), so only shortened names can collide.
fn names_and_limits(estate: &Estate<'_>, drafts: &[Draft], diags: &mut Vec<Diagnostic>) {
    let mut count = vec![0u64; estate.vnets.len()];
    let mut shortened: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if let Some(c) = count.get_mut(d.local) {
            *c += 1;
        }
        if d.name.len() < 80 {
            continue;
        }
        let key = (d.local, d.name.to_lowercase());
        let Some(&other) = shortened.get(&key) else {
            shortened.insert(key, i);
            continue;
        };
        let Some(local) = estate.vnets.get(d.local) else {
            continue;
        };
        let other_remote = drafts
            .get(other)
            .and_then(|o| estate.vnets.get(o.remote))
            .map_or("", |n| n.name.as_str());
        let remote = estate.vnets.get(d.remote).map_or("", |n| n.name.as_str());
        diags.push(
            Diagnostic::new(
                Code::LinkName,
                local.span(),
                format!(
                    "links of `{}` towards `{other_remote}` and `{remote}` get the same name `{}`",
                    local.name, d.name
                ),
            )
            .with_help("shorten or rename one of the remote VNets"),
        );
    }
    let max = estate.settings.max_peerings;
    for (net, &n) in estate.vnets.iter().zip(&count) {
        if n > max {
            diags.push(
                Diagnostic::new(
                    Code::PeeringLimit,
                    net.span(),
                    format!("VNet `{}` has {n} peering links; the limit is {max}", net.name),
                )
                .with_help("split the VNet's peers across several hubs, or raise `defaults max-peerings=` (up to 1000 with Virtual Network Manager)"),
            );
        }
    }
}

/// Marks links between subscriptions of different tenants; one warning per pair.
fn tenants(estate: &Estate<'_>, drafts: &mut [Draft], diags: &mut Vec<Diagnostic>) {
    let mut warned: BTreeSet<(usize, usize)> = BTreeSet::new();
    for d in drafts.iter_mut() {
        let (Some(local), Some(remote)) = (estate.vnets.get(d.local), estate.vnets.get(d.remote))
        else {
            continue;
        };
        let (Some(lt), Some(rt)) = (&local.tenant, &remote.tenant) else {
            continue;
        };
        if lt == rt {
            continue;
        }
        d.cross_tenant = true;
        let key = (d.local.min(d.remote), d.local.max(d.remote));
        if warned.insert(key) {
            let later = if local.span().start >= remote.span().start {
                local
            } else {
                remote
            };
            diags.push(
                Diagnostic::new(
                    Code::CrossTenant,
                    later.span(),
                    format!(
                        "the peering between `{}` and `{}` crosses Entra tenants ({lt} and {rt})",
                        local.name, remote.name
                    ),
                )
                .with_help("the deploying identity needs rights in both tenants: a guest user with Network Contributor on both VNets, or auxiliary tenant tokens (`--aux-tenants`)"),
            );
        }
    }
}
