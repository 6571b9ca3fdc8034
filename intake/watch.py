"""The desk scanner's drop folder: every finished file becomes one dossier.

A sheet-feeder scan of a whole stack is one file, so one file is one dossier.
A file is taken only once its size has stopped changing (the scanner may
still be writing it); after reception it is moved aside, so nothing is
received twice and nothing is lost: `đã tiếp nhận/` holds what became a
dossier, `không đọc được/` what could not be received, with the reason next to it.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

RECEIVED = "đã tiếp nhận"
REFUSED = "không đọc được"


@dataclass
class DropFolder:
    folder: Path
    settle_s: float = 2.0  # a file unchanged this long is finished
    _sizes: dict[Path, tuple[int, float]] = field(default_factory=dict)

    def finished_files(self, now: float | None = None) -> list[Path]:
        """Files in the folder (not its subfolders) whose size has settled."""
        now = time.time() if now is None else now
        ready = []
        for path in sorted(self.folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            stat = path.stat()
            seen = self._sizes.get(path)
            if seen is None or seen[0] != stat.st_size:
                self._sizes[path] = (stat.st_size, now)
                if now - stat.st_mtime < self.settle_s:
                    continue
            elif now - seen[1] < self.settle_s and now - stat.st_mtime < self.settle_s:
                continue
            ready.append(path)
        return ready

    def move_aside(self, path: Path, subfolder: str, new_name: str) -> Path:
        target = self.folder / subfolder
        target.mkdir(exist_ok=True)
        destination = target / new_name
        shutil.move(str(path), destination)
        self._sizes.pop(path, None)
        return destination


def receive_once(drop: DropFolder, handle: Callable[[Path], str]) -> list[tuple[Path, str]]:
    """Hand every finished file to `handle` (which returns a dossier code); move it aside.

    `handle` raises ValueError (or a subclass) with a readable reason for a file
    that cannot be received; the file then goes to the refused folder with the
    reason in a `.txt` beside it.
    """
    done: list[tuple[Path, str]] = []
    for path in drop.finished_files():
        try:
            code = handle(path)
        except ValueError as exc:
            moved = drop.move_aside(path, REFUSED, path.name)
            moved.with_name(moved.name + ".txt").write_text(f"{exc}\n", encoding="utf-8")
            log.warning("drop folder: %s refused: %s", path.name, type(exc).__name__)
            continue
        drop.move_aside(path, RECEIVED, f"{code}-{path.name}")
        done.append((path, code))
    return done


def watch(drop: DropFolder, handle: Callable[[Path], str], *, interval_s: float = 2.0,
          should_stop: Callable[[], bool] = lambda: False) -> None:
    """Poll until `should_stop()`; polling works on every file system, network shares too."""
    while not should_stop():
        receive_once(drop, handle)
        time.sleep(interval_s)
