"""The micro-benchmarks' timing of awaited operations: the median round, per operation."""

from {{ cookiecutter.package_name }}.bench.micro import median_seconds_per_awaited_op


async def test_an_awaited_timing_is_the_median_round_per_operation() -> None:
    calls: list[int] = []

    async def operation() -> None:
        calls.append(1)

    seconds = await median_seconds_per_awaited_op(operation, number=10, rounds=3)

    assert len(calls) == 30
    assert 0 < seconds < 0.01
