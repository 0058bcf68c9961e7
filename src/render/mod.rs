//! Renderers: a validated `plan::Plan` -> the files `azmesh build` writes.
//!
//! In: a `Plan` (which exists only for an error-free estate) and the
//! targets asked for. Out: `OutputFile`s, written all-or-nothing by
//! `write_atomically`. Every target renders through minijinja templates
//! (`templates/<target>/`, embedded; overridable with `--templates DIR`)
//! whose `{{ }}` output passes the target's escaping formatter
//! (`escape.rs`), so no text from the estate can become code.

pub mod arm;
pub mod az;
pub mod bicep;
pub mod escape;
#[doc(hidden)]
pub mod fixture;
pub mod pwsh;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::plan::Plan;

pub use write::{WriteError, write_atomically};

/// One output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Arm,
    Bicep,
    Az,
    Pwsh,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Arm, Target::Bicep, Target::Az, Target::Pwsh];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Target::Arm => "arm",
            Target::Bicep => "bicep",
            Target::Az => "az",
            Target::Pwsh => "pwsh",
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A generated file, its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: String,
}

/// A template failed: only possible with a user's `--templates` override
/// (the embedded templates are tested on every example).
#[derive(Debug)]
pub struct RenderError {
    pub template: String,
    pub message: String,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template {}: {}", self.template, self.message)
    }
}

impl std::error::Error for RenderError {}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> Self {
        RenderError {
            template: e.name().unwrap_or("?").to_string(),
            message: format!("{e:#}"),
        }
    }
}

/// Renders `plan` for each of `targets`, in target order. Paths are
/// unique across targets (each target writes under its own folder).
pub fn render(
    plan: &Plan,
    targets: &[Target],
    templates: Option<&Path>,
) -> Result<Vec<OutputFile>, RenderError> {
    let env = environment(templates);
    let wants = |t: Target| targets.contains(&t);
    // Two lanes: ARM and Bicep share the deployment layout, az and
    // PowerShell the script context; each target then renders on its own
    // thread (the machine this is measured on has two cores).
    let (deployments, scripts) = both(
        || {
            lane(
                [wants(Target::Arm), wants(Target::Bicep)],
                || arm::layout::layout(plan, arm::layout::MAX_RESOURCES),
                |layout| arm::render_layout(plan, &env, layout, arm::MAX_BYTES),
                |layout| bicep::render_layout(plan, &env, layout),
            )
        },
        || {
            lane(
                [wants(Target::Az), wants(Target::Pwsh)],
                || Ok(az::script::build(plan)?.into_value()),
                |script| az::render_script(&env, script),
                |script| pwsh::render_script(&env, script),
            )
        },
    );
    let mut files = deployments?;
    files.extend(scripts?);
    Ok(files)
}

/// Two targets from one shared input, made only when either is wanted;
/// the two then render at the same time. Files in target order.
fn lane<S: Sync>(
    wanted: [bool; 2],
    shared: impl FnOnce() -> Result<S, RenderError>,
    first: impl FnOnce(&S) -> Result<Vec<OutputFile>, RenderError> + Send,
    second: impl FnOnce(&S) -> Result<Vec<OutputFile>, RenderError> + Send,
) -> Result<Vec<OutputFile>, RenderError> {
    if wanted == [false, false] {
        return Ok(Vec::new());
    }
    let shared = shared()?;
    let (first, second) = both(
        || wanted[0].then(|| first(&shared)),
        || wanted[1].then(|| second(&shared)),
    );
    let mut files = first.transpose()?.unwrap_or_default();
    files.extend(second.transpose()?.unwrap_or_default());
    Ok(files)
}

/// Runs `a` here and `b` on another thread, or both here when no thread
/// can be started; a panic in `b` goes on here. For independent work on
/// the same borrowed data (two lanes, two targets, the review).
pub fn both<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    // `b` waits in a slot: whoever runs it takes it, so it runs once.
    let slot = std::sync::Mutex::new(Some(b));
    let run_b = || {
        let f = slot.lock().ok().and_then(|mut f| f.take());
        f.map(|f| f())
    };
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().spawn_scoped(scope, run_b);
        let a = a();
        let b = match thread {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => None,
        };
        match b.or_else(run_b) {
            Some(b) => (a, b),
            None => unreachable!("`b` runs on the thread or, failing that, here"),
        }
    })
}

/// The template environment: embedded templates (or `DIR/<name>` first),
/// strict undefined, trimmed blocks, and the escaping formatter of the
/// template's target folder.
#[must_use]
pub fn environment(templates: Option<&Path>) -> Environment<'static> {
    let mut env = Environment::new();
    // Syntax and auto-escape apply when a template is compiled, so they are
    // set before any template is added.
    configure(&mut env);
    minijinja_embed::load_templates!(&mut env);
    if let Some(dir) = templates {
        let dir = dir.to_path_buf();
        let embedded = env.clone();
        env.set_loader(move |name| {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(embedded
                    .get_template(name)
                    .ok()
                    .map(|t| t.source().to_string())),
                Err(e) => Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("cannot read {}: {e}", path.display()),
                )),
            }
        });
        // Templates already added would shadow the loader.
        env.clear_templates();
    }
    env
}

fn configure(env: &mut Environment<'static>) {
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the fixed syntax configuration is valid"),
    );
    env.set_auto_escape_callback(|name| {
        let target = name.split('/').next().unwrap_or_default();
        match Target::from_name(target) {
            Some(t) => AutoEscape::Custom(t.name().into()),
            None => AutoEscape::None,
        }
    });
    env.set_formatter(|out, state, value| {
        let AutoEscape::Custom(target) = state.auto_escape() else {
            return minijinja::escape_formatter(out, state, value);
        };
        out.write_str(&format_value(target, value)?)?;
        Ok(())
    });
}

/// One `{{ value }}` as a literal of `target`.
fn format_value(target: &str, value: &Value) -> Result<String, minijinja::Error> {
    if value.is_safe() {
        return Ok(value.to_string());
    }
    if value.kind() == minijinja::value::ValueKind::Bool {
        let b = value.is_true();
        return Ok(match (target, b) {
            ("pwsh", true) => "$true".to_string(),
            ("pwsh", false) => "$false".to_string(),
            _ => b.to_string(),
        });
    }
    if value.kind() == minijinja::value::ValueKind::Number {
        return Ok(value.to_string());
    }
    if value.is_undefined() || value.is_none() {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::UndefinedError,
            "a missing value would be written",
        ));
    }
    let text = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string);
    Ok(match target {
        "arm" => escape::arm(&text),
        "bicep" => escape::bicep(&text),
        "az" => escape::bash(&text),
        _ => escape::pwsh(&text),
    })
}

/// Renders template `name` of `env` with the serializable context `ctx`.
pub fn render_template(
    env: &Environment<'static>,
    name: &str,
    ctx: &impl serde::Serialize,
) -> Result<String, RenderError> {
    render_value(env, name, &Value::from(minijinja::value::Serde(ctx)))
}

/// Renders template `name` of `env` with the template value `ctx`.
pub fn render_value(
    env: &Environment<'static>,
    name: &str,
    ctx: &Value,
) -> Result<String, RenderError> {
    Ok(env.get_template(name)?.render(ctx)?)
}

/// The plan as a template value.
#[must_use]
pub fn plan_value(plan: &Plan) -> Value {
    Value::from(minijinja::value::Serde(plan))
}
