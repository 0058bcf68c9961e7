//! KDL reader: KDL text -> `model::Topology` plus diagnostics.
//!
//! In: a KDL 2.0 document (a KDL 1.0 one is accepted too, through the `kdl`
//! crate's `v1-fallback`). Out: the `Topology` of `design/language.md`,
//! every value spanned where it is written, and one diagnostic per problem:
//! syntax (AZM002), unknown node or property (AZM003), wrong value type
//! (AZM004), missing value (AZM005), something given twice (AZM006).
//!
//! The reader never stops at the first problem: it reports all of them and
//! returns whatever it could read. A value of the wrong type is left unset;
//! a hub, spoke, subscription, mesh, site, gateway or the like without a
//! usable name is left out (nothing could refer to it); of a node or
//! property given twice the first one counts.

mod fast;
mod fields;
mod settings;
mod vnet;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fast_tests;

use std::collections::BTreeMap;

use ::kdl::{KdlDiagnostic, KdlDocument, KdlNode};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Defaults, Mesh, Peering, Site, Subscription, Tag, Topology};
use crate::source::{Source, Span};
use crate::spanned::Spanned;
use settings::SETTINGS;

/// Reads a KDL source into the topology model.
#[must_use]
pub fn parse(source: &Source) -> (Topology, Vec<Diagnostic>) {
    parse_with(source, true)
}

/// Reads a KDL source, trying the fast reader for plain KDL 2.0 first when
/// `fast` is set (the tests compare both ways).
fn parse_with(source: &Source, fast: bool) -> (Topology, Vec<Diagnostic>) {
    let fast_document = if fast {
        fast::parse(&source.text)
    } else {
        None
    };
    let document = match fast_document {
        Some(document) => Ok(document),
        None => read_document(&source.text),
    };
    match document {
        Ok(document) => {
            let mut mapper = Mapper {
                text: &source.text,
                diagnostics: Vec::new(),
            };
            let topology = mapper.document(&document);
            (topology, mapper.diagnostics)
        }
        Err(diagnostics) => (Topology::default(), diagnostics),
    }
}

const SYNTAX_HELP: &str = "azmesh reads KDL 2.0 (and 1.0); see https://kdl.dev for the syntax";

/// Parses KDL 2.0, else KDL 1.0. When both fail, the 2.0 parser's errors
/// are reported (it recovers and finds more than one), except those about a
/// 1.0 spelling (`true`, `null`, `r"raw"`) in a text with no 2.0-only
/// spelling (`#true`, `#false`, `#null`): the text is KDL 1.0 there. If
/// nothing else is left, the 1.0 parser's error is reported.
fn read_document(text: &str) -> Result<KdlDocument, Vec<Diagnostic>> {
    let v2_error = match KdlDocument::parse_v2(text) {
        Ok(document) => return Ok(document),
        Err(error) => error,
    };
    let v1_error = match KdlDocument::parse_v1(text) {
        Ok(document) => return Ok(document),
        Err(error) => error,
    };
    let v2_spelling = ["#true", "#false", "#null"]
        .iter()
        .any(|marker| text.contains(marker));
    let (v1_spelled, other): (Vec<_>, Vec<_>) = v2_error.diagnostics.into_iter().partition(|d| {
        let span = Span::from(d.span);
        !v2_spelling && text.get(span.start..span.end).is_some_and(is_v1_only)
    });
    let mut diagnostics = if !v1_spelled.is_empty() && other.is_empty() {
        syntax_errors(&v1_error.diagnostics, text, "KDL 1.0")
    } else {
        syntax_errors(&other, text, "KDL")
    };
    if diagnostics.is_empty() {
        diagnostics.push(
            Diagnostic::new(Code::Syntax, Span::default(), "invalid KDL").with_help(SYNTAX_HELP),
        );
    }
    Err(diagnostics)
}

/// A value only KDL 1.0 spells this way.
fn is_v1_only(written: &str) -> bool {
    matches!(written, "true" | "false" | "null")
        || written.starts_with("r\"")
        || written.starts_with("r#")
}

/// One AZM002 per error the KDL parser reports.
fn syntax_errors(errors: &[KdlDiagnostic], text: &str, version: &str) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|d| {
            let span = Span::from(d.span);
            let message = d.message.as_deref().unwrap_or("the text does not parse");
            let help = match text.get(span.start..span.end) {
                Some(keyword @ ("true" | "false" | "null")) if version == "KDL" => {
                    format!("KDL 2.0 writes it `#{keyword}`")
                }
                _ => d.help.clone().unwrap_or_else(|| SYNTAX_HELP.to_owned()),
            };
            let mut diagnostic = Diagnostic::new(
                Code::Syntax,
                span,
                format!("invalid {version}: {}", lowercase_first(message)),
            )
            .with_help(help);
            if let Some(label) = &d.label {
                diagnostic = diagnostic.with_label(label.clone());
            }
            diagnostic
        })
        .collect()
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Nodes allowed at the top level.
const TOP_LEVEL: [&str; 10] = [
    "topology",
    "defaults",
    "subscription",
    "hub",
    "spoke",
    "vnet",
    "mesh",
    "peering",
    "site",
    "tags",
];

const DEFAULTS_PROPS: [&str; 6] = [
    "location",
    "subscription",
    "resource-group",
    "cloud",
    "api-version",
    "max-peerings",
];

/// Walks a parsed document and collects diagnostics on the way.
struct Mapper<'s> {
    text: &'s str,
    diagnostics: Vec<Diagnostic>,
}

impl Mapper<'_> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn document(&mut self, document: &KdlDocument) -> Topology {
        let mut topology = Topology::default();
        let mut seen = BTreeMap::new();
        for node in document.nodes() {
            match node.name().value() {
                "topology" => {
                    let name = self.topology_name(node);
                    if self.first_of_kind(&mut seen, node) {
                        topology.name = name;
                    }
                }
                "defaults" => {
                    let defaults = self.defaults(node);
                    if self.first_of_kind(&mut seen, node) {
                        topology.defaults = defaults;
                    }
                }
                "subscription" => topology.subscriptions.extend(self.subscription(node)),
                "hub" | "spoke" | "vnet" => topology.vnets.extend(self.vnet(node)),
                "mesh" => topology.meshes.extend(self.mesh(node)),
                "peering" => topology.peerings.extend(self.peering(node)),
                "site" => topology.sites.extend(self.site(node)),
                "tags" => {
                    let tags = self.tags(node);
                    topology.tags.extend(tags);
                }
                _ => self.unknown_node(node, "at the top level", &TOP_LEVEL),
            }
        }
        topology
    }

    /// `topology "NAME"`.
    fn topology_name(&mut self, node: &KdlNode) -> Option<Spanned<String>> {
        const USAGE: &str = "topology \"NAME\"";
        self.check_props(node, &[], |_| None);
        self.extra_args(node, 1, USAGE);
        self.no_children(node);
        self.name_arg(node, USAGE)
    }

    /// `defaults location=.. subscription=.. resource-group=.. cloud=..
    /// api-version=.. max-peerings=..`.
    fn defaults(&mut self, node: &KdlNode) -> Defaults {
        self.check_props(node, &DEFAULTS_PROPS, |_| None);
        self.extra_args(node, 0, "defaults location=\"westeurope\" ...");
        self.no_children(node);
        Defaults {
            location: self.prop_str(node, "location"),
            subscription: self.prop_str(node, "subscription"),
            resource_group: self.prop_str(node, "resource-group"),
            cloud: self.prop_str(node, "cloud"),
            api_version: self.prop_str(node, "api-version"),
            max_peerings: self.prop_count(node, "max-peerings"),
            span: self.node_span(node),
        }
    }

    /// `subscription "ALIAS" id="UUID" tenant="UUID"`.
    fn subscription(&mut self, node: &KdlNode) -> Option<Subscription> {
        const USAGE: &str = "subscription \"ALIAS\" id=\"UUID\"";
        self.check_props(node, &["id", "tenant"], |_| None);
        self.extra_args(node, 1, USAGE);
        self.no_children(node);
        let alias = self.name_arg(node, USAGE);
        let id = self.prop_str(node, "id");
        let tenant = self.prop_str(node, "tenant");
        Some(Subscription {
            alias: alias?,
            id,
            tenant,
            span: self.node_span(node),
        })
    }

    /// `mesh "NAME" <settings> { members "a" "b" ...; <settings> }`.
    fn mesh(&mut self, node: &KdlNode) -> Option<Mesh> {
        const USAGE: &str = "mesh \"NAME\" { members \"a\" \"b\" }";
        self.check_props(node, &SETTINGS, |_| None);
        self.extra_args(node, 1, USAGE);
        let name = self.name_arg(node, USAGE);
        let mut mesh = Mesh {
            name: name.clone().unwrap_or_default(),
            span: self.node_span(node),
            ..Mesh::default()
        };
        self.settings_from_props(node, &mut mesh.settings);
        let mut known = vec!["members"];
        known.extend(SETTINGS);
        let mut has_members = false;
        for child in Self::children(node) {
            if child.name().value() == "members" {
                has_members = true;
                let members = self.string_args(child, "members \"a\" \"b\"");
                self.check_props(child, &[], |_| None);
                self.no_children(child);
                mesh.members.extend(members);
            } else if !self.setting_child(child, &mut mesh.settings) {
                self.unknown_node(child, "in `mesh`", &known);
            }
        }
        if !has_members && let Some(name) = &name {
            self.missing(
                name.span,
                format!("mesh `{}` has no `members`", name.value),
                USAGE,
            );
        }
        name.map(|_| mesh)
    }

    /// `peering "A" "B" <settings> { <settings>; reverse { <settings> } }`.
    fn peering(&mut self, node: &KdlNode) -> Option<Peering> {
        const USAGE: &str = "peering \"A\" \"B\" { ... }";
        self.check_props(node, &SETTINGS, |_| None);
        self.extra_args(node, 2, USAGE);
        let args = Self::args(node);
        if args.len() < 2 {
            let span = args
                .first()
                .map_or_else(|| Self::name_span(node), |e| self.value_span(e));
            self.missing(
                span,
                "`peering` needs the two VNets it links".to_owned(),
                USAGE,
            );
        }
        let between: Vec<_> = args
            .iter()
            .take(2)
            .filter_map(|entry| self.string(entry, "a VNet of `peering`"))
            .collect();
        let mut peering = Peering {
            span: self.node_span(node),
            ..Peering::default()
        };
        self.settings_from_props(node, &mut peering.settings);
        let mut known = vec!["reverse"];
        known.extend(SETTINGS);
        let mut seen = BTreeMap::new();
        for child in Self::children(node) {
            if child.name().value() == "reverse" {
                let reverse = self.settings_block(child);
                if self.first_of_kind(&mut seen, child) {
                    peering.reverse = reverse;
                }
            } else if !self.setting_child(child, &mut peering.settings) {
                self.unknown_node(child, "in `peering`", &known);
            }
        }
        peering.between = between;
        (peering.between.len() == 2).then_some(peering)
    }

    /// `site "NAME" hub="HUB" gateway-address="IP" { address-space "P" ... }`.
    fn site(&mut self, node: &KdlNode) -> Option<Site> {
        const USAGE: &str = "site \"NAME\" { address-space \"192.168.0.0/16\" }";
        self.check_props(node, &["hub", "gateway-address"], |_| None);
        self.extra_args(node, 1, USAGE);
        let name = self.name_arg(node, USAGE);
        let mut site = Site {
            name: name.clone().unwrap_or_default(),
            hub: self.prop_str(node, "hub"),
            gateway_address: self.prop_str(node, "gateway-address"),
            span: self.node_span(node),
            ..Site::default()
        };
        for child in Self::children(node) {
            if child.name().value() == "address-space" {
                let prefixes = self.string_args(child, "address-space \"192.168.0.0/16\"");
                self.check_props(child, &[], |_| None);
                self.no_children(child);
                site.address_space.extend(prefixes);
            } else {
                self.unknown_node(child, "in `site`", &["address-space"]);
            }
        }
        name.map(|_| site)
    }

    /// `tags { KEY "VALUE"; ... }`: each child's name is a key, its one
    /// argument the value.
    fn tags(&mut self, node: &KdlNode) -> Vec<Tag> {
        self.check_props(node, &[], |_| None);
        self.extra_args(node, 0, "tags { owner \"net-team\" }");
        let mut tags = Vec::new();
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for child in Self::children(node) {
            let key = Spanned::new(child.name().value().to_owned(), Self::name_span(child));
            let usage = format!("{} \"VALUE\"", child.name().repr().unwrap_or(&key.value));
            self.check_props(child, &[], |_| None);
            self.extra_args(child, 1, &usage);
            self.no_children(child);
            let value = match Self::args(child).first() {
                Some(entry) => self.string(entry, &format!("tag `{}`", key.value)),
                None => {
                    self.missing(
                        key.span,
                        format!("tag `{}` needs a value", key.value),
                        &usage,
                    );
                    None
                }
            };
            if !self.first_of_kind(&mut seen, child) {
                continue;
            }
            if let Some(value) = value {
                tags.push(Tag { key, value });
            }
        }
        tags
    }
}
