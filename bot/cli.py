"""The `ebook-bot` command line. Heavy modules are imported inside the commands, so
`ebook-bot --help` stays fast and the light core never loads torch."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import __version__

if TYPE_CHECKING:
    from bot.config import RepoConfig
    from bot.lineart import LineArtOptions
    from bot.pipeline import AssembleResult, GenerateResult
    from bot.spec import BookSpec


def _annotate(level: str, message: str) -> str:
    """Under GitHub Actions, a `::error::` line also shows on the run page."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return f"::{level}::{message}"
    return message


def _load(args: argparse.Namespace) -> BookSpec:
    from bot.pipeline import resolve_spec
    from bot.spec import load_spec

    spec = load_spec(args.spec)
    return resolve_spec(
        spec, provider=getattr(args, "provider", None), pages=getattr(args, "pages", None)
    )


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.2f} MB"


def _print_generate(result: GenerateResult) -> None:
    total = len(result.pages)
    kept = total - result.generated
    print(f"pages: {total} ({result.generated} made{f', {kept} already done' if kept else ''})")
    if result.elsewhere:
        print(f"pages made or held by other workers: {result.elsewhere}")
    flagged = result.flagged
    if flagged:
        print(f"flagged pages: {len(flagged)} (kept the best attempt; a reviewer decides)")
        for page in flagged:
            print(f"  page {page.key} after {page.attempts} attempts: {'; '.join(page.reasons)}")
    else:
        print("flagged pages: none")
    print(f"generate time: {result.seconds:.1f} s")


def _print_assemble(out: Path, result: AssembleResult) -> None:
    plan = result.plan
    padding = f", {plan.padding} blank pages added to reach" if plan.padding else ""
    print(
        f"interior: {out / 'interior.pdf'} ({plan.page_count} pages{padding}"
        f"{' an even count of at least 24' if plan.padding else ''}, "
        f"{_megabytes(result.interior_bytes)})"
    )
    print(f"cover: {out / 'cover.pdf'} ({_megabytes(result.cover_bytes)})")
    print(f"preview: {out / 'preview.png'} ({_megabytes(result.preview_bytes)})")
    print("preflight: passed")
    print(f"assemble time: {result.seconds:.1f} s")


def _options(args: argparse.Namespace) -> LineArtOptions:
    from bot.lineart import LineArtOptions

    return LineArtOptions(thicken_px=args.thicken)


def _issue_of(args: argparse.Namespace) -> int | None:
    """The book's issue number: --issue, else from a spec named ebook-N.yaml."""
    import re

    if getattr(args, "issue", None) is not None:
        number: int = args.issue
        return number
    match = re.fullmatch(r"ebook-(\d{1,9})\.ya?ml", Path(args.spec).name)
    return int(match.group(1)) if match else None


def _config(args: argparse.Namespace) -> RepoConfig:
    """The repository config (`--config` or `.github/ebook-bot.yml`) with the environment."""
    from bot.config import load_repo_config, with_environment

    return with_environment(load_repo_config(getattr(args, "config", None)))


def _generate(args: argparse.Namespace, spec: BookSpec) -> GenerateResult:
    from bot.pipeline import Shard, generate
    from bot.settings import load_settings, open_ledger_from

    shard = Shard.parse(args.shard) if getattr(args, "shard", None) else None
    claim = bool(getattr(args, "claim", False))
    issue = _issue_of(args)
    if claim and issue is None:
        from bot.errors import UserInputError

        raise UserInputError(
            "--claim: workers share a queue by book number; pass --issue N "
            "(or name the spec ebook-N.yaml)"
        )
    config = _config(args)
    ledger = open_ledger_from(load_settings())
    return generate(
        spec,
        args.out,
        strict=args.strict,
        options=_options(args),
        ledger=ledger,
        issue=issue,
        shard=shard,
        claim=claim,
        config=config,
    )


def cmd_build(args: argparse.Namespace) -> int:
    from bot.log import stage
    from bot.pipeline import assemble

    spec = _load(args)
    with stage("generate"):
        result = _generate(args, spec)
    with stage("assemble"):
        assembled = assemble(spec, args.out, config=_config(args))
    _print_generate(result)
    _print_assemble(args.out, assembled)
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from bot.log import stage

    spec = _load(args)
    with stage("generate"):
        result = _generate(args, spec)
    _print_generate(result)
    return 0


def cmd_assemble(args: argparse.Namespace) -> int:
    from bot.pipeline import assemble

    spec = _load(args)
    _print_assemble(args.out, assemble(spec, args.out, config=_config(args)))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot.preflight import check_pdf

    failures = 0
    for path in args.pdf:
        problems = check_pdf(path)
        failures += len(problems)
        for line in problems:
            print(_annotate("error", line))
        if not problems:
            print(f"{path}: ok")
    return 1 if failures else 0


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from bot.spec import BookSpec

    print(json.dumps(BookSpec.model_json_schema(), indent=2))
    return 0


def cmd_parse_issue(args: argparse.Namespace) -> int:
    import json

    from bot.errors import UserInputError
    from bot.issue_form import load_form, parse_issue_form

    if str(args.body) == "-":
        body = sys.stdin.read()
    else:
        try:
            body = args.body.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserInputError(f"{args.body}: cannot read the issue body ({exc})") from None
    form = load_form(args.template)
    if args.raw:
        parsed = parse_issue_form(body, form)
        print(json.dumps(parsed.values, indent=2, ensure_ascii=False))
        if parsed.problems:
            raise UserInputError("the issue form has problems", parsed.problems)
        return 0
    from bot.issue_spec import spec_from_issue

    print(spec_from_issue(body, form, default_seed=args.issue or 1).to_yaml(), end="")
    return 0


def _repo(settings: Any, repository: str, *, dry_run: bool = False) -> Any:
    """The repository adapter, with the token the settings hold."""
    from bot.errors import UserInputError
    from bot.github_repo import GitHubRepo

    if settings.github_token is None:
        raise UserInputError("GITHUB_TOKEN: not set (the workflow passes it in `env:`)")
    return GitHubRepo(
        settings.github_token.get_secret_value(),
        repository,
        api_url=settings.github_api_url,
        dry_run=dry_run,
    )


def _github_context(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Settings, trigger and repository adapter for the GitHub commands."""
    from bot.errors import UserInputError
    from bot.events import parse_trigger, read_event_file
    from bot.settings import load_settings

    settings = load_settings()
    event_path = args.event or settings.github_event_path
    if not event_path:
        raise UserInputError("GITHUB_EVENT_PATH: not set (or pass --event PATH)")
    name = args.event_name or settings.github_event_name
    if not name:
        raise UserInputError("GITHUB_EVENT_NAME: not set (or pass --event-name NAME)")
    payload = read_event_file(Path(event_path))
    trigger = parse_trigger(name, payload)
    repository = settings.github_repository or trigger.repository
    if not repository:
        raise UserInputError("GITHUB_REPOSITORY: not set and the event names no repository")
    repo = _repo(settings, repository, dry_run=args.dry_run)
    default_branch = (payload.get("repository") or {}).get("default_branch") or "main"
    return settings, trigger, (repo, default_branch)


def cmd_init_from_issue(args: argparse.Namespace) -> int:
    from bot.flows import init_from_issue
    from bot.issue_form import load_form

    settings, trigger, (repo, default_branch) = _github_context(args)
    result = init_from_issue(
        trigger,
        repo,
        default_branch=default_branch,
        form=load_form(args.template),
        allowlist=settings.allowed_logins,
    )
    print(f"{result.outcome}: {result.detail}")
    if result.outcome == "invalid":
        print(_annotate("warning", f"issue #{trigger.issue_number}: {result.detail}"))
    return 0


def cmd_create_pr(args: argparse.Namespace) -> int:
    from bot.flows import create_pr

    _, trigger, (repo, default_branch) = _github_context(args)
    result = create_pr(trigger, repo, default_branch=default_branch)
    print(f"{result.outcome}: {result.detail}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.ledger import db, default_url
    from bot.settings import load_settings

    settings = load_settings()
    url = (
        settings.database_url.get_secret_value()
        if settings.database_url
        else default_url(settings.state_dir)
    )
    engine = db.make_engine(url)
    shown = db.redact(url)
    if args.action == "upgrade":
        db.upgrade(engine, args.revision or "head")
        print(f"{shown}: at revision {db.current_revision(engine)} (head {db.head_revision()})")
    elif args.action == "downgrade":
        db.downgrade(engine, args.revision or "base")
        print(f"{shown}: at revision {db.current_revision(engine) or 'base (no tables)'}")
    else:
        current = db.current_revision(engine)
        print(
            f"{shown}: at revision {current or 'none (not migrated)'} (head {db.head_revision()})"
        )
        return 0 if current == db.head_revision() else 1
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from bot.runs_report import report
    from bot.settings import load_settings, open_ledger_from

    ledger = open_ledger_from(load_settings())
    print(report(ledger, issue=args.issue, book=args.book, limit=args.limit), end="")
    return 0


def _job_repo() -> tuple[Any, Any]:
    """Settings and repository adapter for the runner's commands (no event file)."""
    from bot.errors import UserInputError
    from bot.settings import load_settings

    settings = load_settings()
    if not settings.github_repository:
        raise UserInputError("GITHUB_REPOSITORY: not set")
    return settings, _repo(settings, settings.github_repository)


def cmd_make_book(args: argparse.Namespace) -> int:
    import os

    from bot.book_job import JobContext, run_book_job
    from bot.config import load_repo_config, with_environment
    from bot.delivery.drive import from_settings as drive_from_settings
    from bot.gitops import auth_env
    from bot.pipeline import Shard
    from bot.settings import open_ledger_from

    settings, repo = _job_repo()
    shard = Shard.parse(args.shard) if args.shard else None
    config = with_environment(load_repo_config(args.config))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    ctx = JobContext(
        issue=args.issue,
        checkout=args.checkout,
        state_dir=settings.state_dir,
        repo=repo,
        repository=settings.github_repository,
        server_url=settings.github_server_url,
        run_url=settings.run_url(),
        summary_path=Path(summary) if summary else None,
        push=not args.no_push,
        git_auth=auth_env(settings.github_token.get_secret_value(), settings.github_server_url),
        drive=drive_from_settings() if args.phase != "pages" else None,
    )
    result = run_book_job(
        ctx,
        ledger=open_ledger_from(settings),
        config=config,
        phase=args.phase,
        shard=shard,
        claim=args.claim,
    )
    if result.generated is not None:
        _print_generate(result.generated)
    if result.assembled is not None:
        _print_assemble(args.checkout / f"books/ebook-{args.issue}", result.assembled)
    if result.commit:
        print(f"commit: {result.commit}")
    if args.comment_id and args.phase != "pages":
        repo.react(args.comment_id, "rocket")  # the /regenerate or /cover that asked is done
    return 0


def cmd_plan_book(args: argparse.Namespace) -> int:
    """The generation workflow's plan: validated issue, runner labels, pages jobs."""
    import json

    from bot.config import load_repo_config

    generation = load_repo_config(args.config).generation
    outputs = {
        "issue": str(args.issue),
        "comment-id": str(args.comment_id or ""),
        "runs-on": json.dumps(generation.runs_on),
        "shards": json.dumps(list(range(generation.runners))),
        "claim": "true" if generation.claim else "false",
    }
    lines = [f"{key}={value}" for key, value in outputs.items()]
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as fp:
            fp.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def cmd_mark_book(args: argparse.Namespace) -> int:
    from bot.book_job import mark_book

    settings, repo = _job_repo()
    found = mark_book(repo, args.issue, args.outcome, settings.run_url())
    print("checklist marked" if found else f"no pull request for #{args.issue}")
    return 0


def cmd_models_pull(args: argparse.Namespace) -> int:
    from bot.config import load_repo_config, with_environment
    from bot.providers.diffusers_sdxl import pull

    config = with_environment(load_repo_config(args.config))
    for line in pull(args.model, config.diffusers):
        print(line)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import as_json, as_text, healthy, run_checks

    results = run_checks()
    print(as_json(results) if args.json else as_text(results), end="" if not args.json else "\n")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for name, check in results.items():
            if check.status != "ok":
                level = "error" if check.status == "fail" else "warning"
                print(f"::{level} title=doctor: {name}::{check.detail}", file=sys.stderr)
    return 0 if healthy(results) else 1


def cmd_handle_command(args: argparse.Namespace) -> int:
    from bot.review import handle_command

    settings, trigger, (repo, _) = _github_context(args)
    result = handle_command(
        trigger, repo, allowlist=settings.allowed_logins, run_url=settings.run_url()
    )
    print(f"{result.outcome}: {result.detail}")
    return 0


def cmd_install(args: argparse.Namespace) -> int:
    from bot.install import install

    for line in install(args.repo, args.action, force=args.force):
        print(line)
    return 0


def _page_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 400:
        raise argparse.ArgumentTypeError("must be between 1 and 400")
    return value


def _issue_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 999_999_999:
        raise argparse.ArgumentTypeError(f"not an issue number: {text!r}")
    return int(text)


def _object_id(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) < 2**53:
        raise argparse.ArgumentTypeError(f"not a GitHub id: {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ebook-bot",
        description="Turn a book spec (or a GitHub issue) into a print-ready coloring book.",
    )
    parser.add_argument("--version", action="version", version=f"ebook-bot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def spec_command(
        name: str, help_text: str, func: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("spec", type=Path, metavar="SPEC", help="book spec (YAML)")
        p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
        p.set_defaults(func=func)
        return p

    for name, help_text, func in (
        ("build", "make the whole book: pages, interior.pdf, cover.pdf, preview.png", cmd_build),
        ("generate", "make the cover art and pages only (resumable)", cmd_generate),
    ):
        p = spec_command(name, help_text, func)
        p.add_argument("--issue", type=int, metavar="N", help="the book's issue number (ledger)")
        if name == "generate":
            p.add_argument(
                "--shard", metavar="I/N", help="make only share I of N (a runner matrix)"
            )
            p.add_argument(
                "--claim",
                action="store_true",
                help="take pages from the book's shared queue until none is left",
            )
        p.add_argument(
            "--provider",
            metavar="P",
            help="provider for every asset: procedural, diffusers or openrouter",
        )
        p.add_argument(
            "--config",
            type=Path,
            metavar="FILE",
            help="bot config (default: .github/ebook-bot.yml when it exists)",
        )
        p.add_argument("--pages", type=_page_count, metavar="N", help="number of coloring pages")
        p.add_argument("--strict", action="store_true", help="fail when a page still fails QA")
        p.add_argument(
            "--thicken",
            type=int,
            default=0,
            choices=range(0, 9),
            metavar="PX",
            help="thicken every line by PX pixels at 300 DPI (0-8; default 0)",
        )
    p = spec_command(
        "assemble", "make interior.pdf, cover.pdf and preview.png from DIR/pages", cmd_assemble
    )
    p.add_argument("--pages", type=_page_count, metavar="N", help="number of coloring pages")

    p = sub.add_parser("check", help="print preflight of PDFs against KDP's rules")
    p.add_argument("pdf", type=Path, nargs="+", metavar="PDF")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "parse-issue",
        help="turn an issue-form body into spec YAML (exit 2 with one line per problem)",
    )
    p.add_argument(
        "--body", type=Path, required=True, metavar="FILE", help="issue body (- for stdin)"
    )
    p.add_argument("--template", type=Path, metavar="FORM", help="issue form YAML (default: ours)")
    p.add_argument("--raw", action="store_true", help="print the fields as JSON keyed by field id")
    p.add_argument("--issue", type=int, metavar="N", help="issue number (the default seed)")
    p.set_defaults(func=cmd_parse_issue)

    for name, help_text, func in (
        ("init-from-issue", "issue -> spec branch, status comment, dispatch", cmd_init_from_issue),
        ("create-pr", "find or open the book's draft pull request", cmd_create_pr),
        ("handle-command", "a slash command in a comment on the draft PR", cmd_handle_command),
    ):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--event", metavar="PATH", help="event payload (default: GITHUB_EVENT_PATH)")
        p.add_argument("--event-name", metavar="NAME", help="default: GITHUB_EVENT_NAME")
        p.add_argument("--dry-run", action="store_true", help="print the writes, make none")
        if name == "init-from-issue":
            p.add_argument("--template", type=Path, metavar="FORM", help="issue form YAML")
        p.set_defaults(func=func)

    p = sub.add_parser("install", help="write the workflows and the issue form into a repository")
    p.add_argument("--repo", type=Path, default=Path("."), metavar="DIR", help="default: .")
    p.add_argument(
        "--action",
        default="ebook-bot/ebook-bot@v0.1.0",
        metavar="REF",
        help="the bot's action, OWNER/REPO@REF (pin a release or a full SHA)",
    )
    p.add_argument("--force", action="store_true", help="replace files that differ")
    p.set_defaults(func=cmd_install)

    p = sub.add_parser(
        "make-book",
        help="on the runner: make issue N's book on its branch, tick the PR, commit, summarise",
    )
    p.add_argument("--issue", type=_issue_number, required=True, metavar="N")
    p.add_argument("--phase", choices=["all", "pages", "finish"], default="all")
    p.add_argument("--shard", metavar="I/N", help="with --phase pages: this runner's share")
    p.add_argument("--claim", action="store_true", help="with --phase pages: the shared queue")
    p.add_argument("--checkout", type=Path, default=Path("."), metavar="DIR")
    p.add_argument("--config", type=Path, metavar="FILE", help="default: .github/ebook-bot.yml")
    p.add_argument("--no-push", action="store_true", help="commit but do not push")
    p.add_argument(
        "--comment-id", type=_object_id, metavar="ID", help="react 🚀 on this comment when done"
    )
    p.set_defaults(func=cmd_make_book)

    p = sub.add_parser("plan-book", help="the generation workflow's plan (runners, shards)")
    p.add_argument("--issue", type=_issue_number, required=True, metavar="N")
    p.add_argument("--comment-id", type=_object_id, metavar="ID", help="the asking comment")
    p.add_argument("--config", type=Path, metavar="FILE", help="default: .github/ebook-bot.yml")
    p.set_defaults(func=cmd_plan_book)

    p = sub.add_parser("mark-book", help="mark issue N's checklist after a failed/cancelled job")
    p.add_argument("--issue", type=_issue_number, required=True, metavar="N")
    p.add_argument("--outcome", required=True, choices=["failure", "cancelled"])
    p.set_defaults(func=cmd_mark_book)

    p = sub.add_parser("models", help="the diffusers model cache")
    models = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    q = models.add_parser("pull", help="download MODEL (default: the configured one) to the cache")
    q.add_argument("model", nargs="?", metavar="MODEL", help="hub id (default: from config)")
    q.add_argument("--config", type=Path, metavar="FILE", help="default: .github/ebook-bot.yml")
    q.set_defaults(func=cmd_models_pull)

    p = sub.add_parser(
        "doctor", help="health of settings, GitHub, database, GPU, model, storage, Drive"
    )
    p.add_argument("--json", action="store_true", help="machine-readable, stable shape")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("db", help="the run ledger's database: upgrade, current, downgrade")
    p.add_argument("action", choices=["upgrade", "current", "downgrade"])
    p.add_argument("revision", nargs="?", help="target revision (default: head / base)")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("runs", help="runs and page states from the ledger (why is book N slow?)")
    p.add_argument("issue", type=int, nargs="?", metavar="ISSUE", help="one book's detail")
    p.add_argument("--book", metavar="KEY", help="a book by ledger key (e.g. dir:/path/out)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="runs to list")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("schema", help="print the spec's JSON Schema")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; expected errors become one clear message and a non-zero exit."""
    from bot.errors import BotError

    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.log import setup

    setup()
    try:
        code: int = args.func(args)
        return code
    except BotError as exc:
        lines = exc.lines()
        print(_annotate("error", lines[0]), file=sys.stderr)
        for line in lines[1:]:
            print(
                _annotate("error", line.strip())
                if os.environ.get("GITHUB_ACTIONS") == "true"
                else line,
                file=sys.stderr,
            )
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        # A bug, not a user mistake: a short traceback and where to report it.
        tb = traceback.format_exc(limit=-3)
        print(tb, file=sys.stderr, end="")
        print(
            _annotate(
                "error", "ebook-bot failed unexpectedly (a bug): please report the lines above"
            ),
            file=sys.stderr,
        )
        return 3
