"""nbgrader configuration for JupyterLab started at the repository root (`make lab`).

Formgrader reads nbgrader_config.py from the folder the server starts in, and the course must be
inside that folder. The course itself is configured in quizzes/nbgrader_config.py; this file only
loads it.
"""

from pathlib import Path

c = get_config()  # noqa: F821 - injected by nbgrader/traitlets when the file is loaded

_COURSE_CONFIG = Path(__file__).resolve().parent / "quizzes" / "nbgrader_config.py"
if not _COURSE_CONFIG.is_file():
    raise FileNotFoundError(f"the course configuration is missing: {_COURSE_CONFIG}")
load_subconfig(str(_COURSE_CONFIG))  # noqa: F821 - injected like get_config
