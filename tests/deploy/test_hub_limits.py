"""Limits, idle culling and HTTPS on a real JupyterHub (``make test-hub``; needs root).

A small hub (one instructor, one student) with the configuration the project ships
(``deploy/jupyterhub_config.py``), a 400 MB memory and half-a-core CPU limit per server and a
two-minute idle timeout:

1. the student's server runs in its own control group with those limits
   (``deploy/resource_limits.py``: the fallback where systemd is not PID 1, as here);
2. ``deploy/nginx-ftroi-hub.conf``, as shipped, serves the hub over HTTPS (self-signed) and
   carries a kernel's websocket;
3. a runaway kernel asking for 1.5 GB is killed at the cap, and the server lives on;
4. nobody touches the server: ``jupyterhub-idle-culler``, a hub service, stops it.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import hub_support as hs
import pytest
from pg_support import missing_reason as pg_missing

pytestmark = pytest.mark.hub

MEM_LIMIT = "400M"
IDLE_S = 120  # longer than the steps before it take on a loaded machine


def _require() -> None:
    reason = hs.missing_reason() or pg_missing()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the JupyterHub test")
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def limited_hub():
    _require()
    if shutil.which("nginx") is None and os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed: CI must run the HTTPS example (make hub-deps)")
    import requests
    import resource_limits as rl

    accounts = hs.LocalAccounts()
    hub: hs.Hub | None = None
    out: dict = {}
    try:
        teachers, learners = accounts.group("instructors"), accounts.group("students")
        accounts.user("i", [teachers])
        student = accounts.user("s01", [learners])
        hub = hs.Hub({"FTROI_INSTRUCTOR_GROUP": teachers, "FTROI_STUDENT_GROUP": learners,
                      "FTROI_MEM_LIMIT": MEM_LIMIT, "FTROI_CPU_LIMIT": "0.5",
                      "FTROI_CULL_IDLE_SECONDS": str(IDLE_S)})
        hub.env["FTROI_EXCHANGE_ROOT"] = str(hub.work / "exchange")
        hub.start()
        hub.add_users([student])
        hub.spawn([student])
        spawned = time.monotonic()
        server_pid = next(p for p in accounts.pids(student)
                          if "jupyterhub-singleuser" in Path(f"/proc/{p}/cmdline").read_text())
        groups = rl.user_groups(student, rl.cgroup_mode())
        out["in_group"] = all(str(server_pid) in (g / "cgroup.procs").read_text().split()
                              for g in groups)
        out["limits"] = {f.name: f.read_text().strip() for g in groups for f in (
            g / "memory.limit_in_bytes", g / "memory.max", g / "cpu.cfs_quota_us",
            g / "cpu.max") if f.is_file()}
        # HTTPS in front (deploy/nginx-ftroi-hub.conf): pages and a kernel's websocket
        nginx = hs.Nginx(hub).start()
        try:
            out["https_login_page"] = requests.get(f"{nginx.url}/hub/login", verify=False,
                                                   timeout=60).status_code
            out["https_kernel"] = hs.execute_in_new_kernel(hub, student, "print(6 * 7)",
                                                         base=nginx.url)
        finally:
            nginx.stop()
        out["runaway"] = hs.execute_in_new_kernel(hub, student, hs.RUNAWAY)
        out["oom_kills"] = hs.oom_kills(student)
        out["server_after"] = hub.user_request(student, "GET", "api/status").status_code
        out["used_bytes"] = rl.memory_used_bytes(student)
        # then nobody touches the server: the idle-culler stops it
        deadline = spawned + IDLE_S + 180
        while time.monotonic() < deadline:
            info = hub.api("GET", f"/users/{student}").json()
            if not info.get("servers"):
                out["culled_after_s"] = time.monotonic() - spawned
                break
            time.sleep(3)
        out["log"] = hub.log()
        print("\nlimited hub:", {k: v for k, v in out.items() if k != "log"})
        yield out
    except Exception:
        if hub is not None:
            print(hub.log())
        raise
    finally:
        if hub is not None:
            hub.stop()
        accounts.remove()


def test_the_nginx_example_serves_the_hub_over_https_with_websockets(limited_hub):
    assert limited_hub["https_login_page"] == 200
    kernel = limited_hub["https_kernel"]
    assert kernel["stdout"] == "42\n" and kernel["reply"] == "ok", kernel


def test_a_users_server_runs_in_its_own_cgroup_with_the_configured_limits(limited_hub):
    import resource_limits as rl

    assert limited_hub["in_group"]
    limits = limited_hub["limits"]
    mem = limits.get("memory.limit_in_bytes") or limits.get("memory.max")
    assert int(mem) == rl.parse_bytes(MEM_LIMIT)
    cpu = limits.get("cpu.cfs_quota_us") or limits.get("cpu.max", "").split()[0]
    assert int(cpu) == 50_000  # half a core per 100 ms


def test_a_runaway_kernel_is_killed_at_the_cap_and_the_server_lives_on(limited_hub):
    runaway = limited_hub["runaway"]
    assert "ALLOCATED" not in runaway["stdout"], runaway
    assert limited_hub["oom_kills"] >= 1
    assert limited_hub["server_after"] == 200


def test_an_idle_server_is_stopped_by_the_idle_culler(limited_hub):
    assert "culled_after_s" in limited_hub, limited_hub["log"][-3000:]
    assert IDLE_S - 15 <= limited_hub["culled_after_s"] <= IDLE_S + 180
