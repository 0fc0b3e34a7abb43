"""JupyterHub for the ftroi course on one server with local accounts (The Littlest JupyterHub style).

Start it as root (it starts each user's server as that user)::

    sudo /opt/ftroi-hub/bin/jupyterhub -f /srv/ftroi/deploy/jupyterhub_config.py

or with ``deploy/jupyterhub.service``. Step-by-step setup: ``deploy/README.md``. What it gives:

* **Local accounts.** Users log in with their Unix password (PAM). Members of the instructors'
  group (``ftroi-instructors``) and of the students' group (``ftroi-students``) may log in.
  Homes are made private (``chmod 700``) when a server starts.
* **The workbook.** Each server runs JupyterLab from one shared Python environment with the
  workbook's package (``FTROI_USER_ENV``); lessons arrive with nbgitpuller links (README).
* **The nbgrader exchange** on a shared folder (``FTROI_EXCHANGE_ROOT``, default
  ``/srv/nbgrader/exchange``), created at start with nbgrader's permissions.
* **Students** get the Assignment List (fetch, submit, fetch feedback), not the formgrader.
* **Instructors** get the formgrader on their course folder (``FTROI_COURSE_DIR``, default
  ``~/ftroi/quizzes``) and the gradebook URL (``FTROI_DB_URL``, a PostgreSQL database).

The rules live in ``deploy/ftroi_hub.py``. Every setting is an environment variable; the
defaults suit a real server, and the end-to-end test (``tests/deploy/test_hub.py``) overrides them:

=========================  ===================================  ================================
variable                   default                              meaning
=========================  ===================================  ================================
FTROI_HUB_URL              http://:8000                         where users connect
FTROI_HUB_API_PORT         8081                                 the hub's API (on 127.0.0.1)
FTROI_PROXY_API_PORT       8001                                 the proxy's API (on 127.0.0.1)
FTROI_PROXY_COMMAND        configurable-http-proxy              the proxy program (npm)
FTROI_HUB_STATE            /srv/jupyterhub                      hub database, secrets, pid file
FTROI_SSL_CERT/KEY         (none)                               HTTPS without a reverse proxy
FTROI_USER_ENV             the hub's own Python environment     users' JupyterLab and kernels
FTROI_INSTRUCTOR_GROUP     ftroi-instructors                    who gets the formgrader
FTROI_STUDENT_GROUP        ftroi-students                       who may log in as a student
FTROI_COURSE_OWNER         first member of the instructors      owns the exchange's course folder
FTROI_COURSE_ID            ftroi                                nbgrader course id
FTROI_EXCHANGE_ROOT        /srv/nbgrader/exchange               the shared exchange
FTROI_COURSE_DIR           {home}/ftroi/quizzes                 an instructor's course folder
FTROI_DB_URL               (SQLite in the course folder)        the gradebook, for instructors
FTROI_SPAWN_TIMEOUT        120                                  seconds a server may take to start
FTROI_HUB_ADMIN_TOKEN      (none)                               API token of the ftroi-admin service
FTROI_JUPYTER_DIR          {FTROI_USER_ENV}/share/ftroi-hub/... users' Jupyter config (a copy)
FTROI_LESSONS_REPO         (none)                               the lessons repository, if local
FTROI_PROFILE_SCRIPT       /etc/profile.d/ftroi-hub.sh          users' bin/ on login shells' PATH
FTROI_MEM_LIMIT            2G                                   memory per user's server ("" none)
FTROI_CPU_LIMIT            1                                    CPU cores per user's server
FTROI_CULL_IDLE_SECONDS    3600                                 stop servers idle this long (0 no)
=========================  ===================================  ================================
"""

import importlib.util
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - injected by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import ftroi_hub  # noqa: E402 - deploy/ftroi_hub.py, found through the line above

S = ftroi_hub.settings()
STATE = Path(S.state_dir)
STATE.mkdir(parents=True, exist_ok=True)
os.chmod(STATE, 0o700)  # the cookie secret and the hub's database

# --- where the hub listens --------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("FTROI_HUB_URL", "http://:8000")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("FTROI_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('FTROI_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [os.environ.get("FTROI_PROXY_COMMAND", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
if os.environ.get("FTROI_SSL_CERT") and os.environ.get("FTROI_SSL_KEY"):
    c.JupyterHub.ssl_cert = os.environ["FTROI_SSL_CERT"]
    c.JupyterHub.ssl_key = os.environ["FTROI_SSL_KEY"]

# --- who may log in: local accounts in the course's two groups ---------------------------------
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {S.instructor_group, S.student_group}
c.PAMAuthenticator.create_system_users = False  # the administrator creates accounts (README)
c.Authenticator.admin_users = set(filter(None, os.environ.get("FTROI_HUB_ADMINS", "").split(",")))

SERVICES: list[dict] = []
ROLES: list[dict] = []
# An optional service for scripts (create servers, read users): its token is a secret.
if os.environ.get("FTROI_HUB_ADMIN_TOKEN"):
    SERVICES.append({"name": "ftroi-admin", "api_token": os.environ["FTROI_HUB_ADMIN_TOKEN"]})
    ROLES.append({
        "name": "ftroi-admin",
        "services": ["ftroi-admin"],
        "scopes": ["admin:users", "admin:servers", "access:servers", "tokens", "list:users"],
    })
# Idle servers stop after FTROI_CULL_IDLE_SECONDS without activity (jupyterhub-idle-culler, as
# a hub service; 0 turns it off). Their files stay; the next login starts a fresh server.
CULL = ftroi_hub.cull_service(S, sys.executable)
if CULL and importlib.util.find_spec("jupyterhub_idle_culler") is None:
    print("[ftroi] WARNING: jupyterhub-idle-culler is not installed in the hub's environment: "
          "idle servers are never stopped (deploy/README.md, step 2)", file=sys.stderr)
    CULL = None
if CULL:
    SERVICES.append(CULL[0])
    ROLES.append(CULL[1])
c.JupyterHub.services = SERVICES
c.JupyterHub.load_roles = ROLES

# --- each user's server: JupyterLab from the shared environment, as the user --------------------
# Per-user limits (FTROI_MEM_LIMIT, FTROI_CPU_LIMIT): systemd's cgroups through
# jupyterhub-systemdspawner where systemd runs the machine (as The Littlest JupyterHub does),
# else a cgroup of the server's own (deploy/resource_limits.py).
c.Spawner.mem_limit = S.mem_limit or None
c.Spawner.cpu_limit = S.cpu_limit or None
c.JupyterHub.spawner_class = ftroi_hub.spawner_class()
c.Spawner.cmd = [str(Path(S.user_env) / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = int(os.environ.get("FTROI_SPAWN_TIMEOUT", "120"))
c.Spawner.http_timeout = int(os.environ.get("FTROI_SPAWN_TIMEOUT", "120"))


def _pre_spawn(spawner) -> None:
    """Private home; the environment of the user's role (ftroi_hub.user_environment)."""
    name = spawner.user.name
    ftroi_hub.make_home_private(name)
    spawner.environment = {**spawner.environment, **ftroi_hub.user_environment(name, S)}


c.Spawner.pre_spawn_hook = _pre_spawn

# --- before anyone logs in: the course stays private, the exchange exists ---------------------
# The hub refuses to start (one line, no traceback) while a student could read the course by any
# path: deploy/course_exposure.py. The check runs as a student, so it needs root, as the hub does.
if os.geteuid() == 0:
    import course_exposure  # noqa: E402 - deploy/course_exposure.py

    try:
        _found = course_exposure.exposures(S.user_env, [HERE.parent], S.student_group,
                                           S.lessons_repo)
    except RuntimeError as exc:
        _found = [str(exc)]
    if _found:
        _more = f" (and {len(_found) - 1} more)" if len(_found) > 1 else ""
        raise SystemExit(f"[ftroi] the hub refuses to start: {_found[0]}{_more}; "
                         "see deploy/README.md, step 2")
    try:
        ftroi_hub.install_jupyter_config(S)
        ftroi_hub.install_profile_script(S)
        ftroi_hub.prepare_exchange(S)
    except RuntimeError as exc:
        raise SystemExit(f"[ftroi] the hub refuses to start: {exc}") from None
