"""Recursive CTEs, `WITH RECURSIVE name AS (anchor UNION [ALL] recursive part)`, run as in SQLite.

The anchor's rows go into a queue. Rows are taken from the queue one at a time, in the order
they were added; each is added to the result, then the recursive part runs with that one row as
the CTE's content, and its rows join the queue. With UNION (not ALL), a row already seen is not
added again. As on SQLite, a recursion that never stops does not stop; ORDER BY or LIMIT on the
CTE's own compound is refused.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .expressions import Env


class WorkingTable:
    """The CTE's content seen by its recursive part: the row taken from the queue."""

    def __init__(self) -> None:
        self.key = ("working table", id(self))

    def rows(self, env: Env) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = env.cache.get(self.key, [])
        return rows


class WorkingLeaf:
    """A FROM item of the recursive part naming the CTE itself."""

    def __init__(self, src: Any, table: WorkingTable) -> None:
        self.src = src
        self.table = table

    def rows(self, env: Env) -> list[tuple[Any, ...]]:
        return self.table.rows(env)


class RecursivePlan:
    """The rows of one recursive CTE."""

    correlated = False

    def __init__(
        self,
        anchors: list[Any],
        recursive_parts: list[Any],
        working: WorkingTable,
        distinct: bool,
        names: list[str],
    ) -> None:
        self.anchors = anchors
        self.recursive_parts = recursive_parts
        self.working = working
        self.distinct = distinct
        self.names = names

    def run(self, env: Env) -> list[tuple[Any, ...]]:
        seen: set[tuple[Any, ...]] = set()
        queue: deque[tuple[Any, ...]] = deque()

        def enqueue(rows: list[tuple[Any, ...]]) -> None:
            for row in rows:
                if self.distinct:
                    if row in seen:
                        continue
                    seen.add(row)
                queue.append(row)

        for anchor in self.anchors:
            enqueue(anchor.run(env))
        out: list[tuple[Any, ...]] = []
        while queue:
            row = queue.popleft()
            out.append(row)
            env.cache[self.working.key] = [row]
            for part in self.recursive_parts:
                enqueue(part.run(env))
        env.cache.pop(self.working.key, None)
        return out
