"""No JupyterLab news pop-up covers the calculators (issue 21): make lab and Binder."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "binder" / "lab_settings"


def _notification_settings(app_settings_dir: Path, tmp_path: Path) -> dict:
    import jupyterlab
    from jupyterlab_server.settings_utils import get_settings

    schemas = Path(jupyterlab.__file__).parent.parent / "share" / "jupyter" / "lab" / "schemas"
    if not schemas.is_dir():  # an editable or system install: the prefix's share folder
        import sys
        schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    found, _ = get_settings(str(app_settings_dir), str(schemas), str(tmp_path),
                            schema_name="@jupyterlab/apputils-extension:notification")
    # overrides.json becomes the schema's defaults, which the frontend's settings start from
    return {name: spec.get("default") for name, spec in found["schema"]["properties"].items()}


def test_jupyterlab_reads_news_off_from_the_workbooks_settings(tmp_path):
    settings = _notification_settings(SETTINGS, tmp_path)
    assert settings["fetchNews"] == "false" and settings["checkForUpdates"] is False
    default = _notification_settings(tmp_path / "none", tmp_path)
    assert default["fetchNews"] == "none"           # JupyterLab's own default asks with a toast


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_starts_jupyterlab_with_those_settings():
    dry = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    found = re.search(r'--LabApp\.app_settings_dir="?([^"\s]+)', dry)
    assert found and Path(found.group(1)) == SETTINGS
