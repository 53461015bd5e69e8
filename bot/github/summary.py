"""The job summary (`$GITHUB_STEP_SUMMARY`) of a generation run, as markdown (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.text import one_line

if TYPE_CHECKING:
    from bot.github.book_job import JobContext, JobResult


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
    if result.preview_url:
        lines += [f"![preview]({result.preview_url})", ""]
    return "\n".join(lines) + "\n"
