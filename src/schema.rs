//! JSON Schema of the YAML form, for yaml-language-server and editors.
//!
//! In: the serde structs the YAML reader deserializes (`parse::yaml::doc`).
//! Out: their draft-07 JSON Schema as pretty JSON, so the schema and the
//! reader cannot drift. `schemas/topology.schema.json` holds a copy, checked
//! by a test.

use schemars::generate::SchemaSettings;

use crate::parse::yaml::doc::Document;

/// The draft-07 JSON Schema text, pretty-printed, ending in a newline.
#[must_use]
pub fn yaml_schema() -> String {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Document>();
    // Serializing a `serde_json::Value` cannot fail.
    let mut text = serde_json::to_string_pretty(schema.as_value()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_file_is_current() {
        let committed = include_str!("../schemas/topology.schema.json");
        assert!(
            committed == yaml_schema(),
            "schemas/topology.schema.json is stale; regenerate it with \
             `cargo run -- schema > schemas/topology.schema.json`"
        );
    }

    #[test]
    fn schema_is_draft07_and_describes_the_top_level_keys() {
        let schema: serde_json::Value =
            serde_json::from_str(&yaml_schema()).expect("the schema is JSON");
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(schema["title"], "azmesh topology");
        assert_eq!(schema["additionalProperties"], false);
        let properties = schema["properties"].as_object().expect("properties");
        let keys: Vec<&str> = properties.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "topology",
                "defaults",
                "subscriptions",
                "hubs",
                "spokes",
                "vnets",
                "meshes",
                "peerings",
                "sites",
                "tags"
            ]
        );
        assert!(
            properties["hubs"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("Hub"))
        );
    }

    #[test]
    fn schema_requires_what_the_reader_requires() {
        let schema: serde_json::Value =
            serde_json::from_str(&yaml_schema()).expect("the schema is JSON");
        let defs = &schema["definitions"];
        assert_eq!(defs["Spoke"]["required"], serde_json::json!(["hub"]));
        assert_eq!(defs["Peering"]["required"], serde_json::json!(["between"]));
        assert_eq!(defs["Peering"]["properties"]["between"]["minItems"], 2);
        assert_eq!(defs["Peering"]["properties"]["between"]["maxItems"], 2);
        for name in ["Gateway", "RouteServer", "Firewall"] {
            assert_eq!(
                defs[name]["required"],
                serde_json::json!(["name"]),
                "{name}"
            );
        }
        // A hub has no `hub`; a spoke has the four settings as its own keys.
        assert!(defs["Vnet"]["properties"].get("hub").is_none());
        assert!(
            defs["Spoke"]["properties"]
                .get("useRemoteGateways")
                .is_some()
        );
        // Subnets take a prefix or a mapping; tag values any scalar.
        assert_eq!(defs["SubnetValue"]["oneOf"][0]["type"], "string");
        assert_eq!(
            defs["TagValue"]["type"],
            serde_json::json!(["string", "number", "boolean"])
        );
    }

    #[test]
    fn schema_is_deterministic() {
        assert_eq!(yaml_schema(), yaml_schema());
    }
}
