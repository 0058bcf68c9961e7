//! JSON Schema of the YAML form (stub: to be written).

/// The draft-07 JSON Schema text, pretty-printed, ending in a newline.
#[must_use]
pub fn yaml_schema() -> String {
    String::from("{}\n")
}
