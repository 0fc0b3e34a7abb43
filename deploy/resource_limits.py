"""Per-user memory and CPU limits for users' servers, and the spawner that applies them.

With systemd as PID 1 (a normal Debian server), The Littlest JupyterHub's way is used:
``jupyterhub-systemdspawner`` starts each server as a transient unit with ``MemoryMax`` and
``CPUQuota`` from ``Spawner.mem_limit`` and ``Spawner.cpu_limit``. Where systemd is absent (a
container, this project's test machine), :class:`CgroupLocalProcessSpawner` starts the server like
JupyterHub's local-process spawner and then, as root, moves it into a control group of its own,
``ftroi-hub/<user>``, with the same limits: cgroup v2 (``memory.max``, ``cpu.max``) or v1
(``memory.limit_in_bytes``, ``cpu.cfs_quota_us``). Every kernel and terminal the server starts
inherits the group. Where no cgroup is writable, the hub says at start that limits are not
enforced.

Examples
--------
>>> parse_bytes("2G"), parse_bytes("512M"), parse_bytes("1000000")
(2147483648, 536870912, 1000000)
>>> cpu_quota_us(1.5, period_us=100_000)
150000
"""

from __future__ import annotations

import os
import re
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP = "ftroi-hub"
PERIOD_US = 100_000
_UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}


def parse_bytes(text: str) -> int:
    """Bytes in ``text`` ("2G", "512M", "1000000"), as JupyterHub's ``mem_limit`` reads it."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*", str(text), re.IGNORECASE)
    if not m:
        raise ValueError(f"FTROI_MEM_LIMIT must be a size such as 2G or 512M, not {text!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def cpu_quota_us(cpus: float, period_us: int = PERIOD_US) -> int:
    """CPU time a group may use per ``period_us`` for ``cpus`` cores."""
    if cpus <= 0:
        raise ValueError(f"FTROI_CPU_LIMIT must be a positive number of cores, not {cpus!r}")
    return int(cpus * period_us)


def systemd_is_init() -> bool:
    """Whether systemd runs this machine (then systemdspawner applies the limits)."""
    return Path("/run/systemd/system").is_dir()


def cgroup_mode(root: Path = CGROUP_ROOT) -> str | None:
    """"v2", "v1", or None when this process cannot create control groups."""
    if (root / "cgroup.controllers").is_file() and os.access(root, os.W_OK):
        if "memory" in (root / "cgroup.controllers").read_text().split():
            return "v2"
    if (root / "memory").is_dir() and os.access(root / "memory", os.W_OK):
        return "v1"
    return None


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def user_groups(username: str, mode: str, root: Path = CGROUP_ROOT) -> list[Path]:
    """The control-group folders of ``username``'s server."""
    if mode == "v2":
        return [root / GROUP / username]
    return [root / "memory" / GROUP / username, root / "cpu" / GROUP / username]


def limit_process(pid: int, username: str, mem_bytes: int | None, cpus: float | None,
                  root: Path = CGROUP_ROOT) -> list[Path]:
    """Move ``pid`` (and so every process it starts later) into ``username``'s group with
    these limits, as root. Returns the groups; raises RuntimeError when none can be made."""
    mode = cgroup_mode(root)
    if mode is None:
        raise RuntimeError(f"no writable cgroup under {root}: memory and CPU limits not enforced")
    groups = user_groups(username, mode, root)
    for group in groups:
        group.mkdir(parents=True, exist_ok=True)
    if mode == "v2":
        parent = root / GROUP
        _write(root / "cgroup.subtree_control", "+memory +cpu")
        _write(parent / "cgroup.subtree_control", "+memory +cpu")
        if mem_bytes:
            _write(groups[0] / "memory.max", str(mem_bytes))
            _write(groups[0] / "memory.swap.max", "0")
        if cpus:
            _write(groups[0] / "cpu.max", f"{cpu_quota_us(cpus)} {PERIOD_US}")
        _write(groups[0] / "cgroup.procs", str(pid))
        return groups
    memory, cpu = groups
    if mem_bytes:
        _write(memory / "memory.limit_in_bytes", str(mem_bytes))
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():
            _write(swap, str(mem_bytes))
    _write(memory / "cgroup.procs", str(pid))
    if cpus and cpu.parent.parent.is_dir():
        _write(cpu / "cpu.cfs_period_us", str(PERIOD_US))
        _write(cpu / "cpu.cfs_quota_us", str(cpu_quota_us(cpus)))
        _write(cpu / "cgroup.procs", str(pid))
    return groups


def memory_used_bytes(username: str, root: Path = CGROUP_ROOT) -> int | None:
    """Memory the user's group uses now (None when it has no group)."""
    for name in ("memory.current", "memory.usage_in_bytes"):
        for group in (root / GROUP / username, root / "memory" / GROUP / username):
            if (group / name).is_file():
                return int((group / name).read_text())
    return None


def remove_groups(username: str, root: Path = CGROUP_ROOT) -> None:
    """Remove the user's (empty) groups after their server stopped."""
    for group in (root / GROUP / username, root / "memory" / GROUP / username,
                  root / "cpu" / GROUP / username):
        try:
            group.rmdir()
        except OSError:
            pass


def cgroup_spawner_class():
    """:class:`CgroupLocalProcessSpawner` (imported lazily: JupyterHub is not needed to test
    the functions above)."""
    from jupyterhub.spawner import LocalProcessSpawner

    class CgroupLocalProcessSpawner(LocalProcessSpawner):
        """LocalProcessSpawner, then the server moved into its user's limited control group."""

        async def start(self):
            ip_port = await super().start()
            mem = self.mem_limit or None
            cpus = self.cpu_limit or None
            if mem or cpus:
                try:
                    limit_process(self.pid, self.user.name, mem, cpus)
                except (OSError, RuntimeError) as exc:
                    self.log.warning("[ftroi] %s's server has no limits: %s", self.user.name, exc)
            return ip_port

        async def stop(self, now=False):
            await super().stop(now=now)
            remove_groups(self.user.name)

    return CgroupLocalProcessSpawner
