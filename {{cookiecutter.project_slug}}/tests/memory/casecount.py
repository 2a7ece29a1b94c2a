"""Counts the generated cases each property test really ran, so the total can be checked."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

PROFILE = "memory-diff"
CASE_FLOOR = 1_000

_registered: set[str] = set()
_ran: Counter[str] = Counter()


def case_key(module: str, name: str) -> str:
    """``test_prop_x::test_y``: the module's own name, however the tests package is imported."""
    return f"{module.rsplit('.', 1)[-1]}::{name}"


def register(key: str) -> str:
    """Declare a property test, so a run that skipped it is not taken for the whole suite."""
    _registered.add(key)
    return key


def record(key: str, cases: int = 1) -> None:
    _ran[key] += cases


def counted(test: Callable[P, R]) -> Callable[P, R]:
    """Count each completed example; goes between ``@given`` and the test function."""
    key = register(case_key(test.__module__, test.__qualname__))

    @functools.wraps(test)
    def run_and_count(*args: P.args, **kwargs: P.kwargs) -> R:
        result = test(*args, **kwargs)
        record(key)
        return result

    return run_and_count


def snapshot() -> dict[str, Any]:
    return {"registered": sorted(_registered), "ran": dict(_ran)}


@dataclass(frozen=True)
class Tally:
    """What ran, summed over this process and any worker processes."""

    registered: frozenset[str]
    ran: Counter[str]

    @classmethod
    def merge(cls, snapshots: Iterable[dict[str, Any]]) -> Tally:
        registered: set[str] = set()
        ran: Counter[str] = Counter()
        for item in snapshots:
            registered.update(item["registered"])
            ran.update(item["ran"])
        return cls(frozenset(registered), ran)

    @property
    def total(self) -> int:
        return sum(self.ran.values())

    def covers_suite(self, module_names: Iterable[str]) -> bool:
        """True when every property module was imported and every property test in it ran."""
        modules = {key.split("::", 1)[0] for key in self.registered}
        return set(module_names) <= modules and all(self.ran[key] for key in self.registered)

    def per_module(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for key, cases in self.ran.items():
            counts[key.split("::", 1)[0]] += cases
        return dict(sorted(counts.items()))
