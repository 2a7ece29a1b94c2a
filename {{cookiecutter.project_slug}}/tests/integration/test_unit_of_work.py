"""The unit of work commits only when asked and turns integrity errors into domain conflicts."""

from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.domain import ConflictError
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

from .builders import es_future, nq_future


def test_committed_work_is_seen_by_the_next_unit_of_work(uow: UnitOfWork) -> None:
    with uow:
        uow.instruments.add(nq_future())
        uow.commit()

    with uow:
        assert uow.instruments.get("NQ").multiplier == Decimal(20)


def test_work_not_committed_is_rolled_back(uow: UnitOfWork) -> None:
    with uow:
        uow.instruments.add(nq_future())

    with uow, pytest.raises(Exception, match="instrument 'NQ' not found"):
        uow.instruments.get("NQ")


def test_an_error_in_the_block_rolls_back_and_propagates(uow: UnitOfWork) -> None:
    with pytest.raises(ZeroDivisionError), uow:
        uow.instruments.add(nq_future())
        _ = 1 / 0

    with uow, pytest.raises(Exception, match="not found"):
        uow.instruments.get("NQ")


def test_a_duplicate_key_is_a_conflict_and_the_unit_of_work_stays_usable(uow: UnitOfWork) -> None:
    with uow, pytest.raises(ConflictError, match="instruments"):
        uow.instruments.add(es_future())
        uow.commit()

    with uow:
        uow.instruments.add(nq_future())
        uow.commit()
    with uow:
        assert uow.instruments.get("NQ").symbol == "NQ"


def test_a_unit_of_work_outside_its_block_refuses_to_work(uow: UnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="not open"):
        uow.commit()
