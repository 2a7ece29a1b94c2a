"""Window functions: ranking, offsets and aggregates, over SQLite's default or an explicit frame.

`f(...) OVER (PARTITION BY ... ORDER BY ...)` is computed once per SELECT run, after WHERE,
GROUP BY and HAVING, for all of its rows: each partition is put in its ORDER BY order, and each
row gets its value, which the projection and ORDER BY read. As on SQLite, the windows are
computed from the last to the first, each sorting the rows the one after it left, so a SELECT
without ORDER BY gives its rows in the first window's order. Without ORDER BY every row of a
partition is a peer of every other; with it, the frame runs from the partition's first row to
the last peer of the current row (`RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`), so
running aggregates and `last_value` include the current row's peers, as on SQLite.

An explicit frame (`rows=`, `range_=`, `groups=`) bounds what the aggregates and the
`first_value`/`last_value`/`nth_value` of each row see. Aggregates slide over the frames as
SQLite steps them: before a row's value, the rows that left the frame are taken out (its
`xInverse`), then the rows that entered are added (frames after the row follow SQLite's own
program, `_sliding_ahead` and `_sliding_following`), so floating-point sums round as they do
there, and a sum that has once met a REAL stays REAL. Supported: ROWS and GROUPS frames that
start anywhere (UNBOUNDED PRECEDING, N PRECEDING, CURRENT ROW or N FOLLOWING), RANGE frames
likewise with N measured on the ORDER BY value (`range_frames`), and EXCLUDE CURRENT ROW,
GROUP, TIES or NO OTHERS, with which SQLite computes each frame afresh instead of sliding it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .errors import OperationalError
from .functions import real_result, summand
from .ordering import sort_pairs
from .range_frames import FOLLOWING, PRECEDING, UNBOUNDED, RangeProgram
from .sums import new_sum
from .types import numeric_text
from .values import SortKey

Fn = Callable[[Any, Any], Any]
OrderTerm = tuple[Fn, bool, bool | None]

RANKING = frozenset({"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile"})
OFFSETS = frozenset({"lag", "lead", "first_value", "last_value", "nth_value"})
RUNNING = frozenset({"count", "sum", "total", "avg", "min", "max"})
WINDOW_FUNCTIONS = RANKING | OFFSETS | RUNNING
FRAMED_OFFSETS = frozenset({"first_value", "last_value", "nth_value"})
"""Offset functions that read the frame (lag and lead, like the ranking ones, ignore it)."""

Bound = tuple[str, Fn | None]
"""One end of a frame: its kind, and for PRECEDING and FOLLOWING what gives the offset."""


EXCLUSIONS = frozenset({"CURRENT ROW", "GROUP", "TIES", "NO OTHERS"})


class Frame:
    """An explicit frame: ROWS, RANGE or GROUPS between two bounds, and what it excludes."""

    __slots__ = ("end", "exclude", "mode", "start")

    def __init__(self, mode: str, start: Bound, end: Bound, exclude: str | None = None) -> None:
        self.mode = mode
        self.start = start
        self.end = end
        self.exclude = exclude
        """One of EXCLUSIONS, or None when the frame has no EXCLUDE clause."""

    def measures_values(self) -> bool:
        """A RANGE frame with an offset, which measures the ORDER BY values."""
        offsets = (PRECEDING, FOLLOWING)
        return self.mode == "range" and (self.start[0] in offsets or self.end[0] in offsets)

    def members(self, spans: list[tuple[int, int]], ends: list[int]) -> list[list[int]]:
        """The positions each row's frame holds once EXCLUDE has taken its rows out."""
        starts = _peer_starts(ends)
        exclude = self.exclude
        out: list[list[int]] = []
        for i, (low, high) in enumerate(spans):
            if exclude == "CURRENT ROW":
                out.append([j for j in range(low, high) if j != i])
            elif exclude in ("GROUP", "TIES"):
                first, past = starts[i], ends[i]
                kept = [j for j in range(low, high) if not first <= j < past]
                if exclude == "TIES" and low <= i < high:
                    kept = sorted([*kept, i])
                out.append(kept)
            else:
                out.append(list(range(low, high)))
        return out

    def spans(self, ends: list[int], env: Any) -> list[tuple[int, int]]:
        """Each row's frame as positions in the ordered partition: [first, past the last)."""
        count = len(ends)
        starts = _peer_starts(ends)
        start_kind, end_kind = self.start[0], self.end[0]
        before = _offset(self.start, env, "starting")
        after = _offset(self.end, env, "ending")
        if self.mode == "groups":
            return _group_spans(starts, ends, start_kind, before, end_kind, after)
        out: list[tuple[int, int]] = []
        for i in range(count):
            if start_kind == UNBOUNDED:
                low = 0
            elif start_kind == PRECEDING:
                low = max(0, i - before)
            elif start_kind == FOLLOWING:
                low = min(count, i + before)
            else:  # CURRENT: the row itself, or its first peer in a RANGE frame
                low = i if self.mode == "rows" else starts[i]
            if end_kind == UNBOUNDED:
                high = count
            elif end_kind == PRECEDING:
                high = max(0, i - after + 1)
            elif end_kind == FOLLOWING:
                high = min(count, i + after + 1)
            else:
                high = i + 1 if self.mode == "rows" else ends[i]
            out.append((low, high))
        return out


def _offset(bound: Bound, env: Any, which: str, whole: bool = True) -> Any:
    """A PRECEDING or FOLLOWING bound's offset (0 for the other bounds), as SQLite demands it:
    a non-negative integer for ROWS and GROUPS, a non-negative number for RANGE (`whole`
    false)."""
    kind, given = bound
    if given is None or kind not in (PRECEDING, FOLLOWING):
        return 0
    value = given(None, env)
    if isinstance(value, str):
        value = numeric_text(value)
    if whole and type(value) is float and value.is_integer():
        value = int(value)
    allowed = (int,) if whole else (int, float)
    if type(value) not in allowed or value < 0:
        kind_of = "integer" if whole else "number"
        raise OperationalError(f"frame {which} offset must be a non-negative {kind_of}")
    return value


def _peer_starts(ends: list[int]) -> list[int]:
    """For each position, the position of the first peer of that row."""
    starts: list[int] = []
    for i, end in enumerate(ends):
        starts.append(i if i == 0 or ends[i - 1] != end else starts[-1])
    return starts


def _group_spans(
    starts: list[int], ends: list[int], start_kind: str, before: int, end_kind: str, after: int
) -> list[tuple[int, int]]:
    """GROUPS frames: bounds counted in peer groups, not rows."""
    group_starts = sorted(set(starts))
    group_ends = [ends[first] for first in group_starts]
    group_of = {first: number for number, first in enumerate(group_starts)}
    count = len(ends)
    last = len(group_starts) - 1
    out: list[tuple[int, int]] = []
    for i in range(count):
        group = group_of[starts[i]]
        if start_kind == UNBOUNDED:
            low = 0
        elif start_kind == PRECEDING:
            low = group_starts[max(0, group - before)]
        elif start_kind == FOLLOWING:
            low = group_starts[group + before] if group + before <= last else count
        else:
            low = group_starts[group]
        if end_kind == UNBOUNDED:
            high = count
        elif end_kind == PRECEDING:
            high = group_ends[group - after] if group - after >= 0 else 0
        elif end_kind == FOLLOWING:
            high = group_ends[min(last, group + after)]
        else:
            high = group_ends[group]
        out.append((low, high))
    return out


class WindowSpec:
    """One `f(...) OVER (...)` of a SELECT."""

    def __init__(
        self,
        name: str,
        args: list[Fn],
        partition: list[Fn],
        order: list[OrderTerm],
        star: bool,
        frame: Frame | None = None,
    ) -> None:
        self.name = name
        self.args = args
        self.partition = partition
        self.order = order
        self.star = star  # count(*)
        self.frame = frame
        self.key = ("window", id(self))  # where a run leaves the values, in `Env.cache`

    def compute(self, rows: Sequence[Any], env: Any) -> tuple[dict[int, Any], list[Any]]:
        """The value of every row, by the row's id, and the rows in this window's order.

        That order is SQLite's sort for the window: by partition, then by ORDER BY, rows that
        tie keeping the order they came in.
        """
        out: dict[int, Any] = {}
        in_order: list[Any] = []
        for members in self._partitions(rows, env):
            ordered = self._ordered(members, env)
            for position, value in enumerate(self._values(ordered, env)):
                out[id(ordered[position][0])] = value
            in_order += [row for row, _keys in ordered]
        return out, in_order

    def _partitions(self, rows: Sequence[Any], env: Any) -> list[list[Any]]:
        """The partitions in the order of their keys (NULL first), as SQLite sorts them."""
        if not self.partition:
            return [list(rows)]
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for row in rows:
            key = tuple(SortKey(part(row, env)) for part in self.partition)
            groups.setdefault(key, []).append(row)
        return [groups[key] for key in sorted(groups)]

    def _ordered(self, members: list[Any], env: Any) -> list[tuple[Any, tuple[Any, ...]]]:
        """(row, order keys) pairs in ORDER BY order (the rows' order when there is none)."""
        pairs = [(row, tuple(term[0](row, env) for term in self.order)) for row in members]
        if self.order:
            pairs = sort_pairs(pairs, [(desc, nulls) for _fn, desc, nulls in self.order])
        return pairs

    def _peer_ends(self, ordered: list[tuple[Any, tuple[Any, ...]]]) -> list[int]:
        """For each position, one past the last peer of that row (same ORDER BY keys)."""
        count = len(ordered)
        if not self.order:
            return [count] * count
        ends = [0] * count
        start = 0
        for i in range(1, count + 1):
            if i == count or not _same_keys(ordered[i][1], ordered[start][1]):
                for j in range(start, i):
                    ends[j] = i
                start = i
        return ends

    def _values(self, ordered: list[tuple[Any, tuple[Any, ...]]], env: Any) -> list[Any]:
        name = self.name
        ends = self._peer_ends(ordered)
        if name in RANKING:
            return _ranking(name, ordered, ends, self.args, env)
        rows = [row for row, _keys in ordered]
        frame = self.frame
        if frame is not None and (name in RUNNING or name in FRAMED_OFFSETS):
            if frame.measures_values():
                return self._range_values(frame, ordered, ends, env)
            return self._framed_values(frame, rows, ends, env)
        if name in OFFSETS:
            return _offsets(name, rows, ends, self.args, env)
        if self.star:
            return list(ends)
        values = [self.args[0](row, env) for row in rows]
        return _running(name, values, ends)

    def _range_values(
        self, frame: Frame, ordered: list[tuple[Any, tuple[Any, ...]]], ends: list[int], env: Any
    ) -> list[Any]:
        """A RANGE frame with an offset: SQLite's moves over the peer groups (`range_frames`)."""
        name = self.name
        rows = [row for row, _keys in ordered]
        keys = [order_keys[0] for _row, order_keys in ordered]
        starts = _peer_starts(ends)
        groups = [(first, ends[first]) for first in sorted(set(starts))]
        bounds = (
            frame.start[0],
            _offset(frame.start, env, "starting", whole=False),
            frame.end[0],
            _offset(frame.end, env, "ending", whole=False),
        )
        counted = name in RUNNING and not self.star
        values = [self.args[0](row, env) for row in rows] if counted else [None] * len(rows)
        program = RangeProgram(_Running(name), values, keys, groups, bounds, self.order[0][1])
        results, spans = program.run()
        if frame.exclude is not None:
            return self._scanned_values(frame.members(spans, ends), rows, env)
        if name in FRAMED_OFFSETS:
            return _member_offsets(name, rows, _positions(spans), self.args, env)
        if self.star:
            return [high - low for low, high in spans]
        if name in ("min", "max"):
            return [_best_of(name, values[low:high]) for low, high in spans]
        return results

    def _framed_values(self, frame: Frame, rows: list[Any], ends: list[int], env: Any) -> list[Any]:
        name = self.name
        spans = frame.spans(ends, env)
        if frame.exclude is not None:
            return self._scanned_values(frame.members(spans, ends), rows, env)
        if name in FRAMED_OFFSETS:
            return _member_offsets(name, rows, _positions(spans), self.args, env)
        if self.star:
            return [max(0, high - low) for low, high in spans]
        values = [self.args[0](row, env) for row in rows]
        if name in ("min", "max"):
            return [_best_of(name, values[low:high]) for low, high in spans]
        if frame.start[0] == FOLLOWING and frame.end[0] == UNBOUNDED:
            return _sliding_ahead(name, values, spans)
        if frame.mode != "range" and frame.start[0] == frame.end[0] == FOLLOWING:
            first, last = _offset(frame.start, env, "starting"), _offset(frame.end, env, "ending")
            if first <= last:
                units = _units(frame.mode, ends)
                return _sliding_following(name, values, first, last, units)
        return _sliding(name, values, spans)
        return _sliding(name, values, spans)

    def _scanned_values(self, members: list[list[int]], rows: list[Any], env: Any) -> list[Any]:
        """Each row's value from its frame's rows afresh, in order: with an EXCLUDE clause
        (even NO OTHERS) SQLite steps every frame from its first row, it does not slide."""
        name = self.name
        if name in FRAMED_OFFSETS:
            return _member_offsets(name, rows, members, self.args, env)
        if self.star:
            return [len(held) for held in members]
        values = [self.args[0](row, env) for row in rows]
        out: list[Any] = []
        for held in members:
            state = _Running(name)
            for j in held:
                state.step(values[j])
            out.append(state.value())
        return out


def _same_keys(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return all(
        (x is None and y is None) or (x is not None and y is not None and SortKey(x) == SortKey(y))
        for x, y in zip(a, b, strict=True)
    )


def _ranking(name: str, ordered: list[Any], ends: list[int], args: list[Fn], env: Any) -> list[Any]:
    count = len(ordered)
    if name == "row_number":
        return list(range(1, count + 1))
    if name == "ntile":
        if not args:
            raise OperationalError("wrong number of arguments to function ntile()")
        buckets = args[0](ordered[0][0], env) if ordered else 1
        if not isinstance(buckets, int) or buckets <= 0:
            raise OperationalError("argument of ntile must be a positive integer")
        size, extra = divmod(count, buckets)
        out: list[Any] = []
        for bucket in range(buckets):
            out += [bucket + 1] * (size + (1 if bucket < extra else 0))
        return out[:count]
    out = []
    rank = dense = 0
    previous_end = -1
    for i in range(count):
        if ends[i] != previous_end:  # the first row of a peer group
            rank, dense, previous_end = i + 1, dense + 1, ends[i]
        if name == "rank":
            out.append(rank)
        elif name == "dense_rank":
            out.append(dense)
        elif name == "percent_rank":
            out.append((rank - 1) / (count - 1) if count > 1 else 0.0)
        else:  # cume_dist
            out.append(ends[i] / count)
    return out


def _offsets(name: str, rows: list[Any], ends: list[int], args: list[Fn], env: Any) -> list[Any]:
    if not args:
        raise OperationalError(f"wrong number of arguments to function {name}()")
    value = args[0]
    count = len(rows)
    out: list[Any] = []
    for i, row in enumerate(rows):
        if name in ("lag", "lead"):
            step = args[1](row, env) if len(args) > 1 else 1
            if step is None:
                out.append(None)
                continue
            target = i - int(step) if name == "lag" else i + int(step)
            if 0 <= target < count:
                out.append(value(rows[target], env))
            else:
                out.append(args[2](row, env) if len(args) > 2 else None)
        elif name == "first_value":
            out.append(value(rows[0], env))
        elif name == "last_value":
            out.append(value(rows[ends[i] - 1], env))
        else:  # nth_value, within the frame
            nth = args[1](row, env) if len(args) > 1 else None
            if not isinstance(nth, int) or nth <= 0:
                raise OperationalError("second argument to nth_value must be a positive integer")
            out.append(value(rows[nth - 1], env) if nth <= ends[i] else None)
    return out


class _Running:
    """The state of one running aggregate, stepped row by row as SQLite steps it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sum = new_sum()
        self.count = 0
        self.best: Any = None

    def step(self, value: Any) -> None:
        if value is None:
            return
        self.count += 1
        if self.name in ("min", "max"):
            self.best = value if self.best is None else _better(self.name, self.best, value)
        elif self.name in ("sum", "avg", "total"):
            self.sum.add(summand(value))

    def unstep(self, value: Any) -> None:
        """Take out a value stepped before, as SQLite's `xInverse` does when it leaves the
        frame."""
        if value is None:
            return
        self.count -= 1
        if self.name in ("sum", "avg", "total"):
            self.sum.remove(summand(value))

    def value(self) -> Any:
        name = self.name
        if name == "count":
            return self.count
        if name in ("min", "max"):
            return self.best
        if name == "total":
            result: Any = self.sum.total()
        elif name == "sum":
            result = self.sum.sum()
        else:
            result = self.sum.average()
        return real_result(result)


def _better(name: str, best: Any, value: Any) -> Any:
    try:
        wins = value < best if name == "min" else value > best
    except TypeError:
        wins = SortKey(value) < SortKey(best) if name == "min" else SortKey(best) < SortKey(value)
    return value if wins else best


def _running(name: str, values: list[Any], ends: list[int]) -> list[Any]:
    state = _Running(name)
    out: list[Any] = []
    done = 0
    current: Any = None
    for i in range(len(values)):
        if ends[i] > done:  # step through the rest of this row's peer group
            for j in range(done, ends[i]):
                state.step(values[j])
            done = ends[i]
            current = state.value()
        out.append(current)
    return out


def _sliding(name: str, values: list[Any], spans: list[tuple[int, int]]) -> list[Any]:
    """An aggregate over moving frames: rows that left are taken out, then those that entered
    are added, before each row's value (the order SQLite steps them in)."""
    state = _Running(name)
    out: list[Any] = []
    added = removed = 0
    for low, high in spans:
        while removed < low and removed < added:
            state.unstep(values[removed])
            removed += 1
        if added < low:  # rows before the frame never enter it (a frame ending before it starts)
            added = removed = low
        while added < high:
            state.step(values[added])
            added += 1
        out.append(state.value())
    return out


def _sliding_ahead(name: str, values: list[Any], spans: list[tuple[int, int]]) -> list[Any]:
    """An aggregate over frames from N FOLLOWING to the partition's end: SQLite adds all its
    rows first, then takes out those before each frame's start."""
    state = _Running(name)
    out: list[Any] = []
    added = removed = 0
    for low, high in spans:
        while added < high:
            state.step(values[added])
            added += 1
        while removed < low and removed < added:
            state.unstep(values[removed])
            removed += 1
        out.append(state.value())
    return out


def _units(mode: str, ends: list[int]) -> list[tuple[int, int]]:
    """What a frame counts in: each row for ROWS, each peer group for GROUPS."""
    if mode == "rows":
        return [(i, i + 1) for i in range(len(ends))]
    starts = _peer_starts(ends)
    return [(first, ends[first]) for first in sorted(set(starts))]


def _sliding_following(
    name: str, values: list[Any], first: int, last: int, units: list[tuple[int, int]]
) -> list[Any]:
    """`BETWEEN first FOLLOWING AND last FOLLOWING` (rows, or peer groups as `units`), stepped
    as SQLite's program steps it: each unit is added in turn; once `last` units are ahead the
    next unit's value is read, and once `last - first` are, the oldest unit is taken out. The
    units before the first frame are added and taken out again, so they leave their rounding,
    and a REAL its type, behind."""
    count = len(units)
    state = _Running(name)
    results: list[Any] = []
    returns_in, inverses_in = last, last - first  # SQLite's regEnd and regStart counters
    removed = 0

    def apply(unit: tuple[int, int], step: Callable[[Any], None]) -> None:
        for position in range(*unit):
            step(values[position])

    for unit in units:
        apply(unit, state.step)
        if returns_in <= 0:
            results.append(state.value())
        returns_in -= 1
        if inverses_in <= 0 and len(results) < count:
            apply(units[removed], state.unstep)
            removed += 1
        inverses_in -= 1
    while len(results) < count:  # past the last unit: read values and take units out in turn
        if returns_in <= 0:
            results.append(state.value())
            if len(results) == count:
                break
        returns_in -= 1
        if inverses_in <= 0:
            if removed == count:
                break
            apply(units[removed], state.unstep)
            removed += 1
        inverses_in -= 1
    while len(results) < count:
        results.append(state.value())
    out: list[Any] = []
    for (low, high), value in zip(units, results, strict=True):
        out += [value] * (high - low)
    return out


def _best_of(name: str, values: list[Any]) -> Any:
    best: Any = None
    for value in values:
        if value is not None:
            best = value if best is None else _better(name, best, value)
    return best


def _positions(spans: list[tuple[int, int]]) -> list[range]:
    """Each frame's positions, from [first, past the last) spans."""
    return [range(low, max(low, high)) for low, high in spans]


def _member_offsets(
    name: str, rows: list[Any], members: Sequence[Sequence[int]], args: list[Fn], env: Any
) -> list[Any]:
    """first_value, last_value and nth_value over the positions each frame holds."""
    if not args:
        raise OperationalError(f"wrong number of arguments to function {name}()")
    value = args[0]
    out: list[Any] = []
    for i, held in enumerate(members):
        if name == "nth_value":
            nth = args[1](rows[i], env) if len(args) > 1 else None
            if not isinstance(nth, int) or nth <= 0:
                raise OperationalError("second argument to nth_value must be a positive integer")
            index = nth - 1
        else:
            index = 0 if name == "first_value" else len(held) - 1
        out.append(value(rows[held[index]], env) if 0 <= index < len(held) else None)
    return out
