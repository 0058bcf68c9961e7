//! Reachability: can A reach B, and how, judged from the plan alone.
//!
//! In: a validated `Plan` and two endpoint names (VNets or on-premises
//! sites). Out: a `Verdict` (or, for every pair, a `Matrix`) saying how
//! traffic gets there and back, or which link, flag or route is missing.
//!
//! Peering is not transitive, so graph path existence is never used. The
//! rules, in the order they are tried:
//!
//! 1. **Same**: A is B.
//! 2. **Direct**: A and B are peered and allow virtual network access: the
//!    links `A -> B` and `B -> A` both exist and both set
//!    `allowVirtualNetworkAccess`. When one side is classic, the Resource
//!    Manager side's single link suffices (the classic side is implied).
//! 3. **Through hub firewalls**: both directions must work. Going A -> B
//!    for each prefix P of B: A's route tables send P (the most specific
//!    route covering P, e.g. `0.0.0.0/0`) to a firewall's private IP; that
//!    firewall sits in hub H1, which is peered with A (access both ways);
//!    from H1 the traffic may travel along hubs H1 -> H2 -> ... that have
//!    firewalls and are peered with access, where every receiving hub's
//!    link back (`H2 -> H1`) allows forwarded traffic (the firewalls'
//!    own routing between hubs is outside the plan and assumed); the last
//!    hub Hk is peered with B and B's link `B -> Hk` allows forwarded
//!    traffic (the traffic arriving at B originates outside Hk). A classic
//!    B has no link of its own that could allow forwarded traffic, so it
//!    is never reached through a firewall. The way back B -> A is checked
//!    by the same rule (so A's link to its hub must allow forwarded traffic
//!    and B needs a route to A's prefixes).
//! 4. **Through a gateway to a site S**: S's hub H has a gateway, and A is
//!    H, or A is peered with H (access), `A -> H` uses remote gateways and
//!    `H -> A` allows gateway transit (a classic A: `H -> A` allows gateway
//!    transit). Site to VNet is the same verdict; site to site is not
//!    modelled.
//! 5. Otherwise **no**, with every reason found: missing peerings or
//!    links, flags that are off, missing or dangling routes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;

use ipnet::IpNet;
use serde::Serialize;

use crate::diagnostic::did_you_mean;
use crate::plan::{Kind, Link, Plan, PlanSite, PlanVnet, Route, RouteTable};

/// How A reaches B (or that it does not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum How {
    /// A and B are the same endpoint.
    Same,
    /// Peered: the link names, `A -> B` first (one link for a classic remote).
    Direct { links: Vec<String> },
    /// Through hub firewalls: the hubs crossed on the way there and back.
    Firewall {
        there: Vec<String>,
        back: Vec<String>,
    },
    /// Through the VPN/ExpressRoute gateway of `hub` to an on-premises site.
    Gateway { hub: String, gateway: String },
    /// Not reachable; see `Verdict::why_not`.
    None,
}

/// Whether `from` reaches `to`, how, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub from: String,
    pub to: String,
    pub reachable: bool,
    pub how: How,
    /// Empty when reachable.
    pub why_not: Vec<String>,
}

impl Verdict {
    /// A short cell for a matrix: `-`, `direct`, `fw hub`, `gw hub`, `no`.
    #[must_use]
    pub fn short(&self) -> String {
        match &self.how {
            How::Same => "-".to_string(),
            How::Direct { .. } => "direct".to_string(),
            How::Firewall { there, .. } => format!("fw {}", there.join(">")),
            How::Gateway { hub, .. } => format!("gw {hub}"),
            How::None => "no".to_string(),
        }
    }
}

/// Every ordered pair of endpoints: VNets (by name), then sites (by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Matrix {
    pub endpoints: Vec<String>,
    /// Row-major: `verdicts[i * n + j]` is endpoint i to endpoint j.
    pub verdicts: Vec<Verdict>,
}

impl Matrix {
    /// The verdict for endpoint `i` to endpoint `j`.
    #[must_use]
    pub fn get(&self, i: usize, j: usize) -> Option<&Verdict> {
        if i >= self.endpoints.len() || j >= self.endpoints.len() {
            return None;
        }
        self.verdicts.get(i * self.endpoints.len() + j)
    }
}

/// What `render_human` and `render_json` accept: a `Verdict` or a `Matrix`.
pub trait Report: Serialize {
    /// Plain text for a terminal.
    fn human(&self) -> String;
}

impl Report for Verdict {
    fn human(&self) -> String {
        let mut out = format!("{} -> {}: ", self.from, self.to);
        match &self.how {
            How::Same => out.push_str("yes (the same endpoint)\n"),
            How::Direct { links } => {
                let _ = writeln!(out, "yes, directly peered ({})", links.join(", "));
            }
            How::Firewall { there, back } => {
                let _ = writeln!(
                    out,
                    "yes, through the firewall of {}\n  there: {} -> {} -> {}\n  back:  {} -> {} -> {}",
                    there.join(" and "),
                    self.from,
                    there.join(" -> "),
                    self.to,
                    self.to,
                    back.join(" -> "),
                    self.from
                );
            }
            How::Gateway { hub, gateway } => {
                let _ = writeln!(out, "yes, through gateway {gateway} of {hub}");
            }
            How::None => {
                out.push_str("no\n");
                for r in &self.why_not {
                    let _ = writeln!(out, "  - {r}");
                }
            }
        }
        out
    }
}

impl Report for Matrix {
    fn human(&self) -> String {
        let n = self.endpoints.len();
        let corner = "from \\ to";
        let mut rows: Vec<Vec<String>> = Vec::with_capacity(n + 1);
        let mut header = vec![corner.to_string()];
        header.extend(self.endpoints.iter().cloned());
        rows.push(header);
        for (i, name) in self.endpoints.iter().enumerate() {
            let mut row = vec![name.clone()];
            for j in 0..n {
                row.push(self.get(i, j).map_or_else(String::new, Verdict::short));
            }
            rows.push(row);
        }
        let mut widths = vec![0; n + 1];
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in &rows {
            let mut line = String::new();
            for (k, (cell, w)) in row.iter().zip(&widths).enumerate() {
                if k > 0 {
                    line.push_str("  ");
                }
                let _ = write!(line, "{cell:<w$}");
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push_str(
            "\ndirect: peered; fw H: through the firewall of hub H; gw H: through the gateway of hub H; no: see `azmesh reach FILE A B`\n",
        );
        out
    }
}

/// A verdict or the matrix as text for a terminal.
///
/// Serves `azmesh reach FILE A B` and `azmesh reach FILE` (default format).
#[must_use]
pub fn render_human(report: &impl Report) -> String {
    report.human()
}

/// A verdict or the matrix as pretty JSON (with a final newline).
///
/// Serves `azmesh reach FILE [A B] --format json`.
#[must_use]
pub fn render_json(report: &impl Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Plain structs of strings and bools always serialize.
        format!("{{\"error\": {:?}}}", e.to_string())
    });
    s.push('\n');
    s
}

/// Whether `a` reaches `b` (each a VNet or site name), and how or why not.
/// `Err` names an unknown endpoint, with a did-you-mean when one is close.
///
/// Serves `azmesh reach FILE A B`.
pub fn reach(plan: &Plan, a: &str, b: &str) -> Result<Verdict, String> {
    let net = Net::new(plan);
    let from = net.endpoint(a)?;
    let to = net.endpoint(b)?;
    Ok(net.verdict(from, to))
}

/// Every ordered pair of endpoints (VNets, then sites).
///
/// Serves `azmesh reach FILE` (no A and B) and the matrix in `REVIEW.md`.
#[must_use]
pub fn matrix(plan: &Plan) -> Matrix {
    let net = Net::new(plan);
    let endpoints: Vec<Endpoint<'_>> = plan
        .vnets
        .iter()
        .map(Endpoint::Vnet)
        .chain(plan.sites.iter().map(Endpoint::Site))
        .collect();
    let mut verdicts = Vec::with_capacity(endpoints.len() * endpoints.len());
    for &from in &endpoints {
        for &to in &endpoints {
            verdicts.push(net.verdict(from, to));
        }
    }
    Matrix {
        endpoints: endpoints.iter().map(|e| e.name().to_string()).collect(),
        verdicts,
    }
}

#[derive(Clone, Copy)]
enum Endpoint<'a> {
    Vnet(&'a PlanVnet),
    Site(&'a PlanSite),
}

impl<'a> Endpoint<'a> {
    fn name(&self) -> &'a str {
        match self {
            Endpoint::Vnet(v) => &v.name,
            Endpoint::Site(s) => &s.name,
        }
    }
}

/// The plan indexed for reachability questions.
struct Net<'a> {
    plan: &'a Plan,
    links: BTreeMap<(&'a str, &'a str), &'a Link>,
    /// Firewall private IP -> the hub holding it.
    firewalls: BTreeMap<&'a str, &'a PlanVnet>,
    /// VNet -> the routes of its route tables.
    routes: BTreeMap<&'a str, Vec<(&'a RouteTable, &'a Route)>>,
}

type Reasons = Vec<String>;

impl<'a> Net<'a> {
    fn new(plan: &'a Plan) -> Self {
        let links = plan
            .links
            .iter()
            .map(|l| ((l.local.as_str(), l.remote.as_str()), l))
            .collect();
        let firewalls = plan
            .vnets
            .iter()
            .filter_map(|v| v.firewall.as_ref().map(|f| (f.private_ip.as_str(), v)))
            .collect();
        let mut routes: BTreeMap<&str, Vec<(&RouteTable, &Route)>> = BTreeMap::new();
        for t in &plan.route_tables {
            let entry = routes.entry(t.vnet.as_str()).or_default();
            entry.extend(t.routes.iter().map(|r| (t, r)));
        }
        Net {
            plan,
            links,
            firewalls,
            routes,
        }
    }

    fn endpoint(&self, name: &str) -> Result<Endpoint<'a>, String> {
        if let Some(v) = self.plan.vnet(name) {
            return Ok(Endpoint::Vnet(v));
        }
        if let Some(s) = self.plan.sites.iter().find(|s| s.name == name) {
            return Ok(Endpoint::Site(s));
        }
        let candidates = self
            .plan
            .vnets
            .iter()
            .map(|v| v.name.as_str())
            .chain(self.plan.sites.iter().map(|s| s.name.as_str()));
        Err(match did_you_mean(name, candidates) {
            Some(m) => format!("unknown VNet or site `{name}`: did you mean `{m}`?"),
            None => format!("unknown VNet or site `{name}`: no VNet or site has this name"),
        })
    }

    fn link(&self, local: &str, remote: &str) -> Option<&'a Link> {
        self.links.get(&(local, remote)).copied()
    }

    fn verdict(&self, from: Endpoint<'a>, to: Endpoint<'a>) -> Verdict {
        let how = match (from, to) {
            _ if from.name() == to.name() => Ok(How::Same),
            (Endpoint::Vnet(a), Endpoint::Vnet(b)) => self.between_vnets(a, b),
            (Endpoint::Vnet(v), Endpoint::Site(s)) | (Endpoint::Site(s), Endpoint::Vnet(v)) => {
                self.to_site(v, s)
            }
            (Endpoint::Site(_), Endpoint::Site(_)) => Err(vec![
                "traffic between on-premises sites is not modelled by azmesh".to_string(),
            ]),
        };
        let (reachable, how, why_not) = match how {
            Ok(how) => (true, how, Vec::new()),
            Err(mut reasons) => {
                let mut seen = BTreeSet::new();
                reasons.retain(|r| seen.insert(r.clone()));
                (false, How::None, reasons)
            }
        };
        Verdict {
            from: from.name().to_string(),
            to: to.name().to_string(),
            reachable,
            how,
            why_not,
        }
    }

    /// Rule 2: the links of a working peering, `x -> y` first.
    fn peering(&self, x: &PlanVnet, y: &PlanVnet) -> Result<Vec<String>, Reasons> {
        let xy = self.link(&x.name, &y.name);
        let yx = self.link(&y.name, &x.name);
        let classic = |v: &PlanVnet| v.kind == Kind::Classic;
        if classic(x) && classic(y) {
            return Err(vec![format!(
                "{} and {} are both classic and cannot be peered",
                x.name, y.name
            )]);
        }
        if classic(x) || classic(y) {
            let Some(l) = (if classic(y) { xy } else { yx }) else {
                return Err(vec![format!("{} and {} are not peered", x.name, y.name)]);
            };
            if !l.allow_virtual_network_access {
                return Err(vec![format!(
                    "{} does not allow virtual network access",
                    l.name
                )]);
            }
            return Ok(vec![l.name.clone()]);
        }
        match (xy, yx) {
            (None, None) => Err(vec![format!("{} and {} are not peered", x.name, y.name)]),
            (Some(l), None) | (None, Some(l)) => Err(vec![format!(
                "{} has no link back from {} to {} (a peering needs both links)",
                l.name, l.remote, l.local
            )]),
            (Some(a), Some(b)) => {
                let off: Vec<String> = [a, b]
                    .iter()
                    .filter(|l| !l.allow_virtual_network_access)
                    .map(|l| format!("{} does not allow virtual network access", l.name))
                    .collect();
                if off.is_empty() {
                    Ok(vec![a.name.clone(), b.name.clone()])
                } else {
                    Err(off)
                }
            }
        }
    }

    fn between_vnets(&self, a: &'a PlanVnet, b: &'a PlanVnet) -> Result<How, Reasons> {
        let direct = match self.peering(a, b) {
            Ok(links) => return Ok(How::Direct { links }),
            Err(r) => r,
        };
        let there = self.forward(a, b);
        let back = self.forward(b, a);
        match (there, back) {
            (Ok(there), Ok(back)) => Ok(How::Firewall { there, back }),
            (there, back) => {
                let mut reasons = direct;
                if let Err(r) = there {
                    reasons.extend(r);
                }
                if let Err(r) = back {
                    reasons.extend(r.into_iter().map(|r| format!("on the way back: {r}")));
                }
                Err(reasons)
            }
        }
    }

    /// Rule 3, one direction: the hubs whose firewalls carry `src`'s
    /// traffic into every prefix of `dst`.
    fn forward(&self, src: &'a PlanVnet, dst: &'a PlanVnet) -> Result<Vec<String>, Reasons> {
        let mut path: Option<Vec<String>> = None;
        for prefix in &dst.address_space {
            let Ok(net) = prefix.parse::<IpNet>() else {
                continue;
            };
            let hubs = self.forward_prefix(src, dst, prefix, net)?;
            path.get_or_insert(hubs);
        }
        path.ok_or_else(|| vec![format!("{} has no address space", dst.name)])
    }

    fn forward_prefix(
        &self,
        src: &'a PlanVnet,
        dst: &'a PlanVnet,
        prefix: &str,
        net: IpNet,
    ) -> Result<Vec<String>, Reasons> {
        let no_route = || {
            vec![format!(
                "{} has no route to {prefix} via a firewall",
                src.name
            )]
        };
        // The most specific route covering the prefix (ties: table, route name).
        let mut best: Option<(u8, &RouteTable, &Route)> = None;
        for &(t, r) in self.routes.get(src.name.as_str()).into_iter().flatten() {
            let Ok(rnet) = r.address_prefix.parse::<IpNet>() else {
                continue;
            };
            if rnet.contains(&net) && best.is_none_or(|(len, _, _)| rnet.prefix_len() > len) {
                best = Some((rnet.prefix_len(), t, r));
            }
        }
        let Some((_, table, route)) = best else {
            return Err(no_route());
        };
        let hop = route.next_hop_ip_address.as_str();
        let Some(&first) = self.firewalls.get(hop) else {
            return Err(vec![format!(
                "route {} of {} sends {prefix} to {hop}, which is no firewall in the estate",
                route.name, table.name
            )]);
        };
        if first.name == dst.name {
            return self.peering(src, first).map(|_| vec![first.name.clone()]);
        }
        if first.name != src.name {
            self.peering(src, first)?;
        }
        // Breadth-first over hubs with firewalls; neighbours in name order.
        let mut queue: VecDeque<Vec<&'a PlanVnet>> = VecDeque::from([vec![first]]);
        let mut visited: BTreeSet<&str> = BTreeSet::from([first.name.as_str(), src.name.as_str()]);
        let mut reasons: Reasons = Vec::new();
        while let Some(chain) = queue.pop_front() {
            let Some(&hub) = chain.last() else { continue };
            match self.deliver(hub, dst) {
                Ok(()) => return Ok(chain.iter().map(|h| h.name.clone()).collect()),
                Err(r) => {
                    // The first hub's reason always counts; later hubs' only
                    // when they are peered with the destination.
                    if chain.len() == 1 || self.peering(hub, dst).is_ok() {
                        reasons.extend(r);
                    }
                }
            }
            for next in &self.plan.vnets {
                if next.firewall.is_none() || visited.contains(next.name.as_str()) {
                    continue;
                }
                let forwards = self
                    .link(&next.name, &hub.name)
                    .is_some_and(|l| l.allow_forwarded_traffic);
                if forwards && self.peering(hub, next).is_ok() {
                    visited.insert(&next.name);
                    let mut longer = chain.clone();
                    longer.push(next);
                    queue.push_back(longer);
                }
            }
        }
        Err(reasons)
    }

    /// Whether `hub`'s firewall can hand traffic to `dst`.
    fn deliver(&self, hub: &PlanVnet, dst: &PlanVnet) -> Result<(), Reasons> {
        if hub.name == dst.name {
            return Ok(());
        }
        self.peering(hub, dst)?;
        if dst.kind == Kind::Classic {
            return Err(vec![format!(
                "{} is classic and has no link of its own that could allow traffic forwarded by {}",
                dst.name, hub.name
            )]);
        }
        match self.link(&dst.name, &hub.name) {
            Some(l) if l.allow_forwarded_traffic => Ok(()),
            Some(l) => Err(vec![format!("{} does not allow forwarded traffic", l.name)]),
            None => Err(vec![format!("{} has no link to {}", dst.name, hub.name)]),
        }
    }

    /// Rule 4.
    fn to_site(&self, v: &'a PlanVnet, site: &'a PlanSite) -> Result<How, Reasons> {
        let Some(hub_name) = site.hub.as_deref() else {
            return Err(vec![format!("site {} is connected to no hub", site.name)]);
        };
        let Some(hub) = self.plan.vnet(hub_name) else {
            return Err(vec![format!(
                "site {}'s hub {hub_name} is not in the estate",
                site.name
            )]);
        };
        let Some(gateway) = &hub.gateway else {
            return Err(vec![format!(
                "{} has no gateway, so site {} is not connected",
                hub.name, site.name
            )]);
        };
        let how = How::Gateway {
            hub: hub.name.clone(),
            gateway: gateway.name.clone(),
        };
        if v.name == hub.name {
            return Ok(how);
        }
        let mut reasons = match self.peering(v, hub) {
            Ok(_) => Vec::new(),
            Err(r) => {
                let mut r = r;
                r.push(format!(
                    "{} reaches site {} only through the gateway of {}",
                    v.name, site.name, hub.name
                ));
                return Err(r);
            }
        };
        if v.kind != Kind::Classic {
            match self.link(&v.name, &hub.name) {
                Some(l) if l.use_remote_gateways => {}
                Some(l) => reasons.push(format!("{} does not use remote gateways", l.name)),
                None => reasons.push(format!("{} has no link to {}", v.name, hub.name)),
            }
        }
        match self.link(&hub.name, &v.name) {
            Some(l) if l.allow_gateway_transit => {}
            Some(l) => reasons.push(format!("{} does not allow gateway transit", l.name)),
            None => reasons.push(format!("{} has no link to {}", hub.name, v.name)),
        }
        if reasons.is_empty() {
            Ok(how)
        } else {
            Err(reasons)
        }
    }
}
