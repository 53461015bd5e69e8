"""Google Drive delivery (google-api-python-client, a service account).

The book's PDFs and preview go into one folder per book inside the configured parent
folder. Uploads are resumable (a dropped connection resumes the file instead of starting
over) and idempotent: the folder and each file carry app properties naming the book and
the file, so a second delivery updates the same files in place, never a duplicate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import BotError, UserInputError

if TYPE_CHECKING:
    from bot.settings import Settings

SCOPES = ["https://www.googleapis.com/auth/drive"]
FOLDER_MIME = "application/vnd.google-apps.folder"
BOOK_KEY = "ebookBotBook"
FILE_KEY = "ebookBotFile"
CHUNK = 8 * 1024 * 1024
DELIVERED = (
    ("interior.pdf", "application/pdf"),
    ("cover.pdf", "application/pdf"),
    ("preview.png", "image/png"),
)
_FIELDS = "id, name, webViewLink"


class DriveError(BotError):
    """Drive refused or failed a request."""


@dataclass
class Delivery:
    folder_id: str
    folder_link: str
    files: dict[str, str] = field(default_factory=dict)  # name -> link
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def load_credentials(path: str | None, info_json: str | None) -> Any:
    """Service-account credentials from a key file or the key's JSON (from a secret)."""
    from google.oauth2 import service_account

    try:
        if info_json:
            info = json.loads(info_json)
            return service_account.Credentials.from_service_account_info(info, scopes=SCOPES)  # type: ignore[no-untyped-call]
        if path:
            return service_account.Credentials.from_service_account_file(path, scopes=SCOPES)  # type: ignore[no-untyped-call]
    except (ValueError, KeyError, OSError) as exc:
        variable = (
            "EBOOK_BOT_DRIVE_CREDENTIALS_JSON" if info_json else "EBOOK_BOT_DRIVE_CREDENTIALS"
        )
        reason = type(exc).__name__ if info_json else str(exc)[:200]
        raise UserInputError(f"{variable}: not a service-account key ({reason})") from None
    raise UserInputError(
        "EBOOK_BOT_DRIVE_CREDENTIALS or EBOOK_BOT_DRIVE_CREDENTIALS_JSON: not set "
        "(a service-account key with access to the Drive folder)"
    )


def build_service(credentials: Any = None, http: Any = None) -> Any:
    """The Drive v3 client from the discovery document bundled with the library."""
    from googleapiclient.discovery import build

    if http is not None:
        return build("drive", "v3", http=http, static_discovery=True, cache_discovery=False)
    return build(
        "drive", "v3", credentials=credentials, static_discovery=True, cache_discovery=False
    )


class DriveDelivery:
    def __init__(self, service: Any, parent_id: str, *, num_retries: int = 5) -> None:
        self.service = service
        self.parent_id = parent_id
        self.num_retries = num_retries

    def _execute(self, request: Any, what: str) -> Any:
        from googleapiclient.errors import HttpError

        try:
            return request.execute(num_retries=self.num_retries)
        except HttpError as exc:
            raise DriveError(f"Google Drive: {what} failed (HTTP {exc.status_code})") from None

    def _find(self, query: str, what: str) -> dict[str, Any] | None:
        found = self._execute(
            self.service.files().list(
                q=query + " and trashed = false",
                fields=f"files({_FIELDS})",
                spaces="drive",
                supportsAllDrives=True,
                includeItemsFromAllDrives=True,
                pageSize=10,
            ),
            what,
        )
        files = found.get("files", [])
        return files[0] if files else None

    def check_parent(self) -> str:
        meta = self._execute(
            self.service.files().get(
                fileId=self.parent_id, fields="id, name, mimeType", supportsAllDrives=True
            ),
            "reading the parent folder",
        )
        if meta.get("mimeType") != FOLDER_MIME:
            raise DriveError(f"EBOOK_BOT_DRIVE_FOLDER_ID: {self.parent_id} is not a folder")
        return str(meta.get("name", ""))

    def book_folder(self, book: str, title: str) -> dict[str, Any]:
        query = (
            f"'{_quote(self.parent_id)}' in parents and mimeType = '{FOLDER_MIME}' and "
            f"appProperties has {{ key='{BOOK_KEY}' and value='{_quote(book)}' }}"
        )
        found = self._find(query, "finding the book's folder")
        if found:
            return found
        body = {
            "name": title[:200] or book,
            "mimeType": FOLDER_MIME,
            "parents": [self.parent_id],
            "appProperties": {BOOK_KEY: book},
        }
        created: dict[str, Any] = self._execute(
            self.service.files().create(body=body, fields=_FIELDS, supportsAllDrives=True),
            "creating the book's folder",
        )
        return created

    def upload(
        self, folder_id: str, path: Path, name: str, mime: str
    ) -> tuple[dict[str, Any], bool]:
        """Upload `path` as `name` (resumable); update the file in place when it exists."""
        from googleapiclient.errors import HttpError
        from googleapiclient.http import MediaFileUpload

        query = (
            f"'{_quote(folder_id)}' in parents and "
            f"appProperties has {{ key='{FILE_KEY}' and value='{_quote(name)}' }}"
        )
        existing = self._find(query, f"finding {name}")
        media = MediaFileUpload(str(path), mimetype=mime, resumable=True, chunksize=CHUNK)
        files = self.service.files()
        if existing:
            request = files.update(
                fileId=existing["id"], media_body=media, fields=_FIELDS, supportsAllDrives=True
            )
        else:
            body = {"name": name, "parents": [folder_id], "appProperties": {FILE_KEY: name}}
            request = files.create(
                body=body, media_body=media, fields=_FIELDS, supportsAllDrives=True
            )
        response = None
        try:
            while response is None:
                _, response = request.next_chunk(num_retries=self.num_retries)
        except HttpError as exc:
            raise DriveError(
                f"Google Drive: uploading {name} failed (HTTP {exc.status_code})"
            ) from None
        return response, existing is None

    def deliver(self, book: str, title: str, out: Path) -> Delivery:
        folder = self.book_folder(book, title)
        result = Delivery(folder["id"], folder.get("webViewLink", ""))
        for name, mime in DELIVERED:
            path = out / name
            if not path.exists():
                raise UserInputError(f"{path}: missing; build the book before delivering it")
            meta, created = self.upload(folder["id"], path, name, mime)
            result.files[name] = meta.get("webViewLink", "")
            (result.created if created else result.updated).append(name)
        return result


def from_settings(s: Settings) -> DriveDelivery | None:
    """The configured delivery, or None when Drive is not configured."""
    if not s.drive_folder_id:
        return None
    info = s.drive_credentials_json.get_secret_value() if s.drive_credentials_json else None
    credentials = load_credentials(s.drive_credentials, info)
    return DriveDelivery(build_service(credentials), s.drive_folder_id)


def drive_health(settings: Settings) -> tuple[str, str]:
    """For `doctor`: ("ok" | "warn" | "fail", detail)."""
    try:
        delivery = from_settings(settings)
    except ImportError:
        return "fail", "google-api-python-client is not installed: pip install 'ebook-bot[drive]'"
    except BotError as exc:
        return "fail", exc.message
    if delivery is None:
        return "ok", "not configured (EBOOK_BOT_DRIVE_FOLDER_ID unset): books stay on GitHub"
    try:
        name = delivery.check_parent()
    except BotError as exc:
        return "fail", exc.message
    except Exception as exc:  # network, auth: say what, not a traceback
        return "fail", f"Google Drive unreachable ({type(exc).__name__})"
    return "ok", f"folder {name!r} reachable"
