//! Peering settings: the four flags of a link.
//!
//! In: a block node (`peering-defaults`, `mesh`, `peering`, `reverse`) or a
//! spoke. Out: `PeeringSettings`, each flag read either from a property on
//! the node (`mesh "m" allow-forwarded-traffic=#true`) or from a child node
//! with one boolean argument (`allow-forwarded-traffic #true`). A flag set
//! twice, in either form, is AZM006.

use ::kdl::KdlNode;

use super::Mapper;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Flag, PeeringSettings};
use crate::spanned::Spanned;

/// The settings' KDL names, in the order of `design/language.md`.
pub(super) const SETTINGS: [&str; 4] = [
    "allow-virtual-network-access",
    "allow-forwarded-traffic",
    "allow-gateway-transit",
    "use-remote-gateways",
];

/// The field of `settings` that the KDL name `key` sets.
fn slot<'a>(settings: &'a mut PeeringSettings, key: &str) -> Option<&'a mut Flag> {
    match key {
        "allow-virtual-network-access" => Some(&mut settings.allow_virtual_network_access),
        "allow-forwarded-traffic" => Some(&mut settings.allow_forwarded_traffic),
        "allow-gateway-transit" => Some(&mut settings.allow_gateway_transit),
        "use-remote-gateways" => Some(&mut settings.use_remote_gateways),
        _ => None,
    }
}

impl Mapper<'_> {
    /// Settings written as properties of `node`. Unknown properties are
    /// reported by the caller's `check_props`.
    pub(super) fn settings_from_props(&mut self, node: &KdlNode, settings: &mut PeeringSettings) {
        for key in SETTINGS {
            if let Some(value) = self.prop_flag(node, key) {
                self.set(settings, key, value);
            }
        }
    }

    /// Reads `child` if it is a setting node (`allow-forwarded-traffic
    /// #true`); `false` if it is some other node.
    pub(super) fn setting_child(
        &mut self,
        child: &KdlNode,
        settings: &mut PeeringSettings,
    ) -> bool {
        let key = child.name().value();
        if !SETTINGS.contains(&key) {
            return false;
        }
        let usage = format!("{key} #true");
        self.check_props(child, &[], |_| None);
        self.extra_args(child, 1, &usage);
        self.no_children(child);
        match Self::args(child).first() {
            Some(entry) => {
                if let Some(value) = self.flag(entry, &format!("`{key}`")) {
                    self.set(settings, key, value);
                }
            }
            None => {
                let message = format!("`{key}` needs a value, #true or #false");
                self.missing(Self::name_span(child), message, &usage);
            }
        }
        true
    }

    /// Reads a settings block: properties and setting children; any other
    /// child is AZM003. Used for `peering-defaults` and `reverse`.
    pub(super) fn settings_block(&mut self, node: &KdlNode) -> PeeringSettings {
        let keyword = node.name().value();
        let mut settings = PeeringSettings::default();
        self.check_props(node, &SETTINGS, |_| None);
        self.extra_args(
            node,
            0,
            &format!("{keyword} {{ allow-forwarded-traffic #true }}"),
        );
        self.settings_from_props(node, &mut settings);
        for child in Self::children(node) {
            if !self.setting_child(child, &mut settings) {
                self.unknown_node(child, &format!("in `{keyword}`"), &SETTINGS);
            }
        }
        settings
    }

    fn set(&mut self, settings: &mut PeeringSettings, key: &str, value: Spanned<bool>) {
        let Some(slot) = slot(settings, key) else {
            return;
        };
        if let Some(earlier) = slot {
            let earlier = earlier.span;
            self.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    value.span,
                    format!("`{key}` is set twice"),
                )
                .with_label("set again here")
                .with_related(earlier, "first set here")
                .with_help("set it once, either as a property or as a child node"),
            );
            return;
        }
        *slot = Some(value);
    }
}
