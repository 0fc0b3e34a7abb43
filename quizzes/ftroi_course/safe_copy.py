"""Copy a student's folder without following anything out of it.

Every copy of student files in the course goes through :func:`safe_copytree` (collect from the
exchange, the sandbox's scratch copy) or is checked with :func:`unsafe_reason` first (zip
extraction, autograde's and generate_feedback's copies). What it will not copy, with the reason
it logs:

* a symbolic link (to a file or a folder): the copier's rights would read what it points to;
* a FIFO, a socket or a device file: reading one blocks or never ends;
* a hard link (a file with more than one name) or a file owned by someone other than the
  folder's owner: a student can link a file they may not read into their folder;
* a file over the size cap, measured as the disk stores it (``st_blocks * 512``): a 150 MB
  sparse file takes a few kB and is copied sparse; a real 150 MB file is refused.

Folders are opened with ``O_NOFOLLOW`` and walked by file descriptor, and each file is checked
again after it is opened, so a student who swaps a file for a link while the copy runs gains
nothing.

Examples
--------
>>> import logging, os, tempfile
>>> src = tempfile.mkdtemp(); dst = os.path.join(tempfile.mkdtemp(), "copy")
>>> _ = open(os.path.join(src, "answer.ipynb"), "w").write("{}")
>>> os.symlink("/etc/passwd", os.path.join(src, "passwd"))
>>> quiet = logging.getLogger("doctest"); quiet.addHandler(logging.NullHandler())
>>> quiet.propagate = False
>>> report = safe_copytree(src, dst, student="alice", log=quiet)
>>> report.copied, report.skipped
(['answer.ipynb'], [('passwd', 'a symbolic link')])
>>> sorted(os.listdir(dst))
['answer.ipynb']
"""

from __future__ import annotations

import errno
import fnmatch
import logging
import os
import stat
from dataclasses import dataclass, field

__all__ = ["CopyReport", "UnsafeFolder", "disk_bytes", "safe_copytree", "unsafe_reason"]

_MB = 1_000_000
#: Deeper folders than this are not copied (a student folder is a few levels deep at most).
MAX_DEPTH = 16
_CHUNK = 1 << 20


class UnsafeFolder(ValueError):
    """The folder to copy is itself a link, not a folder, or cannot be opened."""


@dataclass
class CopyReport:
    """What one :func:`safe_copytree` call copied and skipped (paths relative to ``src``)."""

    copied: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    disk_bytes: int = 0
    #: The newest status-change time (``st_ctime``) of the folder and everything copied: when the
    #: file system last saw any of it change. Nobody but root can set it back.
    newest_ctime: float = 0.0


def disk_bytes(st: os.stat_result) -> int:
    """The bytes a file takes on disk (``st_blocks * 512``), not its apparent size.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "sparse")
    >>> with open(path, "wb") as fh:
    ...     _ = fh.truncate(150_000_000)
    >>> os.stat(path).st_size, disk_bytes(os.stat(path)) < 1_000_000
    (150000000, True)
    """
    return int(st.st_blocks) * 512


def _kind(mode: int) -> str | None:
    """Why a file of this type is not copied (None for a regular file or a folder)."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "not a regular file"
    return None


def unsafe_reason(st: os.stat_result, *, owner_uid: int | None = None,
                  max_file_bytes: int | None = None) -> str | None:
    """Why the file with status ``st`` (from ``lstat``) must not be copied, or None.

    Parameters
    ----------
    st : os.stat_result
        The file's own status, links not followed (``os.lstat``, ``follow_symlinks=False``).
    owner_uid : int, optional
        The uid that must own the file (the student's, or the folder owner's).
    max_file_bytes : int, optional
        The largest file, in bytes on disk (``st_blocks * 512``).
    """
    kind = _kind(st.st_mode)
    if kind is not None:
        return kind
    if stat.S_ISDIR(st.st_mode):
        if owner_uid is not None and st.st_uid != owner_uid:
            return f"a folder owned by uid {st.st_uid}, not by uid {owner_uid}"
        return None
    if st.st_nlink > 1:
        return f"a hard link (one of {st.st_nlink} names of the same file)"
    if owner_uid is not None and st.st_uid != owner_uid:
        return f"owned by uid {st.st_uid}, not by uid {owner_uid}"
    if max_file_bytes is not None and disk_bytes(st) > max_file_bytes:
        return (f"{disk_bytes(st) / _MB:.1f} MB on disk, over the cap of "
                f"{max_file_bytes / _MB:.1f} MB per file")
    return None


def _copy_data(fin: int, fout: int, size: int, limit: int | None) -> int:
    """Copy the data regions of ``fin`` (holes stay holes); return the bytes written."""
    written, pos = 0, 0
    while pos < size:
        try:
            start = os.lseek(fin, pos, os.SEEK_DATA)
            end = min(os.lseek(fin, start, os.SEEK_HOLE), size)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # only a hole is left
                break
            if exc.errno != errno.EINVAL:  # EINVAL: no SEEK_DATA here, copy it all
                raise
            start, end = pos, size
        if start >= size:
            break
        while start < end:
            chunk = os.pread(fin, min(_CHUNK, end - start), start)
            if not chunk:
                end = start
                break
            os.pwrite(fout, chunk, start)
            start += len(chunk)
            written += len(chunk)
            if limit is not None and written > limit:
                raise OSError(errno.EFBIG, "the file grew past the cap while it was copied")
        pos = max(end, pos + 1)
    os.ftruncate(fout, size)
    return written


class _Copier:
    """One :func:`safe_copytree` call's settings and report."""

    def __init__(self, student: str, log: logging.Logger, owner_uid: int | None,
                 max_file_bytes: int | None, max_total_bytes: int | None,
                 ignore: tuple[str, ...]):
        self.student, self.log, self.owner_uid = student, log, owner_uid
        self.max_file_bytes, self.max_total_bytes, self.ignore = (max_file_bytes,
                                                                  max_total_bytes, ignore)
        self.report = CopyReport()

    def skip(self, rel: str, reason: str) -> None:
        self.report.skipped.append((rel, reason))
        self.log.warning("%s's submission: skipped %s: %s", self.student, rel, reason)

    def copy_dir(self, dir_fd: int, dst: str, rel: str, depth: int) -> None:
        with os.scandir(dir_fd) as it:
            names = sorted(entry.name for entry in it)
        for name in names:
            child_rel = f"{rel}/{name}" if rel else name
            if any(fnmatch.fnmatch(name, pattern) for pattern in self.ignore):
                self.log.debug("%s's submission: ignored %s", self.student, child_rel)
                continue
            try:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except OSError as exc:
                self.skip(child_rel, f"cannot be read ({exc.strerror})")
                continue
            reason = unsafe_reason(st, owner_uid=self.owner_uid,
                                   max_file_bytes=self.max_file_bytes)
            if reason is not None:
                self.skip(child_rel, reason)
            elif stat.S_ISDIR(st.st_mode):
                self.copy_subdir(dir_fd, name, st, os.path.join(dst, name), child_rel, depth)
            else:
                self.copy_file(dir_fd, name, st, os.path.join(dst, name), child_rel)

    def copy_subdir(self, dir_fd: int, name: str, st: os.stat_result, dst: str, rel: str,
                    depth: int) -> None:
        if depth >= MAX_DEPTH:
            self.skip(rel, f"more than {MAX_DEPTH} folders deep")
            return
        try:
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
        except OSError as exc:
            self.skip(rel, f"cannot be opened as a folder ({exc.strerror})")
            return
        try:
            now = os.fstat(fd)
            if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
                self.skip(rel, "it changed while it was copied")
                return
            self.report.newest_ctime = max(self.report.newest_ctime, now.st_ctime)
            os.mkdir(dst, 0o755)
            self.copy_dir(fd, dst, rel, depth + 1)
        finally:
            os.close(fd)

    def copy_file(self, dir_fd: int, name: str, st: os.stat_result, dst: str, rel: str) -> None:
        total = self.report.disk_bytes + disk_bytes(st)
        if self.max_total_bytes is not None and total > self.max_total_bytes:
            self.skip(rel, f"the submission would take {total / _MB:.1f} MB on disk, over the "
                           f"cap of {self.max_total_bytes / _MB:.1f} MB per submission")
            return
        try:
            fin = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
        except OSError as exc:
            self.skip(rel, f"cannot be opened ({exc.strerror})")
            return
        try:
            now = os.fstat(fin)
            if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
                self.skip(rel, "it changed while it was copied")
                return
            reason = unsafe_reason(now, owner_uid=self.owner_uid,
                                   max_file_bytes=self.max_file_bytes)
            if reason is not None:
                self.skip(rel, reason)
                return
            fout = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            try:
                _copy_data(fin, fout, now.st_size, self.max_file_bytes)
            except OSError as exc:
                os.close(fout)
                os.unlink(dst)
                self.skip(rel, f"not copied ({exc.strerror})")
                return
            os.close(fout)
            os.utime(dst, ns=(now.st_atime_ns, now.st_mtime_ns))
            self.report.copied.append(rel)
            self.report.disk_bytes += disk_bytes(os.stat(dst))
            self.report.newest_ctime = max(self.report.newest_ctime, now.st_ctime)
        finally:
            os.close(fin)


def safe_copytree(src: str | os.PathLike[str], dst: str | os.PathLike[str], *, student: str,
                  log: logging.Logger, owner_uid: int | None = None,
                  max_file_bytes: int | None = None, max_total_bytes: int | None = None,
                  ignore: tuple[str, ...] | list[str] = ()) -> CopyReport:
    """Copy the folder ``src`` to ``dst`` (created) without following anything out of it.

    Regular files and folders are copied (files with mode 0644, sparse files sparse); links,
    FIFOs, sockets, device files, hard links, files not owned by ``owner_uid`` and files over
    the caps are skipped, each with a warning on ``log`` naming ``student``.

    Parameters
    ----------
    src, dst : path
        The student's folder, and the new folder to copy it to (its parent must exist).
    student : str
        The student's id, for the log.
    log : logging.Logger
        Where skipped files are reported.
    owner_uid : int, optional
        The uid every copied file must belong to; by default the owner of ``src`` itself.
    max_file_bytes, max_total_bytes : int, optional
        Caps in bytes on disk (``st_blocks * 512``), per file and for the whole copy.
    ignore : sequence of str
        File name globs not to copy (``.ipynb_checkpoints``...), silently.

    Returns
    -------
    CopyReport
        The files copied and skipped, the bytes on disk, and the newest status-change time.

    Raises
    ------
    UnsafeFolder
        When ``src`` is a link, not a folder, or cannot be opened; nothing is copied.
    """
    try:
        fd = os.open(src, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        reason = ("a symbolic link" if os.path.islink(src)
                  else f"not a folder that can be opened ({exc.strerror})")
        raise UnsafeFolder(f"{student}'s submission folder {os.fspath(src)} is {reason}: "
                           "nothing copied") from None
    try:
        st = os.fstat(fd)
        copier = _Copier(student, log, st.st_uid if owner_uid is None else owner_uid,
                         max_file_bytes, max_total_bytes, tuple(ignore))
        copier.report.newest_ctime = st.st_ctime
        os.mkdir(dst, 0o755)
        copier.copy_dir(fd, os.fspath(dst), "", 0)
    finally:
        os.close(fd)
    return copier.report
