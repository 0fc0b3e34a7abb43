"""What the offline deployment tests share (tests/deploy/test_deploy.py, test_course_exposure.py,
test_readme_blocks.py): the hub's configuration loaded as deployed, from a copy of ``deploy/`` in a
checkout only root can read, with a users' environment (a venv of a system Python with the package
copied in, no ``-e``) that every account can run, because the hub refuses to start while a
student could read the course (``deploy/course_exposure.py``).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
JUPYTER = DEPLOY / "jupyter"
VALUES = DEPLOY / "z2jh" / "values.yaml"
if str(DEPLOY) not in sys.path:
    sys.path.insert(0, str(DEPLOY))

import ftroi_hub  # noqa: E402,F401,I001 - deploy/ftroi_hub.py, found through sys.path above


ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's start-up checks run as root")


@pytest.fixture
def tmp_path():
    """A fresh folder every account can reach (pytest's own tmp_path sits in a private folder,
    so no student could read anything in it and the start-up checks would prove nothing)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ftroi-deploy-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _system_python() -> str:
    """A Python every account can run (this venv's may be private, e.g. pyenv under /root)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3", sys.executable):
        proc = subprocess.run(["runuser", "-u", "nobody", "--", candidate, "-c", "import venv"],
                              capture_output=True) if os.geteuid() == 0 else None
        if proc is None or proc.returncode == 0:
            return candidate
    pytest.fail("no Python that the account nobody can run: the hub needs one for its users")


@pytest.fixture(scope="module")
def users_env():
    """A users' environment as deploy/README.md builds it: a venv every account can run with
    the workbook's package installed as files (not -e). Outside pytest's private tmp folder."""
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="ftroi-users-env-"))
    os.chmod(top, 0o755)
    env = top / "env"
    subprocess.run([_system_python(), "-m", "venv", "--without-pip", str(env)], check=True)
    site = subprocess.run([str(env / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    shutil.copytree(ROOT / "ftroi_helpers", Path(site) / "ftroi_helpers",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["chmod", "-R", "a+rX", str(top)], check=True)
    yield env
    shutil.rmtree(top, ignore_errors=True)


def deployed_checkout(tmp_path: Path) -> Path:
    """A checkout of the hub's files only root can read, as deploy/README.md leaves /srv/ftroi."""
    checkout = tmp_path / "srv-ftroi"
    shutil.copytree(DEPLOY, checkout / "deploy", ignore=shutil.ignore_patterns("__pycache__"),
                    dirs_exist_ok=True)
    os.chmod(checkout, 0o700)
    return checkout


def load_hub_config(tmp_path: Path, users_env: Path, checkout: Path | None = None, **env: str):
    """deploy/jupyterhub_config.py as JupyterHub loads it, in a subprocess with ``env``, from
    ``checkout`` (default: a private copy)."""
    checkout = checkout or deployed_checkout(tmp_path)
    script = (
        "import json, sys\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        f"cfg = PyFileConfigLoader('jupyterhub_config.py', path={str(checkout / 'deploy')!r})"
        ".load_config()\n"
        "hook = cfg.Spawner.pre_spawn_hook\n"
        "out = {'bind_url': cfg.JupyterHub.bind_url, 'hub_ip': cfg.JupyterHub.hub_ip,\n"
        "       'authenticator': cfg.JupyterHub.authenticator_class,\n"
        "       'allowed_groups': sorted(cfg.PAMAuthenticator.allowed_groups),\n"
        "       'create_users': cfg.PAMAuthenticator.create_system_users,\n"
        "       'cmd': cfg.Spawner.cmd, 'default_url': cfg.Spawner.default_url,\n"
        "       'db_url': cfg.JupyterHub.db_url, 'proxy': cfg.ConfigurableHTTPProxy.command,\n"
        "       'proxy_api': cfg.ConfigurableHTTPProxy.api_url,\n"
        "       'services': cfg.JupyterHub.services if 'services' in cfg.JupyterHub else [],\n"
        "       'roles': cfg.JupyterHub.load_roles if 'load_roles' in cfg.JupyterHub else [],\n"
        "       'hook': callable(hook),\n"
        "       'spawner': getattr(cfg.JupyterHub.spawner_class, '__name__',\n"
        "                          cfg.JupyterHub.spawner_class),\n"
        "       'mem_limit': cfg.Spawner.mem_limit, 'cpu_limit': cfg.Spawner.cpu_limit}\n"
        "print(json.dumps(out, default=str))\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("FTROI_")}
    full = {**base, "FTROI_HUB_STATE": str(tmp_path / "state"),
            "FTROI_EXCHANGE_ROOT": str(tmp_path / "exchange"), "FTROI_USER_ENV": str(users_env),
            "FTROI_JUPYTER_DIR": str(tmp_path / "jupyter"), **env}
    proc = subprocess.run([sys.executable, "-c", script], env=full, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc


def me() -> str:
    return pwd.getpwuid(os.getuid()).pw_name



def refused(tmp_path: Path, users_env: Path, checkout: Path | None = None,
            **env: str) -> subprocess.CompletedProcess:
    """Load the hub's configuration as JupyterHub does; it must refuse to start, in one line."""
    checkout = checkout or deployed_checkout(tmp_path)
    script = ("from traitlets.config.loader import PyFileConfigLoader\n"
              f"PyFileConfigLoader('jupyterhub_config.py', path={str(checkout / 'deploy')!r})"
              ".load_config()")
    base = {k: v for k, v in os.environ.items() if not k.startswith("FTROI_")}
    full = {**base, "FTROI_HUB_STATE": str(tmp_path / "state"), "FTROI_COURSE_OWNER": "nobody",
            "FTROI_EXCHANGE_ROOT": str(tmp_path / "exchange"), "FTROI_USER_ENV": str(users_env),
            "FTROI_JUPYTER_DIR": str(tmp_path / "jupyter"), **env}
    proc = subprocess.run([sys.executable, "-c", script], env=full, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("[ftroi] the hub refuses to start: "), lines
    return proc


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def course_checkout(tmp_path: Path) -> Path:
    """A checkout of the course as root clones it (umask 022): hub files, lessons, the key, and
    its git history, all readable by everyone."""
    checkout = deployed_checkout(tmp_path)
    (checkout / "quizzes" / "ftroi_course").mkdir(parents=True)
    (checkout / "quizzes" / "ftroi_course" / "key.py").write_text("ANSWER = 42\n")
    (checkout / "quizzes" / "source" / "q1").mkdir(parents=True)
    (checkout / "quizzes" / "source" / "q1" / "q1.ipynb").write_text("{}")
    git(checkout, "init", "-q", "-b", "main")
    git(checkout, "add", ".")
    git(checkout, "commit", "-q", "-m", "course")
    subprocess.run(["chmod", "-R", "a+rX", str(checkout)], check=True)
    return checkout


