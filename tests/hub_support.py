"""A real JupyterHub with real local accounts, for tests/deploy/test_hub.py and benchmarks/hub_load.py.

* :class:`LocalAccounts` creates Unix groups and users with ``groupadd``/``useradd`` (root only)
  and removes them, their homes and their processes afterwards.
* :class:`Hub` starts ``jupyterhub -f deploy/jupyterhub_config.py`` (the configuration the
  project ships) as deploy/README.md deploys it: from a copy of ``deploy/`` in a folder only root
  can read, with the users' environment ``.venv/hub-users`` (the package installed without
  ``-e``), on 127.0.0.1 with free ports, configurable-http-proxy from ``.venv/hub-proxy`` and a
  private state folder, and talks to it: the hub's REST API with an admin service token,
  and each user's server through the proxy.
* :func:`run_as` runs a command as a local user with ``runuser``.

Every name, port and folder is fresh for each run, so runs never collide.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests
from pg_support import free_port

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
CHP = ROOT / ".venv" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
#: The Python environment users' servers and nbgrader commands run from, as deploy/README.md
#: builds it (a Python every account can run, the package without -e): `make hub-deps` builds it.
USER_ENV = ROOT / ".venv" / "hub-users"
USER_BIN = USER_ENV / "bin"

if str(DEPLOY) not in sys.path:
    sys.path.insert(0, str(DEPLOY))


def proxy_command() -> str | None:
    """configurable-http-proxy: the Makefile's copy, else one on PATH."""
    if CHP.exists():
        return str(CHP)
    return shutil.which("configurable-http-proxy")


def missing_reason() -> str | None:
    """Why a hub with local accounts cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "creating local accounts and starting users' servers needs root"
    if proxy_command() is None:
        return ("configurable-http-proxy is not installed: `make hub-deps` installs it from the "
                "npm registry into .venv/hub-proxy")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "runuser", "chpasswd", "git"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not (USER_BIN / "python").exists():
        return f"{USER_ENV} is missing: `make hub-deps` builds the users' environment"
    # Users' servers run this venv's Python and import the workbook from this checkout.
    probe = subprocess.run(["runuser", "-u", "nobody", "--", str(USER_BIN / "python"), "-c",
                            "import ftroi_helpers, nbgrader, jupyterhub"],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        return (f"other accounts cannot run {USER_BIN / 'python'} or import the workbook "
                f"({probe.stderr.strip()[-300:]}): clone the repository into a folder every "
                "account can reach (e.g. /srv or /tmp), not into a private home such as /root, "
                "and run `make hub-deps`")
    return None


def run_as(user: str, argv: list[str], env: dict[str, str] | None = None,
           cwd: str | os.PathLike[str] | None = None, timeout: float = 600,
           input: str | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` as ``user`` (runuser), with exactly ``env`` plus HOME/USER/LOGNAME."""
    entry = pwd.getpwnam(user)
    full_env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
                "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(["runuser", "-u", user, "--", "env", "-i",
                           *[f"{k}={v}" for k, v in full_env.items()], *argv],
                          cwd=cwd or entry.pw_dir, capture_output=True, text=True,
                          timeout=timeout, input=input)


class LocalAccounts:
    """Unix groups and users that exist only for one test run."""

    def __init__(self, prefix: str | None = None) -> None:
        self.prefix = prefix or f"ftroi-t-{secrets.token_hex(2)}"  # removed after the run
        self.groups: list[str] = []
        self.users: list[str] = []

    def group(self, suffix: str) -> str:
        name = f"{self.prefix}-{suffix}"
        subprocess.run(["groupadd", name], check=True, capture_output=True)
        self.groups.append(name)
        return name

    def user(self, suffix: str, groups: Iterable[str] = (), password: str | None = None) -> str:
        name = f"{self.prefix}{suffix}"
        groups = list(groups)
        cmd = ["useradd", "--create-home", "--shell", "/bin/bash"]
        if groups:
            cmd += ["--groups", ",".join(groups)]
        subprocess.run([*cmd, name], check=True, capture_output=True)
        self.users.append(name)
        if password:
            subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True,
                           capture_output=True)
        return name

    def pids(self, user: str) -> list[int]:
        proc = subprocess.run(["ps", "-u", user, "-o", "pid="], capture_output=True, text=True)
        return [int(p) for p in proc.stdout.split()]

    def remove(self) -> None:
        """Stop the users' processes (by id), then delete users, homes and groups."""
        for _round in range(2):
            for user in self.users:
                for pid in self.pids(user):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            time.sleep(0.3)
        import resource_limits

        for user in self.users:
            resource_limits.remove_groups(user)  # a server's cgroup, once its processes are gone
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        for group in self.groups:
            subprocess.run(["groupdel", group], capture_output=True)
        self.users.clear()
        self.groups.clear()


class Hub:
    """``jupyterhub -f deploy/jupyterhub_config.py`` on 127.0.0.1, and clients for it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="ftroi-hub-"))
        os.chmod(self.work, 0o755)
        # deploy/README.md, step 2: the hub's files in a checkout only root can read (the hub
        # refuses to start while a student could read the course)
        checkout = self.work / "srv-ftroi"
        shutil.copytree(DEPLOY, checkout / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
        os.chmod(checkout, 0o700)
        self.config = checkout / "deploy" / "jupyterhub_config.py"
        # The hub writes its /etc/profile.d script here; login shells of this test see this
        # folder as /etc/profile.d (a private mount namespace: see login_shell)
        self.profile_d = self.work / "profile.d"
        if Path("/etc/profile.d").is_dir():
            shutil.copytree("/etc/profile.d", self.profile_d, symlinks=True)
        self.profile_d.mkdir(exist_ok=True)
        os.chmod(self.profile_d, 0o755)
        self.token = secrets.token_hex(24)
        self.env = {
            **os.environ,
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "FTROI_PROXY_COMMAND": proxy_command() or "configurable-http-proxy",
            "FTROI_HUB_STATE": str(self.work / "state"),
            "FTROI_USER_ENV": str(USER_ENV),
            "FTROI_JUPYTER_DIR": str(self.work / "jupyter"),
            "FTROI_PROFILE_SCRIPT": str(self.profile_d / "ftroi-hub.sh"),
            "FTROI_HUB_ADMIN_TOKEN": self.token,
            "FTROI_SPAWN_TIMEOUT": "240",
            **env,
        }
        self._new_ports()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.work / "jupyterhub.log"
        self.session = requests.Session()

    # -- the hub ------------------------------------------------------------------------------
    def _new_ports(self) -> None:
        ports: set[int] = set()
        while len(ports) < 3:  # three distinct ports
            ports.add(free_port())
        public, hub_api, proxy_api = sorted(ports, key=lambda _: secrets.randbelow(1000))
        self.port = public
        self.url = f"http://127.0.0.1:{public}"
        self.env.update(FTROI_HUB_URL=self.url, FTROI_HUB_API_PORT=str(hub_api),
                        FTROI_PROXY_API_PORT=str(proxy_api))

    def start(self, timeout_s: float = 180, attempts: int = 3) -> Hub:
        """Start the hub; on a shared machine a free port can be taken before the hub or the
        proxy binds it, so a start that fails is retried on new ports."""
        for attempt in range(1, attempts + 1):
            try:
                return self._start_once(timeout_s)
            except RuntimeError:
                if attempt == attempts:
                    raise
                print(f"jupyterhub did not start (attempt {attempt}), retrying on new ports:\n"
                      f"{self.log()[-3000:]}", file=sys.stderr)
                self._kill()
                self._new_ports()
        raise AssertionError("unreachable")

    def _start_once(self, timeout_s: float) -> Hub:
        log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(self.config)],
            cwd=self.work, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({self.proc.returncode}):\n{self.log()}")
            try:
                if self.session.get(f"{self.url}/hub/api", timeout=5).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"jupyterhub did not answer in {timeout_s} s:\n{self.log()}")

    def _kill(self) -> None:
        """Stop the hub's process group and a proxy it left behind (by their pids)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        pid_file = Path(self.env["FTROI_HUB_STATE"]) / "jupyterhub-proxy.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
            pid_file.unlink(missing_ok=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-20000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the hub (it stops users' servers and the proxy it started), remove its folder."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        self._kill()
        self.session.close()
        shutil.rmtree(self.work, ignore_errors=True)

    # -- the hub's REST API, as the ftroi-admin service -------------------------------------------
    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(method, f"{self.url}/hub/api{path}", headers=headers,
                                    timeout=kwargs.pop("timeout", 60), **kwargs)

    def add_users(self, names: list[str]) -> None:
        r = self.api("POST", "/users", json={"usernames": names})
        if r.status_code not in (201, 409):
            raise RuntimeError(f"adding users: {r.status_code} {r.text}")

    def spawn(self, names: list[str], timeout_s: float = 300) -> dict[str, float]:
        """Start every user's server at once; wait until all are ready. Returns seconds each."""
        from concurrent.futures import ThreadPoolExecutor

        started = time.monotonic()

        def post(name: str) -> None:  # each POST may wait ~10 s for a slow server: all at once
            r = self.api("POST", f"/users/{name}/server", timeout=120)
            if r.status_code not in (201, 202, 400):  # 400: already running
                raise RuntimeError(f"spawning {name}: {r.status_code} {r.text}")

        with ThreadPoolExecutor(max_workers=len(names) or 1) as pool:
            list(pool.map(post, names))
        ready: dict[str, float] = {}
        deadline = started + timeout_s
        while len(ready) < len(names):
            if time.monotonic() > deadline:
                missing = sorted(set(names) - set(ready))
                raise RuntimeError(f"servers not ready after {timeout_s} s: {missing}\n"
                                   f"{self.log()}")
            for name in names:
                if name in ready:
                    continue
                info = self.api("GET", f"/users/{name}").json()
                server = (info.get("servers") or {}).get("", {})
                if server.get("ready"):
                    ready[name] = time.monotonic() - started
            time.sleep(1)
        return ready

    def stop_servers(self, names: list[str]) -> None:
        for name in names:
            try:
                self.api("DELETE", f"/users/{name}/server", timeout=60)
            except requests.RequestException:
                pass

    # -- a user's server, through the proxy ------------------------------------------------------
    def user_request(self, user: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        """``method /user/<user>/<path>`` with the service's token (it may access servers)."""
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(method, f"{self.url}/user/{user}/{path.lstrip('/')}",
                                    headers=headers, timeout=kwargs.pop("timeout", 120), **kwargs)

    def read_notebook(self, user: str, path: str) -> dict:
        r = self.user_request(user, "GET", f"api/contents/{path}?content=1")
        r.raise_for_status()
        return r.json()["content"]

    def write_notebook(self, user: str, path: str, nb: dict) -> None:
        r = self.user_request(user, "PUT", f"api/contents/{path}",
                              json={"type": "notebook", "format": "json", "content": nb})
        r.raise_for_status()

    def nbgrader_action(self, user: str, action: str, **data: str) -> dict:
        """The Assignment List's own calls: fetch, submit, fetch_feedback (POST, form data)."""
        r = self.user_request(user, "POST", f"assignments/{action}", data=data)
        r.raise_for_status()
        return json.loads(r.text)

    def login(self, user: str, password: str) -> requests.Response:
        """Log in through the hub's login form (PAM), as a browser would."""
        browser = requests.Session()
        page = browser.get(f"{self.url}/hub/login", timeout=30)
        xsrf = browser.cookies.get("_xsrf", "")
        r = browser.post(f"{self.url}/hub/login?next=", data={
            "username": user, "password": password, "_xsrf": xsrf}, allow_redirects=False,
            timeout=60)
        r.page = page  # type: ignore[attr-defined]
        r.browser = browser  # type: ignore[attr-defined]
        return r


def login_shell(user: str, script: str, env: dict[str, str], profile_d: Path,
                timeout: float = 600) -> subprocess.CompletedProcess:
    """``script`` in a login shell of ``user`` (``bash -l``, as JupyterLab's terminal starts it),
    with ``env`` as the user's server passes it on, and ``profile_d`` seen as /etc/profile.d.

    The folder is bind-mounted in a private mount namespace (``unshare -m``), so that the hub's
    profile script is tested without writing to this machine's /etc.
    """
    entry = pwd.getpwnam(user)
    full_env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "SHELL": "/bin/bash",
                "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", **env}
    inner = shlex.join(["runuser", "-u", user, "--", "env", "-i",
                        *[f"{k}={v}" for k, v in full_env.items()], "/bin/bash", "-lc", script])
    outer = f"mount --bind {shlex.quote(str(profile_d))} /etc/profile.d && exec {inner}"
    return subprocess.run(["unshare", "-m", "--", "/bin/sh", "-c", outer], cwd=entry.pw_dir,
                          capture_output=True, text=True, timeout=timeout)


def instructor_command(hub: Hub, instructor: str, course: Path, *argv: str,
                       timeout: float = 900, **extra_env: str) -> subprocess.CompletedProcess:
    """A command as the instructor types it in JupyterLab's terminal on the hub: a login shell
    (which resets PATH: the hub's profile script puts the environment back), in the course
    folder, with the environment the hub gives the instructor's server (deploy/ftroi_hub.py)."""
    import ftroi_hub

    env = ftroi_hub.user_environment(instructor, ftroi_hub.settings(hub.env))
    script = f"cd {shlex.quote(str(course))} && {shlex.join(argv)}"
    return login_shell(instructor, script, {**env, **extra_env}, hub.profile_d, timeout=timeout)


class Nginx:
    """deploy/nginx-ftroi-hub.conf, as shipped, in front of a :class:`Hub`: Debian's nginx in
    the foreground with a self-signed certificate, on free ports of 127.0.0.1."""

    def __init__(self, hub: Hub) -> None:
        self.dir = hub.work / "nginx"
        for sub in ("tmp", "logs"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
            os.chmod(self.dir / sub, 0o777)
        self.port = free_port()
        http_port = free_port()
        cert, key = self.dir / "cert.pem", self.dir / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=hub.example.org", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        site = (DEPLOY / "nginx-ftroi-hub.conf").read_text()
        for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{self.port} ssl;"),
                         ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                         ("/etc/letsencrypt/live/hub.example.org/fullchain.pem", str(cert)),
                         ("/etc/letsencrypt/live/hub.example.org/privkey.pem", str(key)),
                         ("http://127.0.0.1:8000", f"http://127.0.0.1:{hub.port}")):
            if old not in site:
                raise AssertionError(f"{old!r} is no longer in deploy/nginx-ftroi-hub.conf")
            site = site.replace(old, new)
        (self.dir / "site.conf").write_text(site)
        tmp = self.dir / "tmp"
        (self.dir / "nginx.conf").write_text(
            f"daemon off;\npid {self.dir}/nginx.pid;\nerror_log {self.dir}/logs/error.log;\n"
            "events {}\nhttp {\n  access_log off;\n"
            + "".join(f"  {k}_temp_path {tmp}/{k};\n"
                      for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + f"  include {self.dir}/site.conf;\n}}\n")
        self.url = f"https://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 30) -> Nginx:
        self.proc = subprocess.Popen(["nginx", "-c", str(self.dir / "nginx.conf"), "-e",
                                      str(self.dir / "logs" / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                requests.get(self.url, verify=False, timeout=3)
                return self
            except requests.ConnectionError:
                time.sleep(0.3)
        raise RuntimeError("nginx did not answer")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


#: What a runaway student's kernel runs: it asks for 1.5 GB, more than a server's limit allows.
RUNAWAY = "b = bytearray(1536 * 1024 * 1024)\nb[::4096] = b'x' * len(b[::4096])\nprint('ALLOCATED')"


def execute_in_new_kernel(hub: Hub, user: str, code: str, timeout_s: float = 120,
                           base: str | None = None) -> dict:
    """Start a kernel on ``user``'s server through the proxy (or ``base``: the HTTPS reverse
    proxy in front of it), run ``code`` over the kernel's websocket (the JupyterLab protocol),
    and report what came back."""
    import ssl
    import uuid

    import websocket

    base = base or hub.url
    r = requests.post(f"{base}/user/{user}/api/kernels", json={"name": "python3"},
                      headers={"Authorization": f"token {hub.token}"}, verify=False, timeout=120)
    r.raise_for_status()
    kernel = r.json()["id"]
    ws_url = base.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel}/channels"
    ws = websocket.create_connection(ws_url, header=[f"Authorization: token {hub.token}"],
                                     timeout=timeout_s, suppress_origin=True,
                                     sslopt={"cert_reqs": ssl.CERT_NONE})
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    seen = {"stdout": "", "states": [], "reply": None}
    idle = False  # iopub and shell are separate channels: wait for the reply AND for idle
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not (seen["reply"] is not None and idle):
        try:
            msg = json.loads(ws.recv())
        except (websocket.WebSocketException, OSError):
            break
        kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        mine = msg.get("parent_header", {}).get("msg_id") == msg_id
        if kind == "status":
            state = msg["content"]["execution_state"]
            seen["states"].append(state)
            if state in ("restarting", "dead"):
                break
            idle = idle or (state == "idle" and mine)
        elif kind == "stream" and mine:
            seen["stdout"] += msg["content"].get("text", "")
        elif kind == "execute_reply" and mine:
            seen["reply"] = msg["content"]["status"]
    ws.close()
    return seen


def oom_kills(user: str) -> int:
    """How many processes the OOM killer stopped in ``user``'s server's cgroup (-1: unknown)."""
    import resource_limits as rl

    for events in (rl.CGROUP_ROOT / rl.GROUP / user / "memory.events",
                   rl.CGROUP_ROOT / "memory" / rl.GROUP / user / "memory.oom_control"):
        if events.is_file():
            for line in events.read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
    return -1
