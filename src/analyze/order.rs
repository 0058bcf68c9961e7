//! The creation order: which resource waits for which.
//!
//! In: an assembled `Plan` (without order). Out: `plan::Order`, a
//! deterministic topological order of every resource azmesh creates (Kahn's
//! algorithm, the ready set sorted by `Resource`), each step with its
//! direct, transitively reduced predecessors and its wave (longest chain
//! before it).
//!
//! Edges (design/azure-rules.md, "Safe order"): resource group -> its VNets,
//! route tables and public IPs; VNet -> first subnet -> next subnet (one at
//! a time); route table -> the subnets using it; last subnet (or the VNet,
//! or nothing for an existing VNet) -> the VNet's links, which follow each
//! other in name order; GatewaySubnet + public IP -> gateway (and
//! RouteServerSubnet + public IP -> route server); gateway / route server ->
//! the VNet's allowGatewayTransit links; the transit link X->Y -> the
//! useRemoteGateways link Y->X; and, because a link's remote id must
//! resolve when it is created, the remote VNet's last subnet (or the VNet)
//! -> the link when azmesh creates that remote VNet. Nothing else:
//! different VNets run in parallel.
//!
//! Why no cycle can exist in an error-free plan: every edge goes from a
//! resource group to what it holds, along one VNet's own chain (subnets,
//! then links in name order), from a VNet or subnet to a link (nothing
//! leads from a link back to a VNet or subnet), or across VNets from a
//! transit link to a useRemoteGateways link. A VNet with a
//! useRemoteGateways link has no gateway (AZM041) and so no transit link
//! (AZM043): no link-to-link edge leaves its chain towards another VNet, so
//! no path can come back.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::diagnostic::{Code, Diagnostic};
use crate::plan::{Order, Plan, Resource, Step};

/// The order of `plan`'s resources, or a diagnostic if the graph has a cycle.
pub fn order(plan: &Plan) -> Result<Order, Box<Diagnostic>> {
    let (mut nodes, edges) = graph(plan);
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(nodes.len(), edges.len());
    for _ in &nodes {
        g.add_node(());
    }
    for &(a, b) in &edges {
        g.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
    }
    let topo = kahn(&g, &nodes);
    if topo.len() < nodes.len() {
        let culprit = petgraph::algo::toposort(&g, None)
            .err()
            .and_then(|c| nodes.get(c.node_id().index()))
            .map_or_else(String::new, |r| format!(" (at {r:?})"));
        return Err(Box::new(
            Diagnostic::new(
                Code::LocalGatewayConflict,
                None,
                format!("the creation order has a cycle{culprit}"),
            )
            .with_help("this is a bug in azmesh: please report it with the input file"),
        ));
    }
    let mut pos = vec![0usize; nodes.len()];
    for (p, &n) in topo.iter().enumerate() {
        if let Some(slot) = pos.get_mut(n) {
            *slot = p;
        }
    }
    let mut reach = Reach::new(&g);
    let mut steps: Vec<Step> = Vec::with_capacity(nodes.len());
    for &n in &topo {
        let mut preds: Vec<usize> = g
            .neighbors_directed(NodeIndex::new(n), Direction::Incoming)
            .map(NodeIndex::index)
            .collect();
        preds.sort_unstable();
        preds.dedup();
        let wave = preds
            .iter()
            .filter_map(|&p| pos.get(p).and_then(|&i| steps.get(i)))
            .map(|s| s.wave + 1)
            .max()
            .unwrap_or(0);
        let kept: Vec<usize> = preds
            .iter()
            .copied()
            .filter(|&p| {
                !preds.iter().any(|&q| {
                    q != p
                        && (edges.binary_search(&(p, q)).is_ok() || reach.reaches(&g, &pos, p, q))
                })
            })
            .collect();
        let mut after: Vec<usize> = kept.iter().filter_map(|&p| pos.get(p).copied()).collect();
        after.sort_unstable();
        steps.push(Step {
            // Each node is visited once: move its resource out.
            resource: nodes
                .get_mut(n)
                .map_or(Resource::ResourceGroup { unit: 0 }, |r| {
                    std::mem::replace(r, Resource::ResourceGroup { unit: 0 })
                }),
            after,
            wave,
        });
    }
    Ok(Order { steps })
}

/// Kahn's algorithm; the ready set is ordered by `Resource`, so the order
/// depends only on what is created, not on how the graph was built.
fn kahn(g: &DiGraph<(), ()>, nodes: &[Resource]) -> Vec<usize> {
    let n = nodes.len();
    let mut by_rank: Vec<usize> = (0..n).collect();
    by_rank.sort_unstable_by(|&a, &b| nodes.get(a).cmp(&nodes.get(b)));
    let mut rank = vec![0usize; n];
    for (r, &i) in by_rank.iter().enumerate() {
        if let Some(slot) = rank.get_mut(i) {
            *slot = r;
        }
    }
    let mut indegree = vec![0usize; n];
    for e in g.edge_indices() {
        if let Some((_, b)) = g.edge_endpoints(e)
            && let Some(d) = indegree.get_mut(b.index())
        {
            *d += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..n)
        .filter(|&i| indegree.get(i) == Some(&0))
        .filter_map(|i| rank.get(i).copied())
        .collect();
    let mut out = Vec::with_capacity(n);
    while let Some(next) = ready.pop_first().and_then(|r| by_rank.get(r).copied()) {
        out.push(next);
        for m in g.neighbors_directed(NodeIndex::new(next), Direction::Outgoing) {
            if let Some(d) = indegree.get_mut(m.index()) {
                *d -= 1;
                if *d == 0
                    && let Some(&r) = rank.get(m.index())
                {
                    ready.insert(r);
                }
            }
        }
    }
    out
}

/// Reachability queries, pruned by topological position: a backward search
/// from the target (in-degrees are at most a handful) and a forward search
/// from the source advance in turn, and the answer is known as soon as
/// either finishes. Chains are long on one side only (a hub's hundreds of
/// links behind its transit link, a spoke's few links ahead of its
/// subnets), so the short side decides. The forward search gives up at a
/// node with many successors (a gateway, a hub's last subnet): the
/// backward search alone is always exact.
struct Reach {
    /// Round in which a node was reached forwards / backwards.
    forward: Vec<u32>,
    backward: Vec<u32>,
    /// Successor count of every node.
    out_degree: Vec<usize>,
    round: u32,
}

/// Above this many successors a node is not expanded forwards.
const WIDE: usize = 16;

impl Reach {
    fn new(g: &DiGraph<(), ()>) -> Reach {
        let n = g.node_count();
        let mut out_degree = vec![0; n];
        for e in g.edge_indices() {
            if let Some((a, _)) = g.edge_endpoints(e)
                && let Some(d) = out_degree.get_mut(a.index())
            {
                *d += 1;
            }
        }
        Reach {
            forward: vec![0; n],
            backward: vec![0; n],
            out_degree,
            round: 0,
        }
    }

    /// Whether a path leads from `from` to `to` (`from != to`).
    fn reaches(&mut self, g: &DiGraph<(), ()>, pos: &[usize], from: usize, to: usize) -> bool {
        let (Some(&pf), Some(&pt)) = (pos.get(from), pos.get(to)) else {
            return false;
        };
        if pf >= pt {
            return false;
        }
        self.round += 1;
        let round = self.round;
        let within = |n: usize| pos.get(n).is_some_and(|&p| p > pf && p < pt);
        // `None` once the forward search has given up.
        let mut ahead = Some(vec![from]);
        let mut behind = std::collections::VecDeque::from([to]);
        loop {
            if let Some(stack) = &mut ahead {
                match stack.pop() {
                    None => return false,
                    Some(n) if self.out_degree.get(n).is_some_and(|&d| d > WIDE) => ahead = None,
                    Some(n) => {
                        for m in g.neighbors_directed(NodeIndex::new(n), Direction::Outgoing) {
                            let m = m.index();
                            if m == to || self.backward.get(m) == Some(&round) {
                                return true;
                            }
                            if within(m) && self.forward.get(m) != Some(&round) {
                                if let Some(s) = self.forward.get_mut(m) {
                                    *s = round;
                                }
                                stack.push(m);
                            }
                        }
                    }
                }
            }
            let Some(n) = behind.pop_front() else {
                return false;
            };
            for m in g.neighbors_directed(NodeIndex::new(n), Direction::Incoming) {
                let m = m.index();
                if m == from || self.forward.get(m) == Some(&round) {
                    return true;
                }
                if within(m) && self.backward.get(m) != Some(&round) {
                    if let Some(s) = self.backward.get_mut(m) {
                        *s = round;
                    }
                    behind.push_back(m);
                }
            }
        }
    }
}

/// The graph under construction: nodes in creation order (which is
/// deterministic: units, route tables by name, VNets by name with their
/// subnets in source order, links by name), edges as node ids.
#[derive(Default)]
struct Builder {
    nodes: Vec<Resource>,
    edges: Vec<(usize, usize)>,
}

impl Builder {
    fn node(&mut self, r: Resource) -> usize {
        self.nodes.push(r);
        self.nodes.len() - 1
    }

    fn edge(&mut self, a: Option<usize>, b: Option<usize>) {
        if let (Some(a), Some(b)) = (a, b) {
            self.edges.push((a, b));
        }
    }
}

/// Nodes (each resource once) and edges (as indices into the nodes).
fn graph(plan: &Plan) -> (Vec<Resource>, Vec<(usize, usize)>) {
    let mut g = Builder::default();
    let groups: Vec<Option<usize>> = plan
        .units
        .iter()
        .enumerate()
        .map(|(i, unit)| {
            unit.creates_resources
                .then(|| g.node(Resource::ResourceGroup { unit: i }))
        })
        .collect();
    let group = |unit: usize| groups.get(unit).copied().flatten();
    let mut tables: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &plan.route_tables {
        let rt = g.node(Resource::RouteTable {
            name: t.name.clone(),
        });
        tables.insert(&t.name, rt);
        g.edge(group(t.unit), Some(rt));
    }
    // Node id of every link, by index into `plan.links`.
    let mut link_ids: Vec<Option<usize>> = vec![None; plan.links.len()];
    // A managed VNet's last subnet (or the VNet): ready to be peered with.
    let mut ready: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &plan.vnets {
        let first = plan.links.partition_point(|l| l.local < v.name);
        let count = plan.links.get(first..).map_or(0, |rest| {
            rest.iter().take_while(|l| l.local == v.name).count()
        });
        let links = first..first + count;
        let mut last: Option<usize> = None;
        let mut appliances: Vec<usize> = Vec::new();
        if v.kind.is_managed() {
            let vr = g.node(Resource::Vnet {
                vnet: v.name.clone(),
            });
            g.edge(group(v.unit), Some(vr));
            let mut prev = vr;
            let mut subnet_ids: BTreeMap<&str, usize> = BTreeMap::new();
            for s in &v.subnets {
                let sr = g.node(Resource::Subnet {
                    vnet: v.name.clone(),
                    subnet: s.name.clone(),
                });
                subnet_ids.insert(&s.name, sr);
                g.edge(Some(prev), Some(sr));
                let rt = s
                    .route_table
                    .as_deref()
                    .and_then(|n| tables.get(n).copied());
                g.edge(rt, Some(sr));
                prev = sr;
            }
            last = Some(prev);
            ready.insert(&v.name, prev);
            let wanted = [
                v.gateway.as_ref().map(|gw| {
                    (
                        Resource::Gateway {
                            vnet: v.name.clone(),
                            name: gw.name.clone(),
                        },
                        &gw.public_ip,
                        "GatewaySubnet",
                    )
                }),
                v.route_server.as_ref().map(|rs| {
                    (
                        Resource::RouteServer {
                            vnet: v.name.clone(),
                            name: rs.name.clone(),
                        },
                        &rs.public_ip,
                        "RouteServerSubnet",
                    )
                }),
            ];
            for (resource, pip, subnet) in wanted.into_iter().flatten() {
                let pip = g.node(Resource::PublicIp {
                    vnet: v.name.clone(),
                    name: pip.clone(),
                });
                let node = g.node(resource);
                g.edge(group(v.unit), Some(pip));
                g.edge(Some(pip), Some(node));
                g.edge(subnet_ids.get(subnet).copied(), Some(node));
                appliances.push(node);
            }
        }
        for i in links {
            let Some(l) = plan.links.get(i) else {
                continue;
            };
            let ln = g.node(Resource::Link {
                vnet: l.local.clone(),
                name: l.name.clone(),
            });
            if let Some(slot) = link_ids.get_mut(i) {
                *slot = Some(ln);
            }
            if l.allow_gateway_transit {
                for &a in &appliances {
                    g.edge(Some(a), Some(ln));
                }
            }
            g.edge(last, Some(ln));
            last = Some(ln);
        }
    }
    for (i, l) in plan.links.iter().enumerate() {
        let id = link_ids.get(i).copied().flatten();
        g.edge(ready.get(l.remote.as_str()).copied(), id);
    }
    let mut by_pair: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, l) in plan.links.iter().enumerate() {
        by_pair.insert((l.local.as_str(), l.remote.as_str()), i);
    }
    for (i, l) in plan.links.iter().enumerate() {
        if !l.use_remote_gateways {
            continue;
        }
        let back = by_pair
            .get(&(l.remote.as_str(), l.local.as_str()))
            .copied()
            .filter(|&b| plan.links.get(b).is_some_and(|b| b.allow_gateway_transit));
        let id = |i: usize| link_ids.get(i).copied().flatten();
        g.edge(back.and_then(id), id(i));
    }
    g.edges.sort_unstable();
    g.edges.dedup();
    (g.nodes, g.edges)
}
