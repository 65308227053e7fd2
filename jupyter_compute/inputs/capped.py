"""PyYAML's safe loader with the caps of :mod:`jupyter_compute.inputs`: nesting depth, and values with
aliases expanded, counted while the document is composed."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from . import MAX_YAML_DEPTH, MAX_YAML_VALUES


class Refused(yaml.MarkedYAMLError):
    """A document over a cap, found while composing it."""


class CappedLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader that counts while composing: nesting depth, and values with aliases expanded.

    ``safe_load`` turns aliases into shared objects, so loading a billion-laughs document is cheap but
    every later walk, copy or dump of it is not; counting each alias as the size of what it names
    refuses it here. An alias to a collection that contains it (a recursive document) is refused too.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0
        self._weights: dict[int, int] = {}  # id(node) -> values in it, aliases expanded

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        if self.check_event(yaml.AliasEvent):
            target = super().compose_node(parent, index)
            weight = self._weights.get(id(target))
            if weight is None:  # the alias names a collection still being composed: it contains itself
                raise Refused(problem="an alias refers to a collection that contains it", problem_mark=mark)
            self._count(weight, mark)
            return target
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise Refused(problem=f"nested more than {MAX_YAML_DEPTH} levels deep", problem_mark=mark)
        self._count(1, mark)  # counted as it starts, so a long flat list is refused early too
        node = super().compose_node(parent, index)
        self._depth -= 1
        if node is not None:
            self._weights[id(node)] = 1 + sum(self._weights[id(child)] for child in _children(node))
        return node

    def _count(self, values: int, mark: Any) -> None:
        self._values += values
        if self._values > MAX_YAML_VALUES:
            raise Refused(
                problem=f"more than {MAX_YAML_VALUES:,} values once its aliases are expanded",
                problem_mark=mark,
            )


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []
