#!/usr/bin/env python3
"""Reference values for package engine/graph's tests, computed once and committed as reference.json.

Regenerate with Debian's Python and networkx (apt-get install -y python3-networkx; networkx 2.8.8 made the committed
file) from the repository root with:

    /usr/bin/python3 engine/graph/testdata/gen_reference.py > engine/graph/testdata/reference.json

Every value is reproduced exactly except HITS scores, which networkx computes with scipy's ARPACK: they
vary between runs below 1e-16, far inside the Go tests' tolerance (1e-7).

Graphs:
  karate    Zachary's karate club (networkx.karate_club_graph, 34 vertices, 78 undirected edges with
            networkx's 'weight' attribute); the Go tests give every edge in both directions.
  directed  a seeded directed G(n, p) graph (networkx.gnp_random_graph(60, 0.06, seed=42, directed=True))
            with seeded integer weights 1..9, isolated vertices removed (Gelly's PageRank leaves
            zero-degree vertices out by default).
  sparse    a seeded undirected G(n, p) graph (networkx.gnp_random_graph(80, 0.02, seed=7)) with several
            components; isolated vertices are kept.

Where networkx implements the algorithm (PageRank, HITS, shortest paths, connected components,
triangles, Jaccard, Adamic-Adar) its result is used. Gelly's label propagation and community detection
have rules networkx does not implement (synchronous scatter-gather supersteps; ties to the greatest label;
hop attenuation), so those references come from the small implementations of Gelly's rules below
(scatter_gather, label_propagation, community_detection), written from Gelly's LabelPropagation and
CommunityDetection sources.
"""

import itertools
import json
import math
import random

import networkx as nx


def scatter_gather(vertices, out_edges, scatter, gather, max_iterations):
    """Gelly's scatter-gather iteration: superstep 1 scatters from every vertex, later ones from the
    vertices updated in the superstep before; a vertex with messages gathers; updated vertices are the next
    workset; the iteration ends when none was updated or after max_iterations supersteps."""
    values = dict(vertices)
    workset = set(values)
    for superstep in range(1, max_iterations + 1):
        if not workset:
            break
        inbox = {}
        for v in sorted(workset):
            for target, msg in scatter(v, values[v], out_edges.get(v, [])):
                inbox.setdefault(target, []).append(msg)
        updated = {}
        for v, msgs in inbox.items():
            new = gather(superstep, values[v], msgs)
            if new is not None:
                updated[v] = new
        values.update(updated)
        workset = set(updated)
    return values


def label_propagation(G, max_iterations):
    """Gelly's LabelPropagation: labels start as the ids, every vertex sends its label to its
    out-neighbours, a vertex adopts the most frequent label received, ties to the greatest, its own label
    standing as a candidate of frequency 1."""
    out_edges = {v: [(u, None) for u in G.neighbors(v)] for v in G}

    def scatter(v, label, edges):
        return [(u, label) for u, _ in edges]

    def gather(_, own, msgs):
        freq = {}
        for m in msgs:
            freq[m] = freq.get(m, 0) + 1
        best, best_freq = own, 1
        for label, f in freq.items():
            if f == best_freq:
                if label > best:
                    best = label
            elif f > best_freq:
                best, best_freq = label, f
        return best

    return scatter_gather({v: v for v in G}, out_edges, scatter, gather, max_iterations)


def community_detection(G, max_iterations, delta):
    """Gelly's CommunityDetection: (label, score) starts as (id, 1.0); every updated vertex sends
    (label, score * weight) along its edges; a vertex sums the scores per label (messages in ascending
    (label, score) order), adopts the label of the highest total (ties: the smallest label) and takes the
    highest single score received with it, less delta / superstep if the label is new to it."""
    out_edges = {v: [(u, float(G[v][u].get("weight", 1))) for u in G.neighbors(v)] for v in G}

    def scatter(v, value, edges):
        label, score = value
        return [(u, (label, score * w)) for u, w in edges]

    def gather(superstep, own, msgs):
        total, highest = {}, {}
        for label, score in sorted(msgs):
            total[label] = total.get(label, 0.0) + score
            highest[label] = max(highest.get(label, -math.inf), score)
        best = None
        for label in sorted(total):
            if best is None or total[label] > total[best]:
                best = label
        score = highest[best]
        if best != own[0]:
            score -= delta / superstep
        return (best, score)

    values = scatter_gather({v: (v, 1.0) for v in G}, out_edges, scatter, gather, max_iterations)
    return {v: label for v, (label, _) in values.items()}


def shared_pairs(G):
    """Every pair u < v of vertices sharing at least one neighbour."""
    pairs = set()
    for w in G:
        for u, v in itertools.combinations(sorted(G.neighbors(w)), 2):
            pairs.add((u, v))
    return sorted(pairs)


def unweighted(G):
    """G without edge attributes: Gelly's PageRank and HITS ignore edge values, and networkx's use the
    'weight' attribute when there is one."""
    H = G.__class__()
    H.add_nodes_from(G)
    H.add_edges_from(G.edges())
    return H


def undirected_references(G):
    pairs = shared_pairs(G)
    hubs, auths = nx.hits(unweighted(G), max_iter=100000, tol=1e-14)
    return {
        "pagerank": {str(k): v for k, v in nx.pagerank(unweighted(G), alpha=0.85, tol=1e-14, max_iter=100000).items()},
        "hits_hub": {str(k): v for k, v in hubs.items()},
        "hits_authority": {str(k): v for k, v in auths.items()},
        "triangles": sorted(sorted(c) for c in nx.enumerate_all_cliques(G) if len(c) == 3),
        "jaccard": [[u, v, s] for u, v, s in nx.jaccard_coefficient(G, pairs)],
        "adamic_adar": [[u, v, s] for u, v, s in nx.adamic_adar_index(G, pairs)],
        "components": {str(v): min(c) for c in nx.connected_components(G) for v in c},
    }


def main():
    karate = nx.karate_club_graph()
    k = undirected_references(karate)
    k["edges"] = sorted([u, v, karate[u][v].get("weight", 1)] for u, v in karate.edges())
    k["sssp_from_0"] = {str(v): d for v, d in nx.single_source_dijkstra_path_length(karate, 0, weight="weight").items()}
    for n in (1, 2, 3, 10):  # the first supersteps exercise the tie rule before one label floods the club
        k["label_propagation_%d" % n] = {str(v): l for v, l in label_propagation(karate, n).items()}
    k["community_detection_10"] = {str(v): l for v, l in community_detection(karate, 10, 0.5).items()}

    rng = random.Random(42)
    d = nx.gnp_random_graph(60, 0.06, seed=42, directed=True)
    d.remove_nodes_from([v for v in list(d) if d.degree(v) == 0])
    for u, v in sorted(d.edges()):
        d[u][v]["weight"] = rng.randint(1, 9)
    hubs, auths = nx.hits(unweighted(d), max_iter=100000, tol=1e-14)
    directed = {
        "edges": sorted([u, v, d[u][v]["weight"]] for u, v in d.edges()),
        "vertices": sorted(d.nodes()),
        "dangling": sorted(v for v in d if d.out_degree(v) == 0),
        "pagerank": {str(k): v for k, v in nx.pagerank(unweighted(d), alpha=0.85, tol=1e-14, max_iter=100000).items()},
        "hits_hub": {str(k): v for k, v in hubs.items()},
        "hits_authority": {str(k): v for k, v in auths.items()},
        "sssp_from_0": {str(v): x for v, x in nx.single_source_dijkstra_path_length(d, min(d), weight="weight").items()},
        "sssp_source": min(d),
    }

    s = nx.gnp_random_graph(80, 0.02, seed=7)
    sparse = {
        "edges": sorted([u, v] for u, v in s.edges()),
        "vertices": sorted(s.nodes()),
        "components": {str(v): min(c) for c in nx.connected_components(s) for v in c},
        "triangles": sorted(sorted(c) for c in nx.enumerate_all_cliques(s) if len(c) == 3),
        "label_propagation_5": {str(v): l for v, l in label_propagation(s, 5).items()},
    }

    json.dump({"networkx": nx.__version__, "karate": k, "directed": directed, "sparse": sparse},
              __import__("sys").stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
