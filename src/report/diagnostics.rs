//! Diagnostics as rustc-style text (miette), JSON, or SARIF 2.1.0.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity};
use serde_json::{Value, json};

use crate::diagnostic::{Code, Diagnostic, Level};
use crate::source::{Source, Span};

/// Where the documentation of every code lives.
pub const DOCS: &str = "https://github.com/azmesh/azmesh/blob/main/docs/diagnostics.md";

fn docs_url(code: Code) -> String {
    format!("{DOCS}#{}", code.id().to_lowercase())
}

/// A one-line summary: `2 errors, 1 warning`.
#[must_use]
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// rustc-style text with source snippets; `color` for a terminal.
#[must_use]
pub fn human(source: &Source, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let named =
        NamedSource::new(&source.name, source.text.clone()).with_language(source.lang.to_string());
    let mut out = String::new();
    for d in diags {
        let report = Report { d, source: &named };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}[{}]: {}\n", d.level, d.code, d.message));
        }
        out.push('\n');
    }
    out
}

struct Report<'a> {
    d: &'a Diagnostic,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code.id()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(match self.d.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.d.span.map(|_| self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = self.d.span?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(
                self.d
                    .label
                    .clone()
                    .unwrap_or_else(|| self.d.code.title().to_string()),
            ),
            primary,
        )];
        labels.extend(
            self.d
                .related
                .iter()
                .map(|r| LabeledSpan::new_with_span(Some(r.message.clone()), r.span)),
        );
        Some(Box::new(labels.into_iter()))
    }
}

fn location(source: &Source, span: Span) -> Value {
    let (line, column) = source.line_col(span.start);
    let (end_line, end_column) = source.line_col(span.end);
    json!({"line": line, "column": column, "endLine": end_line, "endColumn": end_column})
}

/// Machine-readable JSON: `{file, diagnostics: [...], errors, warnings}`.
#[must_use]
pub fn json(source: &Source, diags: &[Diagnostic]) -> String {
    let items: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut v = json!({
                "code": d.code.id(),
                "level": d.level,
                "message": d.message,
                "file": source.name,
            });
            if let Some(span) = d.span {
                v["location"] = location(source, span);
            }
            v["help"] = json!(d.help);
            v["related"] = d
                .related
                .iter()
                .map(|r| json!({"message": r.message, "location": location(source, r.span)}))
                .collect();
            v
        })
        .collect();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let doc = json!({
        "file": source.name,
        "diagnostics": items,
        "errors": errors,
        "warnings": diags.len() - errors,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// SARIF 2.1.0, one run, every code of the catalogue as a rule.
#[must_use]
pub fn sarif(source: &Source, diags: &[Diagnostic]) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.id(),
                "name": format!("{:?}", c),
                "shortDescription": {"text": c.title()},
                "helpUri": docs_url(*c),
                "defaultConfiguration": {"level": sarif_level(c.level())},
            })
        })
        .collect();
    let uri = if source.name == "<stdin>" {
        "stdin"
    } else {
        source.name.as_str()
    };
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let rule_index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut r = json!({
                "ruleId": d.code.id(),
                "ruleIndex": rule_index,
                "level": sarif_level(d.level),
                "message": {"text": text},
            });
            let span = d.span.unwrap_or_default();
            let (sl, sc) = source.line_col(span.start);
            let (el, ec) = source.line_col(span.end);
            r["locations"] = json!([{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec.max(if el == sl { sc } else { 1 })},
                }
            }]);
            if !d.related.is_empty() {
                r["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        let (l, c) = source.line_col(rel.span.start);
                        json!({
                            "id": i,
                            "message": {"text": rel.message},
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri},
                                "region": {"startLine": l, "startColumn": c},
                            }
                        })
                    })
                    .collect();
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "azmesh",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": DOCS,
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}
