"""The memory suite: engine pairs, the Hypothesis profile, and the generated-case count.

Every test runs its work on SQLite and on ``memory://`` and compares the answers exactly. Run
``MEMORY_DIFF_BASELINE=sqlite pytest tests/memory`` to check the tests themselves against a second
SQLite engine. A full run prints how many generated cases it compared and fails below 1,000.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from sqlalchemy import MetaData
from sqlalchemy.exc import SAWarning

from .casecount import CASE_FLOOR, PROFILE, Tally, snapshot
from .diff_schema import Base, seed
from .diffkit import (
    BASELINE_VAR,
    SESSION_MODES,
    EnginePair,
    baseline_mode,
    make_pair,
    pair_of,
    set_session_mode,
)

# No "explain" phase: it re-runs a failing case many times for little extra insight here.
settings.register_profile(
    PROFILE,
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROPERTY_MODULES = sorted(path.stem for path in Path(__file__).parent.glob("test_prop_*.py"))
_TALLY_KEY = "memory_suite_cases"

# SQLite stores Numeric as floating point; the exact read-back is what the tests compare.
warnings.filterwarnings("ignore", r".*does \*not\* support Decimal objects natively", SAWarning)


SESSION_MODULES = frozenset(
    {
        "test_diff_caching",
        "test_diff_collations",
        "test_diff_constraints",
        "test_diff_dml",
        "test_diff_flush",
        "test_diff_orm",
        "test_diff_orm_shapes",
        "test_diff_select_joins",
        "test_diff_transactions",
        "test_diff_types",
        "test_impl_concurrency",
        "test_impl_session",
    }
)
"""Modules whose tests run twice: memory sessions with the fast path, then without it."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in SESSION_MODULES and "session_mode" in metafunc.fixturenames:
        metafunc.parametrize("session_mode", SESSION_MODES, indirect=True)


@pytest.fixture(autouse=True)
def session_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """The memory session mode of the test (`fast` unless the module is parametrized)."""
    mode: str = getattr(request, "param", SESSION_MODES[0])
    set_session_mode(mode)
    yield mode
    set_session_mode(SESSION_MODES[0])


@pytest.fixture
def pair_factory() -> Iterator[Callable[..., EnginePair]]:
    """Make engine pairs with the given metadata's tables; all are disposed after the test."""
    made: list[EnginePair] = []

    def factory(metadata: MetaData | None = None, **memory_kw: Any) -> EnginePair:
        made.append(make_pair(metadata, **memory_kw))
        return made[-1]

    yield factory
    for pair in made:
        pair.dispose()


@pytest.fixture
def trading(pair_factory: Callable[..., EnginePair]) -> EnginePair:
    """Both engines with the trading schema and the same seed rows."""
    pair = pair_factory(Base.metadata)
    pair.run(seed)
    return pair


@pytest.fixture(scope="module")
def seeded() -> Iterator[EnginePair]:
    """Like ``trading``, shared by a module's tests: only for tests that never write."""
    with pair_of(Base.metadata) as pair:
        pair.run(seed)
        yield pair


# --- the generated-case count, summed over xdist workers when there are any ---------------------


_snapshots_key = pytest.StashKey[list[dict[str, Any]]]()


def _snapshots(config: pytest.Config) -> list[dict[str, Any]]:
    return config.stash.setdefault(_snapshots_key, [])


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    output = getattr(node, "workeroutput", {})
    if _TALLY_KEY in output:
        _snapshots(node.config).append(output[_TALLY_KEY])


def _tally(config: pytest.Config) -> Tally:
    return Tally.merge([snapshot(), *_snapshots(config)])


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output[_TALLY_KEY] = snapshot()
        return
    tally = _tally(session.config)
    if (
        tally.covers_suite(PROPERTY_MODULES)
        and tally.total < CASE_FLOOR
        and session.exitstatus == pytest.ExitCode.OK
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if getattr(config, "workeroutput", None) is not None:
        return
    tally = _tally(config)
    if not tally.registered:
        return
    side = "a second SQLite engine (baseline)" if baseline_mode() else "memory://"
    modules = ", ".join(f"{name} {cases}" for name, cases in tally.per_module().items())
    reporter = terminalreporter
    reporter.write_sep(
        "-", f"memory suite: {tally.total} generated cases compared SQLite with {side}"
    )
    reporter.write_line(f"per module: {modules or 'none ran'}")
    if not tally.covers_suite(PROPERTY_MODULES):
        reporter.write_line(f"(a partial run: the {CASE_FLOOR:,}-case floor applies to full runs)")
    elif tally.total < CASE_FLOOR:
        reporter.write_line(
            f"FAILED: fewer than {CASE_FLOOR:,} generated cases ran", red=True, bold=True
        )
    if baseline_mode():
        reporter.write_line(f"{BASELINE_VAR}=sqlite: the side under test was SQLite itself")
