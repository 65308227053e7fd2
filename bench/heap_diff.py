"""What a page's JavaScript heap gained between two Chromium heap snapshots, and what holds it.

Reads two ``.heapsnapshot`` files (Chromium's CDP ``HeapProfiler.takeHeapSnapshot``, as ``bench/soak.py
--snapshots DIR`` writes them) of one page, taken after a forced garbage collection. V8 keeps an object's
snapshot id for its life, so the objects of the second snapshot whose id is not in the first are the ones
allocated in between and still alive. It prints, largest first, their count and size grouped by
constructor (DevTools' "Comparison" view), then for the top groups the retainer chains that hold most of
them: each new object's shortest path from the GC roots (weak edges not followed), cut to its nearest
``--depth`` holders.

    python bench/heap_diff.py A.heapsnapshot B.heapsnapshot [--top 25] [--depth 8]
"""

from __future__ import annotations

import argparse
import json
from array import array
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Snapshot:
    """A parsed snapshot: flat node and edge arrays as V8 writes them, and their string table."""

    nodes: array[int]
    edges: array[int]
    strings: list[str]
    node_types: list[str]
    edge_types: list[str]
    nf: int  # fields per node
    ef: int  # fields per edge
    first_edge: array[int]  # index into ``edges`` of each node's first edge

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        raw = json.loads(path.read_bytes())
        meta = raw["snapshot"]["meta"]
        nodes = array("q", raw.pop("nodes"))
        edges = array("q", raw.pop("edges"))
        nf, ef = len(meta["node_fields"]), len(meta["edge_fields"])
        assert meta["node_fields"][:5] == ["type", "name", "id", "self_size", "edge_count"], meta["node_fields"]
        assert meta["edge_fields"] == ["type", "name_or_index", "to_node"], meta["edge_fields"]
        first = array("q", [0]) * (len(nodes) // nf + 1)
        at = 0
        for i in range(len(nodes) // nf):
            first[i] = at
            at += nodes[i * nf + 4] * ef
        first[len(nodes) // nf] = at
        return cls(nodes, edges, raw["strings"], meta["node_types"][0], meta["edge_types"][0], nf, ef, first)

    @property
    def count(self) -> int:
        return len(self.nodes) // self.nf

    def type_of(self, i: int) -> str:
        return self.node_types[self.nodes[i * self.nf]]

    def name_of(self, i: int) -> str:
        return self.strings[self.nodes[i * self.nf + 1]]

    def id_of(self, i: int) -> int:
        return self.nodes[i * self.nf + 2]

    def size_of(self, i: int) -> int:
        return self.nodes[i * self.nf + 3]

    def group(self, i: int) -> str:
        """DevTools' grouping: an object by its constructor, a closure by its function, else its type."""
        kind = self.type_of(i)
        if kind in ("object", "closure", "native", "regexp"):
            name = self.name_of(i)
            name = name if len(name) <= 60 else name[:57] + "…"
            return name if kind == "object" else f"{name} ({kind})"
        if kind in ("hidden", "synthetic", "array", "code", "object shape"):
            name = self.name_of(i)
            return f"({kind}) {name[:50]}"
        return f"({kind})"

    def edges_of(self, i: int) -> range:
        return range(self.first_edge[i], self.first_edge[i + 1], self.ef)

    def edge_label(self, e: int) -> str:
        kind = self.edge_types[self.edges[e]]
        name = self.edges[e + 1]
        if kind in ("element", "hidden"):
            return "[]"  # an index: left out so that chains through arrays group together
        text = self.strings[name]
        return f".{text[:40]}" if kind == "property" else f"<{kind}:{text[:30]}>"

    def shortest_parents(self) -> tuple[array[int], array[int]]:
        """For each node, the node (and edge) through which a breadth-first walk from the root first reached
        it, weak edges left out; -1 where unreachable (and for the root)."""
        parent = array("q", [-1]) * self.count
        via = array("q", [-1]) * self.count
        seen = bytearray(self.count)
        seen[0] = 1
        weak = self.edge_types.index("weak")
        queue = deque([0])
        while queue:
            i = queue.popleft()
            for e in self.edges_of(i):
                if self.edges[e] == weak:
                    continue
                j = self.edges[e + 2] // self.nf
                if not seen[j]:
                    seen[j] = 1
                    parent[j] = i
                    via[j] = e
                    queue.append(j)
        return parent, via


def chain(snap: Snapshot, parent: array[int], via: array[int], i: int, depth: int) -> str:
    """``i``'s nearest ``depth`` holders on its shortest path from the root, nearest first."""
    parts = []
    while parent[i] >= 0 and len(parts) < depth:
        parts.append(f"{snap.edge_label(via[i])} in {snap.group(parent[i])}")
        i = parent[i]
    return " ← ".join(parts) if parts else "(unreachable or a root)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--top", type=int, default=25, help="groups to list")
    parser.add_argument("--paths", type=int, default=8, help="groups to show retainer chains for")
    parser.add_argument("--depth", type=int, default=8, help="holders per chain")
    args = parser.parse_args()
    a = Snapshot.load(args.before)
    old_ids = {a.id_of(i) for i in range(a.count)}
    total_a = sum(a.size_of(i) for i in range(a.count))
    del a
    b = Snapshot.load(args.after)
    total_b = sum(b.size_of(i) for i in range(b.count))
    new = [i for i in range(b.count) if b.id_of(i) not in old_ids]
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    members: dict[str, list[int]] = {}
    for i in new:
        g = b.group(i)
        counts[g] += 1
        sizes[g] += b.size_of(i)
        members.setdefault(g, []).append(i)
    print(
        f"self sizes: {total_a / 2**20:.1f} MB → {total_b / 2**20:.1f} MB; "
        f"{len(new)} objects new in the second, {sum(sizes.values()) / 2**20:.1f} MB"
    )
    print(f"{'new':>8} {'KB':>9}  group")
    top = sizes.most_common(args.top)
    for g, size in top:
        print(f"{counts[g]:>8} {size / 1024:>9.1f}  {g}")
    parent, via = b.shortest_parents()
    for g, _size in top[: args.paths]:
        chains: Counter[str] = Counter()
        for i in members[g]:
            chains[chain(b, parent, via, i, args.depth)] += 1
        print(f"\n== {g}: what holds the {counts[g]} new ones (most common chains)")
        for text, n in chains.most_common(4):
            print(f"  {n:>7} × {text}")


if __name__ == "__main__":
    main()
