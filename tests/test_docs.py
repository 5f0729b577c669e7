"""The documentation site: every code block on a page runs here (or is marked not run with a
reason), and the generated environment pages hold every space and config field of the code."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import gymnasium as gym
import pytest

import mec_gym
from benchmarks import docs_pages

DOCS = Path(__file__).resolve().parents[1] / "docs"
FENCE = re.compile(r"(?:<!-- not run: (?P<reason>[^>]*?) -->\n)?```(?P<language>\w*)\n(?P<code>.*?)```", re.S)
# pages whose code needs an extra: skipped (not failed) where it is not installed; `make test` installs them all
OPTIONAL = {"getting-started.md": "torch", "with/torchrl.md": "torchrl", "with/sb3.md": "stable_baselines3",
            "with/cleanrl.md": "torch", "datasets.md": "minari"}


def _pages() -> dict[str, str]:
    pages = {str(path.relative_to(DOCS)): path.read_text() for path in sorted(DOCS.rglob("*.md"))}
    pages.update({f"envs/{docs_pages.slug(env_id)}.md": docs_pages.env_page(env_id) for env_id in mec_gym.ENV_IDS})
    return pages


def blocks(text: str) -> list[tuple[str, str, str | None]]:
    """(language, code, reason it is not run or None) of every fenced block."""
    return [(m.group("language"), m.group("code"), m.group("reason")) for m in FENCE.finditer(text)]


PAGES = _pages()


def test_every_block_runs_or_says_why_not():
    run = not_run = 0
    for page, text in PAGES.items():
        for language, _code, reason in blocks(text):
            if reason is not None:
                assert reason.strip(), f"{page}: a not-run marker needs its reason"
                not_run += 1
            else:
                assert language == "python", f"{page}: a {language or 'plain'} block must run or be marked not run"
                run += 1
    print(f"docs code blocks: {run} run, {not_run} marked not run")
    assert run >= 15


@pytest.mark.parametrize("page", sorted(p for p, t in PAGES.items() if any(r is None for _, _, r in blocks(t))))
def test_page_code_runs(page, tmp_path, monkeypatch):
    """A page's runnable blocks in order, in one namespace (smoke-sized by design)."""
    module = OPTIONAL.get(page)
    if module is not None:
        pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "datasets"))
    namespace: dict = {"__name__": "__docs__"}
    for index, (_, code, reason) in enumerate(blocks(PAGES[page])):
        if reason is None:
            exec(compile(code, f"{page}[block {index}]", "exec"), namespace)  # noqa: S102


@pytest.mark.parametrize("env_id", mec_gym.ENV_IDS)
def test_env_page_lists_every_space_and_config_field(env_id):
    """Against the env itself: each config field with its default, the observation and action
    spaces (each Dict entry) with their shapes, and the picture."""
    page = docs_pages.env_page(env_id)
    env = gym.make(env_id)
    config_class = type(env.unwrapped.config)
    fields = dataclasses.fields(config_class)
    table = page[page.index("## Configuration"):page.index("## The oracle")]
    listed = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
    assert listed == [field.name for field in fields]
    for field in fields:
        if field.default is not dataclasses.MISSING and len(repr(field.default)) <= 60:
            assert f"| `{field.name}` | `{field.default!r}` |" in table
    for name, space in (("observation", env.observation_space), ("action", env.action_space)):
        entries = space.spaces.items() if isinstance(space, gym.spaces.Dict) else [(None, space)]
        for key, sub in entries:
            label = name if key is None else f"{name}[{key!r}]"
            assert f"| {label} | `{type(sub).__name__}` | `{sub.shape}` | `{sub.dtype}` |" in page
    assert f"](../images/{env_id}.png)" in page and (DOCS / "images" / f"{env_id}.png").is_file()


def test_config_comments_come_from_the_source():
    """Independent check on one field: the comment the table shows is the one in config.py."""
    from mec_gym.envs.wpmec.config import WPMECConfig

    source = Path(__import__("mec_gym.envs.wpmec.config", fromlist=["x"]).__file__).read_text()
    line = next(line for line in source.splitlines() if line.strip().startswith("ap_power:"))
    assert docs_pages.config_comments(WPMECConfig)["ap_power"] == line.split("#", 1)[1].strip()


def test_reproductions_page_without_reports(tmp_path):
    page, reports = docs_pages.reproductions_page(tmp_path / "absent")
    assert reports == {} and "No report" in page
    (tmp_path / "p" / "x.png").parent.mkdir()
    (tmp_path / "p" / "x.png").write_bytes(b"png")
    (tmp_path / "p" / "REPORT.md").write_text("# Reproduction: P\n\n![fig](x.png) [data](results.json)\n")
    page, reports = docs_pages.reproductions_page(tmp_path)
    assert "[Reproduction: P](p.md)" in page
    text, assets = docs_pages.report_page(reports["p"])
    assert "![fig](p/x.png)" in text and assets == [tmp_path / "p" / "x.png"] and "(`reproductions/p/results.json`)" in text


def test_pages_use_the_library_wrappers_rather_than_inline_copies():
    """A page's code (run or not) imports ``mec_gym.wrappers`` instead of defining its own Gymnasium
    wrapper (one home for each adaptation); the RLlib page uses ``MultiBinaryAsMultiDiscrete``."""
    inline = re.compile(r"^class \w+\((?:gym(?:nasium)?\.)?\w*Wrapper\)", re.M)
    for page, text in PAGES.items():
        for _, code, _ in blocks(text):
            assert not inline.search(code), f"{page} defines a wrapper inline: use mec_gym.wrappers"
    rllib = [code for _, code, _ in blocks(PAGES["with/rllib.md"])]
    assert rllib and all("from mec_gym.wrappers import MultiBinaryAsMultiDiscrete" in code for code in rllib)
