//! The YAML document as serde structs: what the reader deserializes and what
//! `schema::yaml_schema` describes, so reader and schema cannot drift.
//!
//! In: YAML via serde-saphyr. Out: a `Document` whose every value carries
//! its saphyr location (`Sp<T>`), map keys used as names included
//! (`Named<T>`). No `flatten`, `untagged` or internally tagged enum is used:
//! those lose spans. Keys are the camelCase of language.md.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_saphyr::Location;

/// A value with the place it was written (saphyr's location, converted to a
/// byte span by the reader).
#[derive(Debug, Clone)]
pub struct Sp<T> {
    pub value: T,
    pub loc: Location,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Sp {
            value: spanned.value,
            loc: spanned.referenced,
        })
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A mapping whose keys are names (`hubs: {hub-weu: {...}}`), in document
/// order, every key with its location.
#[derive(Debug, Clone)]
pub struct Named<T>(pub Vec<(Sp<String>, T)>);

impl<T> Default for Named<T> {
    fn default() -> Self {
        Named(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamedVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for NamedVisitor<T> {
            type Value = Named<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Sp<String>>()? {
                    entries.push((key, map.next_value::<T>()?));
                }
                Ok(Named(entries))
            }
        }

        // `map`, not `any`: a wrong type is then reported at the value, not
        // at its key. An empty section (`hubs:`) is null: fields hold an
        // `Option<Named<T>>`.
        deserializer.deserialize_map(NamedVisitor(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for Named<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "additionalProperties": generator.subschema_for::<T>(),
        })
    }
}

/// A tag value: any scalar, kept as written (`42` stays `"42"`).
#[derive(Debug, Clone)]
pub struct TagValue(pub String);

impl<'de> Deserialize<'de> for TagValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde-saphyr hands a plain scalar's text to a `String` unchanged.
        String::deserialize(deserializer).map(TagValue)
    }
}

impl JsonSchema for TagValue {
    fn schema_name() -> Cow<'static, str> {
        "TagValue".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A tag's value: any scalar, kept as written.",
            "type": ["string", "number", "boolean"],
        })
    }
}

/// A subnet's value: `NAME: PREFIX` or `NAME: {prefixes: [..]}`.
#[derive(Debug, Clone)]
pub enum SubnetValue {
    Prefix(String),
    Detail(SubnetDetail),
}

impl<'de> Deserialize<'de> for SubnetValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SubnetVisitor;

        impl<'de> Visitor<'de> for SubnetVisitor {
            type Value = SubnetValue;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an address prefix or a mapping with `prefixes`")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(SubnetValue::Prefix(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(SubnetValue::Prefix(v))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                SubnetDetail::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(SubnetValue::Detail)
            }
        }

        deserializer.deserialize_any(SubnetVisitor)
    }
}

impl JsonSchema for SubnetValue {
    fn schema_name() -> Cow<'static, str> {
        "SubnetValue".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The subnet's address prefix, or a mapping with its prefixes.",
            "oneOf": [
                { "type": "string", "description": "The subnet's address prefix, e.g. 10.1.0.0/24." },
                generator.subschema_for::<SubnetDetail>(),
            ],
        })
    }
}

/// A subnet written as a mapping.
#[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SubnetDetail {
    /// The subnet's address prefixes (IPv4 and IPv6).
    #[serde(default)]
    pub prefixes: Vec<Sp<String>>,
}

/// Appends the four peering settings to a struct, as its own keys.
macro_rules! with_settings {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($body)*
            /// Peering setting allowVirtualNetworkAccess: the linked VNets may reach each
            /// other. Unset means "derive from the topology".
            pub allow_virtual_network_access: Option<Sp<bool>>,
            /// Peering setting allowForwardedTraffic: accept traffic forwarded by the remote
            /// VNet (e.g. by its firewall). Unset means "derive from the topology".
            pub allow_forwarded_traffic: Option<Sp<bool>>,
            /// Peering setting allowGatewayTransit: let the remote VNet use this VNet's
            /// gateway or Route Server. Unset means "derive from the topology".
            pub allow_gateway_transit: Option<Sp<bool>>,
            /// Peering setting useRemoteGateways: use the remote VNet's gateway or Route
            /// Server (sets allowGatewayTransit on the link back when unset).
            pub use_remote_gateways: Option<Sp<bool>>,
        }
    };
}

/// The top level of a topology file.
#[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(
    title = "azmesh topology",
    description = "An Azure network estate for azmesh: VNets, hubs, spokes, meshes and peerings."
)]
pub struct Document {
    /// The estate's name: used in deployment names and output file names.
    pub topology: Option<Sp<String>>,
    /// Values inherited by every VNet that does not set its own.
    pub defaults: Option<Sp<Defaults>>,
    /// Subscriptions by alias; VNets reference them by alias.
    #[serde(default)]
    pub subscriptions: Option<Named<Sp<Subscription>>>,
    /// Hub VNets by name.
    #[serde(default)]
    pub hubs: Option<Named<Sp<Vnet>>>,
    /// Spoke VNets by name, each attached to one hub.
    #[serde(default)]
    pub spokes: Option<Named<Sp<Spoke>>>,
    /// Any other VNets by name: they get only explicit peerings.
    #[serde(default)]
    pub vnets: Option<Named<Sp<Vnet>>>,
    /// Groups of VNets linked directly, every pair of members.
    #[serde(default)]
    pub meshes: Option<Named<Sp<Mesh>>>,
    /// Explicit pairs of links.
    #[serde(default)]
    pub peerings: Option<Vec<Sp<Peering>>>,
    /// On-premises networks: their prefixes take part in overlap checks and routing.
    #[serde(default)]
    pub sites: Option<Named<Sp<Site>>>,
    /// Free-text tags on every created resource.
    #[serde(default)]
    pub tags: Option<Named<Sp<TagValue>>>,
}

/// Values inherited by every VNet that does not set its own.
#[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Defaults {
    /// Azure region of every VNet that does not set one, e.g. westeurope.
    pub location: Option<Sp<String>>,
    /// Subscription alias of every VNet that does not set one.
    pub subscription: Option<Sp<String>>,
    /// Resource group of every VNet that does not set one.
    pub resource_group: Option<Sp<String>>,
    /// The Azure cloud: public (default), china or usgov.
    pub cloud: Option<Sp<String>>,
    /// Microsoft.Network API version used by every output.
    pub api_version: Option<Sp<String>>,
    /// Peering links allowed per VNet.
    pub max_peerings: Option<Sp<u64>>,
}

/// A subscription, referenced by its alias.
#[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Subscription {
    /// The subscription id (a UUID).
    pub id: Option<Sp<String>>,
    /// The Entra tenant id (a UUID); optional.
    pub tenant: Option<Sp<String>>,
}

/// Declares a VNet struct: the shared VNet keys plus `$extra`; with
/// `@settings` also the four peering settings.
macro_rules! vnet_struct {
    (
        @settings
        $(#[$meta:meta])*
        pub struct $name:ident { $($extra:tt)* }
    ) => {
        vnet_struct! { @fields with_settings $(#[$meta])* pub struct $name { $($extra)* } }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($extra:tt)* }
    ) => {
        vnet_struct! { @fields plain_struct $(#[$meta])* pub struct $name { $($extra)* } }
    };
    (
        @fields $out:ident
        $(#[$meta:meta])*
        pub struct $name:ident { $($extra:tt)* }
    ) => {
        $out! {
        $(#[$meta])*
        pub struct $name {
            $($extra)*
            /// Azure region, e.g. westeurope.
            pub location: Option<Sp<String>>,
            /// Subscription alias.
            pub subscription: Option<Sp<String>>,
            /// Resource group.
            pub resource_group: Option<Sp<String>>,
            /// Referenced and peered, never created or modified.
            pub existing: Option<Sp<bool>>,
            /// A classic (Service Management) VNet: only the other side gets a link.
            pub classic: Option<Sp<bool>>,
            /// An external VNet by resource id (implies existing).
            pub id: Option<Sp<String>>,
            /// IPv4 and IPv6 address prefixes.
            #[serde(default)]
            pub address_space: Option<Vec<Sp<String>>>,
            /// Custom DNS server addresses.
            #[serde(default)]
            pub dns_servers: Option<Vec<Sp<String>>>,
            /// Subnets by name: `NAME: PREFIX` or `NAME: {prefixes: [..]}`.
            #[serde(default)]
            pub subnets: Option<Named<Sp<SubnetValue>>>,
            /// A virtual network gateway (needs GatewaySubnet).
            pub gateway: Option<Sp<Gateway>>,
            /// An Azure Route Server (needs RouteServerSubnet).
            pub route_server: Option<Sp<RouteServer>>,
            /// A firewall or NVA: next hop for spoke routes.
            pub firewall: Option<Sp<Firewall>>,
            /// Overrides for every link this VNet originates.
            pub peering_defaults: Option<Sp<PeeringSettings>>,
            /// Tags on this VNet's resources, merged over the topology's.
            #[serde(default)]
            pub tags: Option<Named<Sp<TagValue>>>,
        }
        }
    };
}

/// Emits a struct as written (the counterpart of `with_settings!`).
macro_rules! plain_struct {
    ($($item:tt)*) => { $($item)* };
}

vnet_struct! {
    /// A hub or a plain VNet.
    #[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Vnet {}
}

vnet_struct! {
    @settings
    /// A spoke: a VNet attached to one hub; its own peering settings apply to
    /// its link towards the hub.
    #[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Spoke {
        /// The hub this spoke is attached to.
        #[schemars(required)]
        pub hub: Option<Sp<String>>,
    }
}

/// A virtual network gateway (needs a GatewaySubnet).
#[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Gateway {
    /// The gateway's resource name.
    #[schemars(required)]
    pub name: Option<Sp<String>>,
    /// vpn or expressroute.
    #[serde(rename = "type")]
    pub kind: Option<Sp<String>>,
    /// The gateway SKU, e.g. VpnGw1.
    pub sku: Option<Sp<String>>,
}

/// An Azure Route Server (needs a RouteServerSubnet).
#[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteServer {
    /// The Route Server's resource name.
    #[schemars(required)]
    pub name: Option<Sp<String>>,
}

/// A firewall or NVA: the next hop for spoke routes.
#[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Firewall {
    /// The firewall's or NVA's name.
    #[schemars(required)]
    pub name: Option<Sp<String>>,
    /// Its private IP address: the next hop for spoke routes.
    pub private_ip: Option<Sp<String>>,
    /// Spokes send 0.0.0.0/0 to it as well.
    pub default_route: Option<Sp<bool>>,
}

with_settings! {
    /// Peering settings of the links a VNet originates (`peeringDefaults`) or
    /// of a peering's B -> A link (`reverse`).
    #[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct PeeringSettings {}
}

with_settings! {
    /// A group of VNets linked directly, every pair of members; its peering
    /// settings apply to every link of the group.
    #[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Mesh {
        /// The VNets linked with each other.
        #[serde(default)]
        pub members: Option<Vec<Sp<String>>>,
    }
}

with_settings! {
    /// One explicit pair of links between A and B; its peering settings apply
    /// to the A -> B link, `reverse` holds the B -> A link's.
    #[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Peering {
        /// The two VNets: [A, B].
        #[schemars(required, length(equal = 2))]
        pub between: Option<Sp<Vec<Sp<String>>>>,
        /// Settings of the B -> A link.
        pub reverse: Option<Sp<PeeringSettings>>,
    }
}

/// An on-premises network.
#[derive(Debug, Clone, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Site {
    /// The on-premises network's prefixes.
    #[serde(default)]
    pub address_space: Option<Vec<Sp<String>>>,
    /// The hub whose gateway connects it.
    pub hub: Option<Sp<String>>,
    /// Its VPN device's public IP address.
    pub gateway_address: Option<Sp<String>>,
}
