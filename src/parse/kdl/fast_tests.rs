//! The fast reader against the `kdl` crate's: whenever the fast one
//! accepts a text, the topology and diagnostics (spans included) must be
//! exactly those of the `kdl` crate's path.

use std::path::{Path, PathBuf};

use ::kdl::{KdlDocument, KdlNode};

use super::{Mapper, fast, parse_with};
use crate::source::{Lang, Source, Span};

/// What the mapper reads of a document, spans included, one line a node
/// or entry.
fn projection(document: &KdlDocument, text: &str) -> String {
    fn walk(nodes: &[KdlNode], mapper: &Mapper<'_>, depth: usize, out: &mut String) {
        for node in nodes {
            let name = node.name();
            out.push_str(&format!(
                "{:depth$}node {:?} {:?} repr={:?} span={:?} node_span={:?} ty={:?}\n",
                "",
                name.value(),
                Span::from(name.span()),
                name.repr(),
                Span::from(node.span()).start,
                mapper.node_span(node),
                node.ty().map(|t| t.value()),
            ));
            for entry in node.entries() {
                out.push_str(&format!(
                    "{:depth$}  entry {:?} {:?} value={:?} span={:?} value_span={:?} ty={:?}\n",
                    "",
                    entry
                        .name()
                        .map(|n| (n.value(), Span::from(n.span()), n.repr())),
                    entry.name().map(|n| n.value()),
                    entry.value(),
                    Span::from(entry.span()),
                    mapper.value_span(entry),
                    entry.ty().map(|t| t.value()),
                ));
            }
            if let Some(children) = node.children() {
                walk(children.nodes(), mapper, depth + 4, out);
            }
        }
    }
    let mapper = Mapper {
        text,
        diagnostics: Vec::new(),
    };
    let mut out = String::new();
    walk(document.nodes(), &mapper, 0, &mut out);
    out
}

/// Both ways of reading `text`, as Debug text; `None` when the fast reader
/// declines it.
fn both(text: &str) -> Option<(String, String)> {
    let source = Source::new("test.kdl", text, Lang::Kdl);
    let document = fast::parse(text)?;
    let slow_document = KdlDocument::parse_v2(text);
    let slow_document = match &slow_document {
        Ok(document) => projection(document, text),
        Err(error) => format!("the kdl crate rejects it: {error:?}"),
    };
    let quick = format!(
        "{}{:#?}",
        projection(&document, text),
        parse_with(&source, true)
    );
    let slow = format!("{}{:#?}", slow_document, parse_with(&source, false));
    Some((quick, slow))
}

/// The fast reader accepts `text` and reads it exactly as the slow one.
#[track_caller]
fn same(text: &str) {
    let Some((quick, slow)) = both(text) else {
        panic!("the fast reader declined:\n{text}");
    };
    assert_eq!(quick, slow, "fast and slow reads differ for:\n{text}");
}

/// The fast reader declines `text` (the `kdl` crate's path reads it).
#[track_caller]
fn declined(text: &str) {
    assert!(
        fast::parse(text).is_none(),
        "the fast reader accepted:\n{text}"
    );
}

fn kdl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            kdl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "kdl") {
            out.push(path);
        }
    }
}

#[test]
fn every_example_and_case_reads_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    kdl_files(&root.join("examples"), &mut files);
    kdl_files(&root.join("tests/cases"), &mut files);
    files.sort();
    assert!(
        files.len() > 20,
        "too few .kdl files found: {}",
        files.len()
    );
    let mut accepted_valid = 0;
    let mut valid = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let is_valid = !path.to_string_lossy().contains("invalid");
        valid += usize::from(is_valid);
        if let Some((quick, slow)) = both(&text) {
            accepted_valid += usize::from(is_valid);
            assert_eq!(
                quick,
                slow,
                "fast and slow reads differ: {}",
                path.display()
            );
        }
    }
    // The examples are plain KDL 2.0: the fast reader must take nearly all.
    assert!(
        accepted_valid * 10 >= valid * 9,
        "the fast reader took only {accepted_valid} of {valid} valid files"
    );
}

#[test]
fn escapes_in_quoted_strings() {
    same(
        "topology \"a\\\"b\\\\c\\n\\t\\u{e9}\\u{1F600}\\s\\b\\f\\r\"\nhub \"h\\   \n   x\" location=\"west\\u{65}urope\"\n",
    );
    same("tags { \"cost center\" \"\u{e9}t\u{e9} \u{65e5}\u{672c}\" }\n");
    declined("topology \"bad \\q escape\"\n");
    declined("topology \"\\u{D800}\"\n");
    declined("topology \"unterminated\n");
}

#[test]
fn raw_strings() {
    same("topology #\"C:\\path \"quoted\"\"#\nhub ##\"a\"#b\"## location=#\"x\"#\n");
    declined("topology #\"open\n");
}

#[test]
fn multi_line_strings() {
    same(
        "topology \"\"\"\n    a\n      b \"q\" \"\"\n\n  \n    c\n    \"\"\"\nhub \"h\" location=\"\"\"\r\n\twest\r\n\t\"\"\"\n",
    );
    same("topology \"\"\"\n\"\"\"\nhub \"\"\"\n  x\n  \"\"\" location=\"westeurope\"\n");
    // Escapes in multi-line strings, raw multi-line strings, a line
    // without the closing line's indentation: left to the kdl crate.
    declined("topology \"\"\"\n    a\\n\n    \"\"\"\n");
    declined("topology \"\"\"\n  a\n    \"\"\"\n");
    declined("topology \"\"\" a\n    \"\"\"\n");
    declined("topology #\"\"\"\n    a\n    \"\"\"#\n");
}

#[test]
fn comments_and_slashdash() {
    same(
        "// a comment\n/* block /* nested */ still */ topology \"t\" // trailing\n/-hub \"gone\" {\n  address-space \"10.0.0.0/16\"\n}\nhub \"h\" /-location=\"x\" location=\"westeurope\" /- \"arg\" {\n  /- subnet \"s\" \"10.0.0.0/24\"\n  address-space \"10.0.0.0/16\" /* c */\n} /- {\n  x\n}\nspoke \"s\" hub=\"h\" /- {\n}\n",
    );
    same(
        "hub \"h\" location=\"westeurope\" { address-space \"10.0.0.0/16\"; } /- { x } \nspoke \"s\" hub=\"h\"\n",
    );
    same(
        "hub \"h\" location=\"westeurope\" { address-space \"10.0.0.0/16\" } /* after */\nspoke \"s\" hub=\"h\" /- \"x\"   \n",
    );
    declined("topology \"t\" /* open\n");
}

#[test]
fn type_annotations_numbers_and_keywords() {
    same(
        "(region)hub \"h\" location=(loc)\"westeurope\" { address-space (cidr)\"10.0.0.0/16\" }\ndefaults max-peerings=0x1F4\nmesh \"m\" allow-forwarded-traffic=#true use-remote-gateways=#false { members \"h\" }\n",
    );
    same("defaults max-peerings=1_000\ntopology #null\nhub \"h\" max-peerings=-5\n");
    same("defaults max-peerings=0b101 location=0o17\nhub #inf\n");
    declined("defaults max-peerings=1.5\n");
    declined("defaults max-peerings=1e3\n");
}

#[test]
fn line_continuations_semicolons_and_terminators() {
    same(
        "hub \"h\" \\\n    location=\"westeurope\" \\ // comment\n    subscription=\"s\"; spoke \"s\" hub=\"h\"\r\nsubscription \"s\" id=\"x\";\ntags{owner \"me\";}",
    );
    same("topology \"t\"");
    same("");
    declined("topology \"t\" }\n");
    declined("hub \"h\" { address-space \"x\"\n");
}

#[test]
fn bare_identifiers() {
    same("hub \"h\" location =  \"westeurope\" \"x\"\n");
    same(
        "hub h1 location=westeurope resource-group=rg.net:1 { address-space \"10.0.0.0/16\" }\nspoke s hub=h1\n",
    );
    declined("hub 1h\n");
    declined("hub -1h\n");
    declined("hub .5\n");
}

#[test]
fn kdl_1_spellings_fall_back() {
    declined("mesh \"m\" allow-forwarded-traffic=true { members \"a\" }\n");
    declined("topology null\n");
    declined("topology r\"raw\"\n");
    declined("topology r#\"raw\"#\n");
    declined("/- kdl-version 1\ntopology \"t\"\n hub \"h\" location=false\n");
}

#[test]
fn errors_fall_back() {
    declined("hub \"h\" location=\n");
    declined("hub \"h\" location==\"x\"\n");
    declined("{ x }\n");
    declined("hub \"h\" { } { }\n");
    declined("hub \"h\"\"x\"\n");
    declined("hub (t\n");
    declined("\u{feff}topology \"t\"\n");
}
