"""RANGE frames with an offset (`RANGE BETWEEN 5 PRECEDING AND 2 FOLLOWING`), stepped as SQLite's
program steps them.

Such a frame holds the rows whose ORDER BY value lies within the offsets of the current row's
value (a value that is not a number, NULL or text, is not moved by an offset, so it reaches only
its peers). SQLite moves three cursors over the partition's peer groups, the frame's start, the
current group and the frame's end, adding a group to the aggregate as the end passes it and
taking one out as the start passes it; it tests `value +/- offset` against the other cursor's
value before each move. REAL sums keep the rounding of every add and take-out, so the order of
those moves is repeated here as `sqlite3WindowCodeStep` writes it: the moves run when a new peer
group arrives, then once more when the partition ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .values import SortKey

UNBOUNDED, CURRENT, PRECEDING, FOLLOWING = "unbounded", "current", "preceding", "following"
_OFFSETS = (PRECEDING, FOLLOWING)
_FLIPPED = {"ge": "le", "gt": "lt", "le": "ge", "lt": "gt"}


class RangeProgram:
    """One partition's run of the program: each row's aggregate value and frame."""

    def __init__(
        self,
        state: Any,
        values: list[Any],
        keys: list[Any],
        groups: list[tuple[int, int]],
        bounds: tuple[str, Any, str, Any],
        descending: bool,
    ) -> None:
        self.state = state
        self.values = values
        self.keys = [keys[first] for first, _past in groups]
        self.groups = groups
        self.start_kind, self.before, self.end_kind, self.after = bounds
        self.descending = descending
        self.start = self.current = self.end = 0  # cursors, as peer group numbers
        self.results: list[Any] = [None] * len(values)
        self.spans: list[tuple[int, int]] = [(0, 0)] * len(values)

    def run(self) -> tuple[list[Any], list[tuple[int, int]]]:
        for arriving in range(1, len(self.groups)):
            self._on_new_group(arriving)
        if self.groups:
            self._at_partition_end()
        return self.results, self.spans

    # the program ---------------------------------------------------------------------------
    def _on_new_group(self, arriving: int) -> None:
        start_kind, end_kind = self.start_kind, self.end_kind
        if start_kind == FOLLOWING:
            self._step(counted=False, arriving=arriving)
            if end_kind != UNBOUNDED:
                while not self._test("ge", self.current, self.after, self.end):
                    self._take_out(counted=True)
                    self._return()
        elif end_kind == PRECEDING:
            both_preceding = start_kind == PRECEDING
            self._step(counted=True, arriving=arriving)
            if both_preceding:
                self._take_out(counted=True)
            self._return()
            if not both_preceding:
                self._take_out(counted=start_kind in _OFFSETS)
        else:
            self._step(counted=False, arriving=arriving)
            if end_kind == FOLLOWING:
                while not self._test("ge", self.current, self.after, self.end):
                    self._return()
                    self._take_out(counted=start_kind in _OFFSETS)
            elif end_kind == CURRENT:
                self._return()
                self._take_out(counted=start_kind in _OFFSETS)

    def _at_partition_end(self) -> None:
        start_kind, end_kind = self.start_kind, self.end_kind
        count = len(self.groups)
        if end_kind == PRECEDING:
            self._step(counted=True, arriving=None)
            if start_kind == PRECEDING:
                self._take_out(counted=True)
            self._return()
        elif start_kind == FOLLOWING:
            self._step(counted=False, arriving=None)
            while True:
                if self._take_out(counted=True, stop_at_end=True):
                    while self.current < count:
                        self._return()
                    return
                self._return()
                if self.current >= count:
                    return
        else:
            self._step(counted=False, arriving=None)
            while True:
                self._return()
                if self.current >= count:
                    return
                self._take_out(counted=start_kind in _OFFSETS)

    # the three moves ---------------------------------------------------------------------------
    def _step(self, counted: bool, arriving: int | None) -> None:
        """Add the end cursor's group; counted, as long as it lies within the current frame."""
        count = len(self.groups)
        same_kinds = counted and self.start_kind == self.end_kind
        while self.end < count:
            if counted and self._test("gt", self.end, self.after, self.current):
                return
            if same_kinds and arriving is not None and self.end >= arriving:
                return
            self._apply(self.groups[self.end], self.state.step)
            self.end += 1
            if not counted:
                return

    def _take_out(self, counted: bool, stop_at_end: bool = False) -> bool:
        """Take out the start cursor's group; counted, as long as it lies before the current
        frame. True when the start cursor ran off the partition's end."""
        if self.start_kind == UNBOUNDED:
            return False
        count = len(self.groups)
        same_kinds = counted and self.start_kind == self.end_kind
        while True:
            if self.start >= count:
                return stop_at_end
            if counted:
                if self.start_kind == FOLLOWING:
                    if self._test("le", self.current, self.before, self.start):
                        return False
                elif self._test("ge", self.start, self.before, self.current):
                    return False
            if same_kinds and self.start >= self.end:
                return False
            self._apply(self.groups[self.start], self.state.unstep)
            self.start += 1
            if self.start >= count:
                return stop_at_end
            if not counted:
                return False

    def _return(self) -> None:
        """The current group's rows get the aggregate's value and the frame as it stands."""
        if self.current >= len(self.groups):
            return
        value = self.state.value()
        size = len(self.values)
        low = self.groups[self.start][0] if self.start < len(self.groups) else size
        high = self.groups[self.end][0] if self.end < len(self.groups) else size
        first, past = self.groups[self.current]
        for row in range(first, past):
            self.results[row] = value
            self.spans[row] = (low, max(low, high))
        self.current += 1

    # helpers ---------------------------------------------------------------------------------
    def _apply(self, group: tuple[int, int], move: Callable[[Any], None]) -> None:
        for row in range(*group):
            move(self.values[row])

    def _test(self, op: str, moved: int, offset: Any, other: int) -> bool:
        """SQLite's `moved.value + offset OP other.value` (`-` and the reversed OP when the
        order is descending); a value that is not a number is compared unmoved, and NULL is
        below everything and equal to NULL."""
        count = len(self.keys)
        left = self.keys[moved] if moved < count else None
        right = self.keys[other] if other < count else None
        if self.descending:
            op = _FLIPPED[op]
            offset = -offset
        if type(left) in (int, float):
            left = left + offset
        order = _compare(left, right)
        if op == "ge":
            return order >= 0
        if op == "gt":
            return order > 0
        if op == "le":
            return order <= 0
        return order < 0


def _compare(a: Any, b: Any) -> int:
    left, right = SortKey(a), SortKey(b)
    return -1 if left < right else (1 if right < left else 0)
