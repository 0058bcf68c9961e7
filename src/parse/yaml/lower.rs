//! `doc::Document` -> `model::Topology`: locations become byte spans, and
//! required values that serde leaves optional are reported as missing.

use serde_saphyr::Location;

use super::doc::{self, Named, Sp, SubnetValue, TagValue};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    Defaults, Firewall, Flag, Gateway, Mesh, Name, Peering, PeeringSettings, Role, RouteServer,
    Site, Subnet, Subscription, Tag, Text, Topology, Vnet,
};
use crate::source::{Source, Span};
use crate::spanned::Spanned;

/// Lowers a deserialized document into the model.
pub(super) fn lower(source: &Source, document: doc::Document) -> (Topology, Vec<Diagnostic>) {
    let mut lower = Lower {
        source,
        diagnostics: Vec::new(),
    };
    let topology = lower.topology(document);
    (topology, lower.diagnostics)
}

/// The byte span of a saphyr location in `source`.
pub(super) fn location_span(source: &Source, loc: &Location) -> Span {
    let span = loc.span();
    if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let end = usize::try_from(offset.saturating_add(len)).unwrap_or(usize::MAX);
        if start <= end
            && end <= source.text.len()
            && source.text.is_char_boundary(start)
            && source.text.is_char_boundary(end)
        {
            return Span::new(start, end);
        }
    }
    let line = usize::try_from(loc.line()).unwrap_or(usize::MAX);
    let col = usize::try_from(loc.column()).unwrap_or(usize::MAX);
    let start = source.offset_of(line, col);
    let chars = usize::try_from(span.len()).unwrap_or(0);
    let end = source
        .text
        .get(start..)
        .unwrap_or("")
        .char_indices()
        .nth(chars)
        .map_or(source.text.len(), |(i, _)| start + i);
    Span::new(start, end)
}

/// The span of the whole node at `loc`: see [`widen`].
fn node_span(source: &Source, loc: &Location) -> Span {
    widen(source, location_span(source, loc))
}

/// Widens a span that marks where a collection starts (a char boundary
/// within the text, as `location_span` guarantees) to the whole collection:
/// a flow collection up to its closing bracket, a block mapping or sequence
/// up to its last line indented at least as far as its first key or `-`.
/// Any other span is returned as it is.
pub(super) fn widen(source: &Source, span: Span) -> Span {
    let text = source.text.as_str();
    let rest = text.get(span.start..).unwrap_or("");
    if rest.starts_with('{') || rest.starts_with('[') {
        Span::new(span.start, flow_end(text, span.start))
    } else if (span.is_empty() && !rest.trim().is_empty())
        || rest.starts_with("- ")
        || rest.starts_with("-\n")
    {
        Span::new(span.start, block_end(text, span.start))
    } else {
        span
    }
}

/// The offset after the bracket that closes the one at `start`.
fn flow_end(text: &str, start: usize) -> usize {
    let mut depth = 0usize;
    let mut chars = text[start..].char_indices().peekable();
    let mut prev_space = true;
    while let Some((i, c)) = chars.next() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return start + i + 1;
                }
            }
            '"' => {
                while let Some((_, q)) = chars.next() {
                    if q == '\\' {
                        chars.next();
                    } else if q == '"' {
                        break;
                    }
                }
            }
            '\'' => {
                while let Some((_, q)) = chars.next() {
                    if q == '\'' {
                        if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '#' if prev_space => {
                for (_, q) in chars.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
            }
            _ => {}
        }
        prev_space = c.is_whitespace() || c == ',';
    }
    text.len()
}

/// The end of the last content line of the block node whose first key is at `start`.
fn block_end(text: &str, start: usize) -> usize {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..start].chars().count();
    let first_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut end = start + text[start..first_end].trim_end().len();
    let mut pos = first_end;
    while pos < text.len() {
        let line_from = pos + 1;
        let line_to = text[line_from.min(text.len())..]
            .find('\n')
            .map_or(text.len(), |i| line_from + i);
        let line = text.get(line_from..line_to).unwrap_or("");
        let content = line.trim();
        pos = line_to;
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.chars().take_while(|c| *c == ' ').count();
        if indent < column {
            break;
        }
        end = line_from + line.trim_end().len();
    }
    end
}

struct Lower<'a> {
    source: &'a Source,
    diagnostics: Vec<Diagnostic>,
}

impl Lower<'_> {
    fn span(&self, loc: &Location) -> Span {
        location_span(self.source, loc)
    }

    fn node(&self, loc: &Location) -> Span {
        node_span(self.source, loc)
    }

    fn text(&self, sp: Sp<String>) -> Text {
        Spanned::new(sp.value, self.span(&sp.loc))
    }

    fn opt_text(&self, sp: Option<Sp<String>>) -> Option<Text> {
        sp.map(|sp| self.text(sp))
    }

    fn texts(&self, list: Option<Vec<Sp<String>>>) -> Vec<Text> {
        list.unwrap_or_default()
            .into_iter()
            .map(|sp| self.text(sp))
            .collect()
    }

    fn flag(&self, sp: Option<Sp<bool>>) -> Flag {
        sp.map(|sp| Spanned::new(sp.value, self.span(&sp.loc)))
    }

    /// The span from a name key to the end of its value.
    fn entry_span(&self, key: &Sp<String>, value: &Location) -> Span {
        let key = self.span(&key.loc);
        let value = self.node(value);
        Span::new(key.start, value.end.max(key.end))
    }

    fn tags(&self, tags: Option<Named<Sp<TagValue>>>) -> Vec<Tag> {
        tags.unwrap_or_default()
            .0
            .into_iter()
            .map(|(key, value)| Tag {
                key: self.text(key),
                value: Spanned::new(value.value.0, self.span(&value.loc)),
            })
            .collect()
    }

    fn missing(&mut self, span: Span, message: String, help: &str) {
        self.diagnostics
            .push(Diagnostic::new(Code::MissingValue, span, message).with_help(help));
    }

    /// A required `name` key of a gateway, Route Server or firewall.
    fn required_name(&mut self, name: Option<Sp<String>>, span: Span, what: &str) -> Name {
        match name {
            Some(name) => self.text(name),
            None => {
                self.missing(
                    span,
                    format!("this {what} has no `name`"),
                    &format!("add `name: NAME` to the {what}"),
                );
                Spanned::new(String::new(), span)
            }
        }
    }

    fn topology(&mut self, document: doc::Document) -> Topology {
        let mut vnets = Vec::new();
        for (name, hub) in document.hubs.unwrap_or_default().0 {
            vnets.push(self.vnet(name, hub, Role::Hub));
        }
        for (name, spoke) in document.spokes.unwrap_or_default().0 {
            vnets.push(self.spoke(name, spoke));
        }
        for (name, vnet) in document.vnets.unwrap_or_default().0 {
            vnets.push(self.vnet(name, vnet, Role::Vnet));
        }
        Topology {
            name: self.opt_text(document.topology),
            defaults: document
                .defaults
                .map(|defaults| self.defaults(defaults))
                .unwrap_or_default(),
            subscriptions: document
                .subscriptions
                .unwrap_or_default()
                .0
                .into_iter()
                .map(|(alias, sub)| self.subscription(alias, sub))
                .collect(),
            vnets,
            meshes: document
                .meshes
                .unwrap_or_default()
                .0
                .into_iter()
                .map(|(name, mesh)| self.mesh(name, mesh))
                .collect(),
            peerings: document
                .peerings
                .unwrap_or_default()
                .into_iter()
                .map(|peering| self.peering(peering))
                .collect(),
            sites: document
                .sites
                .unwrap_or_default()
                .0
                .into_iter()
                .map(|(name, site)| self.site(name, site))
                .collect(),
            tags: self.tags(document.tags),
        }
    }

    fn defaults(&self, defaults: Sp<doc::Defaults>) -> Defaults {
        let span = self.node(&defaults.loc);
        let d = defaults.value;
        Defaults {
            location: self.opt_text(d.location),
            subscription: self.opt_text(d.subscription),
            resource_group: self.opt_text(d.resource_group),
            cloud: self.opt_text(d.cloud),
            api_version: self.opt_text(d.api_version),
            max_peerings: d
                .max_peerings
                .map(|sp| Spanned::new(sp.value, self.span(&sp.loc))),
            span,
        }
    }

    fn subscription(&self, alias: Sp<String>, sub: Sp<doc::Subscription>) -> Subscription {
        let span = self.entry_span(&alias, &sub.loc);
        Subscription {
            alias: self.text(alias),
            id: self.opt_text(sub.value.id),
            tenant: self.opt_text(sub.value.tenant),
            span,
        }
    }

    fn settings(
        &self,
        access: Option<Sp<bool>>,
        forwarded: Option<Sp<bool>>,
        transit: Option<Sp<bool>>,
        remote: Option<Sp<bool>>,
    ) -> PeeringSettings {
        PeeringSettings {
            allow_virtual_network_access: self.flag(access),
            allow_forwarded_traffic: self.flag(forwarded),
            allow_gateway_transit: self.flag(transit),
            use_remote_gateways: self.flag(remote),
        }
    }

    fn settings_doc(&self, settings: Option<Sp<doc::PeeringSettings>>) -> PeeringSettings {
        let s = settings.map(|s| s.value).unwrap_or_default();
        self.settings(
            s.allow_virtual_network_access,
            s.allow_forwarded_traffic,
            s.allow_gateway_transit,
            s.use_remote_gateways,
        )
    }

    fn vnet(&mut self, name: Sp<String>, vnet: Sp<doc::Vnet>, role: Role) -> Vnet {
        let span = self.entry_span(&name, &vnet.loc);
        let v = vnet.value;
        let mut out = Vnet::new(self.text(name), role, span);
        out.location = self.opt_text(v.location);
        out.subscription = self.opt_text(v.subscription);
        out.resource_group = self.opt_text(v.resource_group);
        out.existing = self.flag(v.existing);
        out.classic = self.flag(v.classic);
        out.id = self.opt_text(v.id);
        out.address_space = self.texts(v.address_space);
        out.dns_servers = self.texts(v.dns_servers);
        out.subnets = self.subnets(v.subnets);
        out.gateway = v.gateway.map(|g| self.gateway(g));
        out.route_server = v.route_server.map(|r| self.route_server(r));
        out.firewall = v.firewall.map(|f| self.firewall(f));
        out.peering_defaults = self.settings_doc(v.peering_defaults);
        out.tags = self.tags(v.tags);
        out
    }

    fn spoke(&mut self, name: Sp<String>, spoke: Sp<doc::Spoke>) -> Vnet {
        let span = self.entry_span(&name, &spoke.loc);
        let s = spoke.value;
        let hub = self.opt_text(s.hub);
        if hub.is_none() {
            self.missing(
                self.span(&name.loc),
                format!("spoke `{}` has no `hub`", name.value),
                "add `hub: HUB-NAME` naming the hub this spoke is attached to",
            );
        }
        let mut out = Vnet::new(self.text(name), Role::Spoke { hub }, span);
        out.location = self.opt_text(s.location);
        out.subscription = self.opt_text(s.subscription);
        out.resource_group = self.opt_text(s.resource_group);
        out.existing = self.flag(s.existing);
        out.classic = self.flag(s.classic);
        out.id = self.opt_text(s.id);
        out.address_space = self.texts(s.address_space);
        out.dns_servers = self.texts(s.dns_servers);
        out.subnets = self.subnets(s.subnets);
        out.gateway = s.gateway.map(|g| self.gateway(g));
        out.route_server = s.route_server.map(|r| self.route_server(r));
        out.firewall = s.firewall.map(|f| self.firewall(f));
        out.peering_defaults = self.settings_doc(s.peering_defaults);
        out.spoke_link = self.settings(
            s.allow_virtual_network_access,
            s.allow_forwarded_traffic,
            s.allow_gateway_transit,
            s.use_remote_gateways,
        );
        out.tags = self.tags(s.tags);
        out
    }

    fn subnets(&self, subnets: Option<Named<Sp<SubnetValue>>>) -> Vec<Subnet> {
        subnets
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|(name, value)| {
                let span = self.entry_span(&name, &value.loc);
                let prefixes = match value.value {
                    SubnetValue::Prefix(prefix) => {
                        vec![Spanned::new(prefix, self.span(&value.loc))]
                    }
                    SubnetValue::Detail(detail) => self.texts(Some(detail.prefixes)),
                };
                Subnet {
                    name: self.text(name),
                    prefixes,
                    span,
                }
            })
            .collect()
    }

    fn gateway(&mut self, gateway: Sp<doc::Gateway>) -> Gateway {
        let span = self.node(&gateway.loc);
        let g = gateway.value;
        Gateway {
            name: self.required_name(g.name, span, "gateway"),
            kind: self.opt_text(g.kind),
            sku: self.opt_text(g.sku),
            span,
        }
    }

    fn route_server(&mut self, route_server: Sp<doc::RouteServer>) -> RouteServer {
        let span = self.node(&route_server.loc);
        RouteServer {
            name: self.required_name(route_server.value.name, span, "Route Server"),
            span,
        }
    }

    fn firewall(&mut self, firewall: Sp<doc::Firewall>) -> Firewall {
        let span = self.node(&firewall.loc);
        let f = firewall.value;
        Firewall {
            name: self.required_name(f.name, span, "firewall"),
            private_ip: self.opt_text(f.private_ip),
            default_route: self.flag(f.default_route),
            span,
        }
    }

    fn mesh(&self, name: Sp<String>, mesh: Sp<doc::Mesh>) -> Mesh {
        let span = self.entry_span(&name, &mesh.loc);
        let m = mesh.value;
        Mesh {
            name: self.text(name),
            members: self.texts(m.members),
            settings: self.settings(
                m.allow_virtual_network_access,
                m.allow_forwarded_traffic,
                m.allow_gateway_transit,
                m.use_remote_gateways,
            ),
            span,
        }
    }

    fn peering(&mut self, peering: Sp<doc::Peering>) -> Peering {
        let span = self.node(&peering.loc);
        let p = peering.value;
        let between = match p.between {
            None => {
                self.missing(
                    span,
                    "this peering has no `between`".to_owned(),
                    "add `between: [A, B]` naming the two VNets to peer",
                );
                Vec::new()
            }
            Some(between) => {
                let between_span = self.node(&between.loc);
                let names: Vec<Name> = between.value.into_iter().map(|n| self.text(n)).collect();
                if names.len() != 2 {
                    self.missing(
                        between_span,
                        format!(
                            "`between` names {} VNet{}, not two",
                            names.len(),
                            if names.len() == 1 { "" } else { "s" }
                        ),
                        "write exactly two VNet names: `between: [A, B]`",
                    );
                }
                names
            }
        };
        Peering {
            between,
            settings: self.settings(
                p.allow_virtual_network_access,
                p.allow_forwarded_traffic,
                p.allow_gateway_transit,
                p.use_remote_gateways,
            ),
            reverse: self.settings_doc(p.reverse),
            span,
        }
    }

    fn site(&self, name: Sp<String>, site: Sp<doc::Site>) -> Site {
        let span = self.entry_span(&name, &site.loc);
        let s = site.value;
        Site {
            name: self.text(name),
            address_space: self.texts(s.address_space),
            hub: self.opt_text(s.hub),
            gateway_address: self.opt_text(s.gateway_address),
            span,
        }
    }
}
