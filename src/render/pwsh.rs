//! Azure PowerShell renderer: a plan -> `pwsh/deploy.ps1`.
//!
//! In: a `Plan`. Out: one idempotent script rendered by
//! `templates/pwsh/deploy.ps1` from the same context as the az script
//! (`az::script::build`). It runs the steps one at a time in plan order and
//! supports `-WhatIf` through `SupportsShouldProcess`.

use std::path::PathBuf;

use minijinja::{Environment, Value};

use super::az::script;
use super::{OutputFile, RenderError};
use crate::plan::Plan;

/// The template (and output) path.
pub const TEMPLATE: &str = "pwsh/deploy.ps1";

/// Renders the pwsh files for `plan`.
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
