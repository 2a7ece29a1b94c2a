"""The replay's view of the heap: frozen while it runs, given back after, others' freezes kept."""

import gc

from {{ cookiecutter.package_name }}.runner.heap import heap_frozen


def test_objects_alive_at_the_start_are_frozen_for_the_block_only() -> None:
    held = [object() for _ in range(10)]
    assert gc.get_freeze_count() == 0
    with heap_frozen():
        assert gc.get_freeze_count() >= len(held)
    assert gc.get_freeze_count() == 0


def test_the_objects_come_back_when_the_block_fails() -> None:
    try:
        with heap_frozen():
            raise RuntimeError("replay failed")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0


def test_a_freeze_made_by_the_process_is_left_as_it_is() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with heap_frozen():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
