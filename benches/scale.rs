//! `cargo bench --bench scale`: generated estates of 1,000 and 10,000 VNets
//! (many hubs with gateways, up to 399 spokes each, hub-to-hub mesh, mesh
//! groups across hubs), written in KDL and in YAML; prints parse, analyze
//! (validate + expand + order) and build (all four targets) times, and the
//! peak memory of each run, measured in a fresh child process per size and
//! language so that one run's peak does not hide another's.
//!
//! `cargo bench --bench scale -- N` runs one size, `-- N kdl|yaml` one size
//! in one language in this process; `-- --emit N FILE.kdl` writes the
//! generated estate for inspection.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use azmesh::source::{Lang, Source};

const REGIONS: [&str; 8] = [
    "westeurope",
    "northeurope",
    "eastus",
    "eastus2",
    "westus2",
    "uksouth",
    "francecentral",
    "swedencentral",
];

struct Estate {
    hubs: usize,
    spokes: usize,
}

impl Estate {
    fn new(vnets: usize) -> Estate {
        let hubs = vnets.div_ceil(400).max(1);
        Estate {
            hubs,
            spokes: vnets - hubs,
        }
    }

    /// The first three octets of VNet `i`'s /24.
    fn net(i: usize) -> String {
        format!("10.{}.{}", i / 256, i % 256)
    }

    fn hub_of(&self, spoke: usize) -> usize {
        spoke % self.hubs
    }

    /// Spokes 0..meshed are in mesh groups of five, members from different hubs.
    fn meshes(&self) -> Vec<Vec<usize>> {
        let meshed = (self.spokes / 10) / 5 * 5;
        (0..meshed)
            .collect::<Vec<_>>()
            .chunks(5)
            .map(<[usize]>::to_vec)
            .collect()
    }

    fn kdl(&self) -> String {
        let mut s = String::from(
            "topology \"scale\"\ndefaults location=\"westeurope\" subscription=\"s0\" resource-group=\"rg-net\"\n",
        );
        for h in 0..self.hubs {
            let _ = writeln!(
                s,
                "subscription \"s{h}\" id=\"{:08x}-0000-4000-8000-000000000000\"",
                h + 1
            );
        }
        for h in 0..self.hubs {
            let p = Self::net(h);
            let _ = writeln!(
                s,
                "hub \"hub{h}\" location=\"{}\" subscription=\"s{h}\" resource-group=\"rg-hub{h}\" {{\n    address-space \"{p}.0/24\"\n    subnet \"default\" \"{p}.0/26\"\n    subnet \"GatewaySubnet\" \"{p}.224/27\"\n    gateway \"vgw{h}\" type=\"vpn\" sku=\"VpnGw1AZ\"\n}}",
                REGIONS[h % REGIONS.len()],
            );
        }
        for i in 0..self.spokes {
            let h = self.hub_of(i);
            let p = Self::net(self.hubs + i);
            let _ = writeln!(
                s,
                "spoke \"spoke{i}\" hub=\"hub{h}\" location=\"{}\" subscription=\"s{h}\" resource-group=\"rg-spokes{h}\" {{\n    address-space \"{p}.0/24\"\n    subnet \"app\" \"{p}.0/26\"\n}}",
                REGIONS[h % REGIONS.len()]
            );
        }
        for (m, members) in self.meshes().iter().enumerate() {
            let names: Vec<String> = members.iter().map(|i| format!("\"spoke{i}\"")).collect();
            let _ = writeln!(
                s,
                "mesh \"mesh{m}\" {{\n    members {}\n}}",
                names.join(" ")
            );
        }
        s
    }

    fn yaml(&self) -> String {
        let mut s = String::from(
            "topology: scale\ndefaults: {location: westeurope, subscription: s0, resourceGroup: rg-net}\nsubscriptions:\n",
        );
        for h in 0..self.hubs {
            let _ = writeln!(
                s,
                "  s{h}: {{id: {:08x}-0000-4000-8000-000000000000}}",
                h + 1
            );
        }
        s.push_str("hubs:\n");
        for h in 0..self.hubs {
            let p = Self::net(h);
            let _ = writeln!(
                s,
                "  hub{h}:\n    location: {}\n    subscription: s{h}\n    resourceGroup: rg-hub{h}\n    addressSpace: [{p}.0/24]\n    subnets: {{default: {p}.0/26, GatewaySubnet: {p}.224/27}}\n    gateway: {{name: vgw{h}, type: vpn, sku: VpnGw1AZ}}",
                REGIONS[h % REGIONS.len()],
            );
        }
        s.push_str("spokes:\n");
        for i in 0..self.spokes {
            let h = self.hub_of(i);
            let p = Self::net(self.hubs + i);
            let _ = writeln!(
                s,
                "  spoke{i}:\n    hub: hub{h}\n    location: {}\n    subscription: s{h}\n    resourceGroup: rg-spokes{h}\n    addressSpace: [{p}.0/24]\n    subnets: {{app: {p}.0/26}}",
                REGIONS[h % REGIONS.len()]
            );
        }
        let meshes = self.meshes();
        if !meshes.is_empty() {
            s.push_str("meshes:\n");
            for (m, members) in meshes.iter().enumerate() {
                let names: Vec<String> = members.iter().map(|i| format!("spoke{i}")).collect();
                let _ = writeln!(s, "  mesh{m}: {{members: [{}]}}", names.join(", "));
            }
        }
        s
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        // The previous run's result goes first: peaks are one run's.
        drop(last.take());
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.expect("at least one run"))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// One size in one language, in this process: prints one line.
fn run_one(vnets: usize, lang: Lang) {
    let estate = Estate::new(vnets);
    let text = match lang {
        Lang::Kdl => estate.kdl(),
        Lang::Yaml => estate.yaml(),
    };
    let source = Source::new(format!("scale.{lang}"), text, lang);
    let runs = if vnets > 20_000 { 1 } else { 3 };
    let (parse, (topology, diags)) = best_of(runs, || azmesh::parse::parse(&source));
    assert!(
        diags.is_empty(),
        "generated estate has syntax problems: {:?}",
        &diags[..diags.len().min(3)]
    );
    let (analyze, analysis) = best_of(runs, || azmesh::analyze::analyze(&topology));
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(3)
        .collect();
    assert!(errors.is_empty(), "generated estate has errors: {errors:?}");
    let plan = analysis.plan.expect("an error-free estate has a plan");
    let (build, files) = best_of(runs, || {
        azmesh::render::render(&plan, &azmesh::render::Target::ALL, None).expect("render")
    });
    let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
    println!(
        "{vnets:>7} VNets {lang:<4} {:>5.1} MB input: parse {:>9}  analyze {:>9}  parse+analyze {:>9}  build {:>9} ({} files, {:.1} MB)  links {:>6}  peak RSS {:.0} MB",
        source.text.len() as f64 / 1e6,
        ms(parse),
        ms(analyze),
        ms(parse + analyze),
        ms(build),
        files.len(),
        bytes as f64 / 1e6,
        plan.links.len(),
        peak_rss_kib() as f64 / 1024.0
    );
    if lang == Lang::Kdl {
        // Each target alone (ARM and Bicep each compute the layout,
        // az and pwsh the script context, that `render` shares).
        let alone: Vec<String> = azmesh::render::Target::ALL
            .iter()
            .map(|&t| {
                let (d, _) = best_of(runs, || {
                    azmesh::render::render(&plan, &[t], None).expect("render")
                });
                format!("{t} {}", ms(d))
            })
            .collect();
        println!("{:>13} each target alone: {}", "", alone.join(", "));
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [flag, n, path] = args.as_slice()
        && flag == "--emit"
    {
        let estate = Estate::new(n.parse().expect("a number of VNets"));
        let text = if path.ends_with(".yaml") {
            estate.yaml()
        } else {
            estate.kdl()
        };
        std::fs::write(path, text).expect("write the estate");
        return;
    }
    if let [n, lang] = args.as_slice()
        && let Ok(n) = n.parse::<usize>()
    {
        let lang = if lang == "yaml" {
            Lang::Yaml
        } else {
            Lang::Kdl
        };
        run_one(n, lang);
        return;
    }
    let sizes: Vec<usize> = match args.first().and_then(|a| a.parse().ok()) {
        Some(n) => vec![n],
        None => vec![1_000, 10_000],
    };
    let exe = std::env::current_exe().expect("own path");
    for n in sizes {
        for lang in ["kdl", "yaml"] {
            let status = Command::new(&exe)
                .args([n.to_string(), lang.to_string()])
                .status()
                .expect("child run");
            assert!(status.success(), "the {n}-VNet {lang} run failed");
        }
    }
}
