"""What ``deploy/jupyterhub_config.py`` decides for the ftroi course, as plain functions.

The hub's configuration file only wires these into JupyterHub, so that the end-to-end test
(``tests/deploy/test_hub.py``) and an administrator's scripts use the same rules:

* who is an instructor (a member of the instructors' Unix group) and who is a student;
* the environment each user's server gets: the exchange, the course id, the Jupyter config
  folders of their role (``deploy/jupyter/common`` plus ``instructor`` or ``student``) and, for
  instructors only, the course folder and the gradebook URL;
* the nbgrader exchange on a shared folder, with the permissions nbgrader documents, created
  before anyone can use it so that no student can take the course's folder first.

Every setting comes from an environment variable with a default for a real server (see
``deploy/README.md``); :func:`settings` reads them.

Examples
--------
>>> s = settings({"FTROI_INSTRUCTOR_GROUP": "teachers"})
>>> s.instructor_group, s.course_id, s.exchange_root
('teachers', 'ftroi', '/srv/nbgrader/exchange')
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
JUPYTER_CONFIG = HERE / "jupyter"
if str(HERE) not in sys.path:  # its sibling modules (resource_limits), wherever it is loaded from
    sys.path.insert(0, str(HERE))

#: Modes of the exchange's folders, as nbgrader's default exchange creates them.
EXCHANGE_ROOT_MODE = 0o1777  # everyone may create a course folder; nobody may delete another's
COURSE_MODE = 0o755
OUTBOUND_MODE = 0o755  # the instructor releases; students read
INBOUND_MODE = 0o2733  # students write their own submissions, cannot list anyone's
FEEDBACK_MODE = 0o711  # students fetch their own feedback by its hash, cannot list


@dataclass(frozen=True)
class Settings:
    """The deployment's settings (environment variable in brackets)."""

    course_id: str  # FTROI_COURSE_ID
    exchange_root: str  # FTROI_EXCHANGE_ROOT
    instructor_group: str  # FTROI_INSTRUCTOR_GROUP
    student_group: str  # FTROI_STUDENT_GROUP
    course_owner: str  # FTROI_COURSE_OWNER: the instructor who owns the exchange's course folder
    course_dir: str  # FTROI_COURSE_DIR: the instructor's course folder, "{home}" = their home
    db_url: str  # FTROI_DB_URL: the gradebook (instructors only)
    user_env: str  # FTROI_USER_ENV: the Python environment users' servers run from
    state_dir: str  # FTROI_HUB_STATE: the hub's database, cookie secret, proxy pid
    jupyter_dir: str  # FTROI_JUPYTER_DIR: where the hub installs deploy/jupyter/ for users
    lessons_repo: str  # FTROI_LESSONS_REPO: the lessons repository on this server, if any
    profile_script: str  # FTROI_PROFILE_SCRIPT: puts the users' bin/ on login shells' PATH
    mem_limit: str  # FTROI_MEM_LIMIT: memory per user's server ("2G"; "" for none)
    cpu_limit: float  # FTROI_CPU_LIMIT: CPU cores per user's server (0 for none)
    cull_idle_seconds: int  # FTROI_CULL_IDLE_SECONDS: stop servers idle this long (0: never)


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The deployment's settings from ``environ`` (default: this process's environment)."""
    env = os.environ if environ is None else environ
    return Settings(
        course_id=env.get("FTROI_COURSE_ID", "ftroi"),
        exchange_root=env.get("FTROI_EXCHANGE_ROOT", "/srv/nbgrader/exchange"),
        instructor_group=env.get("FTROI_INSTRUCTOR_GROUP", "ftroi-instructors"),
        student_group=env.get("FTROI_STUDENT_GROUP", "ftroi-students"),
        course_owner=env.get("FTROI_COURSE_OWNER", ""),
        course_dir=env.get("FTROI_COURSE_DIR", "{home}/ftroi/quizzes"),
        db_url=env.get("FTROI_DB_URL", ""),
        user_env=env.get("FTROI_USER_ENV", sys.prefix),
        state_dir=env.get("FTROI_HUB_STATE", "/srv/jupyterhub"),
        jupyter_dir=env.get("FTROI_JUPYTER_DIR", ""),
        lessons_repo=env.get("FTROI_LESSONS_REPO", ""),
        profile_script=env.get("FTROI_PROFILE_SCRIPT", "/etc/profile.d/ftroi-hub.sh"),
        mem_limit=_checked(env, "FTROI_MEM_LIMIT", "2G", _size),
        cpu_limit=_checked(env, "FTROI_CPU_LIMIT", "1", float),
        cull_idle_seconds=_checked(env, "FTROI_CULL_IDLE_SECONDS", "3600", int),
    )


def _size(text: str) -> str:
    if text:
        from resource_limits import parse_bytes

        parse_bytes(text)
    return text


def _checked(env: Mapping[str, str], name: str, default: str, parse):
    """``env[name]`` parsed; a bad value raises ValueError naming the variable."""
    raw = env.get(name, default)
    try:
        value = parse(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not valid (default {default!r})") from None
    if isinstance(value, (int, float)) and value < 0:
        raise ValueError(f"{name}={raw!r} must not be negative")
    return value


def spawner_class():
    """systemdspawner where systemd is PID 1 and it is installed; else the cgroup fallback."""
    import importlib.util

    from resource_limits import cgroup_spawner_class, systemd_is_init

    if systemd_is_init() and importlib.util.find_spec("systemdspawner") is not None:
        return "systemdspawner.SystemdSpawner"
    return cgroup_spawner_class()


def cull_service(s: Settings, python: str) -> tuple[dict, dict] | None:
    """jupyterhub-idle-culler as a hub service and its role, or None when culling is off.

    Examples
    --------
    >>> service, role = cull_service(settings({"FTROI_CULL_IDLE_SECONDS": "600"}), "py")
    >>> service["command"]
    ['py', '-m', 'jupyterhub_idle_culler', '--timeout=600', '--cull-every=150']
    >>> cull_service(settings({"FTROI_CULL_IDLE_SECONDS": "0"}), "py") is None
    True
    """
    if not s.cull_idle_seconds:
        return None
    every = max(5, min(600, s.cull_idle_seconds // 4))
    service = {"name": "idle-culler",
               "command": [python, "-m", "jupyterhub_idle_culler",
                           f"--timeout={s.cull_idle_seconds}", f"--cull-every={every}"]}
    role = {"name": "idle-culler", "services": ["idle-culler"],
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}
    return service, role


def jupyter_dir(s: Settings) -> Path:
    """The folder users' servers read their Jupyter configuration from, outside the checkout
    (which only root may read): ``FTROI_JUPYTER_DIR``, by default
    ``<users' environment>/share/ftroi-hub/jupyter``."""
    return Path(s.jupyter_dir or f"{s.user_env}/share/ftroi-hub/jupyter")


def profile_script(s: Settings) -> str:
    """A ``/etc/profile.d`` script that puts the users' environment's ``bin/`` first on PATH.

    JupyterLab's terminal is a login shell, and Debian's ``/etc/profile`` resets PATH, which
    drops the environment the server was given: ``nbgrader: not found``. Login shells source
    ``/etc/profile.d/*.sh`` after that reset.

    Examples
    --------
    >>> print(profile_script(settings({"FTROI_USER_ENV": "/opt/ftroi-hub"})).splitlines()[-1])
    case ":$PATH:" in *:/opt/ftroi-hub/bin:*) ;; *) PATH=/opt/ftroi-hub/bin:$PATH; export PATH ;; esac
    """
    import shlex

    bin_dir = shlex.quote(f"{s.user_env}/bin")
    return ("# Written by the ftroi hub at start (deploy/jupyterhub_config.py): the hub's Python\n"
            "# environment on PATH in login shells, such as JupyterLab's terminal.\n"
            f'case ":$PATH:" in *:{bin_dir}:*) ;; *) PATH={bin_dir}:$PATH; export PATH ;; esac\n')


def install_profile_script(s: Settings) -> Path | None:
    """Write :func:`profile_script` to ``FTROI_PROFILE_SCRIPT`` (as root; "" writes nothing)."""
    if not s.profile_script:
        return None
    path = Path(s.profile_script)
    if path.is_symlink():
        raise RuntimeError(f"{path} is a symbolic link: remove it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profile_script(s))
    os.chmod(path, 0o644)
    return path


def install_jupyter_config(s: Settings) -> Path:
    """Copy ``deploy/jupyter/`` to :func:`jupyter_dir`, readable by every account (as root)."""
    import shutil

    dest = jupyter_dir(s)
    if dest.is_symlink():
        raise RuntimeError(f"{dest} is a symbolic link: remove it")
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(JUPYTER_CONFIG, dest, ignore=shutil.ignore_patterns("__pycache__"))
    for path in [dest, *dest.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return dest


def group_members(group: str) -> set[str]:
    """Users in a Unix group, as a supplementary or as their primary group."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return set()
    members = set(entry.gr_mem)
    members |= {p.pw_name for p in pwd.getpwall() if p.pw_gid == entry.gr_gid}
    return members


def is_instructor(username: str, s: Settings) -> bool:
    return username in group_members(s.instructor_group)


def course_owner(s: Settings) -> str:
    """The instructor who owns the course's folder in the exchange."""
    if s.course_owner:
        return s.course_owner
    instructors = sorted(group_members(s.instructor_group))
    if not instructors:
        raise RuntimeError(f"the instructors' group {s.instructor_group!r} has no member: "
                           "create it and add the instructor (deploy/README.md, step 3)")
    return instructors[0]


def home_of(username: str) -> str:
    return pwd.getpwnam(username).pw_dir


def user_environment(username: str, s: Settings) -> dict[str, str]:
    """The environment variables of ``username``'s server (and of their nbgrader commands)."""
    role = "instructor" if is_instructor(username, s) else "student"
    env = {
        "PATH": f"{s.user_env}/bin:/usr/local/bin:/usr/bin:/bin",
        "FTROI_EXCHANGE_ROOT": s.exchange_root,
        "FTROI_COURSE_ID": s.course_id,
        "FTROI_ROLE": role,
        "JUPYTER_CONFIG_PATH": os.pathsep.join(
            [str(jupyter_dir(s) / "common"), str(jupyter_dir(s) / role)]),
    }
    if role == "instructor":
        env["FTROI_COURSE_DIR"] = s.course_dir.format(home=home_of(username))
        if s.db_url:
            env["FTROI_DB_URL"] = s.db_url
    return env


def _ensure_dir(path: Path, mode: int, uid: int, gid: int) -> None:
    if path.is_symlink():
        raise RuntimeError(f"{path} is a symbolic link: remove it")
    path.mkdir(exist_ok=True)
    st = path.stat()
    if (st.st_uid, st.st_gid) != (uid, gid):
        os.chown(path, uid, gid)
    if stat.S_IMODE(st.st_mode) != mode:
        os.chmod(path, mode)


def prepare_exchange(s: Settings) -> Path:
    """Create the exchange and the course's folders in it, as root, with nbgrader's modes.

    The root folder is world-writable with the sticky bit (as nbgrader requires, and like
    ``/tmp``), and the course's folder, ``outbound``, ``inbound`` (``2733``: anyone may hand in,
    nobody may list) and ``feedback`` (``711``) belong to the course owner, so a student can
    neither claim the course first nor read another student's work.

    Returns
    -------
    Path
        The course's folder in the exchange.

    Raises
    ------
    RuntimeError
        When the course's folder exists and belongs to somebody other than the course owner.
    """
    owner = pwd.getpwnam(course_owner(s))
    root = Path(s.exchange_root)
    root.mkdir(parents=True, exist_ok=True)
    _ensure_dir(root, EXCHANGE_ROOT_MODE, 0, 0)
    course = root / s.course_id
    if course.exists() and course.stat().st_uid != owner.pw_uid:
        actual = course.stat().st_uid
        raise RuntimeError(f"the exchange's course folder {course} belongs to uid {actual}, "
                           f"not to the course owner {owner.pw_name}: remove it and restart")
    _ensure_dir(course, COURSE_MODE, owner.pw_uid, owner.pw_gid)
    for name, mode in (("outbound", OUTBOUND_MODE), ("inbound", INBOUND_MODE),
                       ("feedback", FEEDBACK_MODE)):
        _ensure_dir(course / name, mode, owner.pw_uid, owner.pw_gid)
    return course


def make_home_private(username: str) -> None:
    """chmod 700 the user's home: a student must not read the instructor's course or a peer's
    answers (Debian's useradd makes homes 755 unless HOME_MODE is set)."""
    home = Path(home_of(username))
    if home.is_dir() and stat.S_IMODE(home.stat().st_mode) & 0o077:
        os.chmod(home, 0o700)


def nbgitpuller_link(hub_url: str, repo: str, branch: str = "main",
                     open_path: str = "lessons/00_start_here.ipynb",
                     target: str | None = None) -> str:
    """A link that clones (or updates) ``repo`` into each student's home and opens a notebook.

    nbgitpuller puts the repository in ``~/<target>`` (default: the repository's name without
    ``.git``) and merges later changes without overwriting the student's own edits.

    Examples
    --------
    >>> nbgitpuller_link("https://hub.example.org", "https://github.com/OWNER/ftroi")
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2FOWNER%2Fftroi&branch=main&urlpath=lab%2Ftree%2Fftroi%2Flessons%2F00_start_here.ipynb'
    >>> nbgitpuller_link("https://hub.example.org", "https://git.example.org/ftroi.git")[-33:]
    'start_here.ipynb&targetpath=ftroi'
    """
    from urllib.parse import urlencode

    last = repo.rstrip("/").rsplit("/", 1)[-1]  # nbgitpuller's own default folder
    target = target or last.removesuffix(".git")
    query = {"repo": repo, "branch": branch, "urlpath": f"lab/tree/{target}/{open_path}"}
    if target != last:
        query["targetpath"] = target
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query)}"
