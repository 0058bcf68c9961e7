//! Reading one KDL node's arguments, properties and children.
//!
//! In: a parsed `KdlNode`. Out: typed, spanned values (`Text`, `Flag`,
//! counts) and a diagnostic for every value of the wrong type, every
//! unknown or repeated property, and every missing or extra argument.
//! Spans point at the value as written: for `location="westeurope"` the
//! span of `"westeurope"`; for a node's name the argument itself.

use std::collections::BTreeMap;

use ::kdl::{KdlEntry, KdlNode, KdlValue};

use super::Mapper;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::model::{Flag, Text};
use crate::source::Span;
use crate::spanned::Spanned;

impl Mapper<'_> {
    /// A node's span without the comments and whitespace the parser keeps
    /// after it.
    pub(super) fn node_span(&self, node: &KdlNode) -> Span {
        let span = Span::from(node.span());
        let Some(mut written) = self.text.get(span.start..span.end) else {
            return span;
        };
        if let Some(format) = node.format() {
            written = written
                .strip_suffix(format.before_terminator.as_str())
                .unwrap_or(written);
        }
        Span::new(span.start, span.start + written.trim_end().len())
    }

    /// The span of the node's name (`hub` in `hub "x"`), quotes included.
    pub(super) fn name_span(node: &KdlNode) -> Span {
        node.name().span().into()
    }

    /// The span of an entry's value alone: without `key=` and without a
    /// `(type)` annotation.
    pub(super) fn value_span(&self, entry: &KdlEntry) -> Span {
        let whole = Span::from(entry.span());
        if let Some(repr) = entry.format().map(|f| f.value_repr.as_str())
            && let Some(start) = whole.end.checked_sub(repr.len())
            && start >= whole.start
            && self.text.get(start..whole.end) == Some(repr)
        {
            return Span::new(start, whole.end);
        }
        whole
    }

    // ----- values -------------------------------------------------------

    /// A string value; anything else is AZM004.
    pub(super) fn string(&mut self, entry: &KdlEntry, what: &str) -> Option<Text> {
        let span = self.value_span(entry);
        match entry.value() {
            KdlValue::String(s) => Some(Spanned::new(s.clone(), span)),
            other => {
                let help = match other {
                    KdlValue::Null => "give a quoted string, or leave the value out".to_owned(),
                    KdlValue::Bool(b) => format!("write it as a quoted string: \"{b}\""),
                    _ => format!("write it as a quoted string: \"{}\"", self.source_of(entry)),
                };
                self.push(
                    Diagnostic::new(
                        Code::WrongType,
                        span,
                        format!("{what} must be a string, found {}", describe(other)),
                    )
                    .with_label("expected a string")
                    .with_help(help),
                );
                None
            }
        }
    }

    /// A boolean value (`#true`/`#false`, or `true`/`false` in KDL 1.0).
    pub(super) fn flag(&mut self, entry: &KdlEntry, what: &str) -> Flag {
        let span = self.value_span(entry);
        match entry.value() {
            KdlValue::Bool(b) => Some(Spanned::new(*b, span)),
            other => {
                let help = match other {
                    KdlValue::String(s) if s == "true" || s == "false" => {
                        format!("write #{s} without quotes")
                    }
                    _ => "write #true or #false".to_owned(),
                };
                self.push(
                    Diagnostic::new(
                        Code::WrongType,
                        span,
                        format!("{what} must be #true or #false, found {}", describe(other)),
                    )
                    .with_label("expected #true or #false")
                    .with_help(help),
                );
                None
            }
        }
    }

    /// A whole number from 0 up.
    pub(super) fn count(&mut self, entry: &KdlEntry, what: &str) -> Option<Spanned<u64>> {
        let span = self.value_span(entry);
        if let KdlValue::Integer(i) = entry.value()
            && let Ok(n) = u64::try_from(*i)
        {
            return Some(Spanned::new(n, span));
        }
        let help = match entry.value() {
            KdlValue::String(s) if s.trim().parse::<u64>().is_ok() => {
                format!("write the number without quotes: {}", s.trim())
            }
            _ => "write a whole number from 0 up, e.g. 500".to_owned(),
        };
        self.push(
            Diagnostic::new(
                Code::WrongType,
                span,
                format!(
                    "{what} must be a whole number from 0 up, found {}",
                    describe(entry.value())
                ),
            )
            .with_label("expected a whole number")
            .with_help(help),
        );
        None
    }

    fn source_of(&self, entry: &KdlEntry) -> String {
        let span = self.value_span(entry);
        self.text
            .get(span.start..span.end)
            .unwrap_or_default()
            .to_owned()
    }

    // ----- arguments ----------------------------------------------------

    /// The node's arguments (entries without a `key=`), in order.
    pub(super) fn args(node: &KdlNode) -> Vec<&KdlEntry> {
        node.entries()
            .iter()
            .filter(|e| e.name().is_none())
            .collect()
    }

    /// The node's first argument as its name; `usage` shows how to write it.
    /// A missing name is AZM005 at the node.
    pub(super) fn name_arg(&mut self, node: &KdlNode, usage: &str) -> Option<Text> {
        let keyword = node.name().value();
        match Self::args(node).first() {
            Some(entry) => self.string(entry, &format!("the name of `{keyword}`")),
            None => {
                let message = format!("`{keyword}` needs a name");
                self.missing(Self::name_span(node), message, usage);
                None
            }
        }
    }

    /// Every argument as a string; none at all is AZM005.
    pub(super) fn string_args(&mut self, node: &KdlNode, usage: &str) -> Vec<Text> {
        let keyword = node.name().value();
        let args = Self::args(node);
        if args.is_empty() {
            let message = format!("`{keyword}` needs at least one value");
            self.missing(Self::name_span(node), message, usage);
        }
        let what = format!("a value of `{keyword}`");
        args.into_iter()
            .filter_map(|entry| self.string(entry, &what))
            .collect()
    }

    /// AZM005 at `span`, with how to write it as help.
    pub(super) fn missing(&mut self, span: Span, message: String, usage: &str) {
        self.push(
            Diagnostic::new(Code::MissingValue, span, message)
                .with_label("missing here")
                .with_help(format!("write it as `{usage}`")),
        );
    }

    /// Arguments after the first `max` are AZM003.
    pub(super) fn extra_args(&mut self, node: &KdlNode, max: usize, usage: &str) {
        let keyword = node.name().value();
        for entry in Self::args(node).into_iter().skip(max) {
            let span = self.value_span(entry);
            self.push(
                Diagnostic::new(
                    Code::UnknownField,
                    span,
                    format!("unexpected argument to `{keyword}`"),
                )
                .with_label("not expected here")
                .with_help(format!(
                    "`{keyword}` is written `{usage}`; remove this value"
                )),
            );
        }
    }

    // ----- properties ---------------------------------------------------

    /// The first property called `key`, if any.
    pub(super) fn prop<'n>(node: &'n KdlNode, key: &str) -> Option<&'n KdlEntry> {
        node.entries()
            .iter()
            .find(|e| e.name().is_some_and(|n| n.value() == key))
    }

    pub(super) fn prop_str(&mut self, node: &KdlNode, key: &str) -> Option<Text> {
        Self::prop(node, key).and_then(|e| self.string(e, &format!("`{key}`")))
    }

    pub(super) fn prop_flag(&mut self, node: &KdlNode, key: &str) -> Flag {
        Self::prop(node, key).and_then(|e| self.flag(e, &format!("`{key}`")))
    }

    pub(super) fn prop_count(&mut self, node: &KdlNode, key: &str) -> Option<Spanned<u64>> {
        Self::prop(node, key).and_then(|e| self.count(e, &format!("`{key}`")))
    }

    /// Reports properties given twice (AZM006) and properties not in
    /// `known` (AZM003). `hint` explains a name that is known elsewhere but
    /// wrong on this node; it returns a help text for such a name.
    pub(super) fn check_props(
        &mut self,
        node: &KdlNode,
        known: &[&str],
        hint: impl Fn(&str) -> Option<String>,
    ) {
        let keyword = node.name().value();
        let mut first: BTreeMap<&str, Span> = BTreeMap::new();
        for entry in node.entries() {
            let Some(key) = entry.name() else { continue };
            let entry_span = Span::from(entry.span());
            if let Some(&earlier) = first.get(key.value()) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateField,
                        entry_span,
                        format!("property `{}` is given twice on `{keyword}`", key.value()),
                    )
                    .with_label("given again here")
                    .with_related(earlier, "first given here")
                    .with_help("remove one of them"),
                );
                continue;
            }
            first.insert(key.value(), entry_span);
            if known.contains(&key.value()) {
                continue;
            }
            let help = hint(key.value()).unwrap_or_else(|| {
                suggestion(key.value(), known, "properties", &format!("on `{keyword}`"))
            });
            self.push(
                Diagnostic::new(
                    Code::UnknownField,
                    Span::from(key.span()),
                    format!("unknown property `{}` on `{keyword}`", key.value()),
                )
                .with_label("unknown property")
                .with_help(help),
            );
        }
    }

    // ----- children -----------------------------------------------------

    /// The node's child nodes (none if it has no `{ }` block).
    pub(super) fn children(node: &KdlNode) -> &[KdlNode] {
        node.children().map_or(&[], |doc| doc.nodes())
    }

    /// A child node whose name is not valid in `place` is AZM003.
    pub(super) fn unknown_node(&mut self, child: &KdlNode, place: &str, known: &[&str]) {
        let name = child.name().value();
        self.push(
            Diagnostic::new(
                Code::UnknownField,
                Self::name_span(child),
                format!("unknown node `{name}` {place}"),
            )
            .with_label("unknown node")
            .with_help(suggestion(name, known, "nodes", place)),
        );
    }

    /// Every child of a node that takes none is AZM003.
    pub(super) fn no_children(&mut self, node: &KdlNode) {
        let keyword = node.name().value();
        for child in Self::children(node) {
            self.push(
                Diagnostic::new(
                    Code::UnknownField,
                    Self::name_span(child),
                    format!("`{keyword}` takes no child nodes"),
                )
                .with_label("not expected here")
                .with_help(format!(
                    "remove the `{{ ... }}` block after `{keyword}`, or move `{}` where it belongs",
                    child.name().value()
                )),
            );
        }
    }

    /// Records `child` as seen; a second node of a kind that may appear
    /// once is AZM006 and `false`.
    pub(super) fn first_of_kind(
        &mut self,
        seen: &mut BTreeMap<String, Span>,
        child: &KdlNode,
    ) -> bool {
        let name = child.name().value();
        let span = Self::name_span(child);
        if let Some(&earlier) = seen.get(name) {
            self.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    span,
                    format!("`{name}` is given twice"),
                )
                .with_label("given again here")
                .with_related(earlier, "first given here")
                .with_help(format!(
                    "`{name}` may appear once here; merge the two into one"
                )),
            );
            return false;
        }
        seen.insert(name.to_owned(), span);
        true
    }
}

/// How a value reads in a message.
fn describe(value: &KdlValue) -> String {
    match value {
        KdlValue::String(s) => format!("the string \"{s}\""),
        KdlValue::Integer(i) => format!("the number {i}"),
        KdlValue::Float(f) => format!("the number {f}"),
        KdlValue::Bool(b) => format!("#{b}"),
        KdlValue::Null => "#null".to_owned(),
    }
}

/// "did you mean `x`?" when a known name is close, else the list of names.
pub(super) fn suggestion(name: &str, known: &[&str], kind: &str, place: &str) -> String {
    if let Some(close) = did_you_mean(name, known.iter().copied()) {
        return format!("did you mean `{close}`?");
    }
    if known.is_empty() {
        return format!("no {kind} are allowed {place}; remove it");
    }
    let list = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("the {kind} allowed {place} are {list}")
}
