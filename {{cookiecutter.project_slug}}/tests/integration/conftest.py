"""Fixtures of the integration tests: a unit of work whose database holds the ES instrument."""

import pytest

from {{ cookiecutter.package_name }}.container import Container
from {{ cookiecutter.package_name }}.services.ports import UnitOfWork

from .builders import es_future


@pytest.fixture
def uow(container: Container) -> UnitOfWork:
    with container.unit_of_work() as setup:
        setup.instruments.add(es_future())
        setup.commit()
    return container.unit_of_work()
