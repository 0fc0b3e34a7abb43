"""deploy/README.md's shell blocks, run where they can be (issue 23, item 3): in a scratch root,
with stand-ins for what cannot run here (apt-get, npm, the system's postgres account).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from deploy_support import DEPLOY, ROOT_ONLY, tmp_path

__all__ = ["tmp_path"]  # the fixture used by the tests below


def readme_blocks() -> list[str]:
    """The ```bash blocks of deploy/README.md's single-server section, dedented."""
    import textwrap

    text = (DEPLOY / "README.md").read_text()
    section = text.split("## One server with local accounts", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(b) for b in re.findall(r"```bash\n(.*?)```", section, re.S)]


def readme_block(marker: str) -> str:
    [block] = [b for b in readme_blocks() if marker in b]
    return block


def shims(folder: Path, **scripts: str) -> dict[str, str]:
    """Executables in ``folder`` that stand in for commands the test cannot run for real; the
    environment to put them first on PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in scripts.items():
        (folder / name).write_text(f"#!/bin/bash\n{body}\n")
        os.chmod(folder / name, 0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_the_readmes_shell_blocks_parse_and_need_no_sudo():
    blocks = readme_blocks()
    assert len(blocks) >= 8
    for block in blocks:
        assert subprocess.run(["bash", "-n"], input=block, text=True).returncode == 0, block
        assert not re.search(r"\bsudo\b", block), block  # a minimal Debian has no sudo


@pytest.mark.parametrize("node_major, proxy", [("20", "5.3.0"), ("18", "5.1.0")])
def test_the_readmes_system_packages_pick_a_proxy_the_installed_node_runs(tmp_path, node_major,
                                                                          proxy):
    log = tmp_path / "calls.log"
    env = shims(tmp_path / "bin",
                **{"apt-get": f'echo "apt-get $*" >> {log}', "npm": f'echo "npm $*" >> {log}',
                   "node": f"exec {shutil.which('node')} -e "
                           f"'process.exit({node_major} >= 20 ? 0 : 1)'"})
    proc = subprocess.run(["bash", "-e", "-c", readme_block("apt-get update")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text().splitlines()
    assert f"npm install -g configurable-http-proxy@{proxy}" in calls
    assert not [c for c in calls if c.endswith(" npm")]  # node and npm are already there


@ROOT_ONLY
def test_the_readmes_accounts_block_makes_private_homes_and_bash_users(tmp_path):
    scratch = tmp_path / "root"
    (scratch / "home").mkdir(parents=True)
    shutil.copytree("/etc", scratch / "etc", symlinks=True, ignore=shutil.ignore_patterns(
        "ssl", "ssh", "alternatives", "fonts", "X11", "systemd", "init.d", "rc*.d"),
        ignore_dangling_symlinks=True)
    env = shims(tmp_path / "bin",
                useradd=f'exec /usr/sbin/useradd --prefix {scratch} "$@"',
                groupadd=f'exec /usr/sbin/groupadd --prefix {scratch} "$@"',
                passwd='echo "passwd $* (interactive: skipped)"')
    (tmp_path / "roster.txt").write_text("ftroi-t-alice\nftroi-t-bob\n")
    block = readme_block("groupadd").replace("/etc/", f"{scratch}/etc/")
    proc = subprocess.run(["bash", "-e", "-c", block], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    users = {line.split(":")[0]: line.split(":") for line in
             (scratch / "etc" / "passwd").read_text().splitlines()}
    for name in ("teacher", "ftroi-t-alice", "ftroi-t-bob"):
        assert users[name][6] == "/bin/bash"
        home = scratch / users[name][5].lstrip("/")
        assert stat.S_IMODE(home.stat().st_mode) == 0o700, name
    groups = {line.split(":")[0]: line.split(":")[3].split(",") for line in
              (scratch / "etc" / "group").read_text().splitlines()}
    assert groups["ftroi-students"] == ["ftroi-t-alice", "ftroi-t-bob"]
    assert groups["ftroi-instructors"] == ["teacher"]


@ROOT_ONLY
def test_the_readmes_gradebook_block_makes_a_url_safe_password_that_connects(tmp_path):
    from pg_support import SUPERUSER, ThrowawayPostgres
    from pg_support import missing_reason as pg_missing

    if pg_missing():
        pytest.fail(f"PostgreSQL is needed: {pg_missing()} (make hub-deps)")
    with ThrowawayPostgres() as pg:
        env = shims(tmp_path / "bin", runuser=(
            '[ "$1" = -u ] && [ "$3" = -- ] && shift 3\n'
            f"PGHOST=127.0.0.1 PGPORT={pg.port} PGUSER={SUPERUSER} PGDATABASE=postgres "
            f'PGPASSWORD={pg.password} exec "$@"'))
        block = readme_block("CREATE ROLE").replace("/etc/ftroi", f"{tmp_path}/etc-ftroi")
        block = block.replace("127.0.0.1:5432", f"127.0.0.1:{pg.port}")
        # the throwaway server's own superuser is called ftroi: the README's role gets another
        for old, new in (("ROLE ftroi ", "ROLE ftroi_t_gb "), ("--owner ftroi ", "--owner "
                         "ftroi_t_gb "), ("postgresql://ftroi:", "postgresql://ftroi_t_gb:")):
            assert old in block
            block = block.replace(old, new)
        proc = subprocess.run(["bash", "-e", "-c", block], env=env, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        hub_env = tmp_path / "etc-ftroi" / "hub.env"
        assert stat.S_IMODE(hub_env.stat().st_mode) == 0o600
        url = hub_env.read_text().strip().split("=", 1)[1]
        password = url.split("://ftroi_t_gb:", 1)[1].split("@", 1)[0]
        assert re.fullmatch(r"[0-9a-f]{32}", password)
        import sqlalchemy

        engine = sqlalchemy.create_engine(url.replace("postgresql:", "postgresql+psycopg:", 1))
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("select current_user")).scalar() == "ftroi_t_gb"
        engine.dispose()


