"""Every curl example in README.md and docs/*.md, run against a running demo, answers the
status its ``# expect: NNN`` marker documents (the convention: docs/demo.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tests.support.demo_process import DemoProcess, running_demo
from tests.support.doc_examples import documented_examples, examples_in

REPO = Path(__file__).resolve().parents[1]
DOCUMENTED_URL = "http://127.0.0.1:8000"
EXAMPLES = documented_examples(REPO)

# Every curl prints only the status code; what the example asks for otherwise stays as written.
CURL_STATUS_ONLY = """curl() { command curl -sS -o /dev/null -w '%{http_code}\\n' "$@"; }"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    with running_demo(tmp_path_factory.mktemp("doc-examples")) as process:
        yield process


def test_the_docs_hold_runnable_examples() -> None:
    assert len(EXAMPLES) >= 8
    assert {e.file for e in EXAMPLES} >= {"README.md", "docs/demo.md"}


def test_the_marker_must_be_the_first_line_of_a_shell_block(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "```sh\n# expect: 201\ncurl -X POST x\n```\n"
        "```json\n# expect: 200\n```\n"
        "```sh\ncurl y\n# expect: 200\n```\n",
        encoding="utf-8",
    )
    [example] = examples_in(doc, tmp_path)
    assert (example.line, example.expected, example.script) == (
        1,
        201,
        "# expect: 201\ncurl -X POST x",
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_documented_example_answers_the_documented_status(
    demo: DemoProcess, example: object
) -> None:
    from tests.support.doc_examples import Example

    assert isinstance(example, Example)
    env = {
        **os.environ,
        **{k: v for k, v in dotenv_values(demo.env_file).items() if v is not None},
    }
    script = CURL_STATUS_ONLY + "\n" + example.script.replace(DOCUMENTED_URL, demo.base)
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        cwd=demo.workdir,
        env=env,
        timeout=60,
        check=False,
    )
    statuses = [line for line in result.stdout.split() if line.isdigit()]
    assert statuses == [str(example.expected)], (
        f"{example.name}: expected HTTP {example.expected}, got {statuses or 'nothing'}; "
        f"stderr: {result.stderr[-500:]}"
    )
