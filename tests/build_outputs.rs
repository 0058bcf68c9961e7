//! `azmesh build` for every example and valid case: each generated file is
//! an insta snapshot, rendering twice (and each target alone) gives the
//! same bytes, and a KDL case and its YAML twin give byte-identical outputs.

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
    // The targets render on parallel threads, sharing a layout and a
    // script context: each alone gives the same files, in target order.
    let alone: Vec<render::OutputFile> = Target::ALL
        .iter()
        .flat_map(|&t| render::render(&plan, &[t], None).expect("one target renders"))
        .collect();
    assert!(
        files == alone,
        "{}: the four targets together differ from each one alone",
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
        for f in &files {
            assert_parses(path, f);
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

/// Each generated file is read by a real third-party parser of its
/// language: serde_json for ARM, tree-sitter grammars for Bicep, bash and
/// PowerShell.
fn assert_parses(case: &std::path::Path, f: &render::OutputFile) {
    let ext = f
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let problem = match ext {
        "json" => serde_json::from_str::<serde_json::Value>(&f.contents)
            .err()
            .map(|e| e.to_string()),
        "bicep" => common::syntax_error(&f.contents, tree_sitter_bicep::LANGUAGE.into()),
        "sh" => common::syntax_error(&f.contents, tree_sitter_bash::LANGUAGE.into()),
        "ps1" => common::syntax_error(&f.contents, tree_sitter_powershell::LANGUAGE.into()),
        other => Some(format!("unexpected output type `{other}`")),
    };
    assert!(
        problem.is_none(),
        "{}: {} does not parse: {}",
        case.display(),
        f.path.display(),
        problem.unwrap_or_default()
    );
}

#[test]
fn the_parsers_catch_broken_files() {
    let broken = [
        ("x.json", "{\"a\": }"),
        (
            "x.bicep",
            "resource x 'Microsoft.Network/virtualNetworks@2024-07-01' = {\n  name: 'a'\n",
        ),
        ("x.sh", "if true; then echo 'x\n"),
        ("x.ps1", "if ($true) { Write-Output 'x'\n"),
    ];
    for (name, text) in broken {
        let f = render::OutputFile {
            path: PathBuf::from(name),
            contents: text.to_string(),
        };
        let r = std::panic::catch_unwind(|| assert_parses(std::path::Path::new("probe"), &f));
        assert!(r.is_err(), "{name} was not caught");
    }
}

/// Issue 4's round trip: each importer's output (both netcfg modes, and
/// the az export) checks with no error and builds; the built files are
/// snapshots like every example's.
#[test]
fn imported_estates_check_and_build() {
    use azmesh::import::{NetcfgOptions, import_az_vnets, import_netcfg};
    use azmesh::source::{Lang, Source};

    let settings = common::settings();
    let read = |name: &str| {
        let path = common::root().join("tests/fixtures/import").join(name);
        let text = std::fs::read_to_string(&path).expect("fixture");
        Source::new(format!("tests/fixtures/import/{name}"), text, Lang::Kdl)
    };
    let netcfg = read("contoso-netcfg.xml");
    let imports = [
        (
            "netcfg-classic",
            import_netcfg(&netcfg, &NetcfgOptions::default()),
        ),
        (
            "netcfg-resource-manager",
            import_netcfg(
                &netcfg,
                &NetcfgOptions {
                    as_resource_manager: true,
                    ..NetcfgOptions::default()
                },
            ),
        ),
        (
            "az-vnets",
            import_az_vnets(&read("two-subscriptions-az.json"), Lang::Kdl),
        ),
    ];
    for (name, imported) in imports {
        let imported = imported.unwrap_or_else(|d| panic!("{name}: import failed: {d:?}"));
        let source = Source::new(format!("{name}.kdl"), imported.text, Lang::Kdl);
        let c = azmesh::compile(&source);
        assert!(
            !c.has_errors(),
            "{name}: the import does not check:\n{}",
            azmesh::report::diagnostics::human(&source, &c.diagnostics, false)
        );
        let plan = c.plan.expect("no errors, so a plan");
        assert!(!plan.links.is_empty(), "{name}: nothing is peered");
        let files = render::render(&plan, &Target::ALL, None).expect("renders");
        settings.bind(|| {
            for f in &files {
                assert_parses(std::path::Path::new(name), f);
                let file = f.path.to_string_lossy().replace(['/', '\\'], "-");
                insta::assert_snapshot!(format!("import-{name}.build-{file}"), &f.contents);
            }
        });
    }
}
