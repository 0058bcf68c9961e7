//! The diagnostic catalogue and the `Diagnostic` value every stage emits.
//!
//! Every problem azmesh reports has one stable code (`AZM0xx`), a default
//! level and a one-line title here; its wording lives where it is raised,
//! its documentation in `docs/diagnostics.md` under the code's anchor.

use std::fmt;

use crate::source::Span;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
        })
    }
}

macro_rules! catalogue {
    ($( $variant:ident = $id:literal, $level:ident, $title:literal; )*) => {
        /// Every diagnostic code azmesh can emit.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// All codes, in catalogue order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable identifier, e.g. `AZM025`.
            #[must_use]
            pub fn id(self) -> &'static str {
                match self { $( Code::$variant => $id, )* }
            }

            /// The level a diagnostic of this code has unless raised otherwise.
            #[must_use]
            pub fn level(self) -> Level {
                match self { $( Code::$variant => Level::$level, )* }
            }

            /// One line that names the rule.
            #[must_use]
            pub fn title(self) -> &'static str {
                match self { $( Code::$variant => $title, )* }
            }
        }
    };
}

catalogue! {
    // input and syntax
    Io = "AZM001", Error, "the input cannot be read";
    Syntax = "AZM002", Error, "syntax error";
    UnknownField = "AZM003", Error, "unknown node, property or key";
    WrongType = "AZM004", Error, "a value has the wrong type";
    MissingValue = "AZM005", Error, "a required value is missing";
    DuplicateField = "AZM006", Error, "a node, property or key is given twice";
    // names and references
    UnknownReference = "AZM010", Error, "a reference does not resolve";
    DuplicateName = "AZM011", Error, "a name is defined twice";
    InvalidName = "AZM012", Error, "a name breaks Azure's naming rules";
    NoDefault = "AZM013", Error, "location, subscription or resource group is neither set nor defaulted";
    InvalidId = "AZM014", Error, "a subscription id, tenant id or resource id is malformed";
    InvalidValue = "AZM015", Error, "a value is not one of those allowed";
    UnknownLocation = "AZM016", Warning, "a location is not a known Azure region";
    SpokeOfSpoke = "AZM017", Error, "a spoke's hub is not a hub";
    // addresses
    InvalidPrefix = "AZM020", Error, "an address prefix or IP address does not parse";
    NonCanonicalPrefix = "AZM021", Error, "an address prefix has host bits set";
    ForbiddenRange = "AZM022", Error, "an address space uses a range Azure reserves";
    SubnetOutsideVnet = "AZM023", Error, "a subnet lies outside its VNet's address space";
    SubnetOverlap = "AZM024", Error, "two subnets of a VNet overlap";
    PeeredOverlap = "AZM025", Error, "the address spaces of two peered VNets overlap";
    EstateOverlap = "AZM026", Warning, "two address spaces in the estate overlap";
    SubnetSize = "AZM027", Error, "a subnet's size is outside what Azure allows";
    SpecialSubnet = "AZM028", Error, "a special subnet is misnamed or too small";
    AddressOutsideVnet = "AZM029", Error, "an IP address lies outside the VNet";
    // classic
    ClassicToClassic = "AZM030", Error, "two classic VNets cannot be peered";
    ClassicGateway = "AZM031", Error, "a gateway used over a classic peering must be on the Resource Manager side";
    ClassicNotManaged = "AZM032", Warning, "a setting on a classic or existing VNet is not applied";
    // gateways and transit
    RemoteGatewayMissing = "AZM040", Error, "useRemoteGateways needs a gateway or Route Server in the remote VNet";
    LocalGatewayConflict = "AZM041", Error, "useRemoteGateways is set on a VNet that has a gateway of its own";
    SeveralRemoteGateways = "AZM042", Error, "more than one link of a VNet uses remote gateways";
    TransitWithoutGateway = "AZM043", Error, "allowGatewayTransit needs a gateway or Route Server in the local VNet";
    CounterpartConflict = "AZM044", Error, "useRemoteGateways needs allowGatewayTransit on the link back";
    GatewayWithoutSubnet = "AZM045", Error, "a gateway, Route Server or firewall lacks its subnet";
    // links
    LinkName = "AZM050", Error, "a peering link name is too long or not unique";
    PeeringLimit = "AZM051", Error, "a VNet has more peering links than the platform allows";
    SelfPeering = "AZM052", Error, "a VNet is peered with itself";
    DuplicatePeering = "AZM053", Error, "the same pair of VNets is peered twice";
    RouteLimit = "AZM055", Error, "a route table would have more routes than Azure allows";
    // clouds and tenants
    MixedClouds = "AZM060", Error, "an estate mixes Azure clouds";
    CrossTenant = "AZM061", Warning, "a peering crosses Entra tenants";
    // lifecycle
    AddressSpaceSync = "AZM070", Warning, "a peered VNet's address space changes and needs a peering sync";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A secondary location that explains the primary one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Related {
    #[serde(skip)]
    pub span: Span,
    pub message: String,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub level: Level,
    pub message: String,
    /// The offending value; `None` only for problems with the whole file.
    pub span: Option<Span>,
    /// Short text under the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A diagnostic of `code` at its catalogue level.
    pub fn new(code: Code, span: impl Into<Option<Span>>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            level: code.level(),
            message: message.into(),
            span: span.into(),
            label: None,
            help: None,
            related: Vec::new(),
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    #[must_use]
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn with_level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    #[must_use]
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// Sorts diagnostics by position, then code, and drops exact repeats.
pub fn normalize(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (a.span.map(|s| (s.start, s.end)), a.code, &a.message).cmp(&(
            b.span.map(|s| (s.start, s.end)),
            b.code,
            &b.message,
        ))
    });
    diags.dedup();
}

/// The closest candidate to `name` by edit distance, if it is close enough
/// to be a plausible typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions,
/// substitutions and transpositions of neighbours (`hbu` -> `hub`) cost 1.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d: Vec<usize> = vec![0; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let ids: BTreeSet<&str> = Code::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(ids.len(), Code::ALL.len());
        for id in ids {
            assert!(id.len() == 6 && id.starts_with("AZM"), "{id}");
        }
    }

    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../docs/diagnostics.md");
        for code in Code::ALL {
            let heading = format!("## {}", code.id());
            assert!(
                doc.contains(&heading),
                "docs/diagnostics.md lacks `{heading}`"
            );
        }
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let names = ["hub-weu", "hub-neu", "app1"];
        assert_eq!(did_you_mean("hub-wue", names), Some("hub-weu"));
        assert_eq!(did_you_mean("hbu", ["app", "hub"]), Some("hub"));
        assert_eq!(did_you_mean("zzzzzz", names), None);
    }
}
