"""A micro-benchmark pass times every round on each backend in turn and drops one that fails."""

from {{ cookiecutter.package_name }}.bench.backends import BenchBackend, bench_backends
from {{ cookiecutter.package_name }}.bench.micro import interleaved_rounds
from {{ cookiecutter.package_name }}.bench.micro_parts import MicroResult, MicroSizes


class FakeBench:
    """Answers every round with fixed seconds, and fails on `fail_on`."""

    def __init__(
        self, backend: BenchBackend, seconds: float, calls: list[tuple[str, str]], fail_on: str = ""
    ) -> None:
        self.backend = backend
        self._seconds = seconds
        self._calls = calls
        self._fail_on = fail_on

    def time_round(self, operation: str, ops: int) -> list[tuple[str, float]]:
        assert ops == 7
        self._calls.append((self.backend.name, operation))
        if operation == self._fail_on:
            raise OSError("disk full")
        return [(operation, self._seconds * len(self._calls))]


def test_rounds_alternate_over_the_backends_and_a_failed_one_leaves_no_result() -> None:
    memory, sqlite, file = bench_backends(None)
    calls: list[tuple[str, str]] = []
    benches = [
        FakeBench(memory, 1.0, calls),
        FakeBench(sqlite, 10.0, calls),
        FakeBench(file, 5.0, calls, fail_on="select_fresh"),
    ]
    failures: dict[str, str] = {}
    sizes = MicroSizes(ops=7, rounds=2, bulk_rounds=1)

    results = interleaved_rounds(benches, sizes, failures)  # type: ignore[arg-type]

    names = ["memory", "sqlite-memory", "sqlite-file"]
    assert calls[:6] == [(name, "select_prebuilt") for name in [*names, *names[::-1]]]
    assert calls[6:9] == [(name, "select_fresh") for name in names]
    assert all(name != "sqlite-file" for name, _ in calls[9:])
    assert failures == {"SQLite file": "OSError: disk full"}
    assert results[:2] == [
        MicroResult("memory", "select_prebuilt", 3.5),  # rounds at calls 1 and 6
        MicroResult("sqlite-memory", "select_prebuilt", 35.0),  # calls 2 and 5
    ]
    assert {result.backend for result in results} == {"memory", "sqlite-memory"}
    assert [r.rows_per_op for r in results if r.operation == "bulk_insert"] == [100_000] * 2
