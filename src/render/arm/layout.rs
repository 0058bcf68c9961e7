//! How a plan's creation order becomes deployments (shared by ARM and Bicep).
//!
//! In: a `Plan` (its `order.steps`) and the per-template resource limit.
//! Out: a `Layout`: deployments in a topological order, each holding
//! resource nodes (a VNet with its inline subnets is one node), the
//! node-level `dependsOn` inside it and the deployment-level `dependsOn`.
//!
//! One wait is added to the plan's order: a link waits for its remote VNet
//! when the estate creates it (Azure rejects a peering to a VNet that does
//! not exist yet).
//!
//! The grouping (see the comment at the top of `arm.rs` for the why):
//! - a *container* is a unit's resource group (its creation) or a unit's
//!   resources; `phase(n)` = the largest number of container crossings on
//!   a path to `n`;
//! - starting from one group per container, groups are refined until
//!   stable: a node is *exported* when a node of another group waits for
//!   it; E(n) = the exported nodes of n's container that n is an ancestor
//!   of (or is); F(n) = the nodes of other groups n waits for. Nodes with
//!   the same (container, phase, E, F, previous group) stay together.
//!   A group holding an exported node `e` holds only ancestors of `e`, and
//!   all members of a group wait for the same outside nodes: no resource
//!   waits for anything it does not need.
//! - Along an edge the phase grows, or E shrinks, or F grows, so sorting
//!   groups by (phase, -|E|, |F|) is a topological order: no cycle.
//! - When that gives more than 800 deployments, coarser groupings are
//!   tried (one refinement, then without F, then by phase only).
//! - A group holding more ARM resources than the limit is cut into chunks
//!   in topological order; each chunk is its own deployment.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::plan::{Plan, Resource};
use crate::render::RenderError;

/// One thing written into a template (a VNet includes its subnets; a
/// route server is a virtual hub plus its IP configuration).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    ResourceGroup { unit: usize },
    Vnet { vnet: String },
    PublicIp { vnet: String, name: String },
    Gateway { vnet: String, name: String },
    RouteServer { vnet: String, name: String },
    RouteTable { name: String },
    Link { vnet: String, name: String },
}

impl Node {
    fn of(resource: &Resource) -> Node {
        match resource {
            Resource::ResourceGroup { unit } => Node::ResourceGroup { unit: *unit },
            Resource::Vnet { vnet } | Resource::Subnet { vnet, .. } => {
                Node::Vnet { vnet: vnet.clone() }
            }
            Resource::PublicIp { vnet, name } => Node::PublicIp {
                vnet: vnet.clone(),
                name: name.clone(),
            },
            Resource::Gateway { vnet, name } => Node::Gateway {
                vnet: vnet.clone(),
                name: name.clone(),
            },
            Resource::RouteServer { vnet, name } => Node::RouteServer {
                vnet: vnet.clone(),
                name: name.clone(),
            },
            Resource::RouteTable { name } => Node::RouteTable { name: name.clone() },
            Resource::Link { vnet, name } => Node::Link {
                vnet: vnet.clone(),
                name: name.clone(),
            },
        }
    }

    /// How many ARM resources the node writes.
    #[must_use]
    pub fn arm_resources(&self) -> usize {
        match self {
            Node::RouteServer { .. } => 2,
            _ => 1,
        }
    }
}

/// What a deployment creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeploymentKind {
    /// A subscription-scoped deployment creating the unit's resource group.
    ResourceGroup,
    /// A resource-group-scoped deployment of the unit's resources.
    Resources,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub kind: DeploymentKind,
    /// Index into `Plan::units`.
    pub unit: usize,
    /// 1-based number among the unit's resource deployments (0 for the
    /// resource group's).
    pub ordinal: usize,
    /// Deployment name: 1-64 characters of `[-\w._()]`, unique.
    pub name: String,
    /// File-safe stem, unique (Bicep module / linked template file).
    pub stem: String,
    pub nodes: Vec<Node>,
    /// For each node, the indices (into `nodes`) of the nodes it waits for.
    pub node_depends_on: Vec<Vec<usize>>,
    /// Indices into `Layout::deployments` (all earlier), transitively reduced.
    pub depends_on: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub deployments: Vec<Deployment>,
}

/// The most ARM resources one template may hold.
pub const MAX_RESOURCES: usize = 800;

fn bug(message: impl Into<String>) -> RenderError {
    RenderError {
        template: "arm layout".to_string(),
        message: message.into(),
    }
}

/// The unit (index) a node lives in.
fn unit_of(plan: &Plan, node: &Node) -> Result<usize, RenderError> {
    let vnet_unit = |name: &str| {
        plan.vnet(name)
            .map(|v| v.unit)
            .ok_or_else(|| bug(format!("the order names VNet {name}, which the plan lacks")))
    };
    let unit = match node {
        Node::ResourceGroup { unit } => *unit,
        Node::Vnet { vnet }
        | Node::PublicIp { vnet, .. }
        | Node::Gateway { vnet, .. }
        | Node::RouteServer { vnet, .. } => vnet_unit(vnet)?,
        Node::RouteTable { name } => super::context::route_table(plan, name)?.unit,
        Node::Link { vnet, name } => super::context::link(plan, vnet, name)?.unit,
    };
    if unit >= plan.units.len() {
        return Err(bug(format!("unit index {unit} is out of range")));
    }
    Ok(unit)
}

/// Container: (unit, is the resource group's creation).
type Container = (usize, bool);

/// Computes the deployments of `plan`, each holding at most
/// `max_resources` ARM resources.
pub fn layout(plan: &Plan, max_resources: usize) -> Result<Layout, RenderError> {
    let max_resources = max_resources.max(2);
    // Nodes in first-step order, and the step -> node map.
    let mut nodes: Vec<Node> = Vec::new();
    let mut index: BTreeMap<Node, usize> = BTreeMap::new();
    let mut step_node = Vec::with_capacity(plan.order.steps.len());
    for step in &plan.order.steps {
        let node = Node::of(&step.resource);
        let i = *index.entry(node.clone()).or_insert_with(|| {
            nodes.push(node);
            nodes.len() - 1
        });
        step_node.push(i);
    }
    let n = nodes.len();
    let mut preds: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (s, step) in plan.order.steps.iter().enumerate() {
        let to = step_node[s];
        for &a in &step.after {
            let from = *step_node
                .get(a)
                .ok_or_else(|| bug(format!("step {s} waits for unknown step {a}")))?;
            if from != to {
                preds[to].insert(from);
            }
        }
    }
    // Defensive, only ever delays: a link also waits for its remote VNet
    // when this estate creates it (a peering to a VNet that does not exist
    // yet fails; the plan's order leaves that wait out).
    for (i, node) in nodes.iter().enumerate() {
        if let Node::Link { vnet, name } = node {
            let remote = &super::context::link(plan, vnet, name)?.remote;
            if let Some(&r) = index.get(&Node::Vnet {
                vnet: remote.clone(),
            }) && r != i
            {
                preds[i].insert(r);
            }
        }
    }
    let topo = topological(&preds)?;
    let mut succs: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (to, ps) in preds.iter().enumerate() {
        for &from in ps {
            succs[from].insert(to);
        }
    }
    let mut container: Vec<Container> = Vec::with_capacity(n);
    for node in &nodes {
        container.push((
            unit_of(plan, node)?,
            matches!(node, Node::ResourceGroup { .. }),
        ));
    }
    let mut phase = vec![0usize; n];
    for &v in &topo {
        phase[v] = preds[v]
            .iter()
            .map(|&p| phase[p] + usize::from(container[p] != container[v]))
            .max()
            .unwrap_or(0);
    }
    let graph = Graph {
        nodes: &nodes,
        preds: &preds,
        succs: &succs,
        topo: &topo,
        container: &container,
        phase: &phase,
    };
    // The finest grouping whose deployments fit in one entry template
    // (the exact one only when the per-unit one fits: it is never coarser).
    let fits = |c: &Vec<(Container, Vec<usize>)>| c.len() <= max_resources;
    let grouped =
        |granularity| groups(&graph, granularity).map(|ids| chunk(&graph, &ids, max_resources));
    // The per-unit grouping refines the one by exports (same E, plus F),
    // so it has at least as many groups: when that one already has too
    // many, the costlier per-unit refinement is not computed.
    let exports = groups(&graph, Granularity::Exports).unwrap_or_default();
    let by_units = (distinct(&exports) <= max_resources)
        .then(|| grouped(Granularity::Units))
        .flatten()
        .filter(|c| fits(c));
    let chunks = if let Some(by_units) = by_units {
        let exact = (n <= EXACT_MAX_NODES)
            .then(|| grouped(Granularity::Exact))
            .flatten()
            .filter(|c| fits(c));
        exact.unwrap_or(by_units)
    } else {
        let by_exports = chunk(&graph, &exports, max_resources);
        if fits(&by_exports) {
            by_exports
        } else {
            grouped(Granularity::Phases).unwrap_or_default()
        }
    };
    let mut deployment_of = vec![0usize; n];
    for (d, (_, members)) in chunks.iter().enumerate() {
        for &v in members {
            deployment_of[v] = d;
        }
    }
    let mut deployments = Vec::with_capacity(chunks.len());
    let mut ordinals: BTreeMap<usize, usize> = BTreeMap::new();
    for (d, ((unit, is_rg), members)) in chunks.iter().enumerate() {
        let local: BTreeMap<usize, usize> =
            members.iter().enumerate().map(|(i, &v)| (v, i)).collect();
        let node_depends_on = members
            .iter()
            .map(|&v| {
                preds[v]
                    .iter()
                    .filter_map(|p| local.get(p).copied())
                    .collect()
            })
            .collect();
        let mut depends: BTreeSet<usize> = BTreeSet::new();
        for &v in members {
            for &p in &preds[v] {
                if deployment_of[p] != d {
                    depends.insert(deployment_of[p]);
                }
            }
        }
        let ordinal = if *is_rg {
            0
        } else {
            let o = ordinals.entry(*unit).or_insert(0);
            *o += 1;
            *o
        };
        deployments.push(Deployment {
            kind: if *is_rg {
                DeploymentKind::ResourceGroup
            } else {
                DeploymentKind::Resources
            },
            unit: *unit,
            ordinal,
            name: String::new(),
            stem: String::new(),
            nodes: members.iter().map(|&v| nodes[v].clone()).collect(),
            node_depends_on,
            depends_on: depends.into_iter().collect(),
        });
    }
    reduce(&mut deployments);
    name_deployments(plan, &mut deployments);
    Ok(Layout { deployments })
}

/// One entry template (ARM) / main file (Bicep): the deployments of one
/// tenant that can run together. A deployment runs in one tenant, so an
/// estate spanning tenants gets one entry per tenant; a deployment that
/// waits for one in another tenant goes into a later stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub tenant: Option<String>,
    pub stage: usize,
    /// Indices into `Layout::deployments`, in order.
    pub deployments: Vec<usize>,
    /// `""` when there is one entry, else `-<n>-<tenant>` (file names).
    pub suffix: String,
    /// Entries (indices) to deploy before this one.
    pub after: Vec<usize>,
}

/// Groups deployments into entries by (stage, tenant).
#[must_use]
pub fn entries(plan: &Plan, layout: &Layout) -> Vec<Entry> {
    let tenant = |d: &Deployment| plan.units.get(d.unit).and_then(|u| u.tenant.clone());
    let mut stage = vec![0usize; layout.deployments.len()];
    for (i, d) in layout.deployments.iter().enumerate() {
        stage[i] = d
            .depends_on
            .iter()
            .map(|&p| stage[p] + usize::from(tenant(&layout.deployments[p]) != tenant(d)))
            .max()
            .unwrap_or(0);
    }
    let mut groups: BTreeMap<(usize, Option<String>), Vec<usize>> = BTreeMap::new();
    for (i, d) in layout.deployments.iter().enumerate() {
        groups.entry((stage[i], tenant(d))).or_default().push(i);
    }
    if groups.is_empty() {
        // Nothing to create: still one (empty) entry, so the files exist.
        groups.insert((0, None), Vec::new());
    }
    let single = groups.len() == 1;
    let mut out: Vec<Entry> = groups
        .into_iter()
        .enumerate()
        .map(|(k, ((stage, tenant), deployments))| Entry {
            suffix: if single {
                String::new()
            } else {
                let t = tenant
                    .as_deref()
                    .map_or_else(|| "default".to_string(), file_safe);
                format!("-{}-{}", k + 1, fit(&t, 40))
            },
            tenant,
            stage,
            deployments,
            after: Vec::new(),
        })
        .collect();
    let mut entry_of = vec![0usize; layout.deployments.len()];
    for (e, entry) in out.iter().enumerate() {
        for &d in &entry.deployments {
            entry_of[d] = e;
        }
    }
    let afters: Vec<Vec<usize>> = out
        .iter()
        .enumerate()
        .map(|(e, entry)| {
            let mut after = BTreeSet::new();
            for &d in &entry.deployments {
                for &p in &layout.deployments[d].depends_on {
                    if entry_of[p] != e {
                        after.insert(entry_of[p]);
                    }
                }
            }
            after.into_iter().collect()
        })
        .collect();
    for (entry, after) in out.iter_mut().zip(afters) {
        entry.after = after;
    }
    out
}

/// How finely units are cut into deployments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Granularity {
    /// Refined until every node waits only for its ancestors: nothing
    /// waits for a resource it does not need.
    Exact,
    /// One refinement by containers: nothing waits for a resource of
    /// another unit it does not need.
    Units,
    /// (container, phase, E): a node may wait for a foreign resource a
    /// sibling needs.
    Exports,
    /// (container, phase): the fewest deployments.
    Phases,
}

/// Above this many nodes the exact refinement is skipped (its sets grow
/// with the square of a chain's length; such estates need more than 800
/// deployments anyway).
const EXACT_MAX_NODES: usize = 4000;

/// Refinement rounds before giving up on the exact grouping (estates seen
/// so far settle in one or two).
const EXACT_MAX_ROUNDS: usize = 64;

struct Graph<'a> {
    nodes: &'a [Node],
    preds: &'a [BTreeSet<usize>],
    succs: &'a [BTreeSet<usize>],
    topo: &'a [usize],
    container: &'a [Container],
    phase: &'a [usize],
}

/// Group ids per node; ids follow a topological order of the groups.
/// None when the exact refinement does not settle within its rounds.
fn groups(g: &Graph<'_>, granularity: Granularity) -> Option<Vec<usize>> {
    // Start from one group per container.
    let ids: BTreeMap<Container, usize> = g
        .container
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c, i))
        .collect();
    let start: Vec<usize> = g.container.iter().map(|c| ids[c]).collect();
    match granularity {
        Granularity::Phases => Some(refine(g, &start, false, false)),
        Granularity::Exports => Some(refine(g, &start, true, false)),
        Granularity::Units => Some(refine(g, &start, true, true)),
        Granularity::Exact => {
            let mut current = refine(g, &start, true, true);
            let mut count = distinct(&current);
            // Each round only splits groups; stop when nothing splits.
            for _ in 0..EXACT_MAX_ROUNDS {
                let next = refine(g, &current, true, true);
                let next_count = distinct(&next);
                if next_count == count {
                    return Some(next);
                }
                current = next;
                count = next_count;
            }
            // Not stable yet: not exact, let the caller fall back.
            None
        }
    }
}

fn distinct(ids: &[usize]) -> usize {
    ids.iter().collect::<BTreeSet<_>>().len()
}

/// Sets of node indices, shared: a node's E or F is usually the same set
/// as a neighbour's (every spoke link of a hub waits for the same outside
/// nodes), so a set is stored once per distinct way of making it and a
/// union of the same inputs is computed once. Sets are compared by their
/// members, never by id, so two ids may hold equal sets.
struct Sets {
    /// Sorted, deduplicated members (node indices as `u32`: half the
    /// memory, and chains of links make these sets long); 0 is empty.
    all: Vec<Box<[u32]>>,
    unions: HashMap<(Vec<usize>, Vec<u32>), usize>,
}

impl Sets {
    fn new() -> Sets {
        Sets {
            all: vec![Box::default()],
            unions: HashMap::new(),
        }
    }

    fn get(&self, id: usize) -> &[u32] {
        self.all.get(id).map_or(&[], |s| s)
    }

    /// The id of the union of sets `inputs` and the nodes `extra`.
    fn union(&mut self, mut inputs: Vec<usize>, extra: &[usize]) -> usize {
        inputs.sort_unstable();
        inputs.dedup();
        inputs.retain(|&i| i != 0);
        let mut extra: Vec<u32> = extra.iter().map(|&x| node_u32(x)).collect();
        if let &[only] = inputs.as_slice() {
            // Most often: one input set that already holds the extra nodes.
            let set = self.get(only);
            extra.retain(|x| set.binary_search(x).is_err());
        }
        extra.sort_unstable();
        extra.dedup();
        match (inputs.as_slice(), extra.is_empty()) {
            ([], true) => return 0,
            (&[only], true) => return only,
            _ => {}
        }
        let key = (inputs, extra);
        if let Some(&id) = self.unions.get(&key) {
            return id;
        }
        let mut members = key.1.clone();
        for &i in &key.0 {
            members.extend_from_slice(self.get(i));
        }
        members.sort_unstable();
        members.dedup();
        self.all.push(members.into_boxed_slice());
        let id = self.all.len() - 1;
        self.unions.insert(key, id);
        id
    }
}

/// A node index as stored in `Sets` (an estate has far fewer than 2^32
/// resources; the layout would not finish long before).
fn node_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// One refinement of `prev` (group ids per node):
/// - a node is *exported* when a node of another group waits for it;
/// - E(v): the exported nodes of v's container that v is an ancestor of
///   (or is): a group holding an exported node holds only its ancestors;
/// - F(v): the nodes of other groups that v waits for, directly or not:
///   a group's members all wait for the same outside nodes.
///
/// Along an edge the phase grows, or E shrinks (same container), or E
/// stays and F grows: sorting by (phase, -|E|, |F|, ...) is topological.
fn refine(g: &Graph<'_>, prev: &[usize], use_e: bool, use_f: bool) -> Vec<usize> {
    let n = g.nodes.len();
    let mut sets = Sets::new();
    let mut exports: Vec<usize> = vec![0; n];
    if use_e {
        for &v in g.topo.iter().rev() {
            let exported = g.succs[v].iter().any(|&s| prev[s] != prev[v]);
            let inputs = g.succs[v]
                .iter()
                .filter(|&&s| g.container[s] == g.container[v])
                .map(|&s| exports[s])
                .collect();
            let own = [v];
            exports[v] = sets.union(inputs, if exported { &own } else { &[] });
        }
    }
    let mut outside: Vec<usize> = vec![0; n];
    if use_f {
        for &v in g.topo {
            let inputs = g.preds[v].iter().map(|&p| outside[p]).collect();
            let extra: Vec<usize> = g.preds[v]
                .iter()
                .copied()
                .filter(|&p| prev[p] != prev[v])
                .collect();
            outside[v] = sets.union(inputs, &extra);
        }
    }
    type Key<'s> = (
        usize,
        std::cmp::Reverse<usize>,
        usize,
        Container,
        &'s [u32],
        &'s [u32],
        usize,
    );
    let keys: Vec<Key> = (0..n)
        .map(|v| {
            let (e, f) = (sets.get(exports[v]), sets.get(outside[v]));
            (
                g.phase[v],
                std::cmp::Reverse(e.len()),
                f.len(),
                g.container[v],
                e,
                f,
                if use_f { prev[v] } else { 0 },
            )
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut ids = vec![0usize; n];
    let mut id = 0;
    for (i, &v) in order.iter().enumerate() {
        if i > 0 && keys[order[i - 1]] != keys[v] {
            id += 1;
        }
        ids[v] = id;
    }
    ids
}

/// Groups (in id order) cut into chunks of at most `max_resources` ARM
/// resources; nodes stay in topological order.
fn chunk(g: &Graph<'_>, group_of: &[usize], max_resources: usize) -> Vec<(Container, Vec<usize>)> {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &v in g.topo {
        groups.entry(group_of[v]).or_default().push(v);
    }
    let mut chunks: Vec<(Container, Vec<usize>)> = Vec::new();
    for members in groups.into_values() {
        let Some(&first) = members.first() else {
            continue;
        };
        let c = g.container[first];
        let mut current: Vec<usize> = Vec::new();
        let mut size = 0;
        for v in members {
            let weight = g.nodes[v].arm_resources();
            if size + weight > max_resources && !current.is_empty() {
                chunks.push((c, std::mem::take(&mut current)));
                size = 0;
            }
            current.push(v);
            size += weight;
        }
        if !current.is_empty() {
            chunks.push((c, current));
        }
    }
    chunks
}

/// Kahn's algorithm, smallest ready index first; a cycle is a bug.
fn topological(preds: &[BTreeSet<usize>]) -> Result<Vec<usize>, RenderError> {
    let n = preds.len();
    let mut missing: Vec<usize> = preds.iter().map(BTreeSet::len).collect();
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (to, ps) in preds.iter().enumerate() {
        for &from in ps {
            succs[from].push(to);
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&v| missing[v] == 0).collect();
    let mut out = Vec::with_capacity(n);
    while let Some(v) = ready.pop_first() {
        out.push(v);
        for &s in &succs[v] {
            missing[s] -= 1;
            if missing[s] == 0 {
                ready.insert(s);
            }
        }
    }
    if out.len() == n {
        Ok(out)
    } else {
        Err(bug(
            "the creation order has a cycle once subnets are written inside their VNet",
        ))
    }
}

/// Drops a deployment dependency implied by another one.
fn reduce(deployments: &mut [Deployment]) {
    let n = deployments.len();
    // reach[d] = every deployment d waits for, directly or not (all earlier).
    let mut reach: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for d in 0..n {
        let mut all = BTreeSet::new();
        for &p in &deployments[d].depends_on {
            all.insert(p);
            all.extend(reach[p].iter().copied());
        }
        reach[d] = all;
    }
    for d in deployments.iter_mut() {
        let direct = d.depends_on.clone();
        d.depends_on = direct
            .iter()
            .copied()
            .filter(|&p| !direct.iter().any(|&q| q != p && reach[q].contains(&p)))
            .collect();
    }
}

/// Text made of `[A-Za-z0-9._-]`, runs of anything else as one `-`.
#[must_use]
pub fn file_safe(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    trimmed.to_string()
}

/// FNV-1a, 32 bits: a short stable fingerprint for names.
#[must_use]
pub fn fingerprint(text: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08x}")
}

/// `text` cut to `max` characters; when cut, the tail is a fingerprint of
/// the whole so that different long texts stay different.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max.saturating_sub(9)).collect();
    format!("{}-{}", head.trim_end_matches('-'), fingerprint(text))
}

/// The topology name as a file stem.
#[must_use]
pub fn topology_stem(plan: &Plan) -> String {
    let s = fit(&file_safe(&plan.topology), 80);
    if s.is_empty() {
        "topology".to_string()
    } else {
        s
    }
}

fn name_deployments(plan: &Plan, deployments: &mut [Deployment]) {
    // A short topology prefix keeps deployments of several estates in one
    // resource group apart without eating the 64 characters.
    let topology = fit(&topology_stem(plan), 24);
    let mut names: BTreeSet<String> = BTreeSet::new();
    // Stems used by the Bicep renderer for its fixed files.
    let mut stems: BTreeSet<String> = ["main", "resource-group"]
        .into_iter()
        .map(str::to_string)
        .collect();
    for d in deployments.iter_mut() {
        let unit_name = plan
            .units
            .get(d.unit)
            .map_or_else(|| format!("unit{}", d.unit), |u| u.name.clone());
        let unit = {
            let s = file_safe(&unit_name);
            if s.is_empty() {
                format!("unit{}", d.unit)
            } else {
                s
            }
        };
        let suffix = match d.kind {
            DeploymentKind::ResourceGroup => "rg".to_string(),
            DeploymentKind::Resources => d.ordinal.to_string(),
        };
        let full = format!("{topology}-{unit}-{suffix}");
        let mut name = fit(&full, 64);
        if !names.insert(name.clone()) {
            name = fit(&format!("{full}-{}", fingerprint(&full)), 64);
            names.insert(name.clone());
        }
        d.name = name;
        let stem_full = match d.kind {
            DeploymentKind::ResourceGroup => format!("{unit}-rg"),
            DeploymentKind::Resources if d.ordinal == 1 => unit.clone(),
            DeploymentKind::Resources => format!("{unit}-{}", d.ordinal),
        };
        let mut stem = fit(&stem_full, 100);
        if !stems.insert(stem.clone()) {
            stem = fit(
                &format!(
                    "{stem_full}-{}",
                    fingerprint(&format!("{unit_name}/{suffix}"))
                ),
                100,
            );
            stems.insert(stem.clone());
        }
        d.stem = stem;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixture::sample_plan;

    fn find(layout: &Layout, node: &Node) -> usize {
        layout
            .deployments
            .iter()
            .position(|d| d.nodes.contains(node))
            .expect("node placed")
    }

    /// Every deployment `d` waits for (transitively).
    fn waits(layout: &Layout, d: usize) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let mut todo = layout.deployments[d].depends_on.clone();
        while let Some(p) = todo.pop() {
            if out.insert(p) {
                todo.extend(layout.deployments[p].depends_on.iter().copied());
            }
        }
        out
    }

    #[test]
    fn every_step_is_placed_once_and_order_is_kept() {
        let plan = sample_plan(false);
        let layout = layout(&plan, MAX_RESOURCES).unwrap();
        let mut seen = BTreeSet::new();
        for d in &layout.deployments {
            for node in &d.nodes {
                assert!(seen.insert(node.clone()), "{node:?} placed twice");
            }
        }
        for (s, step) in plan.order.steps.iter().enumerate() {
            let to = Node::of(&step.resource);
            assert!(seen.contains(&to), "step {s} not placed");
            let dt = find(&layout, &to);
            for &a in &step.after {
                let from = Node::of(&plan.order.steps[a].resource);
                if from == to {
                    continue;
                }
                let df = find(&layout, &from);
                if df == dt {
                    let d = &layout.deployments[dt];
                    let i = d.nodes.iter().position(|x| *x == to).unwrap();
                    let j = d.nodes.iter().position(|x| *x == from).unwrap();
                    assert!(d.node_depends_on[i].contains(&j), "{to:?} after {from:?}");
                } else {
                    assert!(waits(&layout, dt).contains(&df), "{to:?} after {from:?}");
                }
            }
        }
        for (i, d) in layout.deployments.iter().enumerate() {
            assert!(d.depends_on.iter().all(|&p| p < i));
        }
    }

    #[test]
    fn a_spoke_link_waits_only_for_the_hub_link_it_needs() {
        let plan = sample_plan(false);
        let layout = layout(&plan, MAX_RESOURCES).unwrap();
        let spoke = find(
            &layout,
            &Node::Link {
                vnet: "app1".into(),
                name: "app1-to-hub-weu".into(),
            },
        );
        let hub_link = find(
            &layout,
            &Node::Link {
                vnet: "hub-weu".into(),
                name: "hub-weu-to-app1".into(),
            },
        );
        let other = find(
            &layout,
            &Node::Link {
                vnet: "hub-weu".into(),
                name: "hub-weu-to-app2".into(),
            },
        );
        let last = find(
            &layout,
            &Node::Link {
                vnet: "hub-weu".into(),
                name: "hub-weu-to-hub-neu".into(),
            },
        );
        let w = waits(&layout, spoke);
        assert!(w.contains(&hub_link));
        assert!(!w.contains(&other));
        assert!(!w.contains(&last));
        // The spoke's VNets are not held back by the hub at all.
        let app1 = find(
            &layout,
            &Node::Vnet {
                vnet: "app1".into(),
            },
        );
        assert!(
            waits(&layout, app1)
                .iter()
                .all(|&d| layout.deployments[d].unit == 3)
        );
    }

    /// Every node's ancestors: the order's waits plus link -> remote VNet.
    fn ancestors(plan: &Plan) -> BTreeMap<Node, BTreeSet<Node>> {
        let steps = &plan.order.steps;
        let mut preds: BTreeMap<Node, BTreeSet<Node>> = BTreeMap::new();
        for step in steps {
            let to = Node::of(&step.resource);
            let entry = preds.entry(to.clone()).or_default();
            for &a in &step.after {
                let from = Node::of(&steps[a].resource);
                if from != to {
                    entry.insert(from);
                }
            }
        }
        let nodes: Vec<Node> = preds.keys().cloned().collect();
        for node in &nodes {
            if let Node::Link { vnet, name } = node {
                let l = plan
                    .links
                    .iter()
                    .find(|l| &l.local == vnet && &l.name == name)
                    .unwrap();
                let remote = Node::Vnet {
                    vnet: l.remote.clone(),
                };
                if preds.contains_key(&remote) {
                    preds.get_mut(node).unwrap().insert(remote);
                }
            }
        }
        let mut out = BTreeMap::new();
        for node in &nodes {
            let mut seen = BTreeSet::new();
            let mut todo: Vec<Node> = preds[node].iter().cloned().collect();
            while let Some(n) = todo.pop() {
                if seen.insert(n.clone()) {
                    todo.extend(preds[&n].iter().cloned());
                }
            }
            out.insert(node.clone(), seen);
        }
        out
    }

    /// Every resource waits only for its ancestors, however deployments
    /// chain (checked on the fixture and on the extended shapes).
    fn assert_exact(plan: &Plan) {
        let layout = layout(plan, MAX_RESOURCES).unwrap();
        let ancestors = ancestors(plan);
        let mut checked = 0;
        for (i, d) in layout.deployments.iter().enumerate() {
            for p in waits(&layout, i) {
                for x in &d.nodes {
                    for node in &layout.deployments[p].nodes {
                        checked += 1;
                        assert!(
                            ancestors[x].contains(node),
                            "{x:?} in {} waits for unrelated {node:?}",
                            d.name
                        );
                    }
                }
            }
        }
        assert!(checked > 10);
    }

    #[test]
    fn nothing_waits_for_a_resource_it_does_not_need() {
        assert_exact(&sample_plan(false));
    }

    #[test]
    fn a_small_limit_splits_a_unit_into_chunks() {
        let plan = sample_plan(false);
        let layout = layout(&plan, 2).unwrap();
        for d in &layout.deployments {
            let size: usize = d.nodes.iter().map(Node::arm_resources).sum();
            assert!(size <= 2, "{} holds {size}", d.name);
        }
        let names: BTreeSet<_> = layout.deployments.iter().map(|d| &d.name).collect();
        assert_eq!(names.len(), layout.deployments.len());
    }

    #[test]
    fn names_are_short_safe_and_unique() {
        let plan = sample_plan(true);
        let layout = layout(&plan, MAX_RESOURCES).unwrap();
        let mut names = BTreeSet::new();
        for d in &layout.deployments {
            assert!((1..=64).contains(&d.name.chars().count()), "{}", d.name);
            assert!(
                d.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.()".contains(c)),
                "{}",
                d.name
            );
            assert!(names.insert(d.name.clone()));
        }
        assert_eq!(fit(&"a".repeat(100), 64).chars().count(), 64);
        assert_ne!(fit(&"a".repeat(100), 64), fit(&"a".repeat(101), 64));
    }
}
