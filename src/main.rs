//! The `azmesh` command line: reads a topology, reports, writes outputs.
//! Exit codes: 0 clean, 1 errors (or warnings with `--deny-warnings`), 2 usage.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use azmesh::diagnostic::{Code, Diagnostic};
use azmesh::render::{self, Target};
use azmesh::report::{Format, diagnostics, plan_table};
use azmesh::source::{Lang, Source};

#[derive(Parser)]
#[command(
    name = "azmesh",
    version,
    about = "Compile an Azure network estate (KDL or YAML) into a validated peering plan and ARM, Bicep, az CLI and PowerShell"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Input {
    /// Topology file (`.kdl`, `.yaml`, `.yml`), or `-` for standard input.
    file: String,
    /// Input language; by default from the file's extension.
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LangArg {
    Kdl,
    Yaml,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PlanFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and validate; print every error and warning.
    Check {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Exit 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the expanded plan: every link with its flags, units, routes and order.
    Plan {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value = "human")]
        format: PlanFormat,
    },
    /// Write ARM JSON, Bicep, an az CLI script and a PowerShell script.
    Build {
        #[command(flatten)]
        input: Input,
        /// Output directory (created if missing; files azmesh did not write are kept).
        #[arg(short, long)]
        output: PathBuf,
        /// Targets, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "arm,bicep,az,pwsh")]
        target: Vec<String>,
        /// A directory whose templates override the built-in ones (same relative paths).
        #[arg(long)]
        templates: Option<PathBuf>,
        /// Refuse to build when there are warnings.
        #[arg(long)]
        deny_warnings: bool,
        /// The topology as deployed before this change: the scripts then re-sync the peerings
        /// of VNets whose address space changed.
        #[arg(long, value_name = "OLD")]
        since: Option<String>,
    },
    /// Draw the estate: VNets grouped by subscription and region, links with their flags.
    Graph {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphFormat,
    },
    /// Can A reach B, and how (direct, through a hub firewall, through a gateway), or why not.
    /// Without A and B: the whole matrix.
    Reach {
        #[command(flatten)]
        input: Input,
        /// Source VNet or site.
        from: Option<String>,
        /// Destination VNet or site.
        to: Option<String>,
        #[arg(long, value_enum, default_value = "human")]
        format: PlanFormat,
    },
    /// Turn an existing estate into a topology: classic netcfg XML or `az network vnet list` JSON.
    #[command(subcommand)]
    Import(ImportCommand),
    /// What would change between two topologies: links, flags, VNets, address spaces (with the
    /// peering syncs they need). Exit 0 same, 1 different (with --exit-code), 2 trouble.
    Diff {
        /// The topology before (`.kdl`/`.yaml`).
        old: String,
        /// The topology after.
        new: String,
        #[arg(long, value_enum, default_value = "human")]
        format: PlanFormat,
        /// Exit 1 when there are changes, as `git diff --exit-code` does.
        #[arg(long)]
        exit_code: bool,
    },
    /// Print the JSON Schema (draft-07) of the YAML form.
    Schema,
}

#[derive(clap::Args)]
struct ImportOutput {
    /// Language of the topology written.
    #[arg(long, value_enum, default_value = "kdl")]
    lang: LangArg,
    /// Write here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Overwrite an existing output file.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A classic NetworkConfiguration (netcfg) XML file, or `-`.
    Netcfg {
        file: String,
        /// Name of the Resource Manager hub (or, with --as-resource-manager, an imported VNet to be the hub).
        #[arg(long)]
        hub: Option<String>,
        /// Rebuild the VNets as Resource Manager VNets with the same addresses instead of peering the classic ones.
        #[arg(long)]
        as_resource_manager: bool,
        /// Region for VNets that give only an AffinityGroup.
        #[arg(long)]
        location: Option<String>,
        #[command(flatten)]
        out: ImportOutput,
    },
    /// The JSON of `az network vnet list` (or `vnet show`), from one or many subscriptions, or `-`.
    AzVnets {
        file: String,
        #[command(flatten)]
        out: ImportOutput,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
    /// Needs Graphviz's `dot` on PATH.
    Svg,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("azmesh: {message}");
            ExitCode::from(2)
        }
    }
}

/// Reads the input; a usage problem is `Err`, an unreadable file a diagnostic.
fn load(input: &Input) -> Result<Result<Source, (String, Diagnostic)>, String> {
    let lang = match input.lang {
        Some(LangArg::Kdl) => Lang::Kdl,
        Some(LangArg::Yaml) => Lang::Yaml,
        None => Lang::from_path(&input.file).ok_or_else(|| {
            format!(
                "cannot tell the language of `{}`: name it .kdl, .yaml or .yml, or pass --lang kdl|yaml",
                input.file
            )
        })?,
    };
    Ok(read_text(&input.file)
        .map(|(name, text)| Source::new(name, text, lang))
        .map_err(|e| *e))
}

/// Reads FILE (or standard input for `-`) as UTF-8; a failure is an AZM001 diagnostic.
fn read_text(file: &str) -> Result<(String, String), Box<(String, Diagnostic)>> {
    let (name, bytes) = if file == "-" {
        let mut buf = Vec::new();
        let read = std::io::stdin().read_to_end(&mut buf);
        ("<stdin>".to_string(), read.map(|_| buf))
    } else {
        (file.to_string(), std::fs::read(file))
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            return Err(Box::new((
                name.clone(),
                Diagnostic::new(Code::Io, None, format!("cannot read {name}: {e}"))
                    .with_help("check the path and its permissions"),
            )));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text)),
        Err(e) => Err(Box::new((
            name.clone(),
            Diagnostic::new(
                Code::Io,
                None,
                format!(
                    "{name} is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .with_help("save the file as UTF-8"),
        ))),
    }
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn print_human(source: &Source, diags: &[Diagnostic]) {
    if !diags.is_empty() {
        eprint!("{}", diagnostics::human(source, diags, color()));
    }
}

/// Loads and compiles, printing diagnostics; `None` when there is no plan
/// (the exit code is then 1).
fn compile_input(input: &Input) -> Result<Option<(Source, azmesh::Compilation)>, String> {
    let source = match load(input)? {
        Ok(s) => s,
        Err((name, d)) => {
            print_human(&Source::new(name, String::new(), Lang::Kdl), &[d]);
            return Ok(None);
        }
    };
    let c = azmesh::compile(&source);
    print_human(&source, &c.diagnostics);
    if c.plan.is_none() {
        eprintln!("{}: {}", source.name, diagnostics::summary(&c.diagnostics));
        return Ok(None);
    }
    Ok(Some((source, c)))
}

/// One line per warning, for REVIEW.md.
fn warning_lines(source: &Source, diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| {
            let (line, col) = source.line_col(d.span.map_or(0, |s| s.start));
            format!("{} {}:{line}:{col}: {}", d.code, source.name, d.message)
        })
        .collect()
}

fn lang_of(arg: LangArg) -> Lang {
    match arg {
        LangArg::Kdl => Lang::Kdl,
        LangArg::Yaml => Lang::Yaml,
    }
}

/// `azmesh import ...`: diagnostics on standard error, the topology to
/// standard output or `-o FILE` (never over an existing file without --force).
fn import(command: ImportCommand) -> Result<ExitCode, String> {
    let (file, out) = match &command {
        ImportCommand::Netcfg { file, out, .. } | ImportCommand::AzVnets { file, out } => {
            (file, out)
        }
    };
    if let Some(path) = &out.output
        && path.exists()
        && !out.force
    {
        return Err(format!(
            "{} exists: pass --force to overwrite it",
            path.display()
        ));
    }
    let source = match read_text(file) {
        Ok((name, text)) => Source::new(name, text, Lang::Kdl),
        Err(e) => {
            let (name, d) = *e;
            print_human(&Source::new(name, String::new(), Lang::Kdl), &[d]);
            return Ok(ExitCode::from(1));
        }
    };
    let result = match &command {
        ImportCommand::Netcfg {
            hub,
            as_resource_manager,
            location,
            out,
            ..
        } => azmesh::import::import_netcfg(
            &source,
            &azmesh::import::NetcfgOptions {
                hub: hub.clone(),
                lang: lang_of(out.lang),
                as_resource_manager: *as_resource_manager,
                location: location.clone(),
            },
        ),
        ImportCommand::AzVnets { out, .. } => {
            azmesh::import::import_az_vnets(&source, lang_of(out.lang))
        }
    };
    let imported = match result {
        Ok(imported) => imported,
        Err(diags) => {
            print_human(&source, &diags);
            eprintln!(
                "{}: {}; nothing written",
                source.name,
                diagnostics::summary(&diags)
            );
            return Ok(ExitCode::from(1));
        }
    };
    print_human(&source, &imported.diagnostics);
    match &out.output {
        None => print!("{}", imported.text),
        Some(path) => {
            let file = render::OutputFile {
                path: PathBuf::from(path.file_name().ok_or("-o needs a file name")?),
                contents: imported.text,
            };
            let dir = path
                .parent()
                .map_or_else(|| PathBuf::from("."), PathBuf::from);
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            render::write_atomically(&dir, &[file]).map_err(|e| e.to_string())?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `azmesh diff OLD NEW`.
fn diff(old: &str, new: &str, format: PlanFormat, exit_code: bool) -> Result<ExitCode, String> {
    let mut plans = Vec::new();
    for file in [old, new] {
        let input = Input {
            file: file.to_string(),
            lang: None,
        };
        let Some((_, c)) = compile_input(&input)? else {
            return Ok(ExitCode::from(2));
        };
        plans.push(c.plan.ok_or("no plan")?);
    }
    let d = azmesh::diff::diff(&plans[0], &plans[1]);
    match format {
        PlanFormat::Human => {
            for w in azmesh::diff::sync_warnings(&d) {
                eprintln!("warning[{}]: {}", w.code, w.message);
            }
            print!("{}", azmesh::diff::render_human(&d));
        }
        PlanFormat::Json => print!("{}", azmesh::diff::render_json(&d)),
    }
    Ok(if exit_code && !d.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Import(command) => import(command),
        Command::Diff {
            old,
            new,
            format,
            exit_code,
        } => diff(&old, &new, format, exit_code),
        Command::Schema => {
            print!("{}", azmesh::schema::yaml_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            input,
            format,
            deny_warnings,
        } => {
            let (source, diags) = match load(&input)? {
                Ok(source) => {
                    let c = azmesh::compile(&source);
                    (source, c.diagnostics)
                }
                Err((name, d)) => (Source::new(name, String::new(), Lang::Kdl), vec![d]),
            };
            match format {
                Format::Human => {
                    print_human(&source, &diags);
                    eprintln!("{}: {}", source.name, diagnostics::summary(&diags));
                }
                Format::Json => print!("{}", diagnostics::json(&source, &diags)),
                Format::Sarif => print!("{}", diagnostics::sarif(&source, &diags)),
            }
            Ok(exit(&diags, deny_warnings))
        }
        Command::Graph { input, format } => {
            let Some((_, c)) = compile_input(&input)? else {
                return Ok(ExitCode::from(1));
            };
            let plan = c.plan.as_ref().ok_or("no plan")?;
            let text = match format {
                GraphFormat::Mermaid => azmesh::graph::mermaid(plan),
                GraphFormat::Dot => azmesh::graph::dot(plan),
                GraphFormat::Svg => match azmesh::graph::svg(plan) {
                    Ok(svg) => svg,
                    Err(e) => {
                        eprintln!("azmesh: {e}");
                        return Ok(ExitCode::from(1));
                    }
                },
            };
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Reach {
            input,
            from,
            to,
            format,
        } => {
            let Some((_, c)) = compile_input(&input)? else {
                return Ok(ExitCode::from(1));
            };
            let plan = c.plan.as_ref().ok_or("no plan")?;
            let text = match (from, to) {
                (Some(a), Some(b)) => {
                    let verdict = azmesh::reach::reach(plan, &a, &b)?;
                    match format {
                        PlanFormat::Human => azmesh::reach::render_human(&verdict),
                        PlanFormat::Json => azmesh::reach::render_json(&verdict),
                    }
                }
                (None, None) => {
                    let matrix = azmesh::reach::matrix(plan);
                    match format {
                        PlanFormat::Human => azmesh::reach::render_human(&matrix),
                        PlanFormat::Json => azmesh::reach::render_json(&matrix),
                    }
                }
                _ => return Err("reach takes both A and B, or neither (the whole matrix)".into()),
            };
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan { input, format } => {
            let Some((_, c)) = compile_input(&input)? else {
                return Ok(ExitCode::from(1));
            };
            let plan = c.plan.ok_or("no plan")?;
            match format {
                PlanFormat::Human => print!("{}", plan_table::render(&plan)),
                PlanFormat::Json => {
                    let mut text =
                        serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?;
                    text.push('\n');
                    print!("{text}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Build {
            input,
            output,
            target,
            templates,
            deny_warnings,
            since,
        } => {
            let targets = target
                .iter()
                .map(|t| {
                    Target::from_name(t.trim())
                        .ok_or_else(|| format!("unknown target `{t}`: use arm, bicep, az or pwsh"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let source = match load(&input)? {
                Ok(s) => s,
                Err((name, d)) => {
                    print_human(&Source::new(name, String::new(), Lang::Kdl), &[d]);
                    return Ok(ExitCode::from(1));
                }
            };
            let c = azmesh::compile(&source);
            print_human(&source, &c.diagnostics);
            let code = exit(&c.diagnostics, deny_warnings);
            let mut plan = match c.plan {
                Some(plan) if code == ExitCode::SUCCESS => plan,
                _ => {
                    eprintln!(
                        "{}: {}; nothing written",
                        source.name,
                        diagnostics::summary(&c.diagnostics)
                    );
                    return Ok(ExitCode::from(1));
                }
            };
            if let Some(old) = since {
                let input = Input {
                    file: old,
                    lang: None,
                };
                let Some((_, previous)) = compile_input(&input)? else {
                    eprintln!("azmesh: the --since topology does not compile; nothing written");
                    return Ok(ExitCode::from(1));
                };
                let d = azmesh::diff::diff(previous.plan.as_ref().ok_or("no plan")?, &plan);
                for w in azmesh::diff::sync_warnings(&d) {
                    eprintln!("warning[{}]: {}", w.code, w.message);
                }
                plan.peering_syncs = azmesh::diff::sync_links(&d);
            }
            // The review is independent of the targets: written meanwhile.
            let (rendered, review) = render::both(
                || render::render(&plan, &targets, templates.as_deref()),
                || azmesh::review::review(&plan, &warning_lines(&source, &c.diagnostics)),
            );
            let files = match rendered {
                Ok(mut files) => {
                    files.push(render::OutputFile {
                        path: PathBuf::from("REVIEW.md"),
                        contents: review,
                    });
                    files
                }
                Err(e) => {
                    eprintln!("azmesh: {e}; nothing written");
                    return Ok(ExitCode::from(1));
                }
            };
            match render::write_atomically(&output, &files) {
                Ok(paths) => {
                    let mut out = std::io::stdout().lock();
                    for p in paths {
                        let _ = writeln!(out, "wrote {}", p.display());
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("azmesh: {e}; nothing written");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

fn exit(diags: &[Diagnostic], deny_warnings: bool) -> ExitCode {
    if diags.iter().any(|d| d.is_error() || deny_warnings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
