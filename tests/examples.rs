//! Every shipped example checks clean, its KDL and YAML twins give the same
//! plan byte for byte, and its plan is a snapshot.

mod common;

use std::collections::BTreeMap;

use azmesh::report::{diagnostics, plan_table};

#[test]
fn examples_check_clean_and_twins_agree() {
    let settings = common::settings();
    let mut by_stem: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for path in common::files("examples") {
        let source = common::source(&path);
        let c = azmesh::compile(&source);
        assert!(
            c.diagnostics.is_empty(),
            "{} is not clean:\n{}",
            source.name,
            diagnostics::human(&source, &c.diagnostics, false)
        );
        let plan = c.plan.expect("a clean example has a plan");
        let json = serde_json::to_string_pretty(&plan).expect("plan serializes");
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file stem")
            .to_string();
        if by_stem.get(&stem).is_none_or(Vec::is_empty) {
            settings.bind(|| {
                insta::assert_snapshot!(format!("examples-{stem}.plan"), plan_table::render(&plan));
                insta::assert_snapshot!(format!("examples-{stem}.plan.json"), &json);
            });
        }
        by_stem.entry(stem).or_default().push((source.name, json));
    }
    assert!(
        by_stem.len() >= 6,
        "at least six examples, found {}",
        by_stem.len()
    );
    for (stem, twins) in &by_stem {
        assert_eq!(
            twins.len(),
            2,
            "{stem} needs exactly a .kdl and a .yaml twin"
        );
        assert!(
            twins[0].1 == twins[1].1,
            "{} and {} give different plans",
            twins[0].0,
            twins[1].0
        );
    }
}

/// Issue 5: graph (both formats), the reachability matrix and REVIEW.md of
/// every example are snapshots; DOT renders with Graphviz when present.
#[test]
fn examples_show_their_estate() {
    let settings = common::settings();
    let has_dot = std::process::Command::new("dot").arg("-V").output().is_ok();
    for path in common::files("examples") {
        if path.extension().and_then(|e| e.to_str()) != Some("kdl") {
            continue; // the YAML twin gives the same plan (tested above)
        }
        let source = common::source(&path);
        let plan = azmesh::compile(&source).plan.expect("examples are clean");
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("stem")
            .to_string();
        let matrix = azmesh::reach::matrix(&plan);
        settings.bind(|| {
            insta::assert_snapshot!(
                format!("examples-{stem}.mermaid"),
                azmesh::graph::mermaid(&plan)
            );
            insta::assert_snapshot!(format!("examples-{stem}.dot"), azmesh::graph::dot(&plan));
            insta::assert_snapshot!(
                format!("examples-{stem}.reach"),
                azmesh::reach::render_human(&matrix)
            );
            insta::assert_snapshot!(
                format!("examples-{stem}.review.md"),
                azmesh::review::review(&plan, &[])
            );
        });
        if has_dot {
            let svg =
                azmesh::graph::svg(&plan).unwrap_or_else(|e| panic!("{stem}: dot failed: {e}"));
            assert!(svg.contains("<svg"), "{stem}: no SVG");
        } else {
            eprintln!("Graphviz `dot` not installed: DOT rendering of {stem} not checked");
        }
    }
}
