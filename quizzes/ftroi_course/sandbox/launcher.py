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


def copy_into_scratch(src: str, dst: str) -> None:
    """Copy the folder ``src`` into ``dst`` inside the sandbox (links copied as links)."""
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)


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
