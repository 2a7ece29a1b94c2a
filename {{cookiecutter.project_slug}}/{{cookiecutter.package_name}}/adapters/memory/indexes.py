"""Hash indexes with a lazily maintained sorted key list for ranges and ordering."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

Bucket = int | dict[int, None]

_REBUILD_RATIO = 16


def bucket_rowids(bucket: Bucket | None) -> Iterable[int]:
    """The row ids held by one index bucket (an int for one row, a dict for several)."""
    if bucket is None:
        return ()
    if type(bucket) is int:
        return (bucket,)
    return bucket  # type: ignore[return-value]


class HashIndex:
    """Maps a key (one value, or a tuple for several columns) to the row ids holding it.

    NULL keys are stored like any other key (for `IS NULL` look-ups) but never take
    part in uniqueness checks, as in SQL.
    """

    __slots__ = (
        "_pending_add",
        "_pending_del",
        "_sorted",
        "_unsortable",
        "columns",
        "key",
        "map",
        "name",
        "origin",
        "positions",
        "single",
        "unique",
    )

    def __init__(
        self,
        name: str,
        positions: tuple[int, ...],
        columns: tuple[str, ...],
        unique: bool,
        origin: str = "index",
    ) -> None:
        self.name = name
        self.origin = origin
        self.positions = positions
        self.columns = columns
        self.unique = unique
        self.single = len(positions) == 1
        #: the index key of a stored row: one value, or a tuple for several columns
        self.key: Callable[[tuple[Any, ...]], Any] = itemgetter(*positions)
        self.map: dict[Any, Bucket] = {}
        self._sorted: list[Any] | None = None
        self._pending_add: list[Any] = []
        self._pending_del: list[Any] = []
        self._unsortable = False

    def key_has_null(self, key: Any) -> bool:
        if self.single:
            return key is None
        return None in key

    def conflicts(self, key: Any, rowid: int | None = None) -> bool:
        """True when a unique index already holds `key` for a row other than `rowid`."""
        bucket = self.map.get(key)
        if bucket is None or self.key_has_null(key):
            return False
        if type(bucket) is int:
            return bucket != rowid
        return any(r != rowid for r in bucket)  # type: ignore[union-attr]

    def add(self, key: Any, rowid: int) -> None:
        m = self.map
        bucket = m.get(key)
        if bucket is None:
            m[key] = rowid
            if self._sorted is not None:
                self._pending_add.append(key)
        elif type(bucket) is int:
            m[key] = {bucket: None, rowid: None}
        else:
            bucket[rowid] = None  # type: ignore[index]

    def add_new(self, entries: dict[Any, int]) -> None:
        """Add keys the index does not hold yet, one row id each."""
        self.map.update(entries)
        self._note_added(entries)

    def merge_new(self, keys: Sequence[Any], rowids: Iterable[int]) -> bool:
        """Add `keys` with their row ids, one each, when none is held yet and none repeats;
        otherwise drop every key of `keys` from the index and return False.

        The keys are merged first and counted after, which spares a look-up of each (a key
        held already or repeated leaves the map short of one entry per key); after a False
        the caller puts back the entries of its stored rows that hold those keys.
        """
        m = self.map
        held = len(m)
        m.update(zip(keys, rowids, strict=True))
        if len(m) == held + len(keys):
            self._note_added(keys)
            return True
        for key in keys:
            m.pop(key, None)
        return False

    def drop_new(self, keys: Iterable[Any]) -> None:
        """Take back keys just added by `merge_new`."""
        deque(map(self.map.__delitem__, keys), maxlen=0)

    def _note_added(self, keys: Collection[Any]) -> None:
        """Keep the sorted key list in step with `keys`, just added to the map."""
        if self._sorted is None:
            return
        if len(keys) > len(self._sorted) // _REBUILD_RATIO + 32:
            self._sorted = None  # re-sorting once beats inserting each key
            self._pending_add.clear()
            self._pending_del.clear()
        else:
            self._pending_add.extend(keys)

    def remove(self, key: Any, rowid: int) -> None:
        m = self.map
        bucket = m[key]
        if type(bucket) is int:
            del m[key]
            if self._sorted is not None:
                self._pending_del.append(key)
        else:
            del bucket[rowid]  # type: ignore[union-attr]
            if len(bucket) == 1:  # type: ignore[arg-type]
                m[key] = next(iter(bucket))  # type: ignore[arg-type]

    def clear(self) -> None:
        self.map.clear()
        self._sorted = None
        self._pending_add.clear()
        self._pending_del.clear()
        self._unsortable = False

    def lookup(self, key: Any) -> Iterable[int]:
        """Row ids whose key equals `key` (NULL matches only an explicit IS NULL look-up)."""
        return bucket_rowids(self.map.get(key))

    # ordered access -------------------------------------------------------------
    def sorted_keys(self) -> list[Any] | None:
        """The distinct non-NULL keys in ascending order, or None when keys do not sort."""
        if self._unsortable:
            return None
        keys = self._sorted
        try:
            if keys is None or len(self._pending_add) + len(self._pending_del) > (
                len(keys) // _REBUILD_RATIO + 32
            ):
                keys = sorted(k for k in self.map if not self.key_has_null(k))
            else:
                for k in self._pending_del:
                    if k in self.map:
                        continue
                    i = bisect_left(keys, k)
                    if i < len(keys) and keys[i] == k:
                        del keys[i]
                for k in self._pending_add:
                    if self.key_has_null(k) or k not in self.map:
                        continue
                    i = bisect_left(keys, k)
                    if i == len(keys) or keys[i] != k:
                        insort(keys, k)
        except TypeError:
            self._unsortable = True
            self._sorted = None
            return None
        self._pending_add.clear()
        self._pending_del.clear()
        self._sorted = keys
        return keys

    def range_keys(
        self, low: Any, low_inclusive: bool, high: Any, high_inclusive: bool
    ) -> list[Any] | None:
        """Keys between the bounds (None bound = open), ascending; None if unsortable."""
        keys = self.sorted_keys()
        if keys is None:
            return None
        try:
            start = 0
            if low is not None:
                start = bisect_left(keys, low) if low_inclusive else bisect_right(keys, low)
            stop = len(keys)
            if high is not None:
                stop = bisect_right(keys, high) if high_inclusive else bisect_left(keys, high)
        except TypeError:
            return None
        return keys[start:stop]

    def prefix_range_keys(
        self,
        prefix: tuple[Any, ...],
        low: Any,
        low_inclusive: bool,
        high: Any,
        high_inclusive: bool,
    ) -> list[Any] | None:
        """Keys of a multi-column index that start with `prefix` and whose next column lies
        between the bounds (None bound = open), ascending; None if the keys do not sort or a
        bound does not compare with them."""
        keys = self.sorted_keys()
        if keys is None:
            return None
        width = len(prefix)
        head = _head(width)
        try:
            if low is None:
                start = bisect_left(keys, prefix, key=head)
            else:
                find = bisect_left if low_inclusive else bisect_right
                start = find(keys, (*prefix, low), key=_head(width + 1))
            if high is None:
                stop = bisect_right(keys, prefix, key=head)
            else:
                find = bisect_right if high_inclusive else bisect_left
                stop = find(keys, (*prefix, high), key=_head(width + 1))
        except TypeError:
            return None
        return keys[start:stop]

    def rowids_for_keys(self, keys: Iterable[Any]) -> Iterator[int]:
        m = self.map
        for k in keys:
            bucket = m.get(k)
            if bucket is None:
                continue
            if type(bucket) is int:
                yield bucket
            else:
                yield from bucket  # type: ignore[misc]


def _head(width: int) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """The first `width` columns of a multi-column key."""
    return lambda key: key[:width]
