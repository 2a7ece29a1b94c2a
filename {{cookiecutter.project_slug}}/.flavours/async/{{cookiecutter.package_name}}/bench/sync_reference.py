"""The synchronous flavour's command line, run inside this async project for the bench.

The bench's reference rows are the synchronous flavour's own backtest, not an imitation (an
async stack driven without an event loop would time the async code again): the modules that the
two flavours write differently (ports, use cases, engine, repositories, unit of work, engines,
container, runner, URL forms, ...) are kept, as the synchronous flavour has them, in
`sync_flavour/` beside the package (copied there when the project was generated, just before
the async versions took their place); every other module is shared by both flavours.

`python -m <package>.bench.sync_reference backtest ...` puts `SyncFlavourFinder` first on
`sys.meta_path`, so those module names load from `sync_flavour/`, then runs the command line,
which takes the synchronous URL forms (`memory://`, `sqlite:///:memory:`). The finder lives only in
that process: this module imports nothing of the package until it is installed.
"""

import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parents[1]
SYNC_FLAVOUR_DIR = PACKAGE_DIR.parent / "sync_flavour"


class SyncFlavourError(RuntimeError):
    """The synchronous flavour's modules cannot be put in place."""


class SyncFlavourFinder:
    """Finds the package's modules that have a synchronous version under `root`."""

    def __init__(self, root: Path, package: str) -> None:
        self._root = root
        self._prefix = f"{package}."

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(self._prefix):
            return None
        source = self._root.joinpath(*fullname.split(".")).with_suffix(".py")
        if not source.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def sync_module_names(root: Path, package: str) -> list[str]:
    """The dotted names of the modules kept in their synchronous version under `root`."""
    base = root / package
    if not base.is_dir():
        raise SyncFlavourError(
            f"the synchronous flavour's modules are not in {base}: the bench's sync reference "
            "runs from the project's own directory (an editable install, as `make install` makes)"
        )
    return sorted(
        ".".join((package, *source.relative_to(base).with_suffix("").parts))
        for source in base.rglob("*.py")
    )


def install(root: Path = SYNC_FLAVOUR_DIR, package: str = PACKAGE_DIR.name) -> list[str]:
    """Load the synchronous versions from now on; returns their module names."""
    names = sync_module_names(root, package)
    loaded = [name for name in names if name in sys.modules]
    if loaded:
        raise SyncFlavourError(
            f"too late for the synchronous flavour: {', '.join(loaded)} already imported"
        )
    sys.meta_path.insert(0, SyncFlavourFinder(root, package))
    return names


def main() -> None:
    install()
    cli = importlib.import_module(f"{PACKAGE_DIR.name}.cli")
    cli.main()


if __name__ == "__main__":
    main()
