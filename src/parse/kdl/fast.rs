//! A fast reader for plain, well-formed KDL 2.0.
//!
//! In: KDL text. Out: the same `KdlDocument` (names, values, types, and the
//! spans and formats the mapper reads: node, entry and identifier spans and
//! each entry's `value_repr`) that `KdlDocument::parse_v2` builds, or
//! `None` for anything this reader is not sure of: any syntax error, a KDL
//! 1.0 spelling, a float or exponent, escapes in a multi-line string, a raw
//! multi-line string, non-ASCII identifiers, spacing other than spaces and
//! tabs, control or direction characters. `None` sends the text down the `kdl` crate's path, which
//! reports the problems; so this reader never reports anything itself.
//!
//! It exists for speed: the `kdl` crate keeps format-preserving detail for
//! every entry and takes about a second on a 1.7 MB estate.

use ::kdl::{KdlDocument, KdlEntry, KdlEntryFormat, KdlIdentifier, KdlNode, KdlValue};

/// Parses `text`, or `None` when it is not plain well-formed KDL 2.0.
pub(super) fn parse(text: &str) -> Option<KdlDocument> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let document = parser.nodes()?;
    (parser.pos == parser.bytes.len()).then_some(document)
}

/// Deepest nesting of children blocks and comments handled here.
const MAX_DEPTH: usize = 64;

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    depth: usize,
}

/// A string token: its value and where it is written.
struct Token {
    value: String,
    start: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.bytes.get(self.pos..).is_some_and(|b| b.starts_with(s))
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    // ----- spacing ------------------------------------------------------

    /// A newline (`\n`, `\r\n`, `\r`), consumed; false when there is none.
    fn newline(&mut self) -> bool {
        match self.peek() {
            Some(b'\n') => {
                self.pos += 1;
                true
            }
            Some(b'\r') => {
                self.pos += if self.peek_at(1) == Some(b'\n') { 2 } else { 1 };
                true
            }
            _ => false,
        }
    }

    /// `ws`: one space, tab or `/* */` comment. `Err` on a broken comment.
    fn ws(&mut self) -> Result<bool, ()> {
        match self.peek() {
            Some(b' ' | b'\t') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b'/') if self.peek_at(1) == Some(b'*') => {
                self.block_comment()?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn wss(&mut self) -> Result<(), ()> {
        while self.ws()? {}
        Ok(())
    }

    /// A nested `/* ... */` comment, the cursor on its `/*`.
    fn block_comment(&mut self) -> Result<(), ()> {
        self.pos += 2;
        let mut level = 1usize;
        while level > 0 {
            match self.peek() {
                None => return Err(()),
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    level += 1;
                    if level > MAX_DEPTH {
                        return Err(());
                    }
                    self.pos += 2;
                }
                Some(b'*') if self.peek_at(1) == Some(b'/') => {
                    level -= 1;
                    self.pos += 2;
                }
                Some(_) => self.comment_char()?,
            }
        }
        Ok(())
    }

    /// Skips one character of a comment; `Err` on one the `kdl` crate might
    /// treat specially (non-ASCII newlines, disallowed code points).
    fn comment_char(&mut self) -> Result<(), ()> {
        let c = self.char()?;
        if suspicious(c) {
            return Err(());
        }
        self.pos += c.len_utf8();
        Ok(())
    }

    fn char(&self) -> Result<char, ()> {
        self.text
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .ok_or(())
    }

    /// `// ...` up to and including the newline (or the end).
    fn line_comment(&mut self) -> Result<(), ()> {
        self.pos += 2;
        loop {
            if self.at_eof() || self.newline() {
                return Ok(());
            }
            self.comment_char()?;
        }
    }

    /// `node-space`: `ws* escline ws* | ws+`; false when there is none.
    fn node_space(&mut self) -> Result<bool, ()> {
        let start = self.pos;
        self.wss()?;
        if self.peek() == Some(b'\\') {
            self.pos += 1;
            self.wss()?;
            if self.starts_with(b"//") {
                self.line_comment()?;
            } else if !self.newline() && !self.at_eof() {
                return Err(());
            }
            self.wss()?;
            return Ok(true);
        }
        Ok(self.pos > start)
    }

    fn node_space0(&mut self) -> Result<(), ()> {
        while self.node_space()? {}
        Ok(())
    }

    /// `line-space`: node-space, newline or `//` comment.
    fn line_space(&mut self) -> Result<bool, ()> {
        if self.node_space()? || self.newline() {
            return Ok(true);
        }
        if self.starts_with(b"//") {
            self.line_comment()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// `/-` and the line-space after it; the cursor on `/-`.
    fn slashdash(&mut self) -> Result<(), ()> {
        self.pos += 2;
        while self.line_space()? {}
        Ok(())
    }

    // ----- nodes --------------------------------------------------------

    /// `nodes`, up to the end or a `}`.
    fn nodes(&mut self) -> Option<KdlDocument> {
        let mut document = KdlDocument::new();
        loop {
            if self.line_space().ok()? {
                continue;
            }
            if self.starts_with(b"/-") {
                self.slashdash().ok()?;
                self.node()?;
                continue;
            }
            if self.at_eof() || self.peek() == Some(b'}') {
                return Some(document);
            }
            let node = self.node()?;
            document.nodes_mut().push(node);
        }
    }

    /// One node and its terminator (which a closing `}` or the end may
    /// stand for, not consumed).
    fn node(&mut self) -> Option<KdlNode> {
        let start = self.pos;
        let ty = if self.peek() == Some(b'(') {
            let ty = self.type_annotation()?;
            self.node_space0().ok()?;
            Some(ty)
        } else {
            None
        };
        let name = self.string()?;
        self.value_end()?;
        let mut node = KdlNode::new(identifier(&name, self.text));
        if let Some(ty) = ty {
            node.set_ty(ty);
        }
        let mut end = name.end;
        let mut has_children = false;
        loop {
            if !self.node_space().ok()? {
                break;
            }
            self.node_space0().ok()?;
            if self.starts_with(b"/-") {
                self.slashdash().ok()?;
                if self.peek() == Some(b'{') {
                    self.children()?;
                } else {
                    self.entry()?;
                }
                continue;
            }
            match self.peek() {
                Some(b'{') => {
                    node.set_children(self.children()?);
                    has_children = true;
                    end = self.after_children(self.pos)?;
                    break;
                }
                Some(b';' | b'\n' | b'\r' | b'}') | None => break,
                Some(b'/') if self.peek_at(1) == Some(b'/') => break,
                _ => {}
            }
            let entry = self.entry()?;
            end = self.pos;
            node.entries_mut().push(entry);
        }
        if !has_children && self.peek() == Some(b'{') {
            // Children right after the name or an entry, no space between.
            node.set_children(self.children()?);
            end = self.after_children(self.pos)?;
        }
        self.node_space0().ok()?;
        match self.peek() {
            Some(b';') => self.pos += 1,
            Some(b'\n' | b'\r') => {
                self.newline();
            }
            Some(b'/') if self.peek_at(1) == Some(b'/') => self.line_comment().ok()?,
            Some(b'}') | None => {}
            _ => return None,
        }
        let written = self.text.get(start..end)?;
        node.set_span((start, written.trim_end().len()));
        Some(node)
    }

    /// After a children block ending at `end`: slashdashed blocks, then
    /// spacing; returns where the `kdl` crate's node span, less its
    /// `before_terminator`, ends (it keeps the slashdashed blocks when
    /// spacing follows them).
    fn after_children(&mut self, end: usize) -> Option<usize> {
        let mark = self.pos;
        self.node_space0().ok()?;
        let mut dashed = false;
        while self.starts_with(b"/-") {
            self.slashdash().ok()?;
            if self.peek() != Some(b'{') {
                return None;
            }
            self.children()?;
            dashed = true;
            let after = self.pos;
            if !self.node_space().ok()? {
                break;
            }
            self.node_space0().ok()?;
            if !self.starts_with(b"/-") {
                self.pos = after;
                break;
            }
        }
        if !dashed {
            self.pos = mark;
        }
        let before_space = self.pos;
        self.node_space0().ok()?;
        if dashed && self.pos == before_space {
            Some(end)
        } else {
            Some(self.pos)
        }
    }

    /// `{ nodes }`, the cursor on `{`.
    fn children(&mut self) -> Option<KdlDocument> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        let document = self.nodes()?;
        if self.peek() != Some(b'}') {
            return None;
        }
        self.pos += 1;
        self.depth -= 1;
        Some(document)
    }

    /// `(name)`, the cursor on `(`.
    fn type_annotation(&mut self) -> Option<KdlIdentifier> {
        self.pos += 1;
        self.node_space0().ok()?;
        let name = self.string()?;
        self.node_space0().ok()?;
        if self.peek() != Some(b')') {
            return None;
        }
        self.pos += 1;
        Some(identifier(&name, self.text))
    }

    /// A property `key=value` or an argument.
    fn entry(&mut self) -> Option<KdlEntry> {
        let start = self.pos;
        if self.peek().is_some_and(|b| b == b'"' || ident_byte(b)) && !self.numeric() {
            let key = self.string()?;
            self.value_end()?;
            let after_key = self.pos;
            self.node_space0().ok()?;
            if self.peek() == Some(b'=') {
                self.pos += 1;
                self.node_space0().ok()?;
                let (ty, value, repr) = self.value()?;
                let mut entry = KdlEntry::new_prop(identifier(&key, self.text), value);
                if let Some(ty) = ty {
                    entry.set_ty(ty);
                }
                return Some(finish(entry, repr, start, self.pos));
            }
            self.pos = after_key;
            let repr = self.text.get(key.start..key.end)?.to_owned();
            let entry = KdlEntry::new(KdlValue::String(key.value));
            return Some(finish(entry, repr, start, self.pos));
        }
        let (ty, value, repr) = self.value()?;
        let mut entry = KdlEntry::new(value);
        if let Some(ty) = ty {
            entry.set_ty(ty);
        }
        Some(finish(entry, repr, start, self.pos))
    }

    /// `type? node-space* (string | number | keyword)` and the text of the
    /// value without its type.
    fn value(&mut self) -> Option<(Option<KdlIdentifier>, KdlValue, String)> {
        let ty = if self.peek() == Some(b'(') {
            let ty = self.type_annotation()?;
            self.node_space0().ok()?;
            Some(ty)
        } else {
            None
        };
        let start = self.pos;
        let value = match self.peek()? {
            b'#' if self.peek_at(1) != Some(b'"') && self.peek_at(1) != Some(b'#') => {
                self.keyword()?
            }
            b'0'..=b'9' => self.number()?,
            b'+' | b'-' if self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) => self.number()?,
            _ => KdlValue::String(self.string()?.value),
        };
        self.value_end()?;
        let repr = self.text.get(start..self.pos)?.to_owned();
        Some((ty, value, repr))
    }

    /// What may follow a value: the end, `=`, `)`, `{`, `}`, spacing or a
    /// terminator.
    fn value_end(&self) -> Option<()> {
        match self.peek() {
            None
            | Some(b'=' | b')' | b'{' | b'}' | b' ' | b'\t' | b'\\' | b';' | b'\n' | b'\r') => {
                Some(())
            }
            Some(b'/') if matches!(self.peek_at(1), Some(b'*' | b'/')) => Some(()),
            _ => None,
        }
    }

    /// Whether a number starts here.
    fn numeric(&self) -> bool {
        match self.peek() {
            Some(b'0'..=b'9') => true,
            Some(b'+' | b'-') => self.peek_at(1).is_some_and(|b| b.is_ascii_digit()),
            _ => false,
        }
    }

    fn keyword(&mut self) -> Option<KdlValue> {
        let rest = self.bytes.get(self.pos..)?;
        for (word, value) in [
            (&b"#true"[..], KdlValue::Bool(true)),
            (b"#false", KdlValue::Bool(false)),
            (b"#null", KdlValue::Null),
            (b"#inf", KdlValue::Float(f64::INFINITY)),
            (b"#-inf", KdlValue::Float(f64::NEG_INFINITY)),
            (b"#nan", KdlValue::Float(f64::NAN)),
        ] {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Some(value);
            }
        }
        None
    }

    /// An integer: decimal, `0x`, `0o` or `0b`, with `_` between digits.
    /// Floats and exponents are left to the `kdl` crate.
    fn number(&mut self) -> Option<KdlValue> {
        let negative = match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                true
            }
            Some(b'+') => {
                self.pos += 1;
                false
            }
            _ => false,
        };
        let radix = match (self.peek(), self.peek_at(1)) {
            (Some(b'0'), Some(b'x')) => 16,
            (Some(b'0'), Some(b'o')) => 8,
            (Some(b'0'), Some(b'b')) => 2,
            _ => 10,
        };
        if radix != 10 {
            self.pos += 2;
        }
        let first = char::from(self.peek()?);
        if !first.is_digit(radix) {
            return None;
        }
        let mut digits = String::new();
        while let Some(b) = self.peek() {
            let c = char::from(b);
            if c.is_digit(radix) {
                digits.push(c);
            } else if c != '_' {
                break;
            }
            self.pos += 1;
        }
        let magnitude = i128::from_str_radix(&digits, radix).ok()?;
        let value = if negative {
            magnitude.checked_neg()?
        } else {
            magnitude
        };
        Some(KdlValue::Integer(value))
    }

    // ----- strings ------------------------------------------------------

    /// An identifier, quoted or raw string (not multi-line).
    fn string(&mut self) -> Option<Token> {
        let start = self.pos;
        let value = match self.peek()? {
            b'"' => {
                if self.starts_with(b"\"\"\"") {
                    self.multi_line()?
                } else {
                    self.quoted()?
                }
            }
            b'#' => self.raw()?,
            _ => self.bare()?,
        };
        Some(Token {
            value,
            start,
            end: self.pos,
        })
    }

    /// A plain identifier: ASCII letters, digits and `-_.:@+` here, not
    /// starting like a number, and none of `true`, `false`, `null`, `inf`,
    /// `-inf`, `nan`.
    fn bare(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(ident_byte) {
            self.pos += 1;
        }
        let word = self.text.get(start..self.pos)?;
        let mut chars = word.bytes();
        let first = chars.next()?;
        if first.is_ascii_digit() {
            return None;
        }
        if matches!(first, b'-' | b'+' | b'.') {
            let second = chars.next();
            if second.is_some_and(|b| b.is_ascii_digit())
                || (first != b'.'
                    && second == Some(b'.')
                    && chars.next().is_some_and(|b| b.is_ascii_digit()))
            {
                return None;
            }
        }
        if matches!(word, "true" | "false" | "null" | "inf" | "-inf" | "nan") {
            return None;
        }
        Some(word.to_owned())
    }

    /// `"..."` with escapes, the cursor on `"`.
    fn quoted(&mut self) -> Option<String> {
        self.pos += 1;
        let mut value = String::new();
        loop {
            let run = self.pos;
            while self
                .peek()
                .is_some_and(|b| b != b'"' && b != b'\\' && (0x20..0x7f).contains(&b))
            {
                self.pos += 1;
            }
            value.push_str(self.text.get(run..self.pos)?);
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(value);
                }
                b'\\' => self.escape(&mut value)?,
                b if b < 0x80 => return None,
                _ => {
                    let c = self.char().ok()?;
                    if suspicious(c) {
                        return None;
                    }
                    value.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// `"""` newline, lines, closing line of whitespace and `"""`; the
    /// cursor on the opening quotes. Each line loses the closing line's
    /// whitespace (a line of only whitespace becomes empty), newlines become
    /// `\n`, and the first and last newline go. Escapes are left to the
    /// `kdl` crate.
    fn multi_line(&mut self) -> Option<String> {
        self.pos += 3;
        if !self.newline() {
            return None;
        }
        let mut lines = Vec::new();
        loop {
            let line_start = self.pos;
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.pos += 1;
            }
            if self.starts_with(b"\"\"\"") {
                let prefix = self.text.get(line_start..self.pos)?;
                self.pos += 3;
                let mut value = String::new();
                for line in lines {
                    let line: &str = line;
                    if !line.bytes().all(|b| b == b' ' || b == b'\t') {
                        value.push_str(line.strip_prefix(prefix)?);
                    }
                    value.push('\n');
                }
                value.pop();
                return Some(value);
            }
            loop {
                match self.peek()? {
                    b'\n' | b'\r' => break,
                    b'\\' => return None,
                    b'"' if self.starts_with(b"\"\"\"") => return None,
                    b if b < 0x20 && b != b'\t' => return None,
                    b if b < 0x80 => self.pos += 1,
                    _ => {
                        let c = self.char().ok()?;
                        if suspicious(c) || odd_space(c) {
                            return None;
                        }
                        self.pos += c.len_utf8();
                    }
                }
            }
            lines.push(self.text.get(line_start..self.pos)?);
            self.newline();
        }
    }

    /// One escape, the cursor on `\`.
    fn escape(&mut self, value: &mut String) -> Option<()> {
        self.pos += 1;
        let c = match self.peek()? {
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'\\' => '\\',
            b'"' => '"',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b's' => ' ',
            b'u' => {
                self.pos += 1;
                if self.peek()? != b'{' {
                    return None;
                }
                self.pos += 1;
                let start = self.pos;
                while self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
                    self.pos += 1;
                }
                let hex = self.text.get(start..self.pos)?;
                if hex.is_empty() || hex.len() > 6 || self.peek()? != b'}' {
                    return None;
                }
                value.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
                self.pos += 1;
                return Some(());
            }
            b' ' | b'\t' | b'\n' | b'\r' => {
                while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                    self.pos += 1;
                }
                return Some(());
            }
            _ => return None,
        };
        value.push(c);
        self.pos += 1;
        Some(())
    }

    /// `#"..."#` (any number of `#`), the cursor on the first `#`.
    fn raw(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek() == Some(b'#') {
            self.pos += 1;
        }
        let hashes = self.pos - start;
        if self.peek()? != b'"' || self.starts_with(b"\"\"\"") {
            return None;
        }
        self.pos += 1;
        let body = self.pos;
        loop {
            match self.peek()? {
                b'"' if self
                    .bytes
                    .get(self.pos + 1..self.pos + 1 + hashes)?
                    .iter()
                    .all(|&b| b == b'#') =>
                {
                    let value = self.text.get(body..self.pos)?.to_owned();
                    self.pos += 1 + hashes;
                    return Some(value);
                }
                b'\n' | b'\r' => return None,
                b if b < 0x20 || b == 0x7f => return None,
                b if b < 0x80 => self.pos += 1,
                _ => {
                    let c = self.char().ok()?;
                    if suspicious(c) {
                        return None;
                    }
                    self.pos += c.len_utf8();
                }
            }
        }
    }
}

/// An entry with its span and the text of its value.
fn finish(mut entry: KdlEntry, repr: String, start: usize, end: usize) -> KdlEntry {
    entry.set_format(KdlEntryFormat {
        value_repr: repr,
        ..KdlEntryFormat::default()
    });
    entry.set_span((start, end - start));
    entry
}

fn identifier(token: &Token, text: &str) -> KdlIdentifier {
    let mut identifier = KdlIdentifier::from(token.value.as_str());
    identifier.set_repr(text.get(token.start..token.end).unwrap_or_default());
    identifier.set_span((token.start, token.end - token.start));
    identifier
}

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'@' | b'+')
}

/// A space other than a plain space or tab.
fn odd_space(c: char) -> bool {
    matches!(
        c,
        '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// A character the `kdl` crate may read differently from here: control
/// characters (disallowed, or non-ASCII newlines), direction marks, a BOM.
fn suspicious(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}'
        | '\u{b}'..='\u{c}'
        | '\u{e}'..='\u{1f}'
        | '\u{7f}'
        | '\u{85}'
        | '\u{200e}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}'
    )
}
