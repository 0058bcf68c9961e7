//! Shared helpers of the file-driven tests: finding case files, compiling
//! them, and insta settings that put snapshots in the top-level `snapshots/`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use azmesh::source::{Lang, Source};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.kdl`/`.yaml`/`.yml` file directly in `dir` (relative to the crate),
/// sorted; panics on an empty folder so a broken glob cannot pass.
pub fn files(dir: &str) -> Vec<PathBuf> {
    let full = root().join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&full)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_str().and_then(Lang::from_path).is_some())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no case files in {dir}");
    out
}

/// The source of a case file, named relative to the crate (stable in snapshots).
pub fn source(path: &Path) -> Source {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rel = path
        .strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let lang = Lang::from_path(&rel).expect("case files have a language extension");
    Source::new(rel, text, lang)
}

/// A snapshot name from a path: `tests/cases/valid/a.kdl` -> `cases-valid-a.kdl`.
pub fn snapshot_name(path: &Path, suffix: &str) -> String {
    let rel = path
        .strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace(['/', '\\'], "-");
    let rel = rel.strip_prefix("tests-").unwrap_or(&rel).to_string();
    format!("{rel}.{suffix}")
}

pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// The first ERROR or MISSING node of `text` parsed with `language`, as
/// `line:col kind`; `None` when the tree is clean.
pub fn syntax_error(text: &str, language: tree_sitter::Language) -> Option<String> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&language).expect("grammar loads");
    let tree = parser.parse(text, None).expect("parses");
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            let p = node.start_position();
            return Some(format!("{}:{} {}", p.row + 1, p.column + 1, node.kind()));
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}
