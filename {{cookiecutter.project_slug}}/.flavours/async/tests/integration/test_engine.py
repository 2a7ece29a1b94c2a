"""The async backtest engine on hand-made bars with known answers, on every backend.

The scenarios and what each must give are in `engine_scenarios`; here they run, and the database
is read back.
"""

import pytest

from {{ cookiecutter.package_name }}.container import Container
from {{ cookiecutter.package_name }}.services.backtest.engine import BacktestError

from .engine_scenarios import (
    BAD_BARS,
    CHUNKED,
    CHUNKED_BARS,
    CHUNKED_PROGRESS,
    ENTRY,
    FAILING_BARS,
    FAILING_FIRST_BRACKET,
    FAILING_SCRIPT,
    FIRST_BRACKET,
    SCENARIOS,
    SECOND_BRACKET,
    STRATEGY,
    SYMBOL,
    Outcome,
    Scenario,
    ScriptedStrategy,
    engine_for,
    flat,
    unit_of_work,
)


async def run(container: Container, scenario: Scenario) -> Outcome:
    strategy = ScriptedStrategy(scenario.script)
    result = await engine_for(container, strategy, scenario.settings).run(scenario.bars)
    async with unit_of_work(container) as uow:
        return Outcome.read(
            (result, strategy),
            await uow.orders.list_in_group(FIRST_BRACKET),
            await uow.trades.list_for_order(ENTRY),
            await uow.positions.get_open(SYMBOL, STRATEGY),
            await uow.bars.count(SYMBOL),
        )


async def stored_bars(container: Container) -> int:
    async with unit_of_work(container) as uow:
        return await uow.bars.count(SYMBOL)


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_scenario(container: Container, name: str) -> None:
    scenario = SCENARIOS[name]
    scenario.check(await run(container, scenario))


@pytest.mark.parametrize("name", list(BAD_BARS))
async def test_bad_bars_are_refused_before_anything_is_stored(
    container: Container, name: str
) -> None:
    bars, message = BAD_BARS[name]
    with pytest.raises(BacktestError, match=message):
        await engine_for(container, ScriptedStrategy({})).run(bars)

    assert await stored_bars(container) == 0


async def test_a_database_that_already_holds_bars_is_refused(container: Container) -> None:
    await engine_for(container, ScriptedStrategy({})).run([flat(0, "100")])

    with pytest.raises(BacktestError, match="already holds 1 ES bars"):
        await engine_for(container, ScriptedStrategy({})).run([flat(5, "100")])


async def test_bars_are_read_back_in_chunks_and_progress_goes_from_zero_to_all(
    container: Container,
) -> None:
    strategy = ScriptedStrategy({})
    calls: list[tuple[int, int]] = []

    engine = engine_for(container, strategy, CHUNKED)
    result = await engine.run(
        CHUNKED_BARS, on_progress=lambda done, total: calls.append((done, total))
    )

    assert [seen for seen, _, _ in strategy.seen] == CHUNKED_BARS
    assert calls == CHUNKED_PROGRESS
    assert result.bar_count == len(CHUNKED_BARS)


async def test_an_engine_runs_once(container: Container) -> None:
    engine = engine_for(container, ScriptedStrategy({}))
    stored = await engine.store([flat(0, "100")])
    await engine.replay(stored)

    with pytest.raises(BacktestError, match="already run"):
        await engine.replay(stored)


async def test_a_failing_bar_is_rolled_back_and_the_bars_before_it_stay_committed(
    container: Container,
) -> None:
    engine = engine_for(container, ScriptedStrategy(FAILING_SCRIPT), CHUNKED)
    with pytest.raises(BacktestError, match="unknown action"):
        await engine.run(FAILING_BARS)

    async with unit_of_work(container) as uow:
        first = {o.order_type: o.status for o in await uow.orders.list_in_group(FIRST_BRACKET)}
        second = await uow.orders.list_in_group(SECOND_BRACKET)
    assert first == FAILING_FIRST_BRACKET
    assert second == []
