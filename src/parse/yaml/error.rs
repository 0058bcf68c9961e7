//! serde-saphyr errors -> diagnostics AZM002..AZM006, each at the place
//! the YAML went wrong and with a help saying how to fix it.

use serde_saphyr::Error;

use super::lower::{location_span, widen};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::{Source, Span};

/// One diagnostic for the error that stopped deserialization.
pub(super) fn to_diagnostic(source: &Source, err: &Error) -> Diagnostic {
    let inner = innermost(err);
    let span = err.location().map(|loc| {
        let span = location_span(source, &loc);
        // serde's own type errors from a visitor carry the location of the
        // last key read: move them to that key's value.
        let moved = matches!(
            inner,
            Error::SerdeInvalidType { .. } | Error::SerdeInvalidValue { .. }
        )
        .then(|| value_after_key(source, token_span(source, span)))
        .flatten();
        node_or_token(source, moved.unwrap_or(span))
    });
    let diagnostic = diagnostic_for(source, inner, span);
    if diagnostic.code == Code::Syntax {
        // The parser's own position, not widened: e.g. the bracket left open.
        let at = err
            .location()
            .map(|loc| token_span(source, location_span(source, &loc)));
        Diagnostic {
            span: at,
            ..diagnostic
        }
    } else {
        diagnostic
    }
}

fn diagnostic_for(source: &Source, inner: &Error, span: Option<Span>) -> Diagnostic {
    match inner {
        Error::SerdeUnknownField {
            field, expected, ..
        } => unknown_field(span, field, expected),
        Error::DuplicateMappingKey { key, .. } => {
            let message = match key {
                Some(key) => format!("`{key}` is given twice in this mapping"),
                None => "a key is given twice in this mapping".to_owned(),
            };
            let diagnostic = Diagnostic::new(Code::DuplicateField, span, message)
                .with_label("given again here")
                .with_help("remove one of the two entries or give it another name");
            let first = key
                .as_deref()
                .zip(span)
                .and_then(|(key, span)| first_block_key(source, span, key));
            match first {
                Some(first) => diagnostic.with_related(first, "first given here"),
                None => diagnostic,
            }
        }
        Error::SerdeMissingField { field, .. } => Diagnostic::new(
            Code::MissingValue,
            span,
            format!("`{field}` is missing here"),
        )
        .with_help(format!("add `{field}: ...`")),
        Error::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | Error::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => wrong_type(span, &format!("found {unexpected}, expected {expected}")),
        Error::SerdeInvalidLength { len, expected, .. } => wrong_type(
            span,
            &format!("found {len} element(s), expected {expected}"),
        ),
        Error::InvalidScalar { ty, .. } => wrong_type(span, &format!("expected {}", type_word(ty))),
        Error::NullIntoString { .. } => wrong_type(span, "found nothing (null), expected a text"),
        Error::InvalidBooleanStrict { .. } => wrong_type(span, "expected true or false"),
        Error::Unexpected { expected, .. } => {
            wrong_type(span, &format!("expected {}", expected_word(expected)))
        }
        Error::Budget { breach, .. } => Diagnostic::new(
            Code::Syntax,
            span,
            format!("the YAML document exceeds the reader's safety limits ({breach:?})"),
        )
        .with_label("limit reached here")
        .with_help(
            "write the values out instead of nesting anchors and aliases (`&a`, `*a`), \
             and keep the nesting shallow",
        ),
        Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayStackDepthExceeded { .. } => Diagnostic::new(
            Code::Syntax,
            span,
            "the YAML aliases expand beyond the allowed size",
        )
        .with_label("limit reached here")
        .with_help("write the values out instead of nesting anchors and aliases (`&a`, `*a`)"),
        Error::MultipleDocuments { .. } => Diagnostic::new(
            Code::Syntax,
            span,
            "the file holds more than one YAML document",
        )
        .with_help("keep one topology per file: remove the `---` separator and what follows"),
        other => Diagnostic::new(
            Code::Syntax,
            span,
            format!("invalid YAML: {}", plain_message(other)),
        )
        .with_help("fix the YAML syntax at this place (indentation, quotes, brackets, colons)"),
    }
}

/// The original error inside snippet and alias wrappers.
fn innermost(err: &Error) -> &Error {
    match err.without_snippet() {
        Error::AliasError { error, .. } => innermost(error),
        other => other,
    }
}

/// The message of an error without saphyr's location suffix.
fn plain_message(err: &Error) -> String {
    let text = err.render();
    let first = text.lines().next().unwrap_or("").trim();
    match first.find(" at line ") {
        Some(i) => first[..i].to_owned(),
        None => first.to_owned(),
    }
}

fn unknown_field(span: Option<Span>, field: &str, expected: &[&'static str]) -> Diagnostic {
    let camel = kebab_to_camel(field);
    let suggestion = expected
        .iter()
        .copied()
        .find(|e| *e == camel)
        .or_else(|| did_you_mean(field, expected.iter().copied()));
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None if expected.is_empty() => "remove this key".to_owned(),
        None => format!("the keys allowed here are: {}", expected.join(", ")),
    };
    Diagnostic::new(Code::UnknownField, span, format!("unknown key `{field}`"))
        .with_label("not allowed here")
        .with_help(help)
}

fn wrong_type(span: Option<Span>, detail: &str) -> Diagnostic {
    Diagnostic::new(Code::WrongType, span, format!("wrong type: {detail}"))
        .with_help("write a value of the expected kind (see the key's documentation)")
}

/// Readable words for the Rust type names saphyr reports.
fn type_word(ty: &str) -> &str {
    match ty {
        "bool" => "true or false",
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of zero or more",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "String" | "string" | "str" => "a text",
        other => other,
    }
}

/// Readable words for the node kinds saphyr expects.
fn expected_word(expected: &str) -> &str {
    match expected {
        "mapping start" => "a mapping of `key: value` entries",
        "sequence start" => "a list (`[a, b]` or lines starting with `- `)",
        "string scalar" | "scalar" => "a single value, not a list or mapping",
        other => other,
    }
}

/// `resource-group` -> `resourceGroup`: the KDL spelling of a YAML key.
fn kebab_to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' || c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The earlier `key:` of the same block mapping as the key at `second`, if
/// the mapping is in block style (flow mappings are not searched).
fn first_block_key(source: &Source, second: Span, key: &str) -> Option<Span> {
    let (line, column) = source.line_col(second.start);
    for earlier in (1..line).rev() {
        let text = source.line_text(earlier);
        let content = text.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = text.chars().count() - content.chars().count();
        let (key_column, rest) = match content.strip_prefix("- ") {
            Some(item) => (
                indent + 3 + (item.len() - item.trim_start().len()),
                item.trim_start(),
            ),
            None => (indent + 1, content),
        };
        if key_column == column {
            let written = [key.to_owned(), format!("\"{key}\""), format!("'{key}'")]
                .into_iter()
                .find(|w| {
                    rest.strip_prefix(w.as_str())
                        .is_some_and(|after| after.trim_start().starts_with(':'))
                });
            if let Some(written) = written {
                let start = source.offset_of(earlier, key_column);
                return Some(Span::new(start, start + written.len()));
            }
        }
        if key_column <= column && indent + 1 < column {
            // A line of the parent: the mapping starts below it.
            return None;
        }
    }
    None
}

/// When `key` is a mapping key, the empty span where its value starts.
fn value_after_key(source: &Source, key: Span) -> Option<Span> {
    let rest = source.text.get(key.end..)?;
    let after_colon = rest
        .trim_start_matches([' ', '\t', '"', '\''])
        .strip_prefix(':')?;
    let mut offset = source.text.len() - after_colon.len();
    // Skip blanks, line breaks and comments up to the value.
    loop {
        let tail = source.text.get(offset..)?;
        let trimmed = tail.trim_start();
        offset += tail.len() - trimmed.len();
        if trimmed.starts_with('#') {
            offset += trimmed.find('\n').unwrap_or(trimmed.len());
        } else {
            break;
        }
    }
    (offset < source.text.len()).then(|| Span::new(offset, offset))
}

/// The whole collection that starts at `span`, or else the token there.
fn node_or_token(source: &Source, span: Span) -> Span {
    let rest = source.text.get(span.start..).unwrap_or("");
    let collection = rest.starts_with(['{', '[']) || rest.starts_with("- ");
    let before = source.text.get(..span.start).unwrap_or("");
    let line = before.rfind('\n').map_or(before, |i| &before[i + 1..]);
    let first_on_line = line.trim().is_empty();
    let block_mapping = span.is_empty() && first_on_line && !rest.trim().is_empty();
    if collection || block_mapping {
        widen(source, span)
    } else {
        token_span(source, span)
    }
}

/// An empty span widened to the plain token that starts there, so the caret
/// covers the offending key or value.
fn token_span(source: &Source, span: Span) -> Span {
    if !span.is_empty() {
        return span;
    }
    let rest = source.text.get(span.start..).unwrap_or("");
    if let Some(c) = rest
        .chars()
        .next()
        .filter(|c| matches!(c, ':' | ',' | '[' | ']' | '{' | '}'))
    {
        return Span::new(span.start, span.start + c.len_utf8());
    }
    let len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '[' | ']' | '{' | '}'))
        .unwrap_or(rest.len());
    Span::new(span.start, span.start + len)
}
