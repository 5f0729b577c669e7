"""The ``mec-gym`` command: ``mec-gym list``, ``mec-gym bench`` (the leaderboard, the main job) and
``mec-gym reproduce`` (each paper's claims re-run and judged, see ``benchmarks/reproduce``).

    mec-gym bench --preset quick                       # every env x method, one seed, small budgets
    mec-gym bench --env WPMEC-v0 --method random optimum --seeds 0 1 2 --frames 500
    mec-gym bench --preset quick --resume              # finish an interrupted grid
    mec-gym bench --backend ray --workers 2            # the same records from Ray tasks
    mec-gym bench --grid my_grid.toml --out results/mine  # a custom grid (see presets.load_grid)
    mec-gym reproduce qaroo [--quick] [--resume] [--out DIR] [--seeds S ...]   # or all; --list
    mec-gym render WPMEC-v0 --policy optimum --frames 20 --out wpmec.gif   # an episode's pictures
    mec-gym dataset WPMEC-v0 --policy optimum --episodes 10 --steps 100 --out mec-gym/wpmec-optimum-v0  # Minari
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import gymnasium as gym

import mec_gym
from mec_gym.core.scenario import describe
from benchmarks.presets import PRESETS, load_grid
from benchmarks.registry import METHODS, methods_for
from benchmarks.reproduce import MODULES as PAPER_MODULES
from benchmarks.report import marked_text, readme_tables, replace_section, write_leaderboard
from benchmarks.runner import RunSpec, run_grid, run_identity


def build_specs(args: argparse.Namespace, dropped: list[str] | None = None) -> list[RunSpec]:
    """The grid the arguments describe (a ``--grid`` file replaces the preset; ``--env``,
    ``--method``, ``--seeds`` and the frame flags override either); unknown env ids or methods raise
    ValueError. A method asked for by name that does not apply to an env of the grid is left out,
    and ``dropped`` (if given) receives one line per such pair saying why."""
    preset, grid_envs, grid_methods = PRESETS[args.preset], (), ()
    if args.grid is not None:
        grid = load_grid(args.grid)
        preset, grid_envs, grid_methods = grid.preset, grid.envs, grid.methods
    envs = args.env or list(grid_envs) or list(mec_gym.ENV_IDS)
    methods = args.method or list(grid_methods)
    unknown = sorted(set(envs) - set(mec_gym.ENV_IDS))
    if unknown:
        raise ValueError(f"unknown env id(s) {unknown}; known: {mec_gym.ENV_IDS}")
    if methods:
        unknown = sorted(set(methods) - set(METHODS))
        if unknown:
            raise ValueError(f"unknown method(s) {unknown}; known: {sorted(METHODS)}")
    seeds = args.seeds if args.seeds is not None else list(preset.seeds)
    specs = []
    for env_id in envs:
        env_config = preset.env_configs.get(env_id, {})
        applicable = methods_for(env_id, env_config)
        for method in methods or applicable:
            if method not in applicable:
                if dropped is not None:
                    dropped.append(f"{method} on {env_id}: {_where(method)}")
                continue
            for seed in seeds:
                specs.append(RunSpec(
                    env=env_id, method=method, seed=seed,
                    frames=args.frames if args.frames is not None else preset.frames_for(env_id, method),
                    eval_frames=args.eval_frames if args.eval_frames is not None else preset.eval_frames_for(env_id),
                    env_config=env_config, method_config=preset.method_configs.get(method, {}),
                ))
    return specs


def _where(method: str) -> str:
    """Why a method is left out of an env: the envs it applies to (at their default configs)."""
    envs = [env_id for env_id in mec_gym.ENV_IDS if method in methods_for(env_id)]
    return f"it applies only to {', '.join(envs)}" if envs else "it applies to no env at the default configs"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mec-gym", description="mec-gym environments and leaderboard")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="every environment id and every method, with where each runs")
    listing.add_argument("--env", metavar="ID", help="one id's scenario: state fields, observation features, info schema")
    bench = commands.add_parser(
        "bench", help="run a grid of env x method x seed and write the leaderboard",
        description="Run a grid of env x method x seed, write one record per run under OUT/runs and the leaderboard "
                    "(OUT/leaderboard.md, .csv, plots/). A method named with --method that does not apply to an env "
                    "is left out with a warning; a grid with nothing to run exits 2.",
)
    bench.add_argument("--preset", choices=sorted(PRESETS), default="quick",
                       help="seeds, frame budgets and configs (default: quick): " + "; ".join(
                           f"{name}: {preset.describe()}" for name, preset in sorted(PRESETS.items())))
    bench.add_argument("--grid", type=Path, help="a custom grid (default: none; TOML: envs, methods, seeds, frames, eval_frames, "
                       "env_configs, method_configs); replaces --preset")
    bench.add_argument("--env", nargs="+", metavar="ID", help="env ids to run (default: the grid's, else every id: "
                       f"{', '.join(mec_gym.ENV_IDS)})")
    bench.add_argument("--method", nargs="+", metavar="NAME",
                       help="methods to run (default: the grid's, else every method that applies to each env; "
                            "`mec-gym list` shows where each applies)")
    bench.add_argument("--seeds", nargs="+", type=int, metavar="S", help="seeds (default: the preset's or grid's)")
    bench.add_argument("--frames", type=int, help="learning frames per run (default: the preset's or grid's)")
    bench.add_argument("--eval-frames", type=int, help="evaluation frames per run (default: the preset's or grid's)")
    bench.add_argument("--out", type=Path, default=Path("results"), help="folder of the records and the leaderboard (default: results)")
    bench.add_argument("--workers", type=int, default=1, help="runs in parallel (processes, or Ray tasks; default: 1)")
    bench.add_argument("--backend", choices=["local", "ray"], default="local", help="where runs execute (default: local)")
    bench.add_argument("--ray-address", default=None, help="ray.init address (default: a local instance)")
    bench.add_argument("--resume", action="store_true",
                       help="skip runs that already succeeded with the same configuration (failed runs are retried; "
                            "default: rerun every run)")
    bench.add_argument("--no-progress", action="store_true", help="no progress bars (default: bars on)")
    bench.add_argument("--readme", type=Path, metavar="FILE",
                       help="also write the tables between FILE's <!-- leaderboard:start/end --> markers")
    reproduce = commands.add_parser("reproduce", help="re-run a paper's experiments and judge its claims "
                                    "(writes reproductions/<paper>/REPORT.md, results.json, figures)")
    reproduce.add_argument("paper", nargs="?", help=f"one of {', '.join(PAPER_MODULES)}, or all")
    reproduce.add_argument("--list", action="store_true", help="the papers, their claims and budgets")
    reproduce.add_argument("--quick", action="store_true", help="the smoke budget (under 2 minutes per paper)")
    reproduce.add_argument("--resume", action="store_true", help="keep the journaled parts of an interrupted run")
    reproduce.add_argument("--out", type=Path, default=None, help="folder of the reports (default: reproductions/)")
    reproduce.add_argument("--seeds", nargs="+", type=int, metavar="S", help="override the budget's seeds")
    reproduce.add_argument("--no-progress", action="store_true")
    render = commands.add_parser("render", help="record an episode's pictures (render_mode='rgb_array') as a GIF "
                                 "or the last one as a PNG")
    render.add_argument("env", metavar="ID")
    render.add_argument("--policy", default="random", metavar="NAME", help="a method of `mec-gym list` (default random)")
    render.add_argument("--frames", type=int, default=20, help="steps after reset (default 20)")
    render.add_argument("--learn", type=int, default=0, metavar="N", help="learning frames first, for a trainer")
    render.add_argument("--seed", type=int, default=0)
    render.add_argument("--out", type=Path, required=True, help="FILE.gif (every frame) or FILE.png (the last)")
    dataset = commands.add_parser("dataset", help="write a Minari dataset of a policy's episodes with the oracle's "
                                  "reference per step in the infos (the minari extra)")
    dataset.add_argument("env", metavar="ID")
    dataset.add_argument("--policy", default="optimum", metavar="NAME",
                         help="optimum (default) or another fixed method of `mec-gym list`")
    dataset.add_argument("--episodes", type=int, default=10)
    dataset.add_argument("--steps", type=int, default=None, help="frames per episode (default: the env's episode_length)")
    dataset.add_argument("--seed", type=int, default=0, help="episode e resets with seed S + e")
    dataset.add_argument("--out", required=True, metavar="NAME", help="the dataset id, e.g. mec-gym/wpmec-optimum-v0")
    return parser


def _render(args: argparse.Namespace) -> int:
    from benchmarks.episodes import record, save_pictures

    try:
        if args.out.suffix.lower() not in (".gif", ".png"):
            raise ValueError(f"--out must end in .gif or .png; got {args.out.name!r}")
        pictures = record(args.env, args.policy, args.frames, args.seed, args.learn,
                          still=args.out.suffix.lower() == ".png")
    except ValueError as error:
        print(f"mec-gym render: {error}", file=sys.stderr)
        return 2
    path = save_pictures(pictures, args.out)
    print(f"{path}: {len(pictures)} frame(s) of {pictures[-1].shape}")
    return 0


def _dataset(args: argparse.Namespace) -> int:
    from benchmarks.datasets import collect

    try:
        dataset = collect(args.env, args.out, args.policy, args.episodes, args.steps, args.seed)
    except (ValueError, FileExistsError) as error:
        print(f"mec-gym dataset: {error}", file=sys.stderr)
        return 2
    print(f"{args.out}: {dataset.total_episodes} episodes, {dataset.total_steps} steps in {dataset.storage.data_path}")
    return 0


def reproduce_command(args: argparse.Namespace) -> int:
    """``mec-gym reproduce``: exit 0, 2 on bad input."""
    from benchmarks.reproduce import core, paper

    if args.list:
        for name in PAPER_MODULES:
            declared = paper(name)
            budgets = "; ".join(f"{b.label}: seeds {list(b.seeds)}, {b.params}" for b in declared.budgets.values())
            print(f"{name}: {declared.title}\n  budgets {budgets}")
            for claim in declared.claims:
                print(f"  {claim.key:<28} {claim.text} [{claim.where}]")
        return 0
    if args.paper is None:
        print("mec-gym reproduce: name a paper or all (or --list)", file=sys.stderr)
        return 2
    names = list(PAPER_MODULES) if args.paper == "all" else [args.paper]
    try:
        papers = [paper(name) for name in names]
    except ValueError as error:
        print(f"mec-gym reproduce: {error}", file=sys.stderr)
        return 2
    for declared in papers:
        content = core.reproduce(declared, quick=args.quick, resume=args.resume, out=args.out, seeds=args.seeds,
                                 progress=not args.no_progress)
        print(f"{declared.name}: {content['counts']} ({content['part_seconds'] / 60:.1f} min of parts); "
              f"{Path(args.out or core.DEFAULT_OUT) / declared.name / 'REPORT.md'}")
    if args.out is None or Path(args.out).resolve() == core.DEFAULT_OUT:
        core.update_readme(core.REPOSITORY / "README.md", core.DEFAULT_OUT, list(PAPER_MODULES))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Exit status: 0, 1 when a run of the grid failed (after writing every record and the tables), 2 on bad input."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.command == "reproduce":
        return reproduce_command(args)
    if args.command == "list" and args.env:
        if args.env not in mec_gym.ENV_IDS:
            print(f"mec-gym list: unknown id {args.env!r}; known: {', '.join(mec_gym.ENV_IDS)}", file=sys.stderr)
            return 2
        env = gym.make(args.env).unwrapped
        print(f"{args.env} (default config)\n{describe(env.scenario)}")
        return 0
    if args.command == "list":
        print("environments:")
        for env_id in mec_gym.ENV_IDS:
            print(f"  {env_id:<24} methods: {', '.join(methods_for(env_id))}")
        print("methods:")
        for name, method in METHODS.items():
            envs = [env_id for env_id in mec_gym.ENV_IDS if name in methods_for(env_id)]
            print(f"  {name:<20} [{method.family}] {', '.join(envs) or '-'}")
        return 0
    if args.command == "render":
        return _render(args)
    if args.command == "dataset":
        return _dataset(args)
    dropped: list[str] = []
    try:
        specs = build_specs(args, dropped)
        if args.readme:
            marked_text(args.readme, "leaderboard")  # refused before any run
    except (ValueError, TypeError, OSError) as error:  # TypeError: an unknown env config field
        print(f"mec-gym bench: {error}", file=sys.stderr)
        return 2
    for line in dropped:
        print(f"mec-gym bench: warning: left out {line}", file=sys.stderr)
    if not specs:
        print("mec-gym bench: nothing to run: no method of the grid applies to its envs"
              + (" (see the warnings above)" if dropped else ""), file=sys.stderr)
        return 2
    records = run_grid(specs, args.out, resume=args.resume, workers=args.workers, backend=args.backend,
                       ray_address=args.ray_address, progress=not args.no_progress)
    text = write_leaderboard(records, args.out)
    print(text)
    if args.readme:
        replace_section(args.readme, "leaderboard", readme_tables(text))
    grid = {spec.identity for spec in specs}
    failed = [record for record in records if record["error"] and run_identity(record) in grid]
    if failed:
        print(f"{len(failed)} of {len(specs)} run(s) failed; their errors are in their records under "
              f"{args.out / 'runs'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
