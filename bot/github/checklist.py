"""The PR body: `Closes #N`, the book's links, a progress checklist and the preview, between
hidden markers (pure).

Only the text between the markers is ever rewritten; what people add elsewhere is kept. The
progress itself is also kept as JSON in a hidden comment, so a later job carries on from
exactly what an earlier one wrote (the visible text is for people, and they may edit it).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields

from bot.github.slash import HELP

BEGIN = "<!-- ebook-bot:checklist:start -->"
END = "<!-- ebook-bot:checklist:end -->"
STATE = "<!-- ebook-bot:progress "
STATUS_MARKER = "<!-- ebook-bot:status -->"
MAX_BODY = 65_000  # GitHub refuses bodies of 65,536 characters or more

STAGES = ("spec", "cover", "pages", "pdfs", "preflight", "delivered")
TITLES = {
    "spec": "Spec committed",
    "cover": "Cover generated",
    "pages": "Coloring pages generated",
    "pdfs": "Interior and cover PDFs assembled",
    "preflight": "Print preflight passed",
    "delivered": "Delivered to the branch",
}
RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"

FLAGGED = "### Pages QA flagged (best attempt kept)"
TICK_HINT = "_Tick a page's box (or comment `/regenerate N`) to make it again._"


@dataclass(frozen=True)
class Progress:
    done: frozenset[str] = frozenset()
    pages_done: int = 0
    pages_total: int = 0
    preview_url: str | None = None  # the first contact sheet (raw URL)
    note: str | None = None  # e.g. a failure with a link to the run
    drive_url: str | None = None  # the book's Google Drive folder, once delivered
    flagged: tuple[str, ...] = ()  # "page 007: reasons" for pages QA flagged
    state: str = ""  # "", running, done, failed, cancelled (of the last generation run)
    failed_stage: str | None = None  # the stage a failed or cancelled run stopped at
    files_url: str | None = None  # the book folder at its commit (blob URL)
    commit: str | None = None  # the book's last commit
    run_url: str | None = None  # the last generation run
    substitutes: tuple[str, ...] = ()  # "subject: what was drawn instead"
    sheets: tuple[str, ...] = ()  # the further contact sheets of a large book (raw URLs)
    labels: tuple[str, ...] = ()  # "007=9": a page's printed page number, when it differs

    @property
    def blocked(self) -> str | None:
        """Why the book should not be approved yet, or None."""
        if self.state in (FAILED, CANCELLED):
            words = "failed" if self.state == FAILED else "was cancelled"
            return f"the last generation run {words}"
        if self.state == RUNNING:
            return "a generation run is still going"
        if self.flagged:
            return f"line-art QA flagged {len(self.flagged)} page(s)"
        return None

    def first_missing(self) -> str | None:
        return next((s for s in STAGES if s not in self.done), None)


def flagged_page(line: str) -> int | None:
    """The page number a "page 007: ..." line names."""
    match = re.match(r"page (\d{1,4})\b", line)
    return int(match.group(1)) if match else None


def printed(progress: Progress, page: int) -> str:
    """A picture's printed page number, as the interior numbers it."""
    for pair in progress.labels:
        key, _, label = pair.partition("=")
        if key.isdigit() and int(key) == page:
            return label
    return str(page)


def _stage_lines(progress: Progress) -> list[str]:
    lines = []
    for stage in STAGES:
        mark = "x" if stage in progress.done else " "
        title = TITLES[stage]
        if stage == "pages" and progress.pages_total:
            title += f" ({progress.pages_done}/{progress.pages_total})"
        if stage == progress.failed_stage and progress.state in (FAILED, CANCELLED):
            title += f" — **{progress.state} here**"
        lines.append(f"- [{mark}] {title}")
    return lines


def _links(progress: Progress) -> list[str]:
    if not progress.files_url:
        return [f"[Run log]({progress.run_url})", ""] if progress.run_url else []
    f = progress.files_url
    links = [
        f"[interior.pdf]({f}/interior.pdf)",
        f"[cover.pdf]({f}/cover.pdf)",
        f"[provenance.json]({f}/provenance.json)",
    ]
    if progress.run_url:
        links += [f"[run]({progress.run_url})", f"[artifact]({progress.run_url}#artifacts)"]
    commit = f" (commit `{progress.commit[:12]}`)" if progress.commit else ""
    return ["**The book**" + commit + ": " + " · ".join(links), ""]


def _flagged_lines(progress: Progress) -> list[str]:
    if not progress.flagged:
        return []
    lines = [FLAGGED, ""]
    for line in progress.flagged:
        page = flagged_page(line)
        if page is None or not progress.files_url:
            lines.append(f"- [ ] {line}")
            continue
        rest = line.split(":", 1)[1].strip() if ":" in line else ""
        url = f"{progress.files_url}/pages/{page:03d}.png"
        label = f"[page {page:03d}]({url}) (printed page {printed(progress, page)})"
        lines.append(f"- [ ] {label}: {rest}")
    return [*lines, "", TICK_HINT, ""]


def _preview_lines(progress: Progress) -> list[str]:
    if not progress.preview_url:
        return ["_The preview appears here when the pages are made._", ""]
    stale = {
        RUNNING: " (of the last finished run: being made again)",
        FAILED: " (of the last finished run)",
        CANCELLED: " (of the last finished run)",
    }
    lines = [
        f"### Preview{stale.get(progress.state, '')}",
        "",
        f"![preview]({progress.preview_url})",
        "",
    ]
    if progress.sheets:
        lines += [f"<details><summary>More pages ({len(progress.sheets)} sheets)</summary>", ""]
        lines += [f"![preview sheet {i}]({url})" for i, url in enumerate(progress.sheets, 2)]
        lines += ["", "</details>", ""]
    if not progress.files_url:  # bodies written before the links existed
        folder = progress.preview_url.rsplit("/", 1)[0].replace("/raw/", "/blob/", 1)
        lines += [f"Where each page came from: [provenance.json]({folder}/provenance.json)", ""]
    return lines


def state_comment(progress: Progress) -> str:
    data = asdict(progress)
    data["done"] = sorted(progress.done)
    # no "-->" can end the hidden comment early: ">" only occurs inside JSON strings
    return STATE + json.dumps(data, sort_keys=True).replace(">", "\\u003e") + " -->"


def render_checklist(progress: Progress) -> str:
    lines = [BEGIN, state_comment(progress), "### Progress", ""]
    lines += [*_stage_lines(progress), ""]
    if progress.note:
        lines += [progress.note, ""]
    lines += _links(progress)
    lines += _flagged_lines(progress)
    if progress.substitutes:
        lines += ["### Subjects the provider cannot draw (drawn instead)", ""]
        lines += [f"- {line}" for line in progress.substitutes] + [""]
    lines += _preview_lines(progress)
    if progress.drive_url:
        lines += [f"PDFs on Google Drive: [book folder]({progress.drive_url})", ""]
    lines += ["<details><summary>Commands</summary>", "", HELP, "", "</details>", "", END]
    return "\n".join(lines)


def _fits(value: object, kind: object) -> bool:
    """A JSON number for an int field, a string for a str field (bools are not numbers)."""
    if isinstance(value, bool):
        return False
    return (isinstance(value, int) and kind == "int") or (
        isinstance(value, str) and kind in ("str", "str | None")
    )


def _from_state(section: str) -> Progress | None:
    start = section.find(STATE)
    if start == -1:
        return None
    raw = section[start + len(STATE) : section.find(" -->", start)]
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    kept: dict[str, object] = {}
    for f in fields(Progress):
        value = data.get(f.name)
        listed = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if listed and str(f.type).startswith(("frozenset", "tuple")):
            assert isinstance(value, list)
            kept[f.name] = frozenset(value) if f.name == "done" else tuple(value)
        elif _fits(value, f.type):
            kept[f.name] = value
    return Progress(**kept)  # type: ignore[arg-type]


def parse_checklist(body: str | None) -> Progress:
    """The progress a PR body shows (so a later job carries on from it)."""
    text = body or ""
    start, end = text.find(BEGIN), text.find(END)
    if start == -1 or end < start:
        return Progress()
    section = text[start:end]
    found = _from_state(section)
    if found is not None:
        return found
    done = set()  # a body written before the state was kept: read the visible text
    pages_done = pages_total = 0
    for stage in STAGES:
        match = re.search(
            r"^- \[([ xX])\] " + re.escape(TITLES[stage]) + r"(?: \((\d+)/(\d+)\))?$",
            section,
            re.MULTILINE,
        )
        if match and match.group(1) in "xX":
            done.add(stage)
        if match and match.group(2):
            pages_done, pages_total = int(match.group(2)), int(match.group(3))
    preview = re.search(r"^!\[preview\]\((\S+)\)$", section, re.MULTILINE)
    url = preview.group(1) if preview else None
    flagged = tuple(m.group(1) for m in re.finditer(r"^- (page \d+: .*)$", section, re.MULTILINE))
    return Progress(frozenset(done), pages_done, pages_total, url, flagged=flagged)


def ticked_pages(before: str | None, after: str | None) -> list[int]:
    """The flagged pages whose box someone ticked between two versions of the PR body."""

    def ticked(body: str | None) -> set[int]:
        text = body or ""
        start, end = text.find(BEGIN), text.find(END)
        if start == -1 or end < start:
            return set()
        found = re.finditer(r"^- \[[xX]\] \[?page (\d{1,4})\b", text[start:end], re.MULTILINE)
        return {int(m.group(1)) for m in found}

    return sorted(ticked(after) - ticked(before))


def cap(text: str, limit: int = MAX_BODY) -> str:
    """Cut `text` to fit GitHub's body limit, saying so."""
    if len(text) <= limit:
        return text
    suffix = "\n\n_(cut to fit GitHub's size limit)_"
    return text[: limit - len(suffix)] + suffix


def pr_body(issue_number: int, progress: Progress) -> str:
    intro = (
        f"Closes #{issue_number}\n\n"
        "This draft holds the coloring book made from the issue's spec. Review the pages "
        "and PDFs in this branch, then comment `/approve` (or mark it ready) and merge.\n\n"
    )
    return cap(intro + render_checklist(progress))


def splice(body: str | None, section: str) -> str:
    """Replace the marked section of `body` (or append it), keeping everything else."""
    text = body or ""
    start, end = text.find(BEGIN), text.find(END)
    if start != -1 and end > start:
        new = text[:start] + section + text[end + len(END) :]
    else:
        new = f"{text.rstrip()}\n\n{section}" if text.strip() else section
    if len(new) > MAX_BODY:  # keep the checklist whole: cut people's text around it
        room = MAX_BODY - len(section) - 4
        before = new[: new.find(BEGIN)][: max(0, room)]
        new = before + section
    return new


def status_comment(lines: list[str]) -> str:
    """The one status comment per issue, found again by its hidden marker."""
    return cap(STATUS_MARKER + "\n" + "\n".join(lines))
