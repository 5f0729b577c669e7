"""MkDocs hook: adds the generated pages (``benchmarks/docs_pages.py``) to the build, so the env
pages, the leaderboard and the reproductions always match the code and the latest results."""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.structure.files import File

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:  # the checkout's packages, as `make docs` installs them
    sys.path.insert(0, str(REPOSITORY))


def on_files(files, config):
    import mec_gym
    from benchmarks import docs_pages

    def add(uri: str, content: str | bytes) -> None:
        files.append(File.generated(config, uri, content=content))

    for env_id in mec_gym.ENV_IDS:
        add(f"envs/{docs_pages.slug(env_id)}.md", docs_pages.env_page(env_id))
    page, figures = docs_pages.leaderboard_page()
    add("leaderboard.md", page)
    for figure in figures:
        add(f"plots/{figure.name}", figure.read_bytes())
    page, reports = docs_pages.reproductions_page()
    add("reproductions/index.md", page)
    for name, report in reports.items():
        text, assets = docs_pages.report_page(report)
        add(f"reproductions/{name}.md", text)
        for asset in assets:
            add(f"reproductions/{name}/{asset.name}", asset.read_bytes())
    return files
