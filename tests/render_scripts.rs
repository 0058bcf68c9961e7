//! The az bash and PowerShell scripts rendered from the fixture plans
//! (`sample_plan(false)` and the hostile `sample_plan(true)`).
//!
//! deploy.sh is checked by bash itself: `bash -n`, shellcheck when
//! installed, a `DRY_RUN=1` run whose printed (shell-quoted) commands are
//! read back by bash, and real runs against a stub `az` that records its
//! argv. From those argv the set of peering links (VNet, name, remote id,
//! the four flags, subscription) must equal `plan.links`, and the hostile
//! tags must arrive byte for byte. deploy.ps1 (no PowerShell here) is read
//! with a small tokenizer of its verbatim strings. The outputs are also
//! written under the target tmp dir for the oracle
//! (`/work/shared/oracle/check-outputs -v --literals FILE DIR`).

mod common;

use common::syntax_error;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use azmesh::plan::{Plan, Tags};
use azmesh::render::fixture::{HOSTILE, sample_plan};
use azmesh::render::{Target, render};

fn rendered(plan: &Plan, target: Target) -> String {
    let files = render(plan, &[target], None).expect("renders");
    assert_eq!(files.len(), 1, "one file per script target");
    files[0].contents.clone()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("render-scripts")
        .join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn write_script(plan: &Plan, name: &str) -> PathBuf {
    let path = out_dir(name).join("deploy.sh");
    std::fs::write(&path, rendered(plan, Target::Az)).expect("write");
    path
}

/// A link as the scripts say it: (VNet, link, remote id, access, forwarded,
/// gateway transit, remote gateways, subscription id).
type LinkKey = (String, String, String, bool, bool, bool, bool, String);

fn expected_links(plan: &Plan) -> BTreeSet<LinkKey> {
    plan.links
        .iter()
        .map(|l| {
            (
                l.local.clone(),
                l.name.clone(),
                l.remote_id.clone(),
                l.allow_virtual_network_access,
                l.allow_forwarded_traffic,
                l.allow_gateway_transit,
                l.use_remote_gateways,
                plan.units[l.unit].subscription_id.clone(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- bash

/// The value after `flag` in `argv`.
fn flag<'a>(argv: &'a [String], flag: &str) -> Option<&'a str> {
    argv.iter()
        .position(|a| a == flag)
        .and_then(|i| argv.get(i + 1))
        .map(String::as_str)
}

/// The values after `flag` up to the next `-x` word.
fn flag_values<'a>(argv: &'a [String], flag: &str) -> Vec<&'a str> {
    let Some(i) = argv.iter().position(|a| a == flag) else {
        return Vec::new();
    };
    argv[i + 1..]
        .iter()
        .take_while(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect()
}

fn bool_flag(argv: &[String], name: &str) -> bool {
    match flag(argv, name) {
        Some("true") => true,
        Some("false") => false,
        other => panic!("{name} is {other:?} in {argv:?}"),
    }
}

fn starts(argv: &[String], words: &[&str]) -> bool {
    argv.len() >= words.len() && argv.iter().zip(words).all(|(a, w)| a == w)
}

/// Splits NUL-separated argv records (a record ends with an empty field).
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).expect("utf-8 argv");
    let mut calls = Vec::new();
    let mut current = Vec::new();
    for field in text.split('\0') {
        if field.is_empty() {
            if !current.is_empty() {
                calls.push(std::mem::take(&mut current));
            }
        } else {
            current.push(field.to_string());
        }
    }
    calls
}

/// Runs deploy.sh with `DRY_RUN=1` and reads every printed command back
/// through bash (the lines are `printf %q` words).
fn dry_run(script: &Path) -> Vec<Vec<String>> {
    let out = Command::new("bash")
        .arg("-c")
        .arg(
            r#"set -euo pipefail
DRY_RUN=1 bash "$1" > "$1.dry"
while IFS= read -r line; do
  [[ $line == +* ]] || { echo "not a command line: $line" >&2; exit 1; }
  eval "set -- ${line#+}"
  printf '%s\0' "$@"
  printf '\0'
done < "$1.dry""#,
        )
        .arg("_")
        .arg(script)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "dry run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    records(&out.stdout)
}

/// A directory with a stub `az` that records each call's argv in its own
/// file; `show` exits with `$AZ_SHOW_RC`, and a call whose argv holds
/// `$AZ_FAIL_WORD` and `create` fails.
fn stub_dir(name: &str) -> PathBuf {
    let dir = out_dir(name);
    let bin = dir.join("bin");
    let log = dir.join("calls");
    let _ = std::fs::remove_dir_all(&log);
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::create_dir_all(&log).expect("mkdir");
    let stub = bin.join("az");
    std::fs::write(
        &stub,
        r#"#!/usr/bin/env bash
f=$(mktemp "$AZ_LOG_DIR/call.XXXXXXXX")
printf '%s\0' "$@" > "$f"
printf '\0' >> "$f"
create=0; fail=0
for a in "$@"; do
  [[ $a == show ]] && exit "${AZ_SHOW_RC:-1}"
  [[ $a == create ]] && create=1
  [[ -n ${AZ_FAIL_WORD:-} && $a == "$AZ_FAIL_WORD" ]] && fail=1
done
if [[ $create == 1 && $fail == 1 ]]; then echo "stub az: failing on purpose" >&2; exit 3; fi
exit 0
"#,
    )
    .expect("write stub");
    let chmod = Command::new("chmod")
        .arg("+x")
        .arg(&stub)
        .status()
        .expect("chmod");
    assert!(chmod.success());
    dir
}

/// Runs deploy.sh for real against the stub; returns (success, calls).
fn stub_run(script: &Path, dir: &Path, envs: &[(&str, &str)]) -> (bool, Vec<Vec<String>>) {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .env("PATH", path)
        .env("AZ_LOG_DIR", dir.join("calls"))
        .env_remove("DRY_RUN");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash runs");
    let mut calls = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("calls"))
        .expect("calls dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for f in files {
        calls.extend(records(&std::fs::read(f).expect("read call")));
    }
    (out.status.success(), calls)
}

/// The links created by the az calls (peering create and, for classic
/// remotes, the generic `az resource create`).
fn created_links(calls: &[Vec<String>]) -> BTreeSet<LinkKey> {
    let mut links = BTreeSet::new();
    for c in calls {
        let sub = flag(c, "--subscription").expect("every call names its subscription");
        if starts(c, &["network", "vnet", "peering", "create"]) {
            links.insert((
                flag(c, "--vnet-name").expect("vnet").to_string(),
                flag(c, "-n").expect("name").to_string(),
                flag(c, "--remote-vnet").expect("remote").to_string(),
                bool_flag(c, "--allow-vnet-access"),
                bool_flag(c, "--allow-forwarded-traffic"),
                bool_flag(c, "--allow-gateway-transit"),
                bool_flag(c, "--use-remote-gateways"),
                sub.to_string(),
            ));
        } else if starts(c, &["resource", "create"]) {
            assert_eq!(
                flag(c, "--resource-type"),
                Some("Microsoft.Network/virtualNetworks/virtualNetworkPeerings")
            );
            let (vnet, name) = flag(c, "-n")
                .and_then(|n| n.split_once('/'))
                .expect("vnet/link");
            let p: serde_json::Value =
                serde_json::from_str(flag(c, "--properties").expect("properties"))
                    .expect("properties JSON");
            let b = |k: &str| p[k].as_bool().expect("bool property");
            links.insert((
                vnet.to_string(),
                name.to_string(),
                p["remoteVirtualNetwork"]["id"]
                    .as_str()
                    .expect("id")
                    .to_string(),
                b("allowVirtualNetworkAccess"),
                b("allowForwardedTraffic"),
                b("allowGatewayTransit"),
                b("useRemoteGateways"),
                sub.to_string(),
            ));
        }
    }
    links
}

fn json_tags(text: &str) -> Tags {
    serde_json::from_str(text).expect("tags are a JSON object of strings")
}

#[test]
fn deploy_sh_passes_bash_n() {
    for hostile in [false, true] {
        let script = write_script(&sample_plan(hostile), &format!("bash-n-{hostile}"));
        let out = Command::new("bash")
            .arg("-n")
            .arg(&script)
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn deploy_sh_passes_shellcheck_when_installed() {
    if Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("shellcheck is not installed: skipping the shellcheck test");
        return;
    }
    for hostile in [false, true] {
        let script = write_script(&sample_plan(hostile), &format!("shellcheck-{hostile}"));
        // SC1110-SC1112 flag typographic quotes even inside single quotes,
        // where they are plain text (the hostile fixture has them on purpose).
        let out = Command::new("shellcheck")
            .args(["-S", "warning", "-e", "SC1110,SC1111,SC1112"])
            .arg(&script)
            .output()
            .expect("shellcheck runs");
        assert!(
            out.status.success(),
            "shellcheck: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn dry_run_prints_exactly_the_plan_links() {
    for hostile in [false, true] {
        let plan = sample_plan(hostile);
        let calls = dry_run(&write_script(&plan, &format!("dry-{hostile}")));
        assert!(calls.iter().all(|c| c.first().is_some_and(|w| w == "az")));
        let argv: Vec<Vec<String>> = calls.into_iter().map(|c| c[1..].to_vec()).collect();
        assert_eq!(created_links(&argv), expected_links(&plan));
    }
}

#[test]
fn dry_run_carries_hostile_tags_literally() {
    let plan = sample_plan(true);
    let calls = dry_run(&write_script(&plan, "dry-tags"));
    let mut vnets_seen = 0;
    let mut groups_seen = 0;
    let mut pips_seen = 0;
    let mut json_seen = 0;
    for c in &calls {
        let c = &c[1..];
        if starts(c, &["network", "vnet", "create"]) {
            let name = flag(c, "-n").expect("name");
            let vnet = plan.vnet(name).expect("a plan VNet");
            assert_eq!(json_tags(flag(c, "--tags").expect("tags")), vnet.tags);
            assert!(vnet.tags.values().any(|v| v == HOSTILE));
            vnets_seen += 1;
        }
        let words = || -> Vec<String> {
            flag_values(c, "--tags")
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        let as_words =
            |tags: &Tags| -> Vec<String> { tags.iter().map(|(k, v)| format!("{k}={v}")).collect() };
        if starts(c, &["group", "create"]) {
            assert_eq!(words(), as_words(&plan.tags));
            groups_seen += 1;
        }
        if starts(c, &["network", "public-ip", "create"]) {
            let vnet = plan.vnet("hub-weu").expect("hub");
            assert_eq!(words(), as_words(&vnet.tags));
            pips_seen += 1;
        }
        for cmd in [
            &["network", "route-table", "create"][..],
            &["network", "vnet-gateway", "create"][..],
        ] {
            if starts(c, cmd) {
                let tags = json_tags(flag(c, "--tags").expect("tags"));
                assert!(tags.values().any(|v| v == HOSTILE));
                json_seen += 1;
            }
        }
    }
    assert_eq!(vnets_seen, 4);
    assert_eq!(groups_seen, 3);
    assert_eq!(pips_seen, 1);
    assert_eq!(json_seen, 3);
}

#[test]
fn stub_run_creates_missing_resources_and_the_plan_links() {
    for hostile in [false, true] {
        let plan = sample_plan(hostile);
        let script = write_script(&plan, &format!("stub-create-{hostile}"));
        let dir = stub_dir(&format!("stub-create-{hostile}"));
        let (ok, calls) = stub_run(&script, &dir, &[("AZ_SHOW_RC", "1")]);
        assert!(ok, "the script succeeds when every az call does");
        assert_eq!(created_links(&calls), expected_links(&plan));
        // Every route of every table is written; every VNet is created once.
        let routes = calls
            .iter()
            .filter(|c| starts(c, &["network", "route-table", "route", "create"]))
            .count();
        assert_eq!(
            routes,
            plan.route_tables
                .iter()
                .map(|t| t.routes.len())
                .sum::<usize>()
        );
        let vnet_creates: BTreeSet<&str> = calls
            .iter()
            .filter(|c| starts(c, &["network", "vnet", "create"]))
            .filter_map(|c| flag(c, "-n"))
            .collect();
        let managed: BTreeSet<&str> = plan
            .vnets
            .iter()
            .filter(|v| v.kind.is_managed())
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(vnet_creates, managed);
    }
}

#[test]
fn stub_run_updates_existing_resources_in_place() {
    let plan = sample_plan(true);
    let script = write_script(&plan, "stub-update");
    let dir = stub_dir("stub-update");
    let (ok, calls) = stub_run(&script, &dir, &[("AZ_SHOW_RC", "0")]);
    assert!(ok);
    assert!(
        !calls
            .iter()
            .any(|c| starts(c, &["network", "vnet", "create"])
                || starts(c, &["network", "vnet", "peering", "create"])
                || starts(c, &["group", "create"])),
        "nothing that exists is created again"
    );
    let mut updated = BTreeSet::new();
    for c in &calls {
        if starts(c, &["network", "vnet", "peering", "update"]) {
            let vnet = flag(c, "--vnet-name").expect("vnet");
            let name = flag(c, "-n").expect("name");
            let l = plan
                .links
                .iter()
                .find(|l| l.local == vnet && l.name == name)
                .expect("a plan link");
            assert_eq!(
                (
                    bool_flag(c, "--allow-vnet-access"),
                    bool_flag(c, "--allow-forwarded-traffic"),
                    bool_flag(c, "--allow-gateway-transit"),
                    bool_flag(c, "--use-remote-gateways"),
                ),
                (
                    l.allow_virtual_network_access,
                    l.allow_forwarded_traffic,
                    l.allow_gateway_transit,
                    l.use_remote_gateways
                )
            );
            updated.insert(name.to_string());
        }
        if starts(c, &["network", "vnet", "update"]) {
            let vnet = plan.vnet(flag(c, "-n").expect("name")).expect("plan VNet");
            let set = flag(c, "--set").expect("tags via --set");
            let json = set.strip_prefix("tags=").expect("tags=JSON");
            assert_eq!(json_tags(json), vnet.tags);
        }
    }
    let non_classic = plan.links.iter().filter(|l| !l.remote_classic).count();
    assert_eq!(updated.len(), non_classic);
}

#[test]
fn a_failed_parallel_link_fails_the_script_before_the_next_wave() {
    let plan = sample_plan(false);
    let script = write_script(&plan, "stub-fail");
    let dir = stub_dir("stub-fail");
    let (ok, calls) = stub_run(
        &script,
        &dir,
        &[("AZ_SHOW_RC", "1"), ("AZ_FAIL_WORD", "app1-to-hub-weu")],
    );
    assert!(!ok, "a failed background job fails the script");
    // The sibling job of the same wave still ran; the classic link (a later
    // wave) did not.
    assert!(calls.iter().any(|c| {
        starts(c, &["network", "vnet", "peering", "create"])
            && flag(c, "-n") == Some("hub-weu-to-app2")
    }));
    assert!(!calls.iter().any(|c| starts(c, &["resource", "create"])));
}

#[test]
fn deploy_sh_runs_links_of_different_vnets_as_jobs() {
    let text = rendered(&sample_plan(false), Target::Az);
    assert!(text.contains(" &\npids+=(\"$!\")"));
    assert!(text.contains("wait_for_jobs \"${pids[@]}\""));
    assert!(text.contains("az network vnet-gateway create") && text.contains("--no-wait"));
    assert!(text.contains("az network vnet-gateway wait"));
    assert!(
        text.contains("# ===== peering sync: none"),
        "no sync without --since"
    );
}

// ---------------------------------------------------------------- pwsh

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A decoded verbatim string.
    Str(String),
    /// Anything else up to whitespace (`-Name`, `$vnet`, `@{`, `=`, `;`).
    Bare(String),
}

/// Tokens of one PowerShell command starting at `start`, up to the end of
/// its line (a newline inside a string does not end it). Verbatim strings
/// are decoded: `''` and doubled typographic single quotes are one quote.
fn ps_command(text: &str, start: usize) -> Vec<Tok> {
    let is_quote = |c: char| matches!(c, '\'' | '\u{2018}'..='\u{201B}');
    let mut toks = Vec::new();
    let mut chars = text[start..].chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == '\n' {
            break;
        }
        if c == ' ' {
            chars.next();
            continue;
        }
        if is_quote(c) {
            chars.next();
            let mut s = String::new();
            while let Some(c) = chars.next() {
                if is_quote(c) {
                    if chars.peek().is_some_and(|&n| is_quote(n)) {
                        s.push(chars.next().expect("peeked"));
                    } else {
                        break;
                    }
                } else {
                    s.push(c);
                }
            }
            toks.push(Tok::Str(s));
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c == ' ' || c == '\n' || (is_quote(c) && !s.ends_with(':')) {
                    break;
                }
                if c == ';' && !s.is_empty() {
                    break;
                }
                s.push(c);
                chars.next();
                if c == ';' {
                    break;
                }
            }
            toks.push(Tok::Bare(s));
        }
    }
    toks
}

fn ps_param(toks: &[Tok], name: &str) -> Option<Tok> {
    toks.iter()
        .position(|t| *t == Tok::Bare(name.to_string()))
        .and_then(|i| toks.get(i + 1).cloned())
}

fn ps_str(toks: &[Tok], name: &str) -> String {
    match ps_param(toks, name) {
        Some(Tok::Str(s)) => s,
        other => panic!("{name} is {other:?} in {toks:?}"),
    }
}

/// Where the call lines of the script's own function `name` start (a call
/// is a line that begins with the name; the definition is
/// `function name {`).
fn ps_calls(text: &str, name: &str) -> Vec<usize> {
    let call = format!("{name} ");
    let mut at = 0;
    let mut starts = Vec::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with(&call) {
            starts.push(at);
        }
        at += line.len();
    }
    starts
}

/// The `@{ 'k' = 'v'; ... }` that ends a call (the `Tag` argument).
fn ps_last_tags(toks: &[Tok]) -> Tags {
    let i = toks
        .iter()
        .rposition(|t| *t == Tok::Bare("@{".into()))
        .expect("a tags hashtable");
    let mut tags = BTreeMap::new();
    let mut j = i + 1;
    while toks[j] != Tok::Bare("}".into()) {
        match (&toks[j], &toks[j + 1], &toks[j + 2], &toks[j + 3]) {
            (Tok::Str(k), Tok::Bare(eq), Tok::Str(v), Tok::Bare(semi))
                if eq == "=" && semi == ";" =>
            {
                tags.insert(k.clone(), v.clone());
            }
            other => panic!("not a tag entry: {other:?}"),
        }
        j += 4;
    }
    tags
}

fn ps_arg_str(toks: &[Tok], i: usize) -> String {
    match toks.get(i) {
        Some(Tok::Str(s)) => s.clone(),
        other => panic!("argument {i} is {other:?} in {toks:?}"),
    }
}

fn ps_arg_bool(toks: &[Tok], i: usize) -> bool {
    match toks.get(i) {
        Some(Tok::Bare(b)) if b == "$true" => true,
        Some(Tok::Bare(b)) if b == "$false" => false,
        other => panic!("argument {i} is {other:?} in {toks:?}"),
    }
}

/// The body of the script's function `name`, up to the next function.
fn ps_function<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("\nfunction {name} {{\n"))
        .expect("the function is defined");
    let end = text[start + 1..]
        .find("\n}\n")
        .map_or(text.len(), |e| start + 1 + e + 3);
    &text[start..end]
}

#[test]
fn deploy_ps1_adds_exactly_the_plan_links() {
    for hostile in [false, true] {
        let plan = sample_plan(hostile);
        let text = rendered(&plan, Target::Pwsh);
        // The arguments of an `ensure_link` line bind, in order, to these
        // parameters, and the function adds the peering from exactly them.
        let function = ps_function(&text, "ensure_link");
        assert!(function.contains(
            "param([string]$ResourceGroup, [string]$VnetName, [string]$Name, [string]$RemoteId, [bool]$AllowVnetAccess, [bool]$AllowForwardedTraffic, [bool]$AllowGatewayTransit, [bool]$UseRemoteGateways)"
        ));
        assert!(function.contains(
            "$vnet = Get-AzVirtualNetwork -Name $VnetName -ResourceGroupName $ResourceGroup\n"
        ));
        assert!(function.contains("$block = -not $AllowVnetAccess\n"));
        assert!(function.contains(
            "Add-AzVirtualNetworkPeering -Name $Name -VirtualNetwork $vnet -RemoteVirtualNetworkId $RemoteId -BlockVirtualNetworkAccess:$block -AllowForwardedTraffic:$AllowForwardedTraffic -AllowGatewayTransit:$AllowGatewayTransit -UseRemoteGateways:$UseRemoteGateways"
        ));
        let mut found = BTreeSet::new();
        let mut subscription = String::new();
        let mut events: Vec<(usize, &str)> = ps_calls(&text, "Set-AzContext")
            .into_iter()
            .map(|i| (i, "ctx"))
            .chain(
                ps_calls(&text, "ensure_link")
                    .into_iter()
                    .map(|i| (i, "link")),
            )
            .collect();
        events.sort_unstable();
        for (i, kind) in events {
            let toks = ps_command(&text, i);
            if kind == "ctx" {
                subscription = ps_str(&toks, "-Subscription");
                continue;
            }
            assert_eq!(toks.len(), 9, "{toks:?}");
            found.insert((
                ps_arg_str(&toks, 2),
                ps_arg_str(&toks, 3),
                ps_arg_str(&toks, 4),
                ps_arg_bool(&toks, 5),
                ps_arg_bool(&toks, 6),
                ps_arg_bool(&toks, 7),
                ps_arg_bool(&toks, 8),
                subscription.clone(),
            ));
        }
        assert_eq!(found, expected_links(&plan));
    }
}

#[test]
fn deploy_ps1_carries_hostile_tags_literally() {
    let plan = sample_plan(true);
    let text = rendered(&plan, Target::Pwsh);
    let vnet_fn = ps_function(&text, "ensure_vnet");
    assert!(vnet_fn.contains("[hashtable]$Tag)"));
    assert!(vnet_fn.contains("-Tag $Tag | Out-Null"));
    assert!(vnet_fn.contains("$vnet.Tag = $Tag\n"));
    let mut seen = 0;
    for i in ps_calls(&text, "ensure_vnet") {
        let toks = ps_command(&text, i);
        let vnet = plan.vnet(&ps_arg_str(&toks, 2)).expect("plan VNet");
        assert_eq!(ps_last_tags(&toks), vnet.tags);
        seen += 1;
    }
    assert_eq!(seen, 4);
    let mut groups = 0;
    for i in ps_calls(&text, "ensure_group") {
        assert_eq!(ps_last_tags(&ps_command(&text, i)), plan.tags);
        groups += 1;
    }
    assert_eq!(groups, 3);
}

#[test]
fn deploy_ps1_guards_every_change_with_should_process() {
    let text = rendered(&sample_plan(false), Target::Pwsh);
    assert!(text.contains("[CmdletBinding(SupportsShouldProcess)]\nparam()"));
    assert!(text.contains("$ErrorActionPreference = 'Stop'"));
    // Every changing cmdlet sits in a block opened by ShouldProcess: track
    // the innermost open blocks by indentation.
    let changing = [
        "New-Az",
        "Set-AzVirtualNetwork",
        "Add-Az",
        "Set-AzRouteTable",
        "Set-AzRouteConfig",
        "Set-AzVirtualNetworkPeering",
    ];
    let mut guarded_depths: Vec<usize> = Vec::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        guarded_depths.retain(|&d| d < indent);
        let trimmed = line.trim_start();
        if trimmed.contains("$PSCmdlet.ShouldProcess(") {
            guarded_depths.push(indent);
        }
        if changing.iter().any(|c| trimmed.starts_with(c)) {
            assert!(
                !guarded_depths.is_empty(),
                "not guarded by ShouldProcess: {line}"
            );
        }
    }
}

// ---------------------------------------------------------------- both

#[test]
fn scripts_are_deterministic() {
    for hostile in [false, true] {
        let plan = sample_plan(hostile);
        for target in [Target::Az, Target::Pwsh] {
            assert_eq!(rendered(&plan, target), rendered(&plan, target));
        }
    }
}

#[test]
fn header_states_units_roles_and_no_text_escapes_a_comment() {
    let plan = sample_plan(true);
    for target in [Target::Az, Target::Pwsh] {
        let text = rendered(&plan, target);
        assert!(text.contains("Network Contributor"));
        assert!(text.contains("Classic Network Contributor"));
        assert!(text.contains("apps/rg-spokes"));
        // The topology name holds a newline: the header shows it escaped.
        assert!(text.contains("[concat('a')] \u{2018}x\u{2019} \u{201C}y\u{201D}\\nline2"));
        // Everything before the first statement is comment.
        let first_code = text
            .lines()
            .position(|l| l.starts_with("set -euo") || l.starts_with("[CmdletBinding"))
            .expect("a first statement");
        assert!(text.lines().take(first_code).all(|l| l.starts_with('#')));
    }
}

/// Writes both scripts of both fixtures and the hostile texts, for the
/// oracle: `check-outputs -v --literals <dir>/literals.json <dir>/hostile`.
#[test]
fn outputs_are_written_for_the_oracle() {
    let dir = out_dir("oracle");
    for (name, hostile) in [("plain", false), ("hostile", true)] {
        let plan = sample_plan(hostile);
        for f in render(&plan, &[Target::Az, Target::Pwsh], None).expect("renders") {
            let path = dir.join(name).join(&f.path);
            std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
            std::fs::write(&path, &f.contents).expect("write");
        }
    }
    let literals = serde_json::json!([HOSTILE, "[resourceGroup().id]", "[concat('k')]"]);
    std::fs::write(dir.join("literals.json"), literals.to_string()).expect("write");
    assert!(dir.join("hostile/pwsh/deploy.ps1").is_file());
}

// ---------------------------------------------------------------- variants

/// The fixture with two tenants (every conn <-> apps link is cross-tenant),
/// an ExpressRoute gateway and a route server on hub-neu (their steps
/// appended after everything else).
fn variant_plan() -> Plan {
    use azmesh::plan::{PlanGateway, PlanRouteServer, Resource, Step};
    let mut plan = sample_plan(false);
    let tenant = |alias: &str| {
        if alias == "conn" {
            "aaaaaaaa-0000-0000-0000-00000000000a".to_string()
        } else {
            "bbbbbbbb-0000-0000-0000-00000000000b".to_string()
        }
    };
    for s in &mut plan.subscriptions {
        s.tenant = Some(tenant(&s.alias));
    }
    for u in &mut plan.units {
        u.tenant = Some(tenant(&u.subscription));
    }
    for v in &mut plan.vnets {
        v.tenant = Some(tenant(&v.subscription));
    }
    let subs: BTreeMap<String, String> = plan
        .vnets
        .iter()
        .map(|v| (v.name.clone(), v.subscription.clone()))
        .collect();
    for l in &mut plan.links {
        l.cross_tenant = subs[&l.local] != subs[&l.remote];
    }
    let last = plan.order.steps.len() - 1;
    let wave = plan.order.steps.iter().map(|s| s.wave).max().unwrap_or(0);
    let hub = plan
        .vnets
        .iter_mut()
        .find(|v| v.name == "hub-neu")
        .expect("hub-neu");
    hub.gateway = Some(PlanGateway {
        name: "ergw-neu".into(),
        gateway_type: "ExpressRoute".into(),
        sku: "ErGw1AZ".into(),
        public_ip: "ergw-neu-pip".into(),
    });
    hub.route_server = Some(PlanRouteServer {
        name: "rs-neu".into(),
        public_ip: "rs-neu-pip".into(),
    });
    let vnet = "hub-neu".to_string();
    let steps = [
        (
            Resource::PublicIp {
                vnet: vnet.clone(),
                name: "ergw-neu-pip".into(),
            },
            vec![last],
        ),
        (
            Resource::Gateway {
                vnet: vnet.clone(),
                name: "ergw-neu".into(),
            },
            vec![last + 1],
        ),
        (
            Resource::PublicIp {
                vnet: vnet.clone(),
                name: "rs-neu-pip".into(),
            },
            vec![last],
        ),
        (
            Resource::RouteServer {
                vnet,
                name: "rs-neu".into(),
            },
            vec![last + 3],
        ),
    ];
    for (resource, after) in steps {
        let w = after
            .iter()
            .map(|&a: &usize| {
                if a == last {
                    wave
                } else {
                    plan.order.steps[a].wave
                }
            })
            .max()
            .unwrap_or(0)
            + 1;
        plan.order.steps.push(Step {
            resource,
            after,
            wave: w,
        });
    }
    plan
}

#[test]
fn variant_scripts_name_tenants_and_new_resource_kinds() {
    let plan = variant_plan();
    let sh = rendered(&plan, Target::Az);
    assert!(sh.contains("#   az login --tenant aaaaaaaa-0000-0000-0000-00000000000a"));
    assert!(sh.contains("#   az login --tenant bbbbbbbb-0000-0000-0000-00000000000b"));
    assert!(sh.contains("# Cross-tenant: needs a login"));
    assert!(sh.contains("--gateway-type 'ExpressRoute' --sku 'ErGw1AZ'"));
    assert!(!sh.contains("--gateway-type 'ExpressRoute' --vpn-type"));
    assert!(sh.contains("az network routeserver create"));
    // Gateways nobody depends on are waited for at the end.
    let tail = &sh[sh
        .find("# ===== gateways still provisioning")
        .expect("final waits")..];
    assert!(tail.contains("vnet-gateway wait -g 'rg-hub-neu' -n 'ergw-neu'"));
    let ps = rendered(&plan, Target::Pwsh);
    assert!(ps.contains("#   Connect-AzAccount -Tenant aaaaaaaa-0000-0000-0000-00000000000a"));
    assert!(ps.contains(
        "Set-AzContext -Subscription '22222222-2222-2222-2222-222222222222' -Tenant 'bbbbbbbb-0000-0000-0000-00000000000b'"
    ));
    assert!(ps.contains("\nensure_route_server 'rg-hub-neu' 'rs-neu' "));
    let dir = out_dir("oracle");
    for f in render(&plan, &[Target::Az, Target::Pwsh], None).expect("renders") {
        let path = dir.join("variant").join(&f.path);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, &f.contents).expect("write");
    }
    let calls = dry_run(&write_script(&plan, "dry-variant"));
    let argv: Vec<Vec<String>> = calls.into_iter().map(|c| c[1..].to_vec()).collect();
    assert_eq!(created_links(&argv), expected_links(&plan));
}

// ---------------------------------------------------------------- syntax trees

#[test]
fn scripts_parse_without_error_nodes() {
    for plan in [sample_plan(false), sample_plan(true), variant_plan()] {
        let sh = rendered(&plan, Target::Az);
        assert_eq!(syntax_error(&sh, tree_sitter_bash::LANGUAGE.into()), None);
        let ps = rendered(&plan, Target::Pwsh);
        assert_eq!(
            syntax_error(&ps, tree_sitter_powershell::LANGUAGE.into()),
            None
        );
    }
    // The check can fail: an unclosed string is an error.
    assert!(
        syntax_error(
            "Set-AzContext -Subscription 'x\n",
            tree_sitter_powershell::LANGUAGE.into()
        )
        .is_some()
    );
    assert!(syntax_error("if true; then echo 'x\n", tree_sitter_bash::LANGUAGE.into()).is_some());
}

// ---------------------------------------------------------------- edges

#[test]
fn an_empty_plan_renders_scripts_that_do_nothing() {
    let mut plan = sample_plan(false);
    plan.vnets.clear();
    plan.links.clear();
    plan.route_tables.clear();
    plan.order.steps.clear();
    let sh = rendered(&plan, Target::Az);
    assert_eq!(syntax_error(&sh, tree_sitter_bash::LANGUAGE.into()), None);
    let script = write_script(&plan, "empty");
    assert!(dry_run(&script).is_empty());
    let ps = rendered(&plan, Target::Pwsh);
    // The functions are defined, none is called.
    assert!(ps.contains("\nfunction ensure_vnet {\n"));
    assert!(!ps.lines().any(|l| l.starts_with("ensure_")));
    assert!(!ps.contains("Set-AzContext -Sub"));
}

#[test]
fn templates_can_be_overridden_and_a_broken_override_is_an_error() {
    let dir = out_dir("override");
    std::fs::create_dir_all(dir.join("az")).expect("mkdir");
    std::fs::write(
        dir.join("az/deploy.sh"),
        "{% for s in steps %}{{ s.place.resource_group }}\n{% endfor %}",
    )
    .expect("write");
    let files = render(&sample_plan(false), &[Target::Az], Some(&dir)).expect("renders");
    assert!(
        files[0].contents.starts_with("'rg-hub'\n"),
        "escaped by the az formatter"
    );
    std::fs::write(dir.join("az/deploy.sh"), "{% for s in steps %}").expect("write");
    let err = render(&sample_plan(false), &[Target::Az], Some(&dir)).expect_err("broken");
    assert!(err.to_string().contains("az/deploy.sh"), "{err}");
}

#[test]
fn peering_syncs_become_sync_steps_in_both_scripts() {
    let mut plan = sample_plan(false);
    plan.peering_syncs = vec![azmesh::plan::SyncLink {
        vnet: "hub-weu".into(),
        link: "hub-weu-to-app1".into(),
    }];
    let sh = rendered(&plan, Target::Az);
    assert!(
        sh.contains("run az network vnet peering sync --subscription '11111111-1111-1111-1111-111111111111' -g 'rg-hub' --vnet-name 'hub-weu' -n 'hub-weu-to-app1' -o none"),
        "{sh}"
    );
    let ps = rendered(&plan, Target::Pwsh);
    assert!(ps.contains("Sync-AzVirtualNetworkPeering -ResourceGroupName 'rg-hub' -VirtualNetworkName 'hub-weu' -Name 'hub-weu-to-app1'"));
    plan.peering_syncs[0].link = "no-such-link".into();
    assert!(
        azmesh::render::render(&plan, &[Target::Az], None).is_err(),
        "an unknown link is an error, not a panic"
    );
}
