"""Google Drive delivery with google-api-python-client's own HTTP mock and its bundled
Drive v3 discovery document: resumable, idempotent uploads, one folder per book."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

pytest.importorskip("googleapiclient", reason="the drive extra is not installed")

from googleapiclient.http import HttpMockSequence

from bot.errors import UserInputError
from bot.ops.drive import (
    DriveDelivery,
    DriveError,
    build_service,
    load_credentials,
)

PARENT = "0AParentFolderId123"


class RecordingHttp(HttpMockSequence):  # type: ignore[misc]
    """The library's mock, keeping each request body as bytes (upload streams are closed
    once the upload ends)."""

    def request(
        self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kwargs: Any
    ) -> Any:
        if hasattr(body, "read"):
            body = body.read()
        return super().request(uri, method, body, headers, **kwargs)


def body_bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else str(body).encode()


def ok(body: dict[str, Any] | str = "", **headers: str) -> tuple[dict[str, str], str]:
    return {"status": "200", **headers}, body if isinstance(body, str) else json.dumps(body)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    for name, size in (("interior.pdf", 5000), ("cover.pdf", 3000), ("preview.png", 700)):
        (tmp_path / name).write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    return tmp_path


def upload_answers(file_id: str, name: str, existing: bool) -> list[tuple[dict[str, str], str]]:
    found = {"files": [{"id": file_id, "name": name}]} if existing else {"files": []}
    return [
        ok(found),  # files.list: is this file there already?
        ok(location=f"https://www.googleapis.com/upload/drive/v3/files/{file_id}?upload_id=u"),
        ok(
            {
                "id": file_id,
                "name": name,
                "webViewLink": f"https://drive.google.com/file/d/{file_id}",
            }
        ),
    ]


def test_first_delivery_creates_folder_and_files(book: Path) -> None:
    http = RecordingHttp(
        [
            ok({"files": []}),  # no folder for this book yet
            ok(
                {
                    "id": "F1",
                    "name": "Ocean",
                    "webViewLink": "https://drive.google.com/drive/folders/F1",
                }
            ),
            *upload_answers("A", "interior.pdf", False),
            *upload_answers("B", "cover.pdf", False),
            *upload_answers("C", "preview.png", False),
        ]
    )
    result = DriveDelivery(build_service(http=http), PARENT).deliver("issue-7", "Ocean", book)
    assert result.folder_link == "https://drive.google.com/drive/folders/F1"
    assert result.created == ["interior.pdf", "cover.pdf", "preview.png"] and result.updated == []
    calls = http.request_sequence
    assert [c[1] for c in calls] == ["GET", "POST"] + ["GET", "POST", "PUT"] * 3
    folder_body = json.loads(calls[1][2])
    assert folder_body == {
        "name": "Ocean",
        "mimeType": "application/vnd.google-apps.folder",
        "parents": [PARENT],
        "appProperties": {"ebookBotBook": "issue-7"},
    }
    query = unquote_plus(calls[0][0])
    assert f"'{PARENT}' in parents" in query
    assert "appProperties has { key='ebookBotBook' and value='issue-7' }" in query
    start = calls[3]
    assert "uploadType=resumable" in start[0]
    assert json.loads(start[2])["appProperties"] == {"ebookBotFile": "interior.pdf"}
    put = calls[4]
    assert put[0].startswith("https://www.googleapis.com/upload/drive/v3/files/A?upload_id=u")
    assert body_bytes(put[2]) == (book / "interior.pdf").read_bytes()


def test_second_delivery_updates_the_same_files(book: Path) -> None:
    http = RecordingHttp(
        [
            ok({"files": [{"id": "F1", "name": "Ocean", "webViewLink": "https://d/F1"}]}),
            *upload_answers("A", "interior.pdf", True),
            *upload_answers("B", "cover.pdf", True),
            *upload_answers("C", "preview.png", True),
        ]
    )
    result = DriveDelivery(build_service(http=http), PARENT).deliver("issue-7", "Ocean", book)
    assert result.updated == ["interior.pdf", "cover.pdf", "preview.png"] and result.created == []
    methods = [c[1] for c in http.request_sequence]
    assert methods == ["GET"] + ["GET", "PATCH", "PUT"] * 3  # update in place, no create
    assert "/files/A?" in http.request_sequence[2][0]


def test_interrupted_upload_resumes_from_what_drive_has(book: Path) -> None:
    http = RecordingHttp(
        [
            ok({"files": []}),
            ok(location="https://www.googleapis.com/upload/drive/v3/files?upload_id=u"),
            ({"status": "308", "range": "bytes=0-1999"}, ""),  # Drive kept the first 2000 bytes
            ok({"id": "A", "name": "interior.pdf"}),
        ]
    )
    drive = DriveDelivery(build_service(http=http), PARENT)
    meta, created = drive.upload("F1", book / "interior.pdf", "interior.pdf", "application/pdf")
    assert created and meta["id"] == "A"
    first, second = http.request_sequence[2], http.request_sequence[3]
    data = (book / "interior.pdf").read_bytes()
    assert body_bytes(first[2]) == data
    assert body_bytes(second[2]) == data[2000:]  # only the rest was sent again
    headers = {k.lower(): v for k, v in second[3].items()}
    assert headers["content-range"] == "bytes 2000-4999/5000"


def test_refusal_is_one_clear_error(book: Path) -> None:
    http = RecordingHttp(
        [ok({"files": []}), ({"status": "403"}, json.dumps({"error": {"message": "no"}}))]
    )
    with pytest.raises(DriveError, match=r"creating the book's folder failed \(HTTP 403\)"):
        DriveDelivery(build_service(http=http), PARENT, num_retries=0).deliver("issue-7", "T", book)


def test_parent_must_be_a_folder() -> None:
    http = RecordingHttp([ok({"id": PARENT, "name": "x.pdf", "mimeType": "application/pdf"})])
    with pytest.raises(DriveError, match="is not a folder"):
        DriveDelivery(build_service(http=http), PARENT).check_parent()


def test_bad_credentials_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="EBOOK_BOT_DRIVE_CREDENTIALS_JSON: not a service"):
        load_credentials(None, '{"type": "service_account"}')
    (tmp_path / "key.json").write_text("{}")
    with pytest.raises(UserInputError, match="EBOOK_BOT_DRIVE_CREDENTIALS: not a service"):
        load_credentials(str(tmp_path / "key.json"), None)
    with pytest.raises(UserInputError, match="not set"):
        load_credentials(None, None)
