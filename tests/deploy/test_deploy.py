"""The deployment the project ships (deploy/), checked offline.

The single-server hub runs for real in tests/deploy/test_hub.py; here its configuration is loaded the
way JupyterHub loads it and its rules are checked one by one. The Zero to JupyterHub values
cannot run here (no Kubernetes): they are checked to parse, to use the image that
``deploy/z2jh/build-image.sh`` builds from ``binder/``, to mount the exchange volume where
nbgrader looks for it, and to ship exactly the Jupyter configuration of ``deploy/jupyter/``.
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import pwd
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
JUPYTER = DEPLOY / "jupyter"
VALUES = DEPLOY / "z2jh" / "values.yaml"
if str(DEPLOY) not in sys.path:
    sys.path.insert(0, str(DEPLOY))

import ftroi_hub  # noqa: E402


def load_hub_config(tmp_path: Path, **env: str):
    """deploy/jupyterhub_config.py as JupyterHub loads it, in a subprocess with ``env``."""
    script = (
        "import json, sys\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        f"cfg = PyFileConfigLoader('jupyterhub_config.py', path={str(DEPLOY)!r}).load_config()\n"
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
        "       'hook': callable(hook)}\n"
        "print(json.dumps(out, default=str))\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("FTROI_")}
    full = {**base, "FTROI_HUB_STATE": str(tmp_path / "state"),
            "FTROI_EXCHANGE_ROOT": str(tmp_path / "exchange"), **env}
    proc = subprocess.run([sys.executable, "-c", script], env=full, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc


def _me() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


# --- the single-server hub ----------------------------------------------------------------------


def test_hub_config_serves_local_accounts_of_the_two_course_groups(tmp_path):
    cfg, _ = load_hub_config(tmp_path, FTROI_COURSE_OWNER=_me())
    assert cfg["authenticator"] == "pam"
    assert cfg["allowed_groups"] == ["ftroi-instructors", "ftroi-students"]
    assert cfg["create_users"] is False
    assert cfg["bind_url"] == "http://:8000" and cfg["hub_ip"] == "127.0.0.1"
    assert cfg["proxy"] == ["configurable-http-proxy"]
    assert cfg["proxy_api"] == "http://127.0.0.1:8001"
    assert cfg["db_url"] == f"sqlite:///{tmp_path / 'state' / 'jupyterhub.sqlite'}"
    assert cfg["hook"] is True
    assert cfg["services"] == [] and cfg["roles"] == []  # no admin token unless asked for


def test_hub_config_runs_jupyterlab_from_the_users_environment(tmp_path):
    cfg, _ = load_hub_config(tmp_path, FTROI_COURSE_OWNER=_me(), FTROI_USER_ENV="/opt/ftroi-hub")
    assert cfg["cmd"] == ["/opt/ftroi-hub/bin/jupyterhub-singleuser"]
    assert cfg["default_url"] == "/lab"


def test_hub_config_defines_the_admin_service_only_with_a_token(tmp_path):
    cfg, _ = load_hub_config(tmp_path, FTROI_COURSE_OWNER=_me(), FTROI_HUB_ADMIN_TOKEN="t0k3n")
    assert cfg["services"] == [{"name": "ftroi-admin", "api_token": "t0k3n"}]
    assert cfg["roles"][0]["services"] == ["ftroi-admin"]
    assert "admin:servers" in cfg["roles"][0]["scopes"]


def test_hub_config_keeps_its_state_private(tmp_path):
    load_hub_config(tmp_path, FTROI_COURSE_OWNER=_me())
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="creating the exchange with its owners needs root")
def test_hub_config_creates_the_exchange_with_nbgraders_modes_for_the_course_owner(tmp_path):
    owner = "nobody"
    load_hub_config(tmp_path, FTROI_COURSE_OWNER=owner)
    uid = pwd.getpwnam(owner).pw_uid
    ex = tmp_path / "exchange"

    def mode(p: Path) -> tuple[int, int]:
        return p.stat().st_uid, stat.S_IMODE(p.stat().st_mode)

    assert mode(ex) == (0, 0o1777)
    assert mode(ex / "ftroi") == (uid, 0o755)
    assert mode(ex / "ftroi" / "outbound") == (uid, 0o755)
    assert mode(ex / "ftroi" / "inbound") == (uid, 0o2733)
    assert mode(ex / "ftroi" / "feedback") == (uid, 0o711)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating the exchange with its owners needs root")
def test_hub_refuses_to_start_when_someone_else_owns_the_course_folder(tmp_path):
    (tmp_path / "exchange" / "ftroi").mkdir(parents=True)  # taken by root, not the owner
    script = ("from traitlets.config.loader import PyFileConfigLoader\n"
              f"PyFileConfigLoader('jupyterhub_config.py', path={str(DEPLOY)!r}).load_config()")
    env = {**os.environ, "FTROI_HUB_STATE": str(tmp_path / "state"),
           "FTROI_EXCHANGE_ROOT": str(tmp_path / "exchange"), "FTROI_COURSE_OWNER": "nobody"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert "belongs to uid 0, not to the course owner nobody" in proc.stderr


def test_instructors_get_the_course_and_gradebook_students_only_the_exchange(monkeypatch):
    s = ftroi_hub.settings({"FTROI_DB_URL": "postgresql://ftroi:pw@db/gb",
                            "FTROI_USER_ENV": "/opt/ftroi-hub",
                            "FTROI_EXCHANGE_ROOT": "/srv/x"})
    monkeypatch.setattr(ftroi_hub, "group_members",
                        lambda g: {"teach"} if g == s.instructor_group else {"stud"})
    monkeypatch.setattr(ftroi_hub, "home_of", lambda u: f"/home/{u}")
    teacher = ftroi_hub.user_environment("teach", s)
    student = ftroi_hub.user_environment("stud", s)
    assert teacher["FTROI_DB_URL"] == "postgresql://ftroi:pw@db/gb"
    assert teacher["FTROI_COURSE_DIR"] == "/home/teach/ftroi/quizzes"
    assert teacher["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(JUPYTER / "common"), str(JUPYTER / "instructor")]
    assert "FTROI_DB_URL" not in student and "FTROI_COURSE_DIR" not in student
    assert student["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(JUPYTER / "common"), str(JUPYTER / "student")]
    for env in (teacher, student):
        assert env["FTROI_EXCHANGE_ROOT"] == "/srv/x"
        assert env["PATH"].startswith("/opt/ftroi-hub/bin:")


def test_students_lose_the_formgrader_and_everyone_gets_the_assignment_list():
    def load(rel: str) -> dict:
        return json.loads((JUPYTER / rel).read_text())

    common = load("common/jupyter_server_config.json")["ServerApp"]["jpserver_extensions"]
    assert common["nbgrader.server_extensions.assignment_list"] is True
    assert common["nbgitpuller"] is True
    assert load("common/labconfig/page_config.json")["disabledExtensions"] == {
        "@jupyter/nbgrader:assignment-list": False, "@jupyter/nbgrader:course-list": False}
    student = load("student/jupyter_server_config.json")["ServerApp"]["jpserver_extensions"]
    assert student == {"nbgrader.server_extensions.formgrader": False}
    assert load("student/labconfig/page_config.json")["disabledExtensions"] == {
        "@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:create-assignment": True}
    teacher = load("instructor/jupyter_server_config.json")["ServerApp"]["jpserver_extensions"]
    assert teacher == {"nbgrader.server_extensions.formgrader": True}


def _nbgrader_config(*dirs: str, env: dict[str, str]):
    """nbgrader's config as an app would load it from JUPYTER_CONFIG_PATH-like folders."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = Config()
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        for d in dirs:
            cfg.merge(PyFileConfigLoader("nbgrader_config.py", path=str(JUPYTER / d)).load_config())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return cfg


def test_everyones_nbgrader_config_points_at_the_hubs_exchange_and_course():
    cfg = _nbgrader_config("common", env={"FTROI_EXCHANGE_ROOT": "/srv/x"})
    assert cfg.Exchange.root == "/srv/x"
    assert cfg.CourseDirectory.course_id == "ftroi"
    assert cfg.ExchangeCollect.check_owner is True
    k8s = _nbgrader_config("common", env={"FTROI_EXCHANGE_CHECK_OWNER": "0"})
    assert k8s.ExchangeCollect.check_owner is False


def test_an_instructors_nbgrader_config_loads_the_course_config(tmp_path):
    course = tmp_path / "quizzes"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = 'the course'\n")
    cfg = _nbgrader_config("common", "instructor", env={"FTROI_COURSE_DIR": str(course)})
    assert cfg.CourseDirectory.root == "the course"


def test_the_systemd_unit_starts_this_config_from_the_users_environment():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read_string((DEPLOY / "jupyterhub.service").read_text())
    exec_start = shlex.split(unit["Service"]["ExecStart"])
    assert exec_start[1:] == ["-f", "/srv/ftroi/deploy/jupyterhub_config.py"]
    env = dict(e.split("=", 1) for e in unit["Service"].get("Environment", "").split("\n")
               if e)
    assert exec_start[0] == f"{env['FTROI_USER_ENV']}/bin/jupyterhub"


def test_nbgitpuller_link_format_in_the_readmes_is_what_the_helper_builds():
    link = ftroi_hub.nbgitpuller_link("https://hub.example.org",
                                      "https://github.com/OWNER/ftroi")
    for readme in (ROOT / "README.md", DEPLOY / "README.md"):
        assert link in readme.read_text(), readme


# --- Zero to JupyterHub (offline) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def test_z2jh_values_use_the_image_the_build_script_builds_from_binder(values):
    script = (DEPLOY / "z2jh" / "build-image.sh").read_text()
    image = re.search(r'IMAGE="\$\{FTROI_IMAGE:-([^}]+)\}"', script).group(1)
    tag = re.search(r'TAG="\$\{FTROI_IMAGE_TAG:-([^}]+)\}"', script).group(1)
    assert values["singleuser"]["image"] == {"name": image, "tag": tag}
    assert re.search(r"jupyter-repo2docker .*\.$", script, re.M)  # the repository root...
    assert 'cd "$(dirname "$0")/../.."' in script
    assert (ROOT / "binder" / "environment.yml").is_file()  # ...whose binder/ it builds
    assert subprocess.run(["bash", "-n", str(DEPLOY / "z2jh" / "build-image.sh")]).returncode == 0
    assert os.access(DEPLOY / "z2jh" / "build-image.sh", os.X_OK)


def test_z2jh_exchange_is_a_read_write_many_volume_mounted_where_nbgrader_looks(values):
    pvc = yaml.safe_load((DEPLOY / "z2jh" / "exchange-pvc.yaml").read_text())
    assert pvc["kind"] == "PersistentVolumeClaim"
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    storage = values["singleuser"]["storage"]
    volume = next(v for v in storage["extraVolumes"] if "persistentVolumeClaim" in v)
    assert volume["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    mount = next(m for m in storage["extraVolumeMounts"] if m["name"] == volume["name"])
    env = values["singleuser"]["extraEnv"]
    assert mount["mountPath"] == env["FTROI_EXCHANGE_ROOT"]
    assert mount["mountPath"] == ftroi_hub.settings({}).exchange_root  # same as one server
    assert env["FTROI_COURSE_ID"] == ftroi_hub.settings({}).course_id
    assert env["FTROI_EXCHANGE_CHECK_OWNER"] == "0"


def test_z2jh_ships_exactly_the_jupyter_config_of_the_single_server_hub(values):
    files = values["singleuser"]["extraFiles"]
    shipped = {f["mountPath"]: f["stringData"] for f in files.values()}
    ours = {f"/etc/ftroi/jupyter/{p.relative_to(JUPYTER)}": p.read_text()
            for p in JUPYTER.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert shipped == ours, "regenerate singleuser.extraFiles from deploy/jupyter/"


def test_z2jh_roles_put_the_mounted_config_folders_on_the_path(values):
    code = values["hub"]["extraConfig"]["ftroi-roles"]
    ast.parse(code)
    assert "/etc/ftroi/jupyter/common:/etc/ftroi/jupyter/{role}" in code
    mounted = {str(Path(f["mountPath"]).relative_to("/etc/ftroi/jupyter")).split("/")[0]
               for f in values["singleuser"]["extraFiles"].values()}
    assert mounted == {"common", "instructor", "student"}


def test_z2jh_values_say_they_cannot_run_here():
    head = VALUES.read_text().split("\n\n", 1)[0]
    assert "cannot run" in head and "offline" in head
    assert "cannot run" in (DEPLOY / "README.md").read_text()


def test_deploy_helpers_doctests_pass():
    import doctest

    result = doctest.testmod(ftroi_hub)
    assert result.attempted > 0 and result.failed == 0
