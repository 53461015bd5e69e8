"""`init-from-issue` and `create-pr` as the workflows run them: env, event file, output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.fake_github import serving
from tests.test_github_flow import TOKEN, payload


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload("issues.labeled.json")))
    for key, value in {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": "Codertocat/Hello-World",
        "GITHUB_EVENT_NAME": "issues",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": "https://ghe.example.test/api/v3",
    }.items():
        monkeypatch.setenv(key, value)
    return event


def test_init_then_create_pr_through_the_cli(env: Path, tmp_path: Path, capsys) -> None:
    with serving(base="https://ghe.example.test/api/v3", default_branch="master") as fake:
        fake.permissions["Codertocat"] = "write"
        assert main(["init-from-issue"]) == 0
        dispatch = tmp_path / "dispatch.json"
        dispatch.write_text(
            json.dumps(
                {
                    "action": "create-ebook-pr",
                    "client_payload": fake.dispatches[0]["client_payload"],
                    "repository": {"full_name": fake.repo, "default_branch": "master"},
                    "sender": {"login": "github-actions[bot]"},
                }
            )
        )
        assert (
            main(["create-pr", "--event", str(dispatch), "--event-name", "repository_dispatch"])
            == 0
        )
        assert fake.problems == []
        assert len(fake.pulls) == 1
    out, err = capsys.readouterr()
    assert "dispatched" in out and "pr: #" in out
    assert TOKEN not in out + err


def test_dry_run_through_the_cli(env: Path, capsys) -> None:
    with serving(base="https://ghe.example.test/api/v3", default_branch="master") as fake:
        fake.permissions["Codertocat"] = "write"
        assert main(["init-from-issue", "--dry-run"]) == 0
        assert fake.writes() == []
    assert "dry run: would commit specs/ebook-1.yaml" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        ("GITHUB_TOKEN", "GITHUB_TOKEN: not set"),
        ("GITHUB_EVENT_NAME", "GITHUB_EVENT_NAME: not set"),
    ],
)
def test_missing_settings_are_named(
    env: Path, monkeypatch, capsys, unset: str, message: str
) -> None:
    monkeypatch.delenv(unset)
    assert main(["init-from-issue"]) == 2
    assert message in capsys.readouterr().err


def test_bad_api_url_names_the_variable_not_the_token(env: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GITHUB_API_URL", "ftp://nope")
    assert main(["init-from-issue"]) == 2
    err = capsys.readouterr().err
    assert "GITHUB_API_URL: Value error, must be an http(s) URL" in err
    assert TOKEN not in err


def test_github_failure_is_one_line_without_token(env: Path, capsys) -> None:
    with serving(base="https://ghe.example.test/api/v3", default_branch="master") as fake:
        fake.fail("GET", r"/permission$", 401, times=5, body={"message": "Bad credentials"})
        assert main(["init-from-issue"]) == 1
    err = capsys.readouterr().err
    assert "GitHub answered 401: Bad credentials" in err
    assert "Traceback" not in err and TOKEN not in err


def test_bad_dispatch_input(env: Path, tmp_path: Path, capsys) -> None:
    event = tmp_path / "wd.json"
    event.write_text(
        json.dumps(
            {
                "inputs": {"issue_number": "$(rm -rf /)"},
                "repository": {"full_name": "Codertocat/Hello-World"},
            }
        )
    )
    code = main(["init-from-issue", "--event", str(event), "--event-name", "workflow_dispatch"])
    assert code == 2
    assert "issue_number: `$(rm -rf /)` is not an issue number" in capsys.readouterr().err


def test_mark_book_tells_the_commenter_with_the_reason_the_job_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workflow's report job: `mark-book --comment-id` tells whoever asked, once."""

    from bot.github.checklist import Progress, pr_body

    with serving() as fake:
        fake.add_issue(7, "the form", user="octocat")
        failed = Progress(
            done=frozenset({"spec", "cover"}),
            state="failed",
            failed_stage="pages",
            run_url="https://github.com/Codertocat/Hello-World/actions/runs/9",
            note="> [!WARNING]\n> Generation failed: out of GPU memory ([run log](x))",
        )
        fake.refs["ebook-generation-7"] = "0" * 40
        fake.pulls[8] = {
            "state": "open",
            "draft": True,
            "title": "t",
            "body": pr_body(7, failed),
            "head": "ebook-generation-7",
            "base": "main",
        }
        asked = fake.add_comment(8, "/regenerate 4", user="alice")
        for key, value in {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": fake.repo,
            "GITHUB_API_URL": fake.base,
            "GITHUB_RUN_ID": "9",
        }.items():
            monkeypatch.setenv(key, value)
        args = ["mark-book", "--issue", "7", "--outcome", "failure", "--comment-id", str(asked)]
        assert main(args) == 0
        assert main(args) == 0  # a second report: nobody told twice
        assert "checklist marked" in capsys.readouterr().out
        told = [c for c in fake.pr_comments(8) if "ebook-bot:outcome" in c]
        assert len(told) == 1
        assert "@alice generating the coloring book failed." in told[0]
        assert "Reason: out of GPU memory" in told[0]
        assert "Generation failed: out of GPU memory" in fake.pulls[8]["body"]
