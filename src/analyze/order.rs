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
//! useRemoteGateways link Y->X. Nothing else: different VNets run in
//! parallel.
//!
//! Why no cycle can exist in an error-free plan: every edge goes from a
//! resource group to what it holds, along one VNet's own chain (subnets,
//! then links in name order), or across VNets only from a transit link to a
//! useRemoteGateways link. A VNet with a useRemoteGateways link has no
//! gateway (AZM041) and so no transit link (AZM043): no edge leaves its
//! chain towards another VNet, so no path can come back.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::diagnostic::{Code, Diagnostic};
use crate::plan::{Order, Plan, Resource, Step};

/// The order of `plan`'s resources, or a diagnostic if the graph has a cycle.
pub fn order(plan: &Plan) -> Result<Order, Box<Diagnostic>> {
    let (nodes, edges) = graph(plan);
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(nodes.len(), edges.len());
    for _ in &nodes {
        g.add_node(());
    }
    for &(a, b) in &edges {
        g.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
    }
    let topo = kahn(&g, nodes.len());
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
    let mut reach = Reach {
        stamp: vec![0; nodes.len()],
        round: 0,
    };
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
                !preds
                    .iter()
                    .any(|&q| q != p && reach.reaches(&g, &pos, p, q))
            })
            .collect();
        let mut after: Vec<usize> = kept.iter().filter_map(|&p| pos.get(p).copied()).collect();
        after.sort_unstable();
        steps.push(Step {
            resource: nodes
                .get(n)
                .cloned()
                .unwrap_or(Resource::ResourceGroup { unit: 0 }),
            after,
            wave,
        });
    }
    Ok(Order { steps })
}

/// Kahn's algorithm; node ids are ranks in `Resource` order, so the
/// smallest ready id is the smallest ready resource.
fn kahn(g: &DiGraph<(), ()>, n: usize) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    for e in g.edge_indices() {
        if let Some((_, b)) = g.edge_endpoints(e)
            && let Some(d) = indegree.get_mut(b.index())
        {
            *d += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| indegree.get(i) == Some(&0)).collect();
    let mut out = Vec::with_capacity(n);
    while let Some(next) = ready.pop_first() {
        out.push(next);
        for m in g.neighbors_directed(NodeIndex::new(next), Direction::Outgoing) {
            if let Some(d) = indegree.get_mut(m.index()) {
                *d -= 1;
                if *d == 0 {
                    ready.insert(m.index());
                }
            }
        }
    }
    out
}

/// Reachability queries by backward search, pruned by topological position.
struct Reach {
    stamp: Vec<u32>,
    round: u32,
}

impl Reach {
    /// Whether a path leads from `from` to `to` (`from != to`).
    fn reaches(&mut self, g: &DiGraph<(), ()>, pos: &[usize], from: usize, to: usize) -> bool {
        let (Some(&pf), Some(&pt)) = (pos.get(from), pos.get(to)) else {
            return false;
        };
        if pf >= pt {
            return false;
        }
        self.round += 1;
        let mut stack = vec![to];
        while let Some(n) = stack.pop() {
            for p in g.neighbors_directed(NodeIndex::new(n), Direction::Incoming) {
                let p = p.index();
                if p == from {
                    return true;
                }
                let seen = self.stamp.get(p).is_none_or(|&s| s == self.round);
                if seen || pos.get(p).is_none_or(|&pp| pp < pf) {
                    continue;
                }
                if let Some(s) = self.stamp.get_mut(p) {
                    *s = self.round;
                }
                stack.push(p);
            }
        }
        false
    }
}

/// Nodes (sorted, deduplicated) and edges (as indices into the nodes).
fn graph(plan: &Plan) -> (Vec<Resource>, Vec<(usize, usize)>) {
    let mut edges: Vec<(Resource, Resource)> = Vec::new();
    let mut nodes: Vec<Resource> = Vec::new();
    for (i, unit) in plan.units.iter().enumerate() {
        if unit.creates_resources {
            nodes.push(Resource::ResourceGroup { unit: i });
        }
    }
    for t in &plan.route_tables {
        let rt = Resource::RouteTable {
            name: t.name.clone(),
        };
        nodes.push(rt.clone());
        edges.push((Resource::ResourceGroup { unit: t.unit }, rt));
    }
    let mut link_index: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, l) in plan.links.iter().enumerate() {
        link_index.insert((l.local.as_str(), l.remote.as_str()), i);
    }
    let link_node = |i: usize| {
        plan.links.get(i).map(|l| Resource::Link {
            vnet: l.local.clone(),
            name: l.name.clone(),
        })
    };
    for v in &plan.vnets {
        let links: Vec<usize> = plan
            .links
            .iter()
            .enumerate()
            .skip(plan.links.partition_point(|l| l.local < v.name))
            .take_while(|(_, l)| l.local == v.name)
            .map(|(i, _)| i)
            .collect();
        let mut last: Option<Resource> = None;
        if v.kind.is_managed() {
            let rg = Resource::ResourceGroup { unit: v.unit };
            let vr = Resource::Vnet {
                vnet: v.name.clone(),
            };
            nodes.push(vr.clone());
            edges.push((rg.clone(), vr.clone()));
            let mut prev = vr;
            for s in &v.subnets {
                let sr = Resource::Subnet {
                    vnet: v.name.clone(),
                    subnet: s.name.clone(),
                };
                nodes.push(sr.clone());
                edges.push((prev, sr.clone()));
                if let Some(rt) = &s.route_table {
                    edges.push((Resource::RouteTable { name: rt.clone() }, sr.clone()));
                }
                prev = sr;
            }
            last = Some(prev);
            let appliances = [
                v.gateway.as_ref().map(|g| {
                    (
                        Resource::Gateway {
                            vnet: v.name.clone(),
                            name: g.name.clone(),
                        },
                        &g.public_ip,
                        "GatewaySubnet",
                    )
                }),
                v.route_server.as_ref().map(|r| {
                    (
                        Resource::RouteServer {
                            vnet: v.name.clone(),
                            name: r.name.clone(),
                        },
                        &r.public_ip,
                        "RouteServerSubnet",
                    )
                }),
            ];
            for (node, pip, subnet) in appliances.into_iter().flatten() {
                let pip = Resource::PublicIp {
                    vnet: v.name.clone(),
                    name: pip.clone(),
                };
                nodes.push(pip.clone());
                nodes.push(node.clone());
                edges.push((rg.clone(), pip.clone()));
                edges.push((pip, node.clone()));
                if v.subnets.iter().any(|s| s.name == subnet) {
                    edges.push((
                        Resource::Subnet {
                            vnet: v.name.clone(),
                            subnet: subnet.to_string(),
                        },
                        node.clone(),
                    ));
                }
                for &i in &links {
                    if plan.links.get(i).is_some_and(|l| l.allow_gateway_transit)
                        && let Some(ln) = link_node(i)
                    {
                        edges.push((node.clone(), ln));
                    }
                }
            }
        }
        for &i in &links {
            let Some(ln) = link_node(i) else {
                continue;
            };
            nodes.push(ln.clone());
            if let Some(prev) = last.replace(ln.clone()) {
                edges.push((prev, ln));
            }
        }
    }
    for (i, l) in plan.links.iter().enumerate() {
        if !l.use_remote_gateways {
            continue;
        }
        let back = link_index
            .get(&(l.remote.as_str(), l.local.as_str()))
            .copied()
            .filter(|&b| plan.links.get(b).is_some_and(|b| b.allow_gateway_transit));
        if let (Some(b), Some(ln)) = (back.and_then(link_node), link_node(i)) {
            edges.push((b, ln));
        }
    }
    nodes.sort();
    nodes.dedup();
    let id = |r: &Resource| nodes.binary_search(r).ok();
    let mut indexed: Vec<(usize, usize)> = edges
        .iter()
        .filter_map(|(a, b)| Some((id(a)?, id(b)?)))
        .collect();
    indexed.sort_unstable();
    indexed.dedup();
    (nodes, indexed)
}
