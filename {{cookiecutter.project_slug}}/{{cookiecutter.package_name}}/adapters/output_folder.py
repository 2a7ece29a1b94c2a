"""Output files: their folder made ready before the work that fills them, and each file
replaced whole or not at all."""

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def writable_folder(directory: str | os.PathLike[str]) -> Path:
    """`directory`, created if missing; an `OSError` when files cannot be written in it."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "the folder is not writable", str(folder))
    return folder


@contextmanager
def replaced_whole(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary file beside `path` to write; once written it takes `path`'s place in one
    step, so a write that fails or is interrupted leaves the file that was there as it was."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
