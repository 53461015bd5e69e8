"""The job summary (`$GITHUB_STEP_SUMMARY`) of a generation run, as markdown (pure)."""

from __future__ import annotations

from typing import Any

from bot.github.job_model import JobContext, JobResult
from bot.text import one_line


def md_line(text: str, limit: int = 300) -> str:
    """For markdown: one line, no backticks to break out of."""
    return one_line(text.replace("`", "'"), limit)


def job_summary(ctx: JobContext, title: str, pr_url: str, result: JobResult) -> str:
    """Markdown for `$GITHUB_STEP_SUMMARY`."""
    lines = [f"## Coloring book: {md_line(title, 120)} (#{ctx.issue})", ""]
    g, a = result.generated, result.assembled
    lines += ["| | |", "| --- | --- |", f"| Pull request | {pr_url} |"]
    if g is not None:
        kept = len(g.pages) - g.generated
        lines.append(f"| Pages | {len(g.pages)} ({g.generated} made, {kept} already done) |")
        lines.append(f"| Generation time | {g.seconds:.1f} s |")
        if g.elsewhere:
            lines.append(f"| Pages by other runners | {g.elsewhere} |")
    if a is not None:
        lines.append(f"| Interior | {a.plan.page_count} pages, {a.interior_bytes / 1e6:.2f} MB |")
        lines.append(f"| Cover | {a.cover_bytes / 1e6:.2f} MB |")
        lines.append(f"| Assembly + preflight | {a.seconds:.1f} s (passed) |")
    if result.commit:
        lines.append(f"| Commit | `{result.commit[:12]}` |")
    lines.append("")
    if g is not None and g.flagged:
        lines.append(f"**{len(g.flagged)} page(s) flagged by line-art QA** (best attempt kept):")
        lines += [f"- page {p.key}: {md_line('; '.join(p.reasons), 200)}" for p in g.flagged[:50]]
        lines.append("")
    missed = substitutes(result.qa)
    if missed:
        lines.append("**Subjects the pattern provider cannot draw** (drawn instead):")
        lines += [f"- {line}" for line in missed]
        lines.append("")
    if result.qa:
        lines += qa_table(result.qa)
    if result.preview_url:
        lines += [f"![preview]({result.preview_url})", ""]
    return "\n".join(lines) + "\n"


def substitutes(records: list[dict[str, Any]]) -> tuple[str, ...]:
    """ "subject: what was drawn instead" for the subjects the provider could not draw."""
    found = sorted({(r["subject"], r["substitute"]) for r in records if r.get("substitute")})
    return tuple(f"{md_line(subject, 100)}: {md_line(str(what), 100)}" for subject, what in found)


def qa_table(records: list[dict[str, Any]]) -> list[str]:
    """Markdown: each page's line-art QA figures (inches), flagged pages first."""
    lines = [
        "<details><summary>Line-art QA per page</summary>",
        "",
        "| Page | QA | Attempts | Line (in) | Areas | Too small | Leaks | Specks | Ink |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in sorted(records, key=lambda r: (r["qa"]["ok"], r["page"])):
        m = r["qa"]["metrics"]
        verdict = "ok" if r["qa"]["ok"] else md_line("; ".join(r["qa"]["reasons"]), 120)
        lines.append(
            f"| {r['page']:03d} | {verdict} | {r['attempts']} | {m.get('stroke_median_in', '')} "
            f"| {m.get('closed_areas', '')} | {m.get('small_areas', '')} | {m.get('leaks', '')} "
            f"| {m.get('specks', '')} | {float(m.get('ink_share', 0)):.1%} |"
        )
    return [*lines, "", "</details>", ""]
