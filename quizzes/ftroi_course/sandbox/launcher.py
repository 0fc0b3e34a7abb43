"""The program that runs inside the sandbox before the kernel (``python -I -S -c SOURCE``).

It copies the student's folder into the scratch working directory and matplotlib's font cache
into HOME, sets the limits, drops to the sandbox's uid (when the grader is root), then becomes
the kernel (``exec``). With ``-I -S`` nothing from the environment or the site folders is
imported; it uses the standard library only, since the sandbox hides this package.

Its argument is a JSON spec: ``home``, ``copies`` (pairs of folders), ``limits`` (rlimit name,
soft, hard), ``uid`` (or null) and ``owned`` (folders handed to that uid); the kernel's command
follows.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time

#: At most this many files and folders of the student's folder are copied, for at most this
#: long: no submission folder may hold up the kernel's start (a kernel that does not start is
#: a fault of the grading environment, which stops grading for the whole class).
MAX_COPIED_ENTRIES = 10_000
MAX_COPY_SECONDS = 20.0


def copy_into_scratch(src: str, dst: str) -> None:
    """Copy the folder ``src`` into ``dst`` inside the sandbox (links copied as links), up to
    ``MAX_COPIED_ENTRIES`` entries and ``MAX_COPY_SECONDS``; the rest is left out."""
    left, until, dropped = [MAX_COPIED_ENTRIES], time.monotonic() + MAX_COPY_SECONDS, [0]

    def over_budget(folder: str, names: list[str]) -> list[str]:
        keep = 0 if time.monotonic() > until else min(len(names), max(0, left[0]))
        left[0] -= keep
        dropped[0] += len(names) - keep
        return names[keep:]

    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True, ignore=over_budget)
    if dropped[0]:
        print(f"ftroi sandbox: {dropped[0]} entries of {src} not copied (limits: "
              f"{MAX_COPIED_ENTRIES} entries, {MAX_COPY_SECONDS:g} s)", file=sys.stderr)


def hand_over(top: str, uid: int) -> None:
    """Make ``top`` and everything in it belong to ``uid``."""
    os.lchown(top, uid, uid)
    for folder, dirs, files in os.walk(top):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, uid)


def launch(spec: dict, argv: list[str]) -> None:
    """Prepare the sandbox's folders and limits as ``spec`` says, then exec ``argv``."""
    os.makedirs(spec["home"], exist_ok=True)
    for src, dst in spec["copies"]:
        try:
            copy_into_scratch(src, dst)
        except Exception as exc:
            print(f"ftroi sandbox: could not copy {src}: {exc}", file=sys.stderr)
    uid = spec["uid"]
    if uid is not None:
        for top in spec["owned"]:
            hand_over(top, uid)
    for name, soft, hard in spec["limits"]:
        resource.setrlimit(getattr(resource, name), (soft, hard))
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    launch(json.loads(sys.argv[1]), sys.argv[2:])
