"""Pages of the documentation site generated from the code (used by ``docs/hooks.py`` at build
time and by ``tests/test_docs.py``): one page per environment from its docstring and config, the
leaderboard from the README's tables (written by ``make bench``) and the reproductions from
``reproductions/<paper>/REPORT.md`` where they exist."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
from pathlib import Path

import gymnasium as gym
import numpy as np
from gymnasium import spaces

import mec_gym  # noqa: F401  (registers the ids)
from mec_gym.envs import ENVIRONMENTS

REPOSITORY = Path(__file__).resolve().parents[1]


def slug(env_id: str) -> str:
    return env_id.lower()


def env_class(env_id: str) -> type:
    module, name = dict(ENVIRONMENTS)[env_id].split(":")
    return getattr(__import__(module, fromlist=[name]), name)


# ----- config fields and their comments -----------------------------------------------------------
def config_comments(config_class: type) -> dict[str, str]:
    """Each field's source comment (unit, default's meaning, source), continuation lines joined,
    read from the config classes' source (subclass first, then EnvConfig for the inherited fields)."""
    comments: dict[str, str] = {}
    for cls in reversed(config_class.__mro__):
        if not dataclasses.is_dataclass(cls):
            continue
        lines, _ = inspect.getsourcelines(cls)
        current = None
        for line in lines:
            match = re.match(r"\s{4}(\w+)\s*:[^=]*=.*?#\s?(.*)$", line)
            continuation = re.match(r"\s{4}#\s+(.*)$", line)
            if match and not line.strip().startswith("#"):
                current = match.group(1)
                comments[current] = match.group(2).strip()
            elif continuation and current is not None:
                comments[current] += " " + continuation.group(1).strip()
            elif re.match(r"\s{4}(\w+)\s*:", line):
                current = None
            elif line.strip().startswith("#") and current is None:
                continue
        # comments above a field (EnvConfig's episode_length): the block of lines right before it
        tree = ast.parse(textwrap.dedent("".join(lines)))
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node in body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                name = node.target.id
                if comments.get(name):
                    continue
                above = []
                index = node.lineno - 2
                while index >= 0 and lines[index].strip().startswith("#"):
                    above.insert(0, lines[index].strip().lstrip("#").strip())
                    index -= 1
                if above:
                    comments[name] = " ".join(above)
    return comments


def _default(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "required"
    text = repr(value)
    return f"`{text if len(text) <= 60 else text[:56] + ' ...'}`"


def config_table(config_class: type) -> str:
    """Markdown table: every field of the config with its default and its comment."""
    comments = config_comments(config_class)
    rows = ["| field | default | unit, meaning and source |", "|---|---|---|"]
    for field in dataclasses.fields(config_class):
        comment = comments.get(field.name, "").replace("|", "\\|")
        rows.append(f"| `{field.name}` | {_default(field).replace('|', chr(92) + '|')} | {comment} |")
    return "\n".join(rows)


# ----- spaces --------------------------------------------------------------------------------------
def _bounds(space: spaces.Box) -> str:
    low, high = np.unique(space.low), np.unique(space.high)
    show = lambda values: f"{values[0]:g}" if len(values) == 1 else f"{values.min():g} .. {values.max():g} (per entry)"  # noqa: E731
    return f"[{show(low)}, {show(high)}]"


def space_rows(name: str, space: spaces.Space) -> list[str]:
    """Table rows ``| name | type | shape | dtype | bounds |`` of a space (one per Dict entry)."""
    if isinstance(space, spaces.Dict):
        return [row for key, sub in space.spaces.items() for row in space_rows(f"{name}[{key!r}]", sub)]
    if isinstance(space, spaces.Box):
        bounds = _bounds(space)
    elif isinstance(space, spaces.MultiBinary):
        bounds = "{0, 1}"
    elif isinstance(space, spaces.MultiDiscrete):
        bounds = f"{{0, ..., {int(np.max(space.nvec)) - 1}}}"
    elif isinstance(space, spaces.Discrete):
        bounds = f"{{0, ..., {space.n - 1}}}"
    else:
        bounds = "-"
    return [f"| {name} | `{type(space).__name__}` | `{space.shape}` | `{space.dtype}` | {bounds} |"]


def spaces_table(env: gym.Env) -> str:
    rows = ["| space | type | shape | dtype | values |", "|---|---|---|---|---|"]
    return "\n".join(rows + space_rows("observation", env.observation_space) + space_rows("action", env.action_space))


# ----- the page ------------------------------------------------------------------------------------
def _docstring_markdown(doc: str) -> str:
    """The env docstring's sections one level down (the page title is level 1)."""
    body = inspect.cleandoc(doc).split("\n", 1)
    text = body[1] if len(body) > 1 else ""
    return re.sub(r"^## ", "### ", text.strip(), flags=re.M)


def env_page(env_id: str) -> str:
    """The Markdown page of one environment (default config)."""
    cls = env_class(env_id)
    env = gym.make(env_id)
    env.reset(seed=0)
    found = env.unwrapped.optimum()
    config_class = cls.config_class
    summary = inspect.cleandoc(cls.__doc__).split("\n", 1)[0]
    certified = getattr(found, "certified", None)
    bound = getattr(found, "bound", None)
    optimum_doc = inspect.getdoc(cls.optimum) or ""
    lines = [
        f"# {env_id}", "",
        f"*{summary}*", "",
        f"![{env_id}](../images/{env_id}.png)", "",
        f"`render_mode=\"rgb_array\"` after three steps of the `optimum` policy "
        f"(`mec-gym render {env_id} --policy optimum --frames 3 --out {env_id}.png`).", "",
        "## Spaces (default configuration)", "", spaces_table(env), "",
        "## Configuration", "",
        f"`gym.make(\"{env_id}\", field=value, ...)` or `config={config_class.__name__}(...)` "
        f"(`{config_class.__module__}`). {inspect.cleandoc(config_class.__doc__ or '')}", "",
        config_table(config_class), "",
        "## The oracle and its reference", "",
        "`env.unwrapped.evaluate(batch)` scores K decisions without advancing time; "
        "`env.unwrapped.optimum()` returns the reference decision:", "",
        textwrap.indent(optimum_doc, "> ", lambda line: True) if optimum_doc else "", "",
        f"After `reset(seed=0)` with the default configuration: method `{found.method}`, reward "
        f"{found.reward:.6g}" + (f", bound {bound:.6g}" if bound is not None else "")
        + (f", certified: {certified}" if certified is not None else "") + ".", "",
        "```python",
        "import gymnasium as gym",
        "import mec_gym  # registers the ids",
        "",
        f"env = gym.make(\"{env_id}\")",
        "observation, info = env.reset(seed=0)",
        "best = env.unwrapped.optimum()",
        "observation, reward, terminated, truncated, info = env.step(best.action)",
        "assert reward == best.reward",
        "```", "",
        "## The model (the environment's docstring)", "",
        _docstring_markdown(cls.__doc__), "",
    ]
    return "\n".join(lines)


# ----- leaderboard and reproductions ------------------------------------------------------------
def leaderboard_page(readme: Path = REPOSITORY / "README.md", plots: Path = REPOSITORY / "results" / "plots") -> tuple[str, list[Path]]:
    """The README's leaderboard section (the quick preset's tables from ``make bench``) and the
    plots of ``results/plots`` when a run left them there."""
    text = readme.read_text()
    match = re.search(r"^## The leaderboard\n(.*?)(?=^## )", text, flags=re.S | re.M)
    body = match.group(1).strip() if match else "The README has no leaderboard section yet: run `make bench`."
    figures = sorted(plots.glob("*.png")) if plots.is_dir() else []
    lines = ["# The leaderboard", "", body, "", "## Learning curves", ""]
    if figures:
        lines += [f"![{figure.stem}](plots/{figure.name})" for figure in figures]
    else:
        lines.append("`make bench` writes them to `results/plots/`; this build found none there.")
    return "\n".join(lines) + "\n", figures


def reproductions_page(folder: Path = REPOSITORY / "reproductions") -> tuple[str, dict[str, Path]]:
    """An index of ``reproductions/<paper>/REPORT.md`` (with each report as a page of its own,
    figures included) or a note that none exists yet."""
    reports = sorted(folder.glob("*/REPORT.md")) if folder.is_dir() else []
    lines = ["# Paper reproductions", "",
             "`mec-gym reproduce PAPER` re-runs a paper's experiments and judges its claims, writing "
             "`reproductions/<paper>/REPORT.md`.", ""]
    if not reports:
        lines.append("No report is in this checkout yet.")
    for report in reports:
        first = next((line for line in report.read_text().splitlines() if line.startswith("# ")), report.parent.name)
        lines.append(f"- [{first.lstrip('# ').strip()}]({report.parent.name}.md)")
    return "\n".join(lines) + "\n", {report.parent.name: report for report in reports}


def report_page(report: Path) -> tuple[str, list[Path]]:
    """A report as a page: its images served beside it (``<paper>/<file>``), other relative links
    shown as paths (they point into the repository, outside the site)."""
    text = report.read_text()
    assets: list[Path] = []

    def image(match: re.Match) -> str:
        target = report.parent / match.group(2)
        if target.is_file():
            assets.append(target)
            return f"![{match.group(1)}]({report.parent.name}/{target.name})"
        return f"`{match.group(2)}` ({match.group(1)})"

    text = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", image, text)
    text = re.sub(r"(?<!!)\[([^\]]*)\]\((?!https?:|#)([^)\s]+)\)", r"\1 (`reproductions/" + report.parent.name + r"/\2`)", text)
    return text, assets
