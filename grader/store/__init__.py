"""Store stage: what the grader keeps.

``grader.records.graded``: the ``GradedSubmission`` model; ``grader.store.files``: one JSON file per
student, written atomically; ``grader.store.gradebook``: the SQLite history of runs, per-question
points and TAs' decisions (``grader.publish.load_class`` turns them into effective grades).
"""
