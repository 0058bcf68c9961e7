//! The az bash and PowerShell scripts rendered from the fixture plans.

use std::path::PathBuf;

use azmesh::plan::Plan;
use azmesh::render::fixture::sample_plan;
use azmesh::render::{Target, render};

fn rendered(plan: &Plan, target: Target) -> String {
    let files = render(plan, &[target], None).expect("renders");
    assert_eq!(files.len(), 1, "one file per script target");
    files[0].contents.clone()
}

/// Writes both scripts of both fixtures under the target tmp dir, for the
/// oracle (`check-outputs -v <dir>`), and returns the dir.
fn write_outputs() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("render-scripts");
    for (name, hostile) in [("plain", false), ("hostile", true)] {
        let plan = sample_plan(hostile);
        let files = render(&plan, &[Target::Az, Target::Pwsh], None).expect("renders");
        for f in files {
            let path = dir.join(name).join(&f.path);
            std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
            std::fs::write(&path, &f.contents).expect("write");
        }
    }
    dir
}

#[test]
fn outputs_are_written_for_the_oracle() {
    let dir = write_outputs();
    assert!(dir.join("plain/az/deploy.sh").is_file());
    assert!(!rendered(&sample_plan(false), Target::Az).is_empty());
}
