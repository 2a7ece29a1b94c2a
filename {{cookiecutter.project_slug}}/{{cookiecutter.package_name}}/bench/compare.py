"""The bench's correctness check: every run of every backend produced the identical report."""

from collections.abc import Sequence

from ..runner.summary import RunSummary


class ReportMismatchError(Exception):
    """Two runs disagree; the message shows the first difference."""


def first_difference(reference: RunSummary, other: RunSummary) -> str | None:
    """Where `other` first differs from `reference` (bars, round trips, final equity), or None."""
    if other.bars != reference.bars:
        return (
            f"bar counts differ: {reference.backend} {reference.bars}, {other.backend} {other.bars}"
        )
    if other.round_trips_csv != reference.round_trips_csv:
        expected = reference.round_trips_csv.splitlines()
        found = other.round_trips_csv.splitlines()
        for number, (left, right) in enumerate(zip(expected, found, strict=False), start=1):
            if left != right:
                return (
                    f"round trips differ at line {number}:\n"
                    f"  {reference.backend}: {left}\n  {other.backend}: {right}"
                )
        return (
            f"round trips differ in number: {reference.backend} has {len(expected) - 1}, "
            f"{other.backend} has {len(found) - 1}"
        )
    if other.final_equity != reference.final_equity:
        return (
            f"final equity differs: {reference.backend} {reference.final_equity}, "
            f"{other.backend} {other.final_equity}"
        )
    return None


def check_identical(summaries: Sequence[RunSummary]) -> None:
    """Raise `ReportMismatchError` unless every summary matches the first one."""
    if not summaries:
        return
    reference = summaries[0]
    for other in summaries[1:]:
        difference = first_difference(reference, other)
        if difference is not None:
            raise ReportMismatchError(f"the backends disagree: {difference}")
