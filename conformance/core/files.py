"""Writing the kit's output files (results, the report, figures) so that nothing a submission
left at the path survives and no reader sees half a file."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace whatever is at ``path`` (a submission may have put a file, a link or a folder
    there) with ``data``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    parent = path.parent
    if not os.access(parent, os.W_OK):
        os.chmod(parent, parent.stat().st_mode | stat.S_IWUSR)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from the platform's other users
    os.replace(tmp, path)
