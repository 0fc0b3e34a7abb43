"""The deployment the project ships (deploy/), checked offline.

The single-server hub runs for real in tests/deploy/test_hub.py; here its configuration is loaded the
way JupyterHub loads it and its rules are checked one by one. It is loaded as deployed: from a
copy of ``deploy/`` in a checkout only root can read, with a users' environment (a venv of a
system Python with the package copied in, no ``-e``) that every account can run, because the
hub refuses to start while a student could read the course (tests/deploy_support.py). The Zero
to JupyterHub values cannot run here (no Kubernetes): they are checked to parse, to use the image that
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
from deploy_support import (
    DEPLOY,
    JUPYTER,
    ROOT,
    VALUES,
    ftroi_hub,
    load_hub_config,
    me,
    refused,
    tmp_path,
    users_env,
)

__all__ = ["tmp_path", "users_env"]  # fixtures used by the tests below

# --- the single-server hub ----------------------------------------------------------------------


def test_hub_config_serves_local_accounts_of_the_two_course_groups(tmp_path, users_env):
    cfg, _ = load_hub_config(tmp_path, users_env, FTROI_COURSE_OWNER=me())
    assert cfg["authenticator"] == "pam"
    assert cfg["allowed_groups"] == ["ftroi-instructors", "ftroi-students"]
    assert cfg["create_users"] is False
    assert cfg["bind_url"] == "http://:8000" and cfg["hub_ip"] == "127.0.0.1"
    assert cfg["proxy"] == ["configurable-http-proxy"]
    assert cfg["proxy_api"] == "http://127.0.0.1:8001"
    assert cfg["db_url"] == f"sqlite:///{tmp_path / 'state' / 'jupyterhub.sqlite'}"
    assert cfg["hook"] is True
    assert [s["name"] for s in cfg["services"]] == ["idle-culler"]  # no admin token unless
    assert [r["name"] for r in cfg["roles"]] == ["idle-culler"]  # asked for


def test_hub_config_runs_jupyterlab_from_the_users_environment(tmp_path, users_env):
    cfg, _ = load_hub_config(tmp_path, users_env, FTROI_COURSE_OWNER=me())
    assert cfg["cmd"] == [f"{users_env}/bin/jupyterhub-singleuser"]
    assert cfg["default_url"] == "/lab"


def test_hub_config_defines_the_admin_service_only_with_a_token(tmp_path, users_env):
    cfg, _ = load_hub_config(tmp_path, users_env, FTROI_COURSE_OWNER=me(),
                             FTROI_HUB_ADMIN_TOKEN="t0k3n")
    assert cfg["services"][0] == {"name": "ftroi-admin", "api_token": "t0k3n"}
    assert cfg["roles"][0]["services"] == ["ftroi-admin"]
    assert "admin:servers" in cfg["roles"][0]["scopes"]


def test_hub_config_limits_every_users_server_and_culls_idle_ones(tmp_path, users_env):
    cfg, _ = load_hub_config(tmp_path, users_env, FTROI_COURSE_OWNER=me())
    assert (cfg["mem_limit"], cfg["cpu_limit"]) == ("2G", 1.0)
    # no systemd as PID 1 here: the cgroup fallback (tests/deploy/test_hub.py runs it)
    assert cfg["spawner"] == "CgroupLocalProcessSpawner"
    culler = next(s for s in cfg["services"] if s["name"] == "idle-culler")
    assert culler["command"][1:] == ["-m", "jupyterhub_idle_culler", "--timeout=3600",
                                     "--cull-every=600"]
    assert set(cfg["roles"][-1]["scopes"]) == {"list:users", "read:users:activity",
                                              "read:servers", "delete:servers"}
    cfg, _ = load_hub_config(tmp_path, users_env, FTROI_COURSE_OWNER=me(),
                             FTROI_CULL_IDLE_SECONDS="0", FTROI_MEM_LIMIT="")
    assert cfg["services"] == [] and cfg["mem_limit"] is None


@pytest.mark.parametrize("name, value", [("FTROI_MEM_LIMIT", "lots"), ("FTROI_CPU_LIMIT", "-1"),
                                         ("FTROI_CULL_IDLE_SECONDS", "an hour")])
def test_a_bad_limit_setting_is_refused_naming_the_variable(name, value):
    with pytest.raises(ValueError, match=f"^{name}="):
        ftroi_hub.settings({name: value})


def test_cgroup_limits_are_written_for_v2_and_v1(tmp_path):
    import resource_limits as rl

    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cgroup.controllers").write_text("cpu memory pids\n")
    assert rl.cgroup_mode(v2) == "v2"
    [group] = rl.limit_process(4242, "ftroi-t-a", rl.parse_bytes("512M"), 0.5, root=v2)
    assert (group / "memory.max").read_text() == str(512 * 1024 ** 2)
    assert (group / "cpu.max").read_text() == "50000 100000"
    assert (group / "cgroup.procs").read_text() == "4242"
    v1 = tmp_path / "v1"
    (v1 / "memory").mkdir(parents=True)
    (v1 / "cpu").mkdir()
    memory, cpu = rl.limit_process(4243, "ftroi-t-a", rl.parse_bytes("1G"), 2, root=v1)
    assert (memory / "memory.limit_in_bytes").read_text() == str(1024 ** 3)
    assert (cpu / "cpu.cfs_quota_us").read_text() == "200000"
    assert rl.memory_used_bytes("ftroi-t-a", root=v1) is None  # no usage file in a fake tree
    with pytest.raises(RuntimeError, match="no writable cgroup"):
        rl.limit_process(1, "ftroi-t-a", 1, 1, root=tmp_path / "none")


def test_hub_config_keeps_its_state_private(tmp_path, users_env):
    load_hub_config(tmp_path, users_env, FTROI_COURSE_OWNER=me())
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="creating the exchange with its owners needs root")
def test_hub_config_creates_the_exchange_with_nbgraders_modes_for_the_course_owner(
        tmp_path, users_env):
    owner = "nobody"
    load_hub_config(tmp_path, users_env, FTROI_COURSE_OWNER=owner)
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
def test_hub_refuses_to_start_when_someone_else_owns_the_course_folder(tmp_path, users_env):
    (tmp_path / "exchange" / "ftroi").mkdir(parents=True)  # taken by root, not the owner
    proc = refused(tmp_path, users_env, FTROI_COURSE_OWNER="nobody")
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
    installed = Path("/opt/ftroi-hub/share/ftroi-hub/jupyter")  # a copy, outside the checkout
    assert teacher["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(installed / "common"), str(installed / "instructor")]
    assert "FTROI_DB_URL" not in student and "FTROI_COURSE_DIR" not in student
    assert student["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(installed / "common"), str(installed / "student")]
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


RECORD_A_SUBMISSION = """
import sys
if sys.argv[1] == "with-config":
    from traitlets.config.loader import PyFileConfigLoader
    PyFileConfigLoader("nbgrader_config.py", path=sys.argv[2]).load_config()
from nbgrader.api import Gradebook
with Gradebook(f"sqlite:///{sys.argv[3]}/gradebook.db") as gb:
    gb.add_assignment("q1")
    gb.add_student("s1")
    gb.add_notebook("nb", "q1")
    gb.add_grade_cell("c1", "nb", "q1", max_score=1, cell_type="code")
    gb.add_submission("q1", "s1")
    print("recorded", gb.find_submission("q1", "s1").notebooks[0].grades[0].name)
"""


@pytest.mark.parametrize("config", ["without", "with-config"])
def test_the_hubs_nbgrader_config_hides_only_the_harmless_sqlalchemy_warning(tmp_path, config):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    (tmp_path / config).mkdir()
    proc = subprocess.run([sys.executable, "-W", "default", "-c", RECORD_A_SUBMISSION, config,
                           str(JUPYTER / "common"), str(tmp_path / config)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "recorded c1"  # the rows the warning is about were saved
    count = proc.stderr.count("SAWarning: Object of type <SubmittedAssignment> not in session")
    assert count == (0 if config == "with-config" else 2)


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
                                      "https://github.com/OWNER/ftroi-lessons")
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
    assert subprocess.run(["bash", "-n", str(DEPLOY / "z2jh" / "build-image.sh")]).returncode == 0
    assert os.access(DEPLOY / "z2jh" / "build-image.sh", os.X_OK)


def test_z2jh_image_is_built_from_a_context_without_the_course_or_its_history(tmp_path):
    stage = tmp_path / "stage"
    proc = subprocess.run([str(DEPLOY / "z2jh" / "build-image.sh"), "--stage-only", str(stage)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (stage / "binder" / "environment.yml").read_text() == (
        ROOT / "binder" / "environment.yml").read_text()
    assert (stage / "lessons" / "00_start_here.ipynb").is_file()
    assert (stage / "ftroi_helpers" / "__init__.py").is_file()
    every = [str(p.relative_to(stage)) for p in stage.rglob("*")]
    assert not [p for p in every if "quizzes" in p or "ftroi_course" in p or ".git" in p]
    postbuild = (stage / "binder" / "postBuild").read_text()
    assert "pip install --no-deps" in postbuild and "nbgrader" not in postbuild
    # what repo2docker would build from it (offline: it prints the Dockerfile)
    r2d = subprocess.run([str(Path(sys.executable).parent / "jupyter-repo2docker"), "--no-build",
                          "--debug", str(stage)], capture_output=True, text=True, timeout=300)
    out = r2d.stdout + r2d.stderr
    assert "binder/postBuild" in out and "COPY --chown" in out, out[-2000:]


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
