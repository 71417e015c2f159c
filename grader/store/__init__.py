"""Store stage: what the grader keeps.

``grader.records.graded``: the ``GradedSubmission`` model; ``grader.store.files``: one JSON file per
student, written atomically; ``grader.store.gradebook``: the SQLite history of runs, per-question
points and TAs' overrides (``effective_grades(db)`` for exports and reports).
"""
