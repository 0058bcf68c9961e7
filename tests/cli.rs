//! The `azmesh` binary as users and pipelines call it: exit codes, standard
//! input, output formats, and all-or-nothing builds.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const GOOD: &str = r#"topology "t"
defaults location="westeurope" subscription="s" resource-group="rg"
subscription "s" id="11111111-1111-1111-1111-111111111111"
hub "hub" {
    address-space "10.0.0.0/16"
}
spoke "app" hub="hub" {
    address-space "10.1.0.0/16"
}
"#;

const BAD: &str = r#"topology "t"
defaults location="westeurope" subscription="s" resource-group="rg"
subscription "s" id="11111111-1111-1111-1111-111111111111"
hub "hub" {
    address-space "10.0.0.0/16"
}
spoke "app" hub="hbu" {
    address-space "10.0.0.0/16"
}
"#;

fn azmesh(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_azmesh"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("azmesh runs");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        // The process may exit (usage error) before reading: a broken pipe is fine.
        let _ = pipe.write_all(text.as_bytes());
    }
    drop(pipe);
    child.wait_with_output().expect("azmesh finishes")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("azmesh-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write input");
    p.to_string_lossy().into_owned()
}

#[test]
fn check_exit_codes() {
    let dir = temp_dir("exit");
    let good = write(&dir, "good.kdl", GOOD);
    let bad = write(&dir, "bad.kdl", BAD);
    assert_eq!(azmesh(&["check", &good], None).status.code(), Some(0));
    let out = azmesh(&["check", &bad], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("AZM010"), "{err}");
    assert!(err.contains("hub"), "did-you-mean names the hub: {err}");
    assert_eq!(azmesh(&["check", "x.txt"], None).status.code(), Some(2));
    assert_eq!(
        azmesh(&["check", "-"], Some(GOOD)).status.code(),
        Some(2),
        "stdin needs --lang"
    );
    assert_eq!(azmesh(&["frobnicate"], None).status.code(), Some(2));
}

#[test]
fn check_reads_standard_input() {
    let out = azmesh(&["check", "-", "--lang", "kdl"], Some(BAD));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<stdin>:7:"));
}

#[test]
fn unreadable_input_is_a_diagnostic() {
    let out = azmesh(
        &["check", "/nonexistent/estate.kdl", "--format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["diagnostics"][0]["code"], "AZM001");
}

#[test]
fn json_and_sarif_locate_every_diagnostic() {
    let dir = temp_dir("formats");
    let bad = write(&dir, "bad.kdl", BAD);
    let out = azmesh(&["check", &bad, "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("array");
    assert!(diags.len() >= 2, "unknown hub and overlap: {v}");
    for d in diags {
        assert!(d["location"]["line"].as_u64().unwrap_or(0) >= 1, "{d}");
        assert!(d["help"].is_string(), "every diagnostic has help: {d}");
    }
    let out = azmesh(&["check", &bad, "--format", "sarif"], None);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
    assert_eq!(s["version"], "2.1.0");
    let results = s["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), diags.len());
    let rules = s["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            bad.as_str()
        );
    }
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let dir = temp_dir("warn");
    // A spoke that overlaps a site it is not peered with: a warning only.
    let text = format!("{GOOD}site \"onprem\" {{\n    address-space \"10.1.0.0/24\"\n}}\n");
    let f = write(&dir, "warn.kdl", &text);
    let out = azmesh(&["check", &f], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("AZM026"));
    assert_eq!(
        azmesh(&["check", &f, "--deny-warnings"], None)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn plan_prints_both_directions() {
    let dir = temp_dir("plan");
    let good = write(&dir, "good.kdl", GOOD);
    let out = azmesh(&["plan", &good], None);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("hub-to-app") && text.contains("app-to-hub"),
        "{text}"
    );
    let out = azmesh(&["plan", &good, "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan json");
    assert_eq!(v["links"].as_array().map(Vec::len), Some(2));
}

#[test]
fn failed_build_writes_nothing_and_keeps_foreign_files() {
    let dir = temp_dir("build");
    let bad = write(&dir, "bad.kdl", BAD);
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).expect("out dir");
    std::fs::write(out_dir.join("mine.txt"), "keep me").expect("foreign file");
    let out = azmesh(
        &["build", &bad, "-o", out_dir.to_str().expect("utf-8 path")],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["mine.txt"]);
    let good = write(&dir, "good.kdl", GOOD);
    let out = azmesh(
        &["build", &good, "-o", out_dir.to_str().expect("utf-8 path")],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("mine.txt")).expect("kept"),
        "keep me"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrote "));
    assert_eq!(
        azmesh(&["build", &good, "-o", "x", "--target", "terraform"], None)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn schema_command_prints_the_shipped_schema() {
    let out = azmesh(&["schema"], None);
    assert_eq!(out.status.code(), Some(0));
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/topology.schema.json"),
    )
    .expect("schemas/topology.schema.json");
    assert_eq!(String::from_utf8_lossy(&out.stdout), shipped);
}

#[test]
fn graph_and_reach_commands() {
    let dir = temp_dir("graph");
    let good = write(&dir, "good.kdl", GOOD);
    let out = azmesh(&["graph", &good], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("flowchart"));
    let out = azmesh(&["graph", &good, "--format", "dot"], None);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("digraph")
            || String::from_utf8_lossy(&out.stdout).contains("graph ")
    );
    let out = azmesh(&["reach", &good, "app", "hub", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["reachable"], true, "{v}");
    let out = azmesh(&["reach", &good, "app", "hbu"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("hub"),
        "did-you-mean"
    );
    assert_eq!(
        azmesh(&["reach", &good, "app"], None).status.code(),
        Some(2)
    );
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn import_then_check_then_build() {
    let dir = temp_dir("import");
    let out = dir.join("estate.kdl");
    let o = out.to_str().expect("utf-8 path");
    let r = azmesh(
        &["import", "netcfg", &fixture("contoso-netcfg.xml"), "-o", o],
        None,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let r = azmesh(&["check", o], None);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    // never over an existing file without --force
    let r = azmesh(
        &["import", "netcfg", &fixture("contoso-netcfg.xml"), "-o", o],
        None,
    );
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--force"));
    let r = azmesh(
        &[
            "import",
            "netcfg",
            &fixture("contoso-netcfg.xml"),
            "-o",
            o,
            "--force",
            "--as-resource-manager",
        ],
        None,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let built = dir.join("built");
    let r = azmesh(
        &["build", o, "-o", built.to_str().expect("utf-8 path")],
        None,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    // az JSON to YAML, on standard output
    let r = azmesh(
        &[
            "import",
            "az-vnets",
            &fixture("two-subscriptions-az.json"),
            "--lang",
            "yaml",
        ],
        None,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let r = azmesh(
        &["check", "-", "--lang", "yaml"],
        Some(&String::from_utf8_lossy(&r.stdout)),
    );
    assert_ne!(
        r.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}

#[test]
fn malformed_imports_are_located() {
    let r = azmesh(&["import", "netcfg", &fixture("malformed.xml")], None);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("AZM002") && err.contains("malformed.xml:"),
        "{err}"
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn diff_reports_changes_and_exit_code() {
    let dir = temp_dir("diff");
    let old = write(&dir, "old.kdl", GOOD);
    assert_eq!(
        azmesh(&["diff", &old, &old, "--exit-code"], None)
            .status
            .code(),
        Some(0)
    );
    let changed = GOOD
        .replace("10.1.0.0/16", "10.1.0.0/16\" \"10.9.0.0/16")
        .replace(
            "spoke \"app\" hub=\"hub\"",
            "spoke \"app\" hub=\"hub\" allow-forwarded-traffic=#true",
        );
    let new = write(&dir, "new.kdl", &changed);
    let r = azmesh(&["diff", &old, &new, "--exit-code"], None);
    assert_eq!(r.status.code(), Some(1));
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(text.contains("allowForwardedTraffic"), "{text}");
    assert!(
        text.contains("sync"),
        "address-space change needs a sync: {text}"
    );
    assert!(String::from_utf8_lossy(&r.stderr).contains("AZM070"));
    let r = azmesh(&["diff", &old, &new, "--format", "json"], None);
    assert_eq!(r.status.code(), Some(0));
    serde_json::from_slice::<serde_json::Value>(&r.stdout).expect("json");
    assert_eq!(
        azmesh(&["diff", &old, "/nonexistent.kdl"], None)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn build_since_adds_peering_syncs_to_the_scripts() {
    let dir = temp_dir("since");
    let old = write(&dir, "old.kdl", GOOD);
    let grown = GOOD.replace("\"10.1.0.0/16\"", "\"10.1.0.0/16\" \"10.9.0.0/16\"");
    let new = write(&dir, "new.kdl", &grown);
    let out_dir = dir.join("out");
    let o = out_dir.to_str().expect("utf-8 path");
    let r = azmesh(&["build", &new, "-o", o, "--since", &old], None);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(String::from_utf8_lossy(&r.stderr).contains("AZM070"));
    let sh = std::fs::read_to_string(out_dir.join("az/deploy.sh")).expect("deploy.sh");
    // `app` grew: the hub's link towards it must learn the new prefix.
    assert!(
        sh.contains("az network vnet peering sync --subscription '11111111-1111-1111-1111-111111111111' -g 'rg' --vnet-name 'hub' -n 'hub-to-app'"),
        "{sh}"
    );
    let ps = std::fs::read_to_string(out_dir.join("pwsh/deploy.ps1")).expect("deploy.ps1");
    assert!(ps.contains("Sync-AzVirtualNetworkPeering -ResourceGroupName 'rg' -VirtualNetworkName 'hub' -Name 'hub-to-app'"), "{ps}");
    // Without --since there is nothing to sync.
    let plain = dir.join("plain");
    let r = azmesh(
        &["build", &new, "-o", plain.to_str().expect("utf-8 path")],
        None,
    );
    assert_eq!(r.status.code(), Some(0));
    let sh = std::fs::read_to_string(plain.join("az/deploy.sh")).expect("deploy.sh");
    assert!(!sh.contains("peering sync --"), "no sync without --since");
}
