//! Embeds `templates/` into the binary (read by `render::environment`).
fn main() {
    minijinja_embed::embed_templates!("templates");
}
