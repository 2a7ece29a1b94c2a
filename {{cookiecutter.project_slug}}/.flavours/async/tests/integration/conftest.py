"""Fixtures of the integration tests: a seeded instrument and the container's collaborators."""

from decimal import Decimal

import pytest

from {{ cookiecutter.package_name }}.container import Container
from {{ cookiecutter.package_name }}.domain import Instrument
from {{ cookiecutter.package_name }}.services.ports import Clock, IdGenerator, UnitOfWork


def es_future() -> Instrument:
    return Instrument(
        symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50), currency="USD"
    )


@pytest.fixture
async def uow(container: Container) -> UnitOfWork:
    async with container.unit_of_work() as setup:
        setup.instruments.add(es_future())
        await setup.commit()
    return container.unit_of_work()


@pytest.fixture
def clock(container: Container) -> Clock:
    return container.clock()


@pytest.fixture
def ids(container: Container) -> IdGenerator:
    return container.ids()
