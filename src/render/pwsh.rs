//! Azure PowerShell renderer: a plan -> `pwsh/deploy.ps1`.
//!
//! In: a `Plan`. Out: one idempotent script rendered by
//! `templates/pwsh/deploy.ps1` from the same context as the az script
//! (`az::script::build`). It runs the steps one at a time in plan order and
//! supports `-WhatIf` through `SupportsShouldProcess`.

use std::path::PathBuf;

use minijinja::Environment;

use super::az::script;
use super::{OutputFile, RenderError};
use crate::plan::Plan;

/// The template (and output) path.
pub const TEMPLATE: &str = "pwsh/deploy.ps1";

/// Renders the pwsh files for `plan`.
pub fn render(plan: &Plan, env: &Environment<'static>) -> Result<Vec<OutputFile>, RenderError> {
    let script = script::build(plan)?;
    let contents = super::render_template(env, TEMPLATE, &script)?;
    Ok(vec![OutputFile {
        path: PathBuf::from(TEMPLATE),
        contents,
    }])
}
