//! az renderer (stub: to be written).
use minijinja::Environment;

use super::{OutputFile, RenderError};
use crate::plan::Plan;

/// Renders the az files for `plan`.
pub fn render(_plan: &Plan, _env: &Environment<'static>) -> Result<Vec<OutputFile>, RenderError> {
    Ok(Vec::new())
}
