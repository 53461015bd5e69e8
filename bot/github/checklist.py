"""The PR body: `Closes #N`, a preview slot and a progress checklist between hidden markers.

Only the text between the markers is ever rewritten; what people add elsewhere is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

BEGIN = "<!-- ebook-bot:checklist:start -->"
END = "<!-- ebook-bot:checklist:end -->"
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


FLAGGED = "### Pages QA flagged (best attempt kept; `/regenerate N` to try again)"


@dataclass(frozen=True)
class Progress:
    done: frozenset[str] = frozenset()
    pages_done: int = 0
    pages_total: int = 0
    preview_url: str | None = None
    note: str | None = None  # e.g. a failure with a link to the run
    drive_url: str | None = None  # the book's Google Drive folder, once delivered
    flagged: tuple[str, ...] = ()  # "page 007: reasons" for pages QA flagged


def render_checklist(progress: Progress) -> str:
    lines = [BEGIN, "### Progress", ""]
    for stage in STAGES:
        mark = "x" if stage in progress.done else " "
        title = TITLES[stage]
        if stage == "pages" and progress.pages_total:
            title += f" ({progress.pages_done}/{progress.pages_total})"
        lines.append(f"- [{mark}] {title}")
    lines.append("")
    if progress.flagged:
        lines += [FLAGGED, ""] + [f"- {line}" for line in progress.flagged] + [""]
    if progress.preview_url:
        lines += ["### Preview", "", f"![preview]({progress.preview_url})", ""]
        folder = progress.preview_url.rsplit("/", 1)[0].replace("/raw/", "/blob/", 1)
        lines += [f"Where each page came from: [provenance.json]({folder}/provenance.json)", ""]
    else:
        lines += ["_The preview appears here when the pages are made._", ""]
    if progress.drive_url:
        lines += [f"PDFs on Google Drive: [book folder]({progress.drive_url})", ""]
    if progress.note:
        lines += [progress.note, ""]
    lines.append(END)
    return "\n".join(lines)


def parse_checklist(body: str | None) -> Progress:
    """The progress a PR body shows (so a later job carries on from it)."""
    import re

    text = body or ""
    start, end = text.find(BEGIN), text.find(END)
    if start == -1 or end < start:
        return Progress()
    section = text[start:end]
    done = set()
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
    flagged: tuple[str, ...] = ()
    if FLAGGED in section:
        block = section.split(FLAGGED, 1)[1].split("\n\n", 2)[1]
        flagged = tuple(line[2:] for line in block.splitlines() if line.startswith("- page "))
    url = preview.group(1) if preview else None
    return Progress(frozenset(done), pages_done, pages_total, url, flagged=flagged)


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
        "and PDFs in this branch, then mark it ready and merge.\n\n"
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
