"""nbgrader settings for everyone on the hub: the exchange and the course.

deploy/jupyterhub_config.py puts this folder on each server's JUPYTER_CONFIG_PATH, so students'
Assignment List and the instructor's commands use the same exchange. The hub sets the variables.
"""

import os

c = get_config()  # noqa: F821 - injected by nbgrader/traitlets when the file is loaded

c.Exchange.root = os.environ.get("FTROI_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("FTROI_COURSE_ID", "ftroi")
# nbgrader collect takes a submission only from the account that owns it (see
# quizzes/ftroi_course/exchange.py). Where every user has the same Unix id (Zero to JupyterHub's
# pods all run as jovyan) that check would reject everyone: the Kubernetes values turn it off.
c.ExchangeCollect.check_owner = os.environ.get("FTROI_EXCHANGE_CHECK_OWNER", "1") != "0"

# Quiet commands: SQLAlchemy 2 warns "Object of type <SubmittedAssignment> not in session, add
# operation along 'Assignment.submissions' will not proceed" for every submission nbgrader
# records. It is safe: nbgrader's Gradebook.add_submission builds the submission's rows, then
# adds the submission to the session itself (its rows follow by cascade) and commits. Only that
# message is hidden.
try:
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session, add operation",
                            category=SAWarning)
except ImportError:  # no SQLAlchemy, no warning
    pass
# nbformat warns "Cell is missing an id field" for a notebook written by something other than
# JupyterLab (a hand-edited or generated submission). It is safe: nbformat gives those cells ids
# itself when it reads the notebook, and grading does not use them.
try:
    import warnings

    from nbformat.warnings import MissingIDFieldWarning

    warnings.filterwarnings("ignore", message="Cell is missing an id field",
                            category=MissingIDFieldWarning)
except ImportError:  # an nbformat without the warning
    pass
