"""The application used as a library, in a fresh process: what a script may do in any order."""

import subprocess
import sys
import textwrap

PACKAGE = "{{ cookiecutter.package_name }}"

SCRIPT = textwrap.dedent(
    f"""
    import asyncio
    from decimal import Decimal

    from {PACKAGE}.container import build_container
    from {PACKAGE}.database_urls import MEMORY_URL
    from {PACKAGE}.domain import Instrument

    # made before any engine exists
    es = Instrument(symbol="ES", tick_size=Decimal("0.25"), multiplier=Decimal(50))
    container = build_container(database_url=MEMORY_URL)
    uow = container.unit_of_work()

    async def stored_async() -> str:
        from {PACKAGE}.container import opened  # the asynchronous flavour readies its database

        async with opened(container):
            async with uow:
                uow.instruments.add(es)
                await uow.commit()
            async with uow:
                return (await uow.instruments.get("ES")).symbol

    def stored() -> str:
        with uow:
            uow.instruments.add(es)
            uow.commit()
        with uow:
            return uow.instruments.get("ES").symbol

    print(asyncio.run(stored_async()) if hasattr(uow, "__aenter__") else stored())
    """
)


def test_a_domain_object_made_before_the_first_engine_can_be_stored() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )

    assert (result.returncode, result.stdout.strip()) == (0, "ES"), result.stderr
