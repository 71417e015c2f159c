"""The review app's walls: Host header, URL token, CSRF token, same-origin forms, CSP, hostile content.

Every refused write is checked against the gradebook itself: nothing may be logged or changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from grader.publish import load_class
from grader.review.security import FRAME_CSP, PAGE_CSP
from grader.store.gradebook import list_changes

from .conftest import BASE, CSRF, ORIGIN, PORT, TOKEN

OVERRIDE = {"question": "2.5", "points": "5", "comment": "pwned"}


def _untouched(out_dir: Path) -> None:
    assert list_changes(out_dir / "gradebook.db") == []
    assert {g.result.student_id: g.result.total for g in load_class(out_dir)} == {"ada": 7.0, "bob": 3.0, "eve": 2.0}


@pytest.mark.parametrize("path", ["/", "/s/ada", f"/t/{TOKEN[:-1]}/", f"/t/{TOKEN}x/", f"/t/{TOKEN}",
                                  "/t/wrong/s/ada", f"/t//{TOKEN}/", f"/T/{TOKEN}/"])
def test_requests_without_the_token_are_not_found(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert TOKEN not in response.text and "ada" not in response.text


def test_a_write_without_the_token_is_not_found(client: TestClient, out_dir: Path) -> None:
    assert client.post("/s/bob/override", data={**OVERRIDE, "csrf": CSRF}).status_code == 404
    assert client.post("/t/nope/s/bob/override", data={**OVERRIDE, "csrf": CSRF}).status_code == 404
    _untouched(out_dir)


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1", "localhost",
                                  f"127.0.0.1:{PORT + 1}", f"0.0.0.0:{PORT}", f"[::1]:{PORT}", ""])
def test_foreign_host_headers_are_refused(client: TestClient, out_dir: Path, host: str) -> None:
    assert client.get(f"{BASE}/", headers={"host": host}).status_code == 403
    response = client.post(f"{BASE}/s/bob/override", data={**OVERRIDE, "csrf": CSRF}, headers={"host": host})
    assert response.status_code == 403
    _untouched(out_dir)


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}"])
def test_loopback_host_headers_are_served(client: TestClient, host: str) -> None:
    assert client.get(f"{BASE}/", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("csrf", [None, "", "wrong", CSRF[:-1], CSRF + "x", CSRF.upper()])
def test_a_bad_csrf_token_changes_nothing(client: TestClient, out_dir: Path, csrf: str | None) -> None:
    form = OVERRIDE if csrf is None else {**OVERRIDE, "csrf": csrf}
    for action in ("override", "late", "waive", "reviewed"):
        response = client.post(f"{BASE}/s/bob/{action}", data={**form, "late_days": "3"})
        assert response.status_code == 403, action
    _untouched(out_dir)


@pytest.mark.parametrize("headers", [{"origin": "null"}, {"origin": "http://evil.example"},
                                     {"origin": f"http://127.0.0.1:{PORT + 1}"}, {"sec-fetch-site": "cross-site"},
                                     {"sec-fetch-site": "same-site"}, {"origin": ORIGIN, "sec-fetch-site": "cross-site"}])
def test_forms_from_elsewhere_are_refused_even_with_the_csrf_token(
    client: TestClient, out_dir: Path, headers: dict[str, str]
) -> None:
    response = client.post(f"{BASE}/s/bob/override", data={**OVERRIDE, "csrf": CSRF}, headers=headers)
    assert response.status_code == 403
    _untouched(out_dir)


def test_a_same_origin_form_with_the_csrf_token_is_accepted(client: TestClient, out_dir: Path) -> None:
    headers = {"origin": ORIGIN, "sec-fetch-site": "same-origin"}
    response = client.post(f"{BASE}/s/bob/override", data={**OVERRIDE, "csrf": CSRF}, headers=headers)
    assert response.status_code == 303
    assert [c.new_value for c in list_changes(out_dir / "gradebook.db")] == [5.0]


def test_pages_carry_a_strict_policy(client: TestClient) -> None:
    for path in ("/", "/s/ada", "/review.css"):
        headers = client.get(f"{BASE}{path}").headers
        assert headers["content-security-policy"] == PAGE_CSP
        assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "same-origin"
        assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"
    directives = dict(d.strip().split(" ", 1) for d in PAGE_CSP.split(";"))
    assert "script-src" not in directives and directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"


def test_student_content_is_framed_sandboxed_and_sanitised(client: TestClient) -> None:
    page = client.get(f"{BASE}/s/eve").text
    assert '<iframe sandbox src="' in page and "allow-" not in page
    assert "<script" not in page
    for frame in ("notebook", "report"):
        response = client.get(f"{BASE}/s/eve/{frame}")
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == FRAME_CSP
        assert response.headers["referrer-policy"] == "no-referrer"
        assert FRAME_CSP.endswith("; sandbox") and "script-src" not in FRAME_CSP
    notebook = client.get(f"{BASE}/s/eve/notebook").text
    assert "EVE-MARKER" in notebook
    for hostile in ("<script", "<form", "onerror", "<iframe", "fetch(", "evil.example", "<input"):
        assert hostile not in notebook.lower(), hostile
    assert "output cut at" in notebook or "stream cut at" in notebook


def test_a_submission_whose_output_posts_an_override_changes_no_grade(client: TestClient, out_dir: Path) -> None:
    """What eve's outputs would send if they ran: from the sandboxed frame (origin ``null``, no CSRF token)
    or, were the frame not sandboxed, from the app's origin but still without the token. Both refused."""
    as_frame = client.post(f"{BASE}/s/eve/override", data=OVERRIDE, headers={"origin": "null"})
    as_page = client.post(f"{BASE}/s/eve/override", data=OVERRIDE, headers={"origin": ORIGIN})
    assert (as_frame.status_code, as_page.status_code) == (403, 403)
    client.get(f"{BASE}/s/eve")
    client.get(f"{BASE}/s/eve/notebook")
    _untouched(out_dir)
