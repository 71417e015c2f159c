"""The records every stage passes on, at the bottom of the import graph: they import no stage.

- ``execution``: ``ExecStatus``, ``CellFailure``, ``ExecutionRecord`` (what a run did; execute writes it)
- ``collected``: ``Item``, ``ItemStatus``, ``CollectedRecord`` and its parts (what a notebook gave; collect)
- ``evidence``: ``HiddenEvaluation``, ``Evidence`` (what the grader measured; evaluate)
- ``result``: ``Visibility``, ``Finding``, ``QuestionResult``, ``SubmissionResult`` and statuses (score)
- ``graded``: ``GradedSubmission``, ``IntegrityReport`` (everything kept about one submission; store)
- ``adjust``: ``Override``, ``LateDaysOverride``, ``ReviewMark``, ``Lateness``, ``LatePolicy``, ``Adjustments`` (what people decide)

Import them from their module (``from grader.records.execution import ExecStatus``); this package has no
names of its own. An import-linter contract in pyproject.toml keeps every stage out of here. Nothing here
belongs to one assignment: a pack's own value types live in the pack (Week 11's in
``assignments/week11/records.py``) and are stored here as plain JSON.
"""
