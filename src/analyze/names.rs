//! Azure naming rules and free-text rules.
//!
//! In: a name or text with its span and the kind of thing it names. Out:
//! `InvalidName` (AZM012) / `InvalidValue` (AZM015) diagnostics whose help
//! states the rule; nothing else.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Name, Tag, Text};

/// Which naming rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A virtual network: 2-64 characters.
    Vnet,
    /// Subnets, gateways, route servers, firewalls, meshes, peering links,
    /// route tables, subscription aliases and sites: 1-80 characters.
    Child,
    /// A resource group: 1-90 letters, digits, `_ - . ( )`, not ending in `.`.
    ResourceGroup,
}

impl Rule {
    fn limits(self) -> (usize, usize) {
        match self {
            Rule::Vnet => (2, 64),
            Rule::Child => (1, 80),
            Rule::ResourceGroup => (1, 90),
        }
    }

    fn describe(self) -> String {
        let (min, max) = self.limits();
        match self {
            Rule::ResourceGroup => format!(
                "a resource group name has {min}-{max} characters: letters, digits, `_`, `-`, `.`, `(`, `)`, and does not end with `.`"
            ),
            _ => format!(
                "use {min}-{max} characters: letters, digits, `_`, `.`, `-`; start with a letter or digit; end with a letter, digit or `_`"
            ),
        }
    }
}

/// Whether `name` satisfies `rule`.
#[must_use]
pub fn is_valid(name: &str, rule: Rule) -> bool {
    let (min, max) = rule.limits();
    let len = name.chars().count();
    if len < min || len > max {
        return false;
    }
    match rule {
        Rule::ResourceGroup => {
            name.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')'))
                && !name.ends_with('.')
        }
        Rule::Vnet | Rule::Child => {
            let first_ok = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            let last_ok = name
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            first_ok
                && last_ok
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        }
    }
}

/// Reports `name` (a `what`, e.g. "subnet") when it breaks `rule`.
pub fn check(name: &Name, what: &str, rule: Rule, diags: &mut Vec<Diagnostic>) {
    if !is_valid(&name.value, rule) {
        diags.push(
            Diagnostic::new(
                Code::InvalidName,
                name.span,
                format!("invalid {what} name `{}`", name.value.escape_debug()),
            )
            .with_label("breaks Azure's naming rules")
            .with_help(rule.describe()),
        );
    }
}

/// Reports NUL and control characters other than newline and tab.
pub fn check_text(text: &Text, what: &str, diags: &mut Vec<Diagnostic>) -> bool {
    if text
        .value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                text.span,
                format!("{what} contains a control character"),
            )
            .with_help("remove NUL and control characters; only newlines and tabs are allowed"),
        );
        return false;
    }
    true
}

/// Tag keys: 1-512 characters without `< > % & \ ? /`; values up to 256.
pub fn check_tags(tags: &[Tag], diags: &mut Vec<Diagnostic>) {
    for tag in tags {
        let key = &tag.key.value;
        let key_ok = check_text(&tag.key, "a tag key", diags);
        let len = key.chars().count();
        if key_ok && (len == 0 || len > 512 || key.contains(['<', '>', '%', '&', '\\', '?', '/'])) {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    tag.key.span,
                    format!("invalid tag key `{}`", key.escape_debug()),
                )
                .with_help("a tag key has 1-512 characters and none of `< > % & \\ ? /`"),
            );
        }
        if check_text(&tag.value, "a tag value", diags) && tag.value.value.chars().count() > 256 {
            diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    tag.value.span,
                    format!(
                        "the value of tag `{}` is longer than 256 characters",
                        key.escape_debug()
                    ),
                )
                .with_help("shorten the tag value to at most 256 characters"),
            );
        }
    }
}

/// `name` cut to at most 80 characters: longer names keep their first 71
/// characters, then `-` and 8 hex digits of the FNV-1a hash of the full name.
#[must_use]
pub fn shorten(name: &str) -> String {
    if name.chars().count() <= 80 {
        return name.to_string();
    }
    let head: String = name.chars().take(71).collect();
    format!("{head}-{:08x}", fnv1a32(name))
}

/// FNV-1a, 32 bits: a stable hash (the same on every platform and run).
#[must_use]
pub fn fnv1a32(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vnet_and_child_rules() {
        assert!(is_valid("hub-weu", Rule::Vnet));
        assert!(!is_valid("h", Rule::Vnet));
        assert!(is_valid("h", Rule::Child));
        assert!(!is_valid(&"a".repeat(65), Rule::Vnet));
        assert!(is_valid(&"a".repeat(80), Rule::Child));
        assert!(!is_valid(&"a".repeat(81), Rule::Child));
        assert!(!is_valid("-abc", Rule::Child));
        assert!(!is_valid("abc-", Rule::Child));
        assert!(is_valid("abc_", Rule::Child));
        assert!(!is_valid("a b", Rule::Child));
    }

    #[test]
    fn resource_group_rule() {
        assert!(is_valid("rg-(net)_1.x", Rule::ResourceGroup));
        assert!(!is_valid("rg.", Rule::ResourceGroup));
        assert!(!is_valid("rg/x", Rule::ResourceGroup));
        assert!(!is_valid(&"r".repeat(91), Rule::ResourceGroup));
    }

    #[test]
    fn shorten_keeps_short_names_and_hashes_long_ones() {
        assert_eq!(shorten("a-to-b"), "a-to-b");
        let long = format!("{}-to-{}", "a".repeat(60), "b".repeat(60));
        let short = shorten(&long);
        assert_eq!(short.chars().count(), 80);
        assert!(short.starts_with(&"a".repeat(60)));
        assert_eq!(short, shorten(&long));
        assert!(is_valid(&short, Rule::Child));
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c_292c);
    }
}
