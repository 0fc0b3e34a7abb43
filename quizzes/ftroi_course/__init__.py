"""The instructor's side of the ftroi quizzes: answer key, grading, sandbox, class tools.

This package lives with the course source (``quizzes/``), never in the learner's package
(``ftroi_helpers``): Binder's image deletes it together with ``quizzes/source``, and the
sandbox hides it from the kernel that runs a submission. ``quizzes/nbgrader_config.py`` puts
this folder's parent on ``sys.path`` so that nbgrader's commands can load it.

Modules
-------
key        the answer key: every auto-graded item, its variants and how it is checked
grading    nbgrader preprocessors that grade outside the student's kernel
sandbox    the bubblewrap sandbox that runs a submission's kernel
grade_class  ``python -m ftroi_course.grade_class QUIZ``: autograde a class on every core
exchange   ``nbgrader collect`` that takes a submission only from the account that owns it
export     ``nbgrader export --exporter=ftroi_course.export.CanvasExportPlugin``: Canvas CSV
"""
