"""The unit of work commits only when asked and turns integrity errors into domain conflicts."""

from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import ConflictError
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

from .builders import es_future, nq_future


async def test_committed_work_is_seen_by_the_next_unit_of_work(uow: UnitOfWork) -> None:
    async with uow:
        uow.instruments.add(nq_future())
        await uow.commit()

    async with uow:
        assert (await uow.instruments.get("NQ")).multiplier == Decimal(20)


async def test_work_not_committed_is_rolled_back(uow: UnitOfWork) -> None:
    async with uow:
        uow.instruments.add(nq_future())

    async with uow:
        with pytest.raises(Exception, match="instrument 'NQ' not found"):
            await uow.instruments.get("NQ")


async def test_an_error_in_the_block_rolls_back_and_propagates(uow: UnitOfWork) -> None:
    with pytest.raises(ZeroDivisionError):
        async with uow:
            uow.instruments.add(nq_future())
            _ = 1 / 0

    async with uow:
        with pytest.raises(Exception, match="not found"):
            await uow.instruments.get("NQ")


async def test_a_duplicate_key_is_a_conflict_and_the_unit_of_work_stays_usable(
    uow: UnitOfWork,
) -> None:
    async with uow:
        with pytest.raises(ConflictError, match="instruments"):
            uow.instruments.add(es_future())
            await uow.commit()

    async with uow:
        uow.instruments.add(nq_future())
        await uow.commit()
    async with uow:
        assert (await uow.instruments.get("NQ")).symbol == "NQ"


async def test_a_unit_of_work_outside_its_block_refuses_to_work(uow: UnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="not open"):
        await uow.commit()
