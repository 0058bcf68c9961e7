//! az CLI renderer: a plan -> `az/deploy.sh`, an idempotent bash script.
//!
//! In: a `Plan`. Out: one file rendered by `templates/az/deploy.sh` from the
//! context `script::build` makes (every id, tag JSON and flag final). The
//! script runs the plan's waves in order; in a wave, links on different
//! VNets run as parallel background jobs, links on one VNet one at a time.

pub(crate) mod script;
mod value;

use std::path::PathBuf;

use minijinja::{Environment, Value};

use super::{OutputFile, RenderError};
use crate::plan::Plan;

/// The template (and output) path.
pub const TEMPLATE: &str = "az/deploy.sh";

/// Renders the az files for `plan`.
pub fn render(plan: &Plan, env: &Environment<'static>) -> Result<Vec<OutputFile>, RenderError> {
    render_script(env, &script::build(plan)?.into_value())
}

/// Renders the script context `script` (a `Script` as a template value,
/// shared by both script targets).
pub fn render_script(
    env: &Environment<'static>,
    script: &Value,
) -> Result<Vec<OutputFile>, RenderError> {
    Ok(vec![OutputFile {
        path: PathBuf::from(TEMPLATE),
        contents: super::render_value(env, TEMPLATE, script)?,
    }])
}
