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
    fn schema_is_deterministic() {
        assert_eq!(yaml_schema(), yaml_schema());
    }
}
