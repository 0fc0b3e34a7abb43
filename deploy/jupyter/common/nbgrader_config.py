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
