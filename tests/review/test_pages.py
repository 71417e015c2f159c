"""The review app's pages and writes: the class table, one student, overrides, late days, review marks.

Writes go through the real gradebook; the assertions read it back (``list_changes``, ``load_class``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from grader.errors import StoreError
from grader.publish import load_class
from grader.review import run_review
from grader.store.gradebook import (
    RunCounts,
    RunInfo,
    finish_run,
    list_changes,
    open_gradebook,
    start_run,
    upsert_result,
)
from tests.store.builders import graded
from tests.toy_pack import registered, toy_pack

from .conftest import BASE, CSRF


def post(client: TestClient, student: str, action: str, **fields: str) -> object:
    return client.post(f"{BASE}/s/{student}/{action}", data={"csrf": CSRF, **fields})


def row_order(html: str) -> list[str]:
    return re.findall(r'<tr data-student="([^"]+)"', html)


def totals(out_dir: Path) -> dict[str, float]:
    return {g.result.student_id: g.result.total for g in load_class(out_dir)}


def test_class_table_shows_every_student_and_the_review_progress(client: TestClient) -> None:
    html = client.get(f"{BASE}/").text
    assert row_order(html) == ["ada", "bob", "eve"]
    assert "reviewed 0 of 3" in html and "Ada Lovelace" in html
    for column in ("1.2 /2", "2.5 /5", "3.1 /3", "total /7", "extra", "late penalty", "status", "flags"):
        assert column in html
    assert 'class="flag flag-similar"' in html and 'class="flag flag-notes"' in html


@pytest.mark.parametrize(("query", "order"), [
    ("sort=total&desc=1", ["ada", "bob", "eve"]),
    ("sort=total&desc=0", ["eve", "bob", "ada"]),
    ("sort=q:2.5&desc=0", ["eve", "bob", "ada"]),
    ("sort=name&desc=0", ["bob", "eve", "ada"]),
    ("sort=nonsense", ["ada", "bob", "eve"]),
    ("flag=similar", ["ada", "bob"]),
    ("flag=notes", ["ada"]),
    ("status=graded&sort=total", ["eve", "bob", "ada"]),
    ("status=timeout", []),
])
def test_sorting_and_filtering_are_query_parameters(client: TestClient, query: str, order: list[str]) -> None:
    html = client.get(f"{BASE}/?{query}").text
    assert row_order(html) == order
    if not order:
        assert "No student matches this filter." in html


def test_student_page_shows_the_submission_and_its_forms(client: TestClient) -> None:
    html = client.get(f"{BASE}/s/bob").text
    assert html.count(f'name="csrf" value="{CSRF}"') >= 3 + 3 + 1
    assert "def bob_code()" in html and "def ada_code()" in html  # the pair, side by side
    assert html.index("def bob_code()") < html.index("def ada_code()")  # this student's code first
    assert 'id="report-frame"' in html and 'id="notebook-frame"' in html
    assert "No changes yet." in html
    assert "2 files; kept the later" in client.get(f"{BASE}/s/ada").text


def test_an_override_is_written_with_who_when_and_why(client: TestClient, out_dir: Path) -> None:
    response = post(client, "bob", "override", question="2.5", points="4.5", comment="partial credit: sign slip")
    assert response.status_code == 303 and response.headers["location"] == f"{BASE}/s/bob?done=override"  # type: ignore[attr-defined]
    assert totals(out_dir)["bob"] == 6.5
    [change] = list_changes(out_dir / "gradebook.db", "bob")
    assert (change.grader, change.action, change.question_id, change.old_value, change.new_value, change.reason) == (
        "ann", "override", "2.5", 1.0, 4.5, "partial credit: sign slip")
    assert change.at
    page = client.get(f"{BASE}/s/bob?done=override").text
    assert "Points set." in page and "partial credit: sign slip" in page and "Set by ann" in page
    table = client.get(f"{BASE}/").text
    assert re.search(r'data-q="2.5">4.5<span title="set by a TA">\*</span>', table)
    assert 'class="flag flag-overridden"' in table


@pytest.mark.parametrize(("fields", "message"), [
    ({"question": "2.5", "points": "9", "comment": "x"}, "must be between 0 and 5"),
    ({"question": "2.5", "points": "-1", "comment": "x"}, "must be between 0 and 5"),
    ({"question": "2.5", "points": "nan", "comment": "x"}, "not a finite number"),
    ({"question": "2.5", "points": "four", "comment": "x"}, "points: &#39;four&#39; is not a number"),
    ({"question": "2.5", "points": "4", "comment": "   "}, "comment: required"),
    ({"question": "2.5", "points": "4"}, "comment: required"),
    ({"question": "9.9", "points": "1", "comment": "x"}, "has no question &#39;9.9&#39;"),
])
def test_refused_writes_are_shown_on_the_page(
    client: TestClient, out_dir: Path, fields: dict[str, str], message: str
) -> None:
    response = post(client, "bob", "override", **fields)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Not saved:" in response.text and message in response.text  # type: ignore[attr-defined]
    assert list_changes(out_dir / "gradebook.db") == [] and totals(out_dir)["bob"] == 3.0


def test_clear_late_days_waive_and_review(client: TestClient, out_dir: Path) -> None:
    post(client, "bob", "override", question="2.5", points="5", comment="regrade request")
    assert post(client, "bob", "clear", question="2.5", comment="wrong student").status_code == 303  # type: ignore[attr-defined]
    assert totals(out_dir)["bob"] == 3.0
    again = post(client, "bob", "clear", question="2.5", comment="twice")
    assert again.status_code == 400 and "has no override" in again.text  # type: ignore[attr-defined]
    assert post(client, "bob", "late", late_days="2", comment="submitted by mail").status_code == 303  # type: ignore[attr-defined]
    assert post(client, "bob", "waive", comment="doctor's note").status_code == 303  # type: ignore[attr-defined]
    assert post(client, "bob", "late-clear", comment="back").status_code == 303  # type: ignore[attr-defined]
    assert post(client, "bob", "reviewed").status_code == 303  # type: ignore[attr-defined]
    actions = [(c.action, c.new_value, c.reason) for c in list_changes(out_dir / "gradebook.db", "bob")]
    assert actions == [("override", 5.0, "regrade request"), ("clear override", 1.0, "wrong student"),
                       ("late days", 2.0, "submitted by mail"), ("late days", 0.0, "doctor's note"),
                       ("clear late days", None, "back"), ("reviewed", None, "")]
    assert "reviewed 1 of 3" in client.get(f"{BASE}/").text
    history = client.get(f"{BASE}/s/bob").text
    assert history.index("clear late days") < history.index("regrade request")  # newest first
    assert post(client, "bob", "unreviewed").status_code == 303  # type: ignore[attr-defined]
    assert "reviewed 0 of 3" in client.get(f"{BASE}/").text


def test_a_rescore_that_moved_an_overridden_question_shows_both_numbers(client: TestClient, out_dir: Path) -> None:
    post(client, "bob", "override", question="2.5", points="4", comment="accepted the derivation")
    with open_gradebook(out_dir / "gradebook.db") as conn:
        run = start_run(conn, RunInfo(rubric_id="test-v2", rubric_sha256="r2", grader_version="test"))
        upsert_result(conn, run, graded("bob", {"1.2": 2.0, "2.5": 3.0}, sha="sha-bob"))
        finish_run(conn, run, RunCounts(graded=1))
    assert totals(out_dir)["bob"] == 6.0
    html = client.get(f"{BASE}/s/bob").text
    assert "The automatic score gives 3; it gave 1 when the override was set: a rescore moved it" in html
    assert 'class="flag flag-rescore-moved"' in client.get(f"{BASE}/").text


def test_unknown_students_and_actions(client: TestClient, out_dir: Path) -> None:
    assert client.get(f"{BASE}/s/nobody").status_code == 404
    assert client.get(f"{BASE}/s/nobody/notebook").status_code == 404
    assert post(client, "nobody", "override", question="2.5", points="1", comment="x").status_code == 404  # type: ignore[attr-defined]
    assert post(client, "bob", "delete-everything").status_code == 404  # type: ignore[attr-defined]
    assert post(client, "bob", "notebook").status_code == 405  # type: ignore[attr-defined]
    assert list_changes(out_dir / "gradebook.db") == []


def test_review_refuses_a_folder_without_a_gradebook(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no gradebook; grade first"):
        run_review(tmp_path, port=8765, ta="ann", echo=lambda line: None)


def test_ids_that_need_quoting_in_urls(client: TestClient, out_dir: Path) -> None:
    student = "Zoë O'Brien #2"
    with open_gradebook(out_dir / "gradebook.db") as conn:
        run = start_run(conn, RunInfo(rubric_id="test", rubric_sha256="r1", grader_version="test"))
        upsert_result(conn, run, graded(student, {"1.2": 0.0}, sha="sha-zoe"))
        finish_run(conn, run, RunCounts(graded=1))
    assert "/s/Zo%C3%AB%20O%27Brien%20%232" in client.get(f"{BASE}/").text
    response = post(client, "Zo%C3%AB%20O%27Brien%20%232", "override", question="1.2", points="2", comment="ok")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == f"{BASE}/s/Zo%C3%AB%20O%27Brien%20%232?done=override"  # type: ignore[attr-defined]
    assert [c.student_id for c in list_changes(out_dir / "gradebook.db")] == [student]
    assert "Zoë O&#39;Brien #2" in client.get(f"{BASE}/s/Zo%C3%AB%20O%27Brien%20%232").text


def test_an_unreadable_gradebook_is_named_not_a_bare_server_error(client: TestClient, out_dir: Path) -> None:
    for name in ("gradebook.db", "gradebook.db-wal", "gradebook.db-shm"):
        (out_dir / name).unlink(missing_ok=True)
    (out_dir / "gradebook.db").write_bytes(b"this is not sqlite" * 100)
    response = client.get(f"{BASE}/")
    assert response.status_code == 500
    assert "cannot read the class" in response.text and "gradebook.db: not a usable gradebook" in response.text


def test_the_app_shows_the_items_and_panels_of_the_pack_the_latest_run_recorded(
    client: TestClient, out_dir: Path, tmp_path: Path
) -> None:
    week11 = client.get(f"{BASE}/s/bob").text
    assert "toy item" not in week11 and 'id="gradients"' in client.get(f"{BASE}/s/bob/report").text
    with registered(toy_pack(tmp_path / "templates", [])):
        with open_gradebook(out_dir / "gradebook.db") as conn:
            start_run(conn, RunInfo(rubric_id="toy", rubric_sha256="r2", grader_version="test", assignment="toy"))
        page, report = client.get(f"{BASE}/s/bob").text, client.get(f"{BASE}/s/bob/report").text
    assert "toy item" in page and "toy measure" in page
    assert "<h2>Toy panel</h2><p>bob in a class of 3</p>" in report and 'id="gradients"' not in report
