//! File-driven cases: `tests/cases/valid/*` must check clean; every file in
//! `tests/cases/invalid/*` states the diagnostics it must produce in its
//! first lines (`// expect: AZM025 14:21` in KDL, `# expect: ...` in
//! YAML), and must produce exactly those. Diagnostics and plans are
//! snapshots in `snapshots/`.

mod common;

use std::collections::BTreeSet;

use azmesh::report::{diagnostics, plan_table};

/// `(code, line, column)` written at the top of a case.
fn expectations(text: &str) -> BTreeSet<(String, usize, usize)> {
    text.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("//").or_else(|| l.strip_prefix('#')))
        .filter_map(|l| l.trim().strip_prefix("expect:"))
        .map(|rest| {
            let mut words = rest.split_whitespace();
            let code = words.next().expect("a code after `expect:`").to_string();
            let pos = words.next().expect("line:col after the code");
            let (l, c) = pos.split_once(':').expect("line:col");
            (code, l.parse().expect("line"), c.parse().expect("col"))
        })
        .collect()
}

#[test]
fn valid_cases_check_clean() {
    let settings = common::settings();
    let mut failures = Vec::new();
    for path in common::files("tests/cases/valid") {
        let source = common::source(&path);
        let c = azmesh::compile(&source);
        if !c.diagnostics.is_empty() {
            failures.push(diagnostics::human(&source, &c.diagnostics, false));
            continue;
        }
        let plan = c.plan.expect("a plan without diagnostics");
        settings.bind(|| {
            insta::assert_snapshot!(
                common::snapshot_name(&path, "plan"),
                plan_table::render(&plan)
            );
        });
    }
    assert!(
        failures.is_empty(),
        "valid cases with diagnostics:\n{}",
        failures.join("\n")
    );
}

#[test]
fn invalid_cases_give_exactly_their_expected_diagnostics() {
    let settings = common::settings();
    let mut failures = Vec::new();
    for path in common::files("tests/cases/invalid") {
        let source = common::source(&path);
        let expected = expectations(&source.text);
        assert!(
            !expected.is_empty(),
            "{} has no `expect:` line",
            source.name
        );
        let c = azmesh::compile(&source);
        let actual: BTreeSet<(String, usize, usize)> = c
            .diagnostics
            .iter()
            .map(|d| {
                let (l, col) = source.line_col(d.span.map_or(0, |s| s.start));
                (d.code.id().to_string(), l, col)
            })
            .collect();
        if actual != expected {
            failures.push(format!(
                "{}\n  expected: {expected:?}\n  actual:   {actual:?}\n{}",
                source.name,
                diagnostics::human(&source, &c.diagnostics, false)
            ));
            continue;
        }
        assert!(c.has_errors() || c.plan.is_some(), "{}", source.name);
        settings.bind(|| {
            insta::assert_snapshot!(
                common::snapshot_name(&path, "diagnostics"),
                diagnostics::human(&source, &c.diagnostics, false)
            );
        });
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_an_invalid_case() {
    let mut covered = BTreeSet::new();
    for path in common::files("tests/cases/invalid") {
        let source = common::source(&path);
        covered.extend(expectations(&source.text).into_iter().map(|(c, _, _)| c));
    }
    let untestable = ["AZM001", "AZM070"]; // I/O (see tests/cli.rs), diff (issue 4)
    let missing: Vec<&str> = azmesh::diagnostic::Code::ALL
        .iter()
        .map(|c| c.id())
        .filter(|id| !covered.contains(*id) && !untestable.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without an invalid case: {missing:?}"
    );
}
