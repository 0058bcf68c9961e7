//! `azmesh import az-vnets`: `az network vnet list -o json` -> topology.
//!
//! In: the JSON of `az network vnet list` (an array, VNets of one or many
//! subscriptions; nested arrays are flattened) or `az network vnet show`
//! (one object); ARM REST shapes with a `properties` object are read too.
//! Out: every VNet as an `existing` VNet with the subscription (alias
//! `sub-<first 8 hex>`) and resource group of its id; remote VNets not in
//! the input as external `vnet ... id=".."` (or `classic=#true` for a
//! classic remote). Peerings become `peering` blocks with all four flags of
//! both directions as they are, or a hub-spoke when one VNet is peered with
//! two or more VNets that peer with nothing else (the hub's side in its
//! `peering-defaults`, each spoke's side as spoke properties). A VNet whose
//! links offer gateway transit (or whose peers use its gateway) gets a
//! placeholder `gateway`, since the VNet list carries no gateways; the
//! analyzer takes an existing VNet's gateway as present and never creates it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::emit::{
    Draft, DraftGateway, DraftPeering, DraftRole, DraftSubscription, DraftVnet, Flags, emit,
};
use super::{Imported, topology_name};
use crate::diagnostic::{Code, Diagnostic, Level};
use crate::source::{Lang, Source, Span};

/// Imports az VNet JSON: `azmesh import az-vnets FILE.json [--lang kdl|yaml]`
/// (`-o FILE` / `--force` are the caller's: this returns the text).
///
/// # Errors
///
/// Malformed JSON (AZM002 at its line:col), a document that is not a VNet
/// or a list of VNets, a VNet or remote VNet without a well-formed id
/// (AZM014): every error found.
pub fn import_az_vnets(source: &Source, lang: Lang) -> Result<Imported, Vec<Diagnostic>> {
    let value: Value = match serde_json::from_str(&source.text) {
        Ok(v) => v,
        Err(e) => return Err(vec![json_error(source, &e)]),
    };
    let mut reader = Reader {
        source,
        diags: Vec::new(),
    };
    let vnets = reader.vnets(&value);
    let draft = if reader.diags.iter().any(Diagnostic::is_error) {
        None
    } else {
        Some(reader.draft(&vnets))
    };
    let Reader { mut diags, .. } = reader;
    crate::diagnostic::normalize(&mut diags);
    match draft {
        Some(draft) if !diags.iter().any(Diagnostic::is_error) => Ok(Imported {
            text: emit(&draft, lang),
            diagnostics: diags,
        }),
        _ => Err(diags),
    }
}

fn json_error(source: &Source, e: &serde_json::Error) -> Diagnostic {
    let start = if e.line() == 0 {
        0
    } else {
        source.offset_of(e.line(), e.column().max(1))
    };
    let end = source
        .text
        .get(start..)
        .and_then(|t| t.chars().next())
        .map_or(start, |c| start + c.len_utf8());
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    Diagnostic::new(
        Code::Syntax,
        Span::new(start, end),
        format!("the VNet list is not valid JSON: {message}"),
    )
    .with_help("pass the output of `az network vnet list -o json` (or `az network vnet show -o json`) unchanged")
}

/// The parts of a VNet resource id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ArmId {
    subscription: String,
    resource_group: String,
    name: String,
    classic: bool,
}

impl ArmId {
    /// `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/NAME`
    /// (or `Microsoft.ClassicNetwork`), segment names in any case.
    fn parse(id: &str) -> Option<ArmId> {
        let parts: Vec<&str> = id.trim().trim_matches('/').split('/').collect();
        let [subs, sub, rgs, rg, providers, ns, kind, name] = parts.as_slice() else {
            return None;
        };
        let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let classic = eq(ns, "Microsoft.ClassicNetwork");
        let ok = eq(subs, "subscriptions")
            && eq(rgs, "resourceGroups")
            && eq(providers, "providers")
            && (eq(ns, "Microsoft.Network") || classic)
            && eq(kind, "virtualNetworks")
            && !sub.is_empty()
            && !rg.is_empty()
            && !name.is_empty();
        ok.then(|| ArmId {
            subscription: sub.to_ascii_lowercase(),
            resource_group: (*rg).to_string(),
            name: (*name).to_string(),
            classic,
        })
    }

    /// Azure names are case-insensitive.
    fn key(&self) -> (String, String, String) {
        (
            self.subscription.clone(),
            self.resource_group.to_ascii_lowercase(),
            self.name.to_ascii_lowercase(),
        )
    }
}

type Key = (String, String, String);

#[derive(Debug)]
struct AzVnet {
    id: ArmId,
    raw_id: String,
    /// Its own id in the JSON text.
    span: Option<Span>,
    line: usize,
    location: Option<String>,
    address_space: Vec<String>,
    dns_servers: Vec<String>,
    subnets: Vec<(String, Vec<String>)>,
    links: Vec<AzLink>,
}

#[derive(Debug)]
struct AzLink {
    name: String,
    remote: ArmId,
    remote_raw: String,
    flags: Flags,
    state: Option<String>,
}

struct Reader<'a> {
    source: &'a Source,
    diags: Vec<Diagnostic>,
}

/// `v[key]`, or `v.properties[key]` (ARM REST shape).
fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key)
        .or_else(|| v.get("properties").and_then(|p| p.get(key)))
}

fn string(v: &Value, key: &str) -> Option<String> {
    field(v, key).and_then(Value::as_str).map(str::to_string)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl Reader<'_> {
    /// The span of the first occurrence of `text` as a JSON string at or
    /// after byte `from`.
    fn span_after(&self, text: &str, from: usize) -> Option<Span> {
        let quoted = serde_json::to_string(text).ok()?;
        let start = from + self.source.text.get(from..)?.find(&quoted)?;
        Some(Span::new(start, start + quoted.len()))
    }

    fn span_of(&self, text: &str) -> Option<Span> {
        self.span_after(text, 0)
    }

    /// Where a VNet's own `"id": "..."` is: az writes its keys sorted, so
    /// the VNet's id is followed by `"location"`, a peering's remote id is
    /// not. Falls back to the first occurrence.
    fn own_id_span(&self, id: &str) -> Option<Span> {
        let first = self.span_of(id)?;
        let mut from = first.start;
        while let Some(span) = self.span_after(id, from) {
            let rest = self.source.text.get(span.end..).unwrap_or("");
            let rest = rest.trim_start().trim_start_matches(',').trim_start();
            if rest.starts_with("\"location\"") {
                return Some(span);
            }
            from = span.end;
        }
        Some(first)
    }

    fn vnets(&mut self, value: &Value) -> Vec<AzVnet> {
        let mut objects = Vec::new();
        flatten(value, &mut objects);
        if objects.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    Code::WrongType,
                    Span::new(0, self.source.text.len().min(1)),
                    "the JSON holds no VNet object",
                )
                .with_help("pass the output of `az network vnet list -o json` (an array of VNets) or `az network vnet show -o json`"),
            );
        }
        let mut out: Vec<AzVnet> = Vec::new();
        for object in objects {
            let Some(vnet) = self.vnet(object) else {
                continue;
            };
            if out.iter().any(|v| v.id.key() == vnet.id.key()) {
                continue;
            }
            out.push(vnet);
        }
        out.sort_by_key(|v| v.id.key());
        out
    }

    fn bad_id(&mut self, raw: Option<&str>, what: &str) {
        let span = raw.and_then(|r| self.span_of(r));
        self.diags.push(
            Diagnostic::new(
                Code::InvalidId,
                span,
                match raw {
                    Some(r) => format!("{what} `{r}` is not a virtual network resource id"),
                    None => format!("{what} is missing"),
                },
            )
            .with_help("ids look like /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/NAME; pass az's JSON unchanged"),
        );
    }

    fn vnet(&mut self, v: &Value) -> Option<AzVnet> {
        let raw_id = v.get("id").and_then(Value::as_str);
        let Some(id) = raw_id.and_then(ArmId::parse) else {
            self.bad_id(raw_id, "a VNet's `id`");
            return None;
        };
        let raw_id = raw_id.unwrap_or_default().to_string();
        let address_space =
            strings(field(v, "addressSpace").and_then(|a| a.get("addressPrefixes")));
        let dns_servers = strings(field(v, "dhcpOptions").and_then(|d| d.get("dnsServers")));
        let subnets = field(v, "subnets")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|s| {
                        let name = s.get("name")?.as_str()?.to_string();
                        let mut prefixes = strings(field(s, "addressPrefixes"));
                        if prefixes.is_empty() {
                            prefixes.extend(string(s, "addressPrefix"));
                        }
                        (!prefixes.is_empty()).then_some((name, prefixes))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut links = Vec::new();
        for p in field(v, "virtualNetworkPeerings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let raw = field(p, "remoteVirtualNetwork")
                .and_then(|r| r.get("id"))
                .and_then(Value::as_str);
            let Some(remote) = raw.and_then(ArmId::parse) else {
                self.bad_id(raw, "a peering's `remoteVirtualNetwork.id`");
                continue;
            };
            let flag = |key: &str, default: bool| {
                field(p, key).and_then(Value::as_bool).unwrap_or(default)
            };
            links.push(AzLink {
                name: p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                remote,
                remote_raw: raw.unwrap_or_default().to_string(),
                flags: Flags::all(
                    flag("allowVirtualNetworkAccess", true),
                    flag("allowForwardedTraffic", false),
                    flag("allowGatewayTransit", false),
                    flag("useRemoteGateways", false),
                ),
                state: string(p, "peeringState"),
            });
        }
        links.sort_by_key(|l| l.remote.key());
        let span = self.own_id_span(&raw_id);
        Some(AzVnet {
            line: span.map_or(0, |s| self.source.line_col(s.start).0),
            span,
            location: v
                .get("location")
                .and_then(Value::as_str)
                .map(str::to_string),
            id,
            raw_id,
            address_space,
            dns_servers,
            subnets,
            links,
        })
    }

    fn draft(&mut self, vnets: &[AzVnet]) -> Draft {
        let by_key: BTreeMap<Key, &AzVnet> = vnets.iter().map(|v| (v.id.key(), v)).collect();

        // Names: the Azure name, made unique with the subscription's first 8 hex.
        let mut names: BTreeMap<Key, String> = BTreeMap::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let remotes: Vec<&AzLink> = vnets
            .iter()
            .flat_map(|v| v.links.iter())
            .filter(|l| !by_key.contains_key(&l.remote.key()))
            .collect();
        let ids = vnets
            .iter()
            .map(|v| &v.id)
            .chain(remotes.iter().map(|l| &l.remote));
        for id in ids {
            if names.contains_key(&id.key()) {
                continue;
            }
            let mut name = id.name.clone();
            if taken.contains(&name.to_ascii_lowercase()) {
                name = format!("{}-{}", id.name, short(&id.subscription));
            }
            let mut n = 2;
            while taken.contains(&name.to_ascii_lowercase()) {
                name = format!("{}-{}-{n}", id.name, short(&id.subscription));
                n += 1;
            }
            taken.insert(name.to_ascii_lowercase());
            names.insert(id.key(), name);
        }
        let name_of = |id: &ArmId| {
            names
                .get(&id.key())
                .cloned()
                .unwrap_or_else(|| id.name.clone())
        };

        // Subscription aliases.
        let mut aliases: BTreeMap<String, String> = BTreeMap::new();
        let subs: BTreeSet<&str> = vnets
            .iter()
            .map(|v| v.id.subscription.as_str())
            .chain(
                remotes
                    .iter()
                    .filter(|l| l.remote.classic)
                    .map(|l| l.remote.subscription.as_str()),
            )
            .collect();
        for sub in subs {
            let mut alias = format!("sub-{}", short(sub));
            if aliases.values().any(|a| *a == alias) {
                alias = format!("sub-{sub}");
            }
            aliases.insert(sub.to_string(), alias);
        }

        // Peerings: each pair once.
        let link = |from: &Key, to: &Key| -> Option<&AzLink> {
            by_key
                .get(from)?
                .links
                .iter()
                .find(|l| l.remote.key() == *to)
        };
        let mut peers: BTreeMap<Key, BTreeSet<Key>> = BTreeMap::new();
        for v in vnets {
            for l in &v.links {
                peers.entry(v.id.key()).or_default().insert(l.remote.key());
                peers.entry(l.remote.key()).or_default().insert(v.id.key());
            }
        }
        let hubs = self.hubs(vnets, &by_key, &peers, &link);

        let mut draft = Draft {
            name: topology_name(&self.source.name),
            ..Draft::default()
        };
        draft.header.push(format!(
            "Imported by `azmesh import az-vnets` from {}: every VNet is existing (referenced and peered, never created).",
            self.source.name
        ));
        draft.header.push(
            "azmesh names links <local>-to-<remote>: where the names below differ, azmesh would create second links; remove the old ones or keep them out of the deployment.".to_string(),
        );
        let mut regions: BTreeMap<&str, usize> = BTreeMap::new();
        for v in vnets {
            if let Some(l) = &v.location {
                *regions.entry(l.as_str()).or_default() += 1;
            }
        }
        draft.default_location = regions
            .iter()
            .max_by_key(|(l, n)| (**n, std::cmp::Reverse(**l)))
            .map(|(l, _)| (*l).to_string());
        for (sub, alias) in &aliases {
            draft.subscriptions.push(DraftSubscription {
                comments: Vec::new(),
                alias: alias.clone(),
                id: sub.clone(),
            });
        }

        let spoke_of: BTreeMap<Key, Key> = hubs
            .iter()
            .flat_map(|(hub, spokes)| spokes.iter().map(move |s| (s.clone(), hub.clone())))
            .collect();
        for v in vnets {
            let key = v.id.key();
            let name = name_of(&v.id);
            let role = if hubs.contains_key(&key) {
                DraftRole::Hub
            } else if let Some(hub) = spoke_of.get(&key) {
                DraftRole::Spoke(names.get(hub).cloned().unwrap_or_default())
            } else {
                DraftRole::Vnet
            };
            let mut d = DraftVnet::new(name.clone(), role);
            d.comments.push(format!(
                "from az VNet \"{}\" in resource group \"{}\" (line {})",
                v.id.name, v.id.resource_group, v.line
            ));
            d.location = v.location.clone();
            if name == v.id.name {
                d.subscription = aliases.get(&v.id.subscription).cloned();
                d.resource_group = Some(v.id.resource_group.clone());
                d.existing = true;
            } else {
                d.comments.push(format!(
                    "renamed: another VNet is called \"{}\"; its id names it",
                    v.id.name
                ));
                d.id = Some(v.raw_id.clone());
            }
            d.address_space = v.address_space.clone();
            d.dns_servers = v.dns_servers.clone();
            d.subnets = v.subnets.clone();
            d.reference_only =
                Some("as listed, for reference: azmesh never changes an existing VNet".to_string());
            if let Some(spokes) = hubs.get(&key) {
                let spoke_names: Vec<String> = spokes
                    .iter()
                    .filter_map(|s| names.get(s).cloned())
                    .collect();
                d.comments.push(format!(
                    "hub-spoke: peered with {}, which peer with nothing else",
                    spoke_names.join(", ")
                ));
                if let Some(l) = spokes.first().and_then(|s| link(&key, s)) {
                    d.peering_defaults = l.flags;
                }
                for s in spokes {
                    if let Some(l) = link(&key, s) {
                        d.comments.push(format!(
                            "existing link \"{}\" -> {}",
                            l.name,
                            names.get(s).cloned().unwrap_or_default()
                        ));
                    }
                }
            }
            if let Some(hub) = spoke_of.get(&key)
                && let Some(l) = link(&key, hub)
            {
                d.spoke_link = l.flags;
                d.comments.push(format!(
                    "existing link \"{}\" -> {}",
                    l.name,
                    names.get(hub).cloned().unwrap_or_default()
                ));
            }
            // A gateway that existing links rely on: the VNet offers
            // transit, or a peer uses its gateway.
            let transit = v
                .links
                .iter()
                .any(|l| l.flags.allow_gateway_transit == Some(true))
                || vnets.iter().any(|w| {
                    w.links
                        .iter()
                        .any(|l| l.remote.key() == key && l.flags.use_remote_gateways == Some(true))
                });
            if transit {
                let gateway = format!("{}-gateway", v.id.name);
                d.comments.push(format!(
                    "PLACEHOLDER gateway \"{gateway}\": the VNet list has no gateways; existing links use this VNet's gateway (or Route Server). azmesh takes it as present and never creates it."
                ));
                d.gateway = Some(DraftGateway {
                    name: gateway.clone(),
                    kind: "vpn".to_string(),
                    sku: "VpnGw1AZ".to_string(),
                });
                self.diags.push(
                    Diagnostic::new(
                        Code::TransitWithoutGateway,
                        v.span,
                        format!("VNet `{}` offers gateway transit, but the VNet list has no gateways: a placeholder gateway `{gateway}` is written", v.id.name),
                    )
                    .with_level(Level::Warning)
                    .with_help(format!("put the real gateway's name, type and sku on `{name}` in the imported topology (`az network vnet-gateway list -g {}`)", v.id.resource_group)),
                );
            }
            draft.vnets.push(d);
        }
        // Remote VNets that are not in the input.
        let mut written = BTreeSet::new();
        for l in &remotes {
            if !written.insert(l.remote.key()) {
                continue;
            }
            let mut d = DraftVnet::new(name_of(&l.remote), DraftRole::Vnet);
            if l.remote.classic {
                d.comments.push(format!(
                    "classic VNet \"{}\" (not in the input): only the Resource Manager side has a link",
                    l.remote.name
                ));
                d.classic = true;
                d.subscription = aliases.get(&l.remote.subscription).cloned();
                d.resource_group = Some(l.remote.resource_group.clone());
            } else {
                d.comments.push(format!(
                    "remote VNet \"{}\" (not in the input): external, by id",
                    l.remote.name
                ));
                d.id = Some(l.remote_raw.clone());
            }
            draft.vnets.push(d);
        }

        self.link_names(vnets, &name_of);
        let mut done: BTreeSet<(Key, Key)> = BTreeSet::new();
        for v in vnets {
            let a = v.id.key();
            for l in &v.links {
                let b = l.remote.key();
                let pair = if a <= b {
                    (a.clone(), b.clone())
                } else {
                    (b.clone(), a.clone())
                };
                if !done.insert(pair) {
                    continue;
                }
                if spoke_of.get(&a) == Some(&b) || spoke_of.get(&b) == Some(&a) {
                    continue;
                }
                let (an, bn) = (name_of(&v.id), name_of(&l.remote));
                let mut p = DraftPeering {
                    a: an.clone(),
                    b: bn.clone(),
                    forward: l.flags,
                    ..DraftPeering::default()
                };
                p.comments
                    .push(format!("existing link \"{}\" on {an}{}", l.name, state(l)));
                if let Some(back) = link(&b, &a) {
                    p.reverse = back.flags;
                    p.comments.push(format!(
                        "existing link \"{}\" on {bn}{}",
                        back.name,
                        state(back)
                    ));
                } else if l.remote.classic {
                    p.comments
                        .push(format!("{bn} is classic: it has no link of its own"));
                } else if by_key.contains_key(&b) {
                    p.comments.push(format!(
                        "{bn} has no link back: azmesh creates it with default settings"
                    ));
                    self.diags.push(
                        Diagnostic::new(
                            Code::MissingValue,
                            self.span_after(&l.remote_raw, v.span.map_or(0, |s| s.end)),
                            format!("the peering `{}` of `{an}` has no link back from `{bn}`", l.name),
                        )
                        .with_level(Level::Warning)
                        .with_help(format!("azmesh will create the {bn} -> {an} link; set its flags in the `reverse` block if the defaults are not wanted")),
                    );
                } else {
                    p.comments.push(format!(
                        "{bn} is not in the input: its link back is not known; azmesh creates it with default settings"
                    ));
                }
                draft.peerings.push(p);
            }
        }
        draft
    }

    /// One warning when existing links have names azmesh would not give
    /// them (`<local>-to-<remote>`): deploying would add second links.
    fn link_names(&mut self, vnets: &[AzVnet], name_of: &dyn Fn(&ArmId) -> String) {
        let mut odd: Vec<(&AzVnet, &AzLink, String)> = Vec::new();
        for v in vnets {
            for l in &v.links {
                let ours = format!("{}-to-{}", name_of(&v.id), name_of(&l.remote));
                if !l.name.eq_ignore_ascii_case(&ours) {
                    odd.push((v, l, ours));
                }
            }
        }
        let Some((v, l, ours)) = odd.first() else {
            return;
        };
        let span = v
            .span
            .and_then(|s| self.span_after(&l.name, s.end))
            .or_else(|| self.span_of(&l.name));
        self.diags.push(
            Diagnostic::new(
                Code::LinkName,
                span,
                format!(
                    "{} existing peering link(s) have names azmesh would not give them, e.g. `{}` on `{}` (azmesh: `{ours}`)",
                    odd.len(),
                    l.name,
                    v.id.name
                ),
            )
            .with_level(Level::Warning)
            .with_help("a deployment would try to add second links between the same VNets, which Azure refuses: delete the old links first, or deploy only the links that are missing"),
        );
    }

    /// Hubs and their spokes: a VNet peered with at least two VNets of the
    /// input that peer with nothing else, both links of every pair present
    /// and the hub's links all with the same flags.
    fn hubs<'l>(
        &self,
        vnets: &[AzVnet],
        by_key: &BTreeMap<Key, &AzVnet>,
        peers: &BTreeMap<Key, BTreeSet<Key>>,
        link: &dyn Fn(&Key, &Key) -> Option<&'l AzLink>,
    ) -> BTreeMap<Key, Vec<Key>> {
        let mut hubs = BTreeMap::new();
        for v in vnets {
            let hub = v.id.key();
            let Some(spokes) = peers.get(&hub) else {
                continue;
            };
            if spokes.len() < 2 {
                continue;
            }
            let shape = spokes.iter().all(|s| {
                by_key.contains_key(s)
                    && peers.get(s).is_some_and(|p| p.len() == 1)
                    && link(&hub, s).is_some()
                    && link(s, &hub).is_some()
            });
            let flags: BTreeSet<String> = spokes
                .iter()
                .filter_map(|s| link(&hub, s))
                .map(|l| format!("{:?}", l.flags))
                .collect();
            if shape && flags.len() == 1 {
                hubs.insert(hub, spokes.iter().cloned().collect());
            }
        }
        hubs
    }
}

fn state(l: &AzLink) -> String {
    l.state
        .as_ref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default()
}

/// The first 8 characters of a subscription id.
fn short(sub: &str) -> String {
    sub.chars().take(8).collect()
}

fn flatten<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        Value::Object(map) => match map.get("value") {
            // An ARM REST list: `{"value": [...]}`.
            Some(inner @ Value::Array(_)) => flatten(inner, out),
            _ => out.push(value),
        },
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_case_insensitively() {
        let id = ArmId::parse("/SUBSCRIPTIONS/AAAA/resourcegroups/Rg-X/providers/microsoft.network/VIRTUALNETWORKS/v1")
            .expect("an id");
        assert_eq!(id.subscription, "aaaa");
        assert_eq!(id.resource_group, "Rg-X");
        assert_eq!(id.name, "v1");
        assert!(!id.classic);
        assert!(
            ArmId::parse(
                "/subscriptions/a/resourceGroups/b/providers/Microsoft.Compute/virtualMachines/c"
            )
            .is_none()
        );
        assert!(ArmId::parse("/subscriptions/a/resourceGroups/b/providers/Microsoft.ClassicNetwork/virtualNetworks/c").is_some_and(|i| i.classic));
    }
}
