"""nbgrader configuration of the ftroi quizzes course (nbgrader >= 0.9.6).

Every path is relative to this file's folder, so the course works wherever the repository is
cloned and whichever folder nbgrader is started from (the repository root's nbgrader_config.py
loads this file, for JupyterLab's formgrader).
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - injected by nbgrader/traitlets when the file is loaded

HERE = Path(__file__).resolve().parent
# The instructor's package (quizzes/ftroi_course: key, grading, sandbox) is imported from here.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# The course: quizzes/ is the course root; each step's folder lives inside it.
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "ftroi"
c.CourseDirectory.source_directory = "source"  # quizzes/source/<quiz>/<quiz>.ipynb (committed)
c.CourseDirectory.release_directory = "release"  # student versions (generated, git-ignored)
c.CourseDirectory.submitted_directory = "submitted"  # submitted/<student>/<quiz>/<quiz>.ipynb
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook: one SQLite file in the course root (git-ignored).
c.CourseDirectory.db_url = f"sqlite:///{HERE / 'gradebook.db'}"

# The quiz mode: "practice" (the self-check says right or wrong; the release carries a practice
# key) or "exam" (the self-check checks only the form; nothing released can tell right from
# wrong). The environment variable FTROI_QUIZ_MODE overrides this for generate_assignment.
c.FtroiQuiz.mode = "practice"

# The key stays outside the student's kernel: ReleaseQuiz writes course and mode into each quiz's
# setup cell (and the practice key in practice mode); KeyedGrades grades each item from the
# answer its hidden test recorded, in this process, for the submitting student's variant.
# SandboxedExecute runs each submission's kernel inside bubblewrap (no network, no course files,
# limits; see quizzes/README.md, "What the sandbox protects"). Autograding refuses to run where
# bwrap cannot make a sandbox; to grade anyway, at the risk that a submission reads the key and
# rewrites the gradebook, uncomment:
#   c.SandboxedExecute.allow_unsandboxed = True
# Its limits are c.SandboxedExecute.<name>: memory_limit_bytes, cpu_time_limit_seconds,
# max_processes, max_cell_output_bytes, max_output_bytes, scratch_size_bytes, ...
# A learner's copy has no ftroi_course (Binder's image deletes it with the key): there is nothing
# to grade there, and the stock pipeline is left alone. If ftroi_course were missing on a grading
# machine, record() in the hidden tests refuses to run, so every item scores 0 (never full marks).
if (HERE / "ftroi_course" / "grading.py").is_file():
    from ftroi_course.grading import (
        autograde_preprocessors,
        generate_preprocessors,
        sanitize_preprocessors,
    )
    from ftroi_course.sandbox import SandboxedExecute

    c.GenerateAssignment.preprocessors = generate_preprocessors()
    c.Autograde.autograde_preprocessors = autograde_preprocessors(SandboxedExecute)
    # A duplicated graded cell must not fail the whole submission (nbgrader 0.9.6 would).
    c.Autograde.sanitize_preprocessors = sanitize_preprocessors()

# Grading: no cell may run longer than this (an endless loop scores 0 for its item and the
# rest of the class is still graded).
c.ExecutePreprocessor.timeout = 30
# ...and no submission longer than this, all cells together (a quiz runs in a few seconds). Past
# it the running cell is stopped and the cells after it are not run (their tests score 0); the
# log and the student's feedback say why.
c.SandboxedExecute.submission_time_budget_seconds = 120
# A fault of the grading environment (no sandbox, a kernel that cannot start or cannot import
# ftroi_helpers) stops autograding with exit status 3 and a message naming it, and records no
# score for the student it stopped at (never a 0).
# A student who deleted a grade cell gets it back, so the hidden test still runs.
c.OverwriteCells.add_missing_cells = True

# The student version: an answer cell keeps its first line (e.g. `q1_3 = ""`) and the solution
# region below it becomes this comment; written answers become the text stub.
c.ClearSolutions.code_stub = {"python": "# YOUR ANSWER: edit the line above"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# `nbgrader zip_collect QUIZ`: files downloaded from an LMS go in downloaded/<quiz>/archive/,
# either named <student>_<quiz>.ipynb or as <student>.zip holding <quiz>.ipynb. They are
# extracted to downloaded/<quiz>/extracted/<student>/ and copied to submitted/<student>/<quiz>/.
# The student id comes from the download's own name (matched in full against
# c.ArchiveNameExtractor.archive_regexp), never from the folders inside a zip; links and other
# special entries in a zip are skipped. Student ids must not contain "_".
c.ZipCollectApp.downloaded_directory = "downloaded"
c.ZipCollectApp.extractor_plugin = "ftroi_course.zipcollect.ArchiveNameExtractor"
c.ZipCollectApp.collector_plugin = "ftroi_course.zipcollect.ArchiveNameCollector"

# --- Student files (quizzes/README.md, "Threat model"): nothing is followed out of a student's
# folder, and one broken submission never stops a whole-class command.
# Caps, in kB on disk (nbgrader's own traits, also used by collect and zip_collect).
c.CourseDirectory.max_file_size = 100_000  # one file: 100 MB
c.CourseDirectory.max_dir_size = 100_000  # one submission: 100 MB
if (HERE / "ftroi_course" / "submission_guard.py").is_file():
    from ftroi_course.submission_guard import (
        UpgradeStudentMetadata,
        feedback_pages_hook,
        quarantine_hook,
    )
    from nbgrader.converters import Autograde as _Autograde

    # Before nbgrader copies a student's folder (submitted/ -> autograded/ -> feedback/), links,
    # FIFOs, devices, hard links and oversized files are moved to quarantine/, with a warning.
    c.Autograde.pre_convert_hook = quarantine_hook(1000 * c.CourseDirectory.max_file_size)
    c.GenerateFeedback.pre_convert_hook = quarantine_hook(1000 * c.CourseDirectory.max_file_size)
    # Feedback is the graded notebooks' pages alone: a student's own .html/.svg goes to quarantine/.
    c.GenerateFeedback.post_convert_hook = feedback_pages_hook(c.CourseDirectory.feedback_directory)
    # A notebook with old nbgrader metadata (schema_version: 1) is upgraded; newer or unreadable
    # metadata fails that student alone (stock nbgrader stops the whole class).
    _sanitize = (c.Autograde.sanitize_preprocessors if "sanitize_preprocessors" in c.Autograde
                 else _Autograde.class_traits()["sanitize_preprocessors"].default())
    c.Autograde.sanitize_preprocessors = [UpgradeStudentMetadata, *_sanitize]

# --- A class on a server (JupyterHub, parallel grading): see "A whole class on JupyterHub" in
# quizzes/README.md and deploy/README.md.
# The gradebook on a database server instead of the SQLite file above, for example
#   export FTROI_DB_URL=postgresql://ftroi:PASSWORD@127.0.0.1:5432/ftroi_gradebook
# (needs the driver: pip install -e ".[hub]"). Parallel grading
# (python -m ftroi_course.grade_class QUIZ) needs it: SQLite takes one writer at a time.
if os.environ.get("FTROI_DB_URL"):
    c.CourseDirectory.db_url = os.environ["FTROI_DB_URL"]
# The nbgrader exchange (release, fetch, submit, collect). A hub's global config sets it for
# everyone (deploy/jupyter/nbgrader_config.py); FTROI_EXCHANGE_ROOT overrides it here.
if os.environ.get("FTROI_EXCHANGE_ROOT"):
    c.Exchange.root = os.environ["FTROI_EXCHANGE_ROOT"]
# `nbgrader collect` takes a submission only from the account that owns it: nbgrader's own
# collect just warns when alice's folder in the exchange holds a notebook written by bob.
c.ExchangeFactory.collect = "ftroi_course.exchange.OwnerCheckedCollect"
# It copies without following links, caps sizes on disk, and records the exchange's time (not the
# student's timestamp.txt). release_feedback skips (and logs) a folder with no
# submission_secret.txt instead of stopping for everyone.
c.ExchangeFactory.release_feedback = "ftroi_course.exchange.SafeReleaseFeedback"
# `nbgrader export` writes nbgrader's grades.csv, quoted and with no cell a spreadsheet would
# run as a formula (a student id "=HYPERLINK(...)" stays text).
c.ExportApp.plugin_class = "ftroi_course.export.SafeCsvExportPlugin"
# `nbgrader export --exporter=ftroi_course.export.CanvasExportPlugin --to=canvas.csv` writes a
# Canvas-style gradebook CSV (one column per quiz); plain `nbgrader export` keeps nbgrader's CSV.

# --- Student-authored HTML never runs (ftroi_course/safe_html.py; quizzes/README.md, "Threat
# model"). Every HTML render of a submission (formgrader's grading page, generate_feedback's
# files) cleans markdown after rendering, cleans or drops HTML/SVG/JavaScript outputs and
# attachments; formgrader's pages and the feedback files carry a Content-Security-Policy that runs
# only the page's own scripts. Formgrader loads this file inside the instructor's Jupyter server,
# which is where protect_formgrader_pages() sets that policy.
if (HERE / "ftroi_course" / "safe_html.py").is_file():
    from ftroi_course.safe_html import protect_formgrader_pages

    c.HTMLExporter.sanitize_html = True
    c.HTMLExporter.preprocessors = ["ftroi_course.safe_html.SanitizeStudentHTML"]
    c.HTMLExporter.filters = {"markdown2html": "ftroi_course.safe_html.markdown2html"}
    c.GenerateFeedback.exporter_class = "ftroi_course.safe_html.SafeFeedbackExporter"
    protect_formgrader_pages()
