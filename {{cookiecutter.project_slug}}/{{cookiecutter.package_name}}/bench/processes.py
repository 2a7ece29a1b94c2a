"""The bench's measurements run as `python -m` processes of their own, so none inherits another's
caches or garbage; a process that fails is told by the last line it wrote to stderr."""

import subprocess
import sys
from collections.abc import Mapping, Sequence


def run_module(
    module: str, arguments: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m module arguments...` with this interpreter; its output is captured."""
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def last_error_line(finished: subprocess.CompletedProcess[str]) -> str:
    lines = finished.stderr.strip().splitlines() or ["(nothing on stderr)"]
    return lines[-1]
