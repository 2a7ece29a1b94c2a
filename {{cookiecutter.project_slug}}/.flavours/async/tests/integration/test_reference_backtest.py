"""The reference backtest, shortened, gives the identical report on every backend."""

from typing import cast

from {{ cookiecutter.package_name }}.container import Container
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

from .reference_scenario import (
    check_the_same_on_every_backend,
    open_pnl,
    reference_bars,
    reference_engine,
)


async def test_the_reference_backtest_is_identical_on_every_backend(container: Container) -> None:
    result = await reference_engine(container).run(reference_bars())

    async with cast(UnitOfWork, container.unit_of_work()) as uow:
        unrealized = open_pnl(await uow.positions.get_open("ES", "vwap-streak"))
    check_the_same_on_every_backend(container.config.database.backend(), result, unrealized)
