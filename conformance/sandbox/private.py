"""The worker's private folder: a copy of the submission that only its worker can read.

Each worker gets a fresh folder (mode 0700) owned by the uid it runs as. The submission's
folder is copied into it, so that the worker can read it whatever the original's permissions
(a job folder of the grader is 0700 root), and so that no other job's worker, and nothing the
submission does, changes what is graded. The copy is made by the grader, outside any sandbox,
with the grader's rights, so it takes only what the submission itself holds:

- never a link that leads out of the folder (a file the student links to, ``helpers.py`` →
  the kit's reference or the points table, would otherwise arrive as a regular file, read
  with the grader's rights, before the sandbox that hides it exists); a link to another file
  of the folder is copied as that file;
- never anything but regular files (no fifo, device or socket is opened);
- never hidden files, caches, virtual environments, files of kinds a submission does not
  import or read, or anything over the size limits;
- never the kit (its checks, its reference) or the grader's private files (the points table,
  the results files), nor the folders below the submission's that hold them.

What is left out is said, so that an honest student learns why an import fails.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: Kinds of file a submission imports or reads.
SUFFIXES = (".py", ".ipynb", ".txt", ".json", ".csv", ".npy", ".npz", ".toml", ".cfg", ".pkl")
MAX_FILE = 8 << 20
MAX_TOTAL = 64 << 20
MAX_FILES = 500
MAX_DEPTH = 4


@dataclass
class Copy:
    """A copied folder: where it came from, where the copy is, and what was left out (a path
    relative to the folder, and why)."""

    source: Path
    copy: Path
    left_out: list[str] = field(default_factory=list)


def _within(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def regular_file(path: Path, inside: Path) -> tuple[Path | None, str | None]:
    """``path`` as a regular file to read (a link resolved, if it stays inside the folder
    ``inside``), or None and why not."""
    try:
        info = os.lstat(path)
    except OSError as err:
        return None, f"cannot be read ({err.strerror})"
    if stat.S_ISLNK(info.st_mode):
        target = path.resolve()
        if not _within(target, [inside.resolve()]):
            return None, "a link to a file outside the submission's folder"
        try:
            info = os.lstat(target)
        except OSError as err:
            return None, f"a link that leads nowhere ({err.strerror})"
        path = target
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file"
    return path, None


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file, never following a link put in its place meanwhile."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(f"{path}: not a regular file")
        return f.read()


def submission_files(
    source: Path, private: list[Path] | None = None, kit: list[Path] | None = None
) -> Iterator[tuple[Path, Path | None, str | None]]:
    """(path relative to ``source``, the regular file to read or None, why not) for each file
    of a submission's folder that a submission may import or read, within the limits."""
    root = source.resolve()
    # The grader's own files and the kit, and the folders below the submission's that hold
    # them (a results folder): never part of the copy.
    excluded = [Path(k).resolve() for k in kit or []]
    private = [Path(p).resolve() for p in private or []]
    excluded += [p.parent for p in private if root in p.parent.parents]
    total = files = 0
    for folder, dirs, names in os.walk(source):
        here = Path(folder)
        rel_here = here.relative_to(source)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d != "__pycache__"
            and len(rel_here.parts) < MAX_DEPTH
            and not _within((root / rel_here / d), excluded)
            # a virtual environment: the sandbox shows the Python it grades with, not this copy
            and not (here / d / "pyvenv.cfg").exists()
        )
        for name in sorted(names):
            path = here / name
            rel = rel_here / name
            if name.startswith(".") or path.suffix not in SUFFIXES:
                continue
            found, why = regular_file(path, source)
            if found is not None and (found.resolve() in private or _within(found, excluded)):
                continue  # the grader's, not the submission's: not even named
            if found is not None:
                size = found.stat().st_size
                if size > MAX_FILE or total + size > MAX_TOTAL or files >= MAX_FILES:
                    found, why = None, "over the size limits of a submission"
                else:
                    total += size
                    files += 1
            yield rel, found, why


def copy_folder(
    source: Path, dest: Path, only: Path | None, private: list[Path], kit: list[Path]
) -> Copy:
    """Copy ``source`` to ``dest`` (see the module's docstring); ``only``, the submission's
    own file, is copied whatever its size, if it is in that folder."""
    copy = Copy(source, dest)
    dest.mkdir(parents=True, exist_ok=True)
    if _within(source.resolve(), [Path(k).resolve() for k in kit]):
        taken: Iterator[tuple[Path, Path | None, str | None]] = iter(())
        copy.left_out.append(f"{source.name}/ (a folder of the kit: only the submission is copied)")
    else:
        taken = submission_files(source, private, kit)
    for rel, found, why in taken:
        if found is None:
            copy.left_out.append(f"{rel} ({why})")
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(read_regular(found))
    if only is not None and only.parent == source and not (dest / only.name).exists():
        found, why = regular_file(only, source)
        if found is None:
            copy.left_out.append(f"{only.name} ({why})")
        else:
            (dest / only.name).write_bytes(read_regular(found))
    return copy


def left_out_note(left_out: list[str]) -> str:
    """The line that tells the student which of their files their code was not given."""
    shown = "; ".join(left_out[:10]) + ("; …" if len(left_out) > 10 else "")
    return f"Not given to your code: {shown}"


def hand_over(root: Path, uid: int | None) -> None:
    """Make ``root`` and everything in it the worker's: owned by ``uid`` (when the grader can
    give it), folders 0700 then files read-only to their owner."""
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if uid is not None:
                os.chown(path, uid, uid)
            path.chmod(0o400)
        if uid is not None:
            os.chown(folder, uid, uid)
        Path(folder).chmod(0o700)


def copy_adapter(adapter: str | None, root: Path) -> Path | None:
    """The instructor's adapter file (grading's ``--adapter=FILE``), copied for the worker to
    build the contract with; None for a shipped one, or none. Made after hand_over, and
    readable by all, like the kit's own files: the worker loads it before it drops to its uid
    (in a root grader's sandbox, a root without the capability to read others' files)."""
    if not adapter or not adapter.endswith(".py"):
        return None
    copy = root / "adapter" / Path(adapter).name
    copy.parent.mkdir()
    shutil.copyfile(adapter, copy)
    copy.chmod(0o444)
    copy.parent.chmod(0o755)
    return copy
