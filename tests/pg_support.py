"""A throwaway PostgreSQL server for the gradebook tests and benchmarks.

:class:`ThrowawayPostgres` runs Debian's PostgreSQL (``initdb`` + ``pg_ctl``) on a temporary data
folder and a free port of 127.0.0.1, with a random password, and removes everything on
:meth:`~ThrowawayPostgres.stop`. ``initdb`` refuses to run as root, so as root the server runs
as an unprivileged user (``postgres`` when the package created it, else ``nobody``). Usage::

    with ThrowawayPostgres() as pg:
        url = pg.create_database("gradebook")  # postgresql://ftroi:...@127.0.0.1:port/gradebook

(tests/course/test_grade_class.py and tests/deploy/test_hub.py run it for real.)
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "ftroi"


def postgres_bin_dir() -> Path | None:
    """The folder holding Debian's ``initdb`` and ``pg_ctl`` (newest version), or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def missing_reason() -> str | None:
    """Why a throwaway server cannot start here, or None when it can."""
    if postgres_bin_dir() is None:
        return ("PostgreSQL is not installed (initdb not found): `make test` installs Debian's "
                "postgresql as root; otherwise `sudo apt-get install postgresql`")
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    """The unprivileged user that runs the server when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("no unprivileged user (postgres, nobody) to run PostgreSQL as")


class ThrowawayPostgres:
    """A private PostgreSQL server on 127.0.0.1, started by :meth:`start`, gone after :meth:`stop`.

    Parameters
    ----------
    fast : bool
        Turn off fsync and synchronous commit (a test server loses nothing it needs on a crash).
    """

    def __init__(self, fast: bool = True) -> None:
        self.fast = fast
        self.bin = postgres_bin_dir()
        self.port = 0
        self.password = secrets.token_hex(12)
        self.home: Path | None = None
        self.user = _server_user()
        self._running = False

    # -- running a PostgreSQL program as the server's user --------------------------------------
    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              cwd=self.home, env={**os.environ, "PGPASSWORD": self.password})
        if proc.returncode != 0:
            log = self.home / "server.log" if self.home else None
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({proc.returncode}):\n"
                               f"{proc.stdout}\n{proc.stderr}\n{tail}")
        return proc

    @property
    def data(self) -> Path:
        assert self.home is not None
        return self.home / "data"

    def start(self) -> ThrowawayPostgres:
        """initdb a fresh cluster in a temporary folder and start it on a free port."""
        reason = missing_reason()
        if reason:
            raise RuntimeError(reason)
        # Not pytest's tmp_path: that is private to root (0700) and the server's user must
        # reach its data folder.
        self.home = Path(tempfile.mkdtemp(prefix="ftroi-pg-"))
        pwfile = self.home / "pw"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.home, entry.pw_uid, entry.pw_gid)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        os.chmod(self.home, 0o700)
        os.chmod(pwfile, 0o600)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(pwfile),
                  "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
                  "--no-instructions")
        pwfile.unlink()
        options = [f"-p {0}", "-c listen_addresses=127.0.0.1", f"-k {self.home}",
                   "-c max_connections=200"]
        if self.fast:
            options += ["-c fsync=off", "-c synchronous_commit=off",
                        "-c full_page_writes=off"]
        for _attempt in range(5):  # a free port can be taken between the check and the start
            self.port = free_port()
            options[0] = f"-p {self.port}"
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.home / "server.log"),
                          "-w", "-t", "60", "-o", " ".join(options), "start")
            except RuntimeError:
                if "could not bind" in (self.home / "server.log").read_text(errors="replace"):
                    continue
                raise
            self._running = True
            return self
        raise RuntimeError("PostgreSQL found no free port in 5 attempts")

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` (``postgresql://`` uses psycopg2)."""
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)
        return self.url(name)

    def create_database_from(self, name: str, template: str) -> str:
        """Copy database ``template`` (nobody may be connected to it) to ``name``."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
                  "-T", template, name)
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        if self._running:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
            self._running = False
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for_connection(url: str, timeout_s: float = 30) -> None:
    """Block until SQLAlchemy can connect to ``url``."""
    import sqlalchemy

    deadline = time.monotonic() + timeout_s
    engine = sqlalchemy.create_engine(url)
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(sqlalchemy.text("select 1"))
                return
            except sqlalchemy.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()
