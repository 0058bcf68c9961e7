//! The estate as a picture: Mermaid (for pull requests on GitHub and Azure
//! DevOps) and Graphviz DOT.
//!
//! In: a validated `Plan`. Out: diagram text. VNets are nodes grouped by
//! subscription, then region; hubs are drawn distinctly, classic and
//! existing VNets are marked; every peering (both links) is one edge
//! labelled with the flags that matter; a link to a classic VNet (the
//! peering's only link) is a dashed edge; on-premises sites hang off their
//! hub's gateway. Node ids are safe identifiers (`n0`, `n1`, ... in VNet
//! name order, `s0`, ... in site name order); every name is an escaped label.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::plan::{Kind, Link, Plan, PlanVnet, Role};

/// One peering as drawn: the VNet pair (by index into `Plan::vnets`) and
/// the link(s) between them.
struct Edge<'a> {
    a: usize,
    b: usize,
    /// `a -> b`, `b -> a`.
    ab: Option<&'a Link>,
    ba: Option<&'a Link>,
}

impl Edge<'_> {
    /// One-sided: a classic remote (or, in a broken plan, a missing half).
    fn one_sided(&self) -> bool {
        self.ab.is_none() || self.ba.is_none()
    }

    /// The flags that matter, as short phrases; arrows point along `a -> b`.
    fn labels(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (ab, ba) = (self.ab, self.ba);
        if let (Some(ab), Some(ba)) = (ab, ba) {
            if ab.allow_gateway_transit && ba.use_remote_gateways {
                out.push("gw transit →".to_string());
            }
            if ba.allow_gateway_transit && ab.use_remote_gateways {
                out.push("← gw transit".to_string());
            }
            match (ba.allow_forwarded_traffic, ab.allow_forwarded_traffic) {
                (true, true) => out.push("fwd ↔".to_string()),
                (true, false) => out.push("fwd →".to_string()),
                (false, true) => out.push("fwd ←".to_string()),
                (false, false) => {}
            }
            if !ab.allow_virtual_network_access || !ba.allow_virtual_network_access {
                out.push("no vnet access".to_string());
            }
        } else if let Some(l) = ab.or(ba) {
            if l.remote_classic {
                out.push("classic".to_string());
            } else {
                out.push("one link only".to_string());
            }
            if !l.allow_virtual_network_access {
                out.push("no vnet access".to_string());
            }
            if l.allow_forwarded_traffic {
                out.push("fwd".to_string());
            }
        }
        if let Some(l) = ab.or(ba) {
            if l.global {
                out.push("global".to_string());
            }
            if l.cross_tenant {
                out.push("cross-tenant".to_string());
            }
        }
        out
    }
}

/// Every peering once, ordered by (a, b) VNet index.
fn edges(plan: &Plan) -> Vec<Edge<'_>> {
    let index: BTreeMap<&str, usize> = plan
        .vnets
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.as_str(), i))
        .collect();
    let mut pairs: BTreeMap<(usize, usize), Edge<'_>> = BTreeMap::new();
    for l in &plan.links {
        let (Some(&x), Some(&y)) = (index.get(l.local.as_str()), index.get(l.remote.as_str()))
        else {
            continue;
        };
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        let e = pairs.entry((a, b)).or_insert(Edge {
            a,
            b,
            ab: None,
            ba: None,
        });
        if x == a {
            e.ab = Some(l);
        } else {
            e.ba = Some(l);
        }
    }
    // A hub goes first so that layouts put hubs left of their spokes.
    pairs
        .into_values()
        .map(|e| {
            let hub = |i: usize| plan.vnets.get(i).is_some_and(|v| v.role == Role::Hub);
            if hub(e.b) && !hub(e.a) {
                Edge {
                    a: e.b,
                    b: e.a,
                    ab: e.ba,
                    ba: e.ab,
                }
            } else {
                e
            }
        })
        .collect()
}

/// Subscription alias and tenant -> region -> VNet indices.
type Groups<'a> = BTreeMap<(&'a str, Option<&'a str>), BTreeMap<&'a str, Vec<usize>>>;

/// VNet indices grouped by subscription alias (with tenant), then region.
fn groups(plan: &Plan) -> Groups<'_> {
    let mut out = Groups::new();
    for (i, v) in plan.vnets.iter().enumerate() {
        out.entry((v.subscription.as_str(), v.tenant.as_deref()))
            .or_default()
            .entry(v.location.as_str())
            .or_default()
            .push(i);
    }
    out
}

fn subscription_title(alias: &str, tenant: Option<&str>) -> String {
    match tenant {
        Some(t) => format!("subscription {alias} (tenant {t})"),
        None => format!("subscription {alias}"),
    }
}

/// The second line of a VNet's label: what it is and holds.
fn vnet_details(v: &PlanVnet) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.push(
        match v.role {
            Role::Hub => "hub",
            Role::Spoke => "spoke",
            Role::Vnet => "vnet",
        }
        .to_string(),
    );
    match v.kind {
        Kind::Managed => {}
        Kind::Existing => parts.push("existing".into()),
        Kind::External => parts.push("external".into()),
        Kind::Classic => parts.push("classic".into()),
    }
    if let Some(f) = &v.firewall {
        parts.push(format!("firewall {}", f.private_ip));
    }
    if let Some(g) = &v.gateway {
        parts.push(format!("{} gateway", g.gateway_type));
    }
    if v.route_server.is_some() {
        parts.push("route server".into());
    }
    parts.join(", ")
}

/// Text inside a double-quoted Mermaid label: everything outside a small
/// safe set becomes an HTML entity (`#quot;`, `#35;` style), so no name
/// can close the label, start markup or inject a statement.
#[must_use]
pub fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'a'..='z'
            | 'A'..='Z'
            | '0'..='9'
            | ' '
            | '.'
            | ','
            | '-'
            | '_'
            | '/'
            | ':'
            | '+'
            | '='
            | '@' => out.push(c),
            '"' => out.push_str("#quot;"),
            c if c.is_control() => out.push(' '),
            c => {
                let _ = write!(out, "#{};", u32::from(c));
            }
        }
    }
    out
}

/// Text inside a double-quoted DOT string: `\` and `"` escaped, control
/// characters (newlines included) as spaces.
#[must_use]
pub fn dot_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn site_details(plan: &Plan, i: usize) -> String {
    plan.sites
        .get(i)
        .map(|s| s.address_space.join(", "))
        .unwrap_or_default()
}

/// The gateway a site connects through, as an edge label.
fn site_edge_label(hub: &PlanVnet) -> String {
    match &hub.gateway {
        Some(g) => format!("{} gateway {}", g.gateway_type, g.name),
        None => "no gateway".to_string(),
    }
}

/// The estate as a Mermaid flowchart.
///
/// Serves `azmesh graph FILE --format mermaid` and the diagram in
/// `REVIEW.md` written by `azmesh build`.
#[must_use]
pub fn mermaid(plan: &Plan) -> String {
    let mut out = String::from("flowchart LR\n");
    for (si, ((alias, tenant), regions)) in groups(plan).iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph sub{si}[\"{}\"]",
            mermaid_escape(&subscription_title(alias, *tenant))
        );
        for (ri, (region, members)) in regions.iter().enumerate() {
            let _ = writeln!(
                out,
                "    subgraph sub{si}r{ri}[\"{}\"]",
                mermaid_escape(region)
            );
            for &i in members {
                let Some(v) = plan.vnets.get(i) else { continue };
                let label = format!(
                    "{}<br/>{}<br/>{}",
                    mermaid_escape(&v.name),
                    mermaid_escape(&vnet_details(v)),
                    mermaid_escape(&v.address_space.join(", "))
                );
                if v.role == Role::Hub {
                    let _ = writeln!(out, "      n{i}{{{{\"{label}\"}}}}");
                } else {
                    let _ = writeln!(out, "      n{i}[\"{label}\"]");
                }
            }
            out.push_str("    end\n");
        }
        out.push_str("  end\n");
    }
    for (i, s) in plan.sites.iter().enumerate() {
        let _ = writeln!(
            out,
            "  s{i}([\"{}<br/>on-premises<br/>{}\"])",
            mermaid_escape(&s.name),
            mermaid_escape(&site_details(plan, i))
        );
    }
    for e in edges(plan) {
        let labels = e.labels();
        let arrow = if e.one_sided() { "-.-" } else { "---" };
        if labels.is_empty() {
            let _ = writeln!(out, "  n{} {arrow} n{}", e.a, e.b);
        } else {
            let _ = writeln!(
                out,
                "  n{} {arrow}|\"{}\"| n{}",
                e.a,
                mermaid_escape_own(&labels.join(", ")),
                e.b
            );
        }
    }
    for (i, s) in plan.sites.iter().enumerate() {
        let Some(hub) = s.hub.as_deref() else {
            continue;
        };
        let Some(h) = plan.vnets.iter().position(|v| v.name == hub) else {
            continue;
        };
        let Some(hv) = plan.vnets.get(h) else {
            continue;
        };
        let _ = writeln!(
            out,
            "  n{h} -.-|\"{}\"| s{i}",
            mermaid_escape(&site_edge_label(hv))
        );
    }
    out.push_str("  classDef hub fill:#dbeafe,stroke:#1e3a8a,stroke-width:2px\n");
    out.push_str("  classDef spoke fill:#ffffff,stroke:#334155\n");
    out.push_str("  classDef existing fill:#f1f5f9,stroke:#64748b,stroke-dasharray:3 3\n");
    out.push_str("  classDef classic fill:#fef3c7,stroke:#b45309,stroke-dasharray:6 3\n");
    out.push_str("  classDef site fill:#dcfce7,stroke:#166534\n");
    let mut classes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (i, v) in plan.vnets.iter().enumerate() {
        let class = match (v.kind, v.role) {
            (Kind::Classic, _) => "classic",
            (Kind::Existing | Kind::External, _) => "existing",
            (Kind::Managed, Role::Hub) => "hub",
            (Kind::Managed, _) => "spoke",
        };
        classes.entry(class).or_default().push(format!("n{i}"));
    }
    for i in 0..plan.sites.len() {
        classes.entry("site").or_default().push(format!("s{i}"));
    }
    for (class, ids) in classes {
        let _ = writeln!(out, "  class {} {class}", ids.join(","));
    }
    out
}

/// azmesh's own edge phrases keep their arrows; anything else is escaped.
fn mermaid_escape_own(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '→' | '←' | '↔' => out.push(c),
            c => out.push_str(&mermaid_escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// The estate as a Graphviz graph (undirected; clusters per subscription
/// and region).
///
/// Serves `azmesh graph FILE --format dot`.
#[must_use]
pub fn dot(plan: &Plan) -> String {
    let mut out = String::from("graph azmesh {\n");
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=\"{}\"];",
        dot_escape(&plan.topology)
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (si, ((alias, tenant), regions)) in groups(plan).iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_sub{si} {{");
        let _ = writeln!(
            out,
            "    label=\"{}\";",
            dot_escape(&subscription_title(alias, *tenant))
        );
        out.push_str("    style=rounded;\n");
        for (ri, (region, members)) in regions.iter().enumerate() {
            let _ = writeln!(out, "    subgraph cluster_sub{si}r{ri} {{");
            let _ = writeln!(out, "      label=\"{}\";", dot_escape(region));
            out.push_str("      style=dashed;\n");
            for &i in members {
                let Some(v) = plan.vnets.get(i) else { continue };
                let attrs = match (v.kind, v.role) {
                    (Kind::Classic, _) => {
                        ", style=\"rounded,filled,dashed\", fillcolor=\"#fef3c7\""
                    }
                    (Kind::Existing | Kind::External, _) => {
                        ", style=\"rounded,filled,dotted\", fillcolor=\"#f1f5f9\""
                    }
                    (Kind::Managed, Role::Hub) => {
                        ", shape=hexagon, style=\"filled,bold\", fillcolor=\"#dbeafe\""
                    }
                    (Kind::Managed, _) => "",
                };
                let _ = writeln!(
                    out,
                    "      n{i} [label=\"{}\\n{}\\n{}\"{attrs}];",
                    dot_escape(&v.name),
                    dot_escape(&vnet_details(v)),
                    dot_escape(&v.address_space.join(", "))
                );
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    for (i, s) in plan.sites.iter().enumerate() {
        let _ = writeln!(
            out,
            "  s{i} [label=\"{}\\non-premises\\n{}\", shape=cylinder, style=filled, fillcolor=\"#dcfce7\"];",
            dot_escape(&s.name),
            dot_escape(&site_details(plan, i))
        );
    }
    for e in edges(plan) {
        let label: Vec<String> = e.labels().iter().map(|l| dot_escape(l)).collect();
        let mut attrs = vec![format!("label=\"{}\"", label.join("\\n"))];
        if e.one_sided() {
            attrs.push("style=dashed".to_string());
        }
        let _ = writeln!(out, "  n{} -- n{} [{}];", e.a, e.b, attrs.join(", "));
    }
    for (i, s) in plan.sites.iter().enumerate() {
        let Some(h) = s
            .hub
            .as_deref()
            .and_then(|hub| plan.vnets.iter().position(|v| v.name == hub))
        else {
            continue;
        };
        let Some(hv) = plan.vnets.get(h) else {
            continue;
        };
        let _ = writeln!(
            out,
            "  n{h} -- s{i} [label=\"{}\", style=dotted];",
            dot_escape(&site_edge_label(hv))
        );
    }
    out.push_str("}\n");
    out
}

/// The DOT graph rendered to SVG by Graphviz's `dot -Tsvg`; `Err` says why
/// not (no `dot` on the PATH, or Graphviz failed).
///
/// Serves `azmesh graph FILE --format svg`.
pub fn svg(plan: &Plan) -> Result<String, String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("cannot run Graphviz `dot` ({e}); install Graphviz or use --format dot")
        })?;
    let text = dot(plan);
    {
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| "cannot write to `dot`".to_string())?;
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write to `dot`: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("`dot` failed: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`dot -Tsvg` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("`dot` wrote invalid UTF-8: {e}"))
}
