"""nbgrader settings for instructors on the hub: the course's own configuration.

The formgrader and every nbgrader command an instructor runs load the course folder's
nbgrader_config.py (the course root, the gradebook, the grading pipeline), wherever they start.
The hub sets FTROI_COURSE_DIR (default ~/ftroi/quizzes) and FTROI_DB_URL for instructors.
"""

import os

c = get_config()  # noqa: F821 - injected by nbgrader/traitlets when the file is loaded

_course = os.path.join(os.environ.get("FTROI_COURSE_DIR", os.path.expanduser("~/ftroi/quizzes")),
                       "nbgrader_config.py")
if os.path.isfile(_course):
    load_subconfig(_course)  # noqa: F821 - injected like get_config
