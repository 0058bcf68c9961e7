//! Per-target escaping of text written into generated files.
//!
//! Each function returns a complete literal (quotes included) that the
//! target's parser reads back as exactly the input text: a hostile name
//! never becomes code.

use std::fmt::Write as _;

/// An ARM template string value as a JSON literal. A text that ARM would
/// read as an expression (`[...]`) gets the documented `[[` escape.
#[must_use]
pub fn arm(text: &str) -> String {
    let escaped;
    let text = if text.starts_with('[') && text.ends_with(']') {
        escaped = format!("[{text}");
        escaped.as_str()
    } else {
        text
    };
    serde_json::to_string(text).expect("a string always serializes")
}

/// A Bicep single-quoted string literal. Backslashes at the end of the
/// text are written `\u{5C}`: `'a\\'` is valid Bicep, but checkov's parser
/// (pycep) reads the `\'` as an escaped quote and cannot scan the file.
#[must_use]
pub fn bicep(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    let body = text.trim_end_matches('\\');
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    for _ in body.len()..text.len() {
        out.push_str("\\u{5C}");
    }
    out.push('\'');
    out
}

/// A bash word in single quotes. Bash cannot carry NUL in a word; the
/// analyzer rejects NUL in every text, so none arrives here.
#[must_use]
pub fn bash(text: &str) -> String {
    debug_assert!(!text.contains('\0'), "NUL reached the bash renderer");
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else if c != '\0' {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// A PowerShell verbatim (single-quoted) string. PowerShell treats the
/// typographic single quotes U+2018..U+201B as quotes too, so they are
/// doubled like `'`.
#[must_use]
pub fn pwsh(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2018}'..='\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_escapes_expression_lookalikes_only() {
        assert_eq!(arm("[concat('a')]"), r#""[[concat('a')]""#);
        assert_eq!(arm("[not closed"), r#""[not closed""#);
        assert_eq!(arm("a\"b\n"), r#""a\"b\n""#);
    }

    #[test]
    fn bicep_escapes_quotes_and_interpolation() {
        assert_eq!(bicep("it's ${x} \\ $y"), r"'it\'s \${x} \\ $y'");
        assert_eq!(bicep("a\nb"), r"'a\nb'");
        assert_eq!(bicep("C:\\temp\\"), r"'C:\\temp\u{5C}'");
    }

    #[test]
    fn bash_closes_and_reopens_quotes() {
        assert_eq!(bash("a'b $(rm -rf /)"), r"'a'\''b $(rm -rf /)'");
    }

    #[test]
    fn pwsh_doubles_all_single_quote_kinds() {
        assert_eq!(pwsh("a'b\u{2019}c $x"), "'a''b\u{2019}\u{2019}c $x'");
    }
}
