//! `azmesh build` for every example and valid case: each generated file is
//! an insta snapshot, rendering twice gives the same bytes, and a KDL case
//! and its YAML twin give byte-identical outputs.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use azmesh::render::{self, Target};

fn outputs(path: &std::path::Path) -> Vec<render::OutputFile> {
    let source = common::source(path);
    let plan = azmesh::compile(&source)
        .plan
        .unwrap_or_else(|| panic!("{} has errors", source.name));
    let files = render::render(&plan, &Target::ALL, None).expect("embedded templates render");
    let again = render::render(&plan, &Target::ALL, None).expect("embedded templates render");
    assert!(
        files == again,
        "{}: rendering is not deterministic",
        source.name
    );
    files
}

#[test]
fn every_output_of_every_example_and_valid_case_is_a_snapshot() {
    let settings = common::settings();
    let mut all: Vec<PathBuf> = common::files("examples");
    all.extend(common::files("tests/cases/valid"));
    let mut by_stem: BTreeMap<(PathBuf, String), Vec<render::OutputFile>> = BTreeMap::new();
    for path in &all {
        let files = outputs(path);
        assert!(
            Target::ALL
                .iter()
                .all(|t| files.iter().any(|f| f.path.starts_with(t.name()))),
            "{}: a target wrote nothing",
            path.display()
        );
        let dir = path.parent().expect("parent").to_path_buf();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("stem")
            .to_string();
        if let Some(twin) = by_stem.get(&(dir.clone(), stem.clone())) {
            assert!(twin == &files, "{}: differs from its twin", path.display());
            continue;
        }
        let case = common::snapshot_name(&path.with_extension(""), "build");
        settings.bind(|| {
            for f in &files {
                let name = format!(
                    "{case}-{}",
                    f.path.to_string_lossy().replace(['/', '\\'], "-")
                );
                insta::assert_snapshot!(name, &f.contents);
            }
        });
        by_stem.insert((dir, stem), files);
    }
}
