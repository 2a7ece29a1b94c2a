"""A folder for output files, made ready before the work that fills it."""

import errno
import os
from pathlib import Path


def writable_folder(directory: str | os.PathLike[str]) -> Path:
    """`directory`, created if missing; an `OSError` when files cannot be written in it."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "the folder is not writable", str(folder))
    return folder
