"""Pictures of a scenario: ``render_mode="rgb_array"`` (and ``"human"``) for every environment.

An environment describes its current frame as a :class:`Scene` (its ``_scene`` hook reads only the
state, the last step's info and the config); :func:`draw` turns any scene into a uint8 (H, W, 3)
frame with matplotlib's Agg canvas. matplotlib (the ``render`` extra) is imported only when a frame
is drawn, so ``import mec_gym`` stays light.

The frame: left, the geometry (access point / servers / cloud, the devices at their positions, or at
their distances on a fan when only distances exist), each device coloured by its current decision
with a line to where it offloads; right, one bar chart per deciding quantity (device by device, in
the decision's colour); at the bottom, the step's reward and its terms.
"""

from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FIGURE_SIZE = (8.0, 4.5)  # inches
DPI = 80  # 640 x 360 pixels
UNDECIDED = "before the first step"
# decision colours: local first, then the offloading targets (matplotlib's tab10 order, local grey)
COLOURS = ("#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
           "#17becf")
UNDECIDED_COLOUR = "#d9d9d9"
SHRINK_AFTER = 8  # frames in a row of data filling under a fifth of an axis before its limits shrink


@dataclass
class Site:
    """A fixed node: the access point, an edge server or the cloud, at (x, y) m."""

    label: str
    x: float
    y: float
    marker: str = "^"  # "^" access point, "s" server, "h" cloud


@dataclass
class Scene:
    """One frame of an environment, in the units of its labels.

    ``positions`` (N, 2) m; ``decision`` (N,) index into ``choices`` (None before the first step);
    ``links`` maps a choice index to the index in ``sites`` a device with that choice offloads to;
    ``quantities``: per device (N,) arrays named with their unit; ``terms``: the step's reward terms.
    """

    positions: np.ndarray
    sites: list[Site]
    choices: tuple[str, ...]
    decision: np.ndarray | None
    links: dict[int, int]
    quantities: dict[str, np.ndarray]
    terms: dict[str, float] = field(default_factory=dict)  # filled in by the env's render()
    title: str = ""  # filled in by the env's render()
    extent: tuple[float, float, float, float] | None = None  # x0, x1, y0, y1 of the area, m


def fan(distances: np.ndarray) -> np.ndarray:
    """Positions (N, 2) m for devices known only by their distance to a node at the origin: spread
    over a half-circle fan in device order, each at its own distance."""
    angles = np.linspace(np.pi * 0.9, np.pi * 0.1, len(distances)) if len(distances) > 1 else np.array([np.pi / 2])
    return np.column_stack([distances * np.cos(angles), distances * np.sin(angles)])


def reward_terms(info: dict[str, Any], reward: float | None, term_keys: tuple[str, ...] = ()) -> dict[str, float]:
    """The step's reward and its terms: ``info["reward_terms"]`` when the env reports them, else the
    info keys ``term_keys`` (the scenario's schema marks them ``reward_term``; per-device ones summed,
    shown as "sum key")."""
    if reward is None:
        return {}
    terms = {"reward": float(reward)}
    given = info.get("reward_terms")
    if isinstance(given, dict) and given:
        return terms | {str(k): float(np.sum(v)) for k, v in given.items()}
    for key in term_keys:
        if key in info:
            value = np.asarray(info[key], dtype=float)
            terms[key if value.ndim == 0 else f"sum {key}"] = float(value.sum())
    return terms


class Canvas:
    """A reusable Agg figure, one per environment: the axes and artists are made on the first frame
    (and again when the layout changes) and later frames only update their data, which keeps
    rendering well above 10 frames per second (``python -m benchmarks.render_speed``)."""

    def __init__(self, size: tuple[float, float] = FIGURE_SIZE, dpi: int = DPI):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self._layout: tuple | None = None
        self._background = None  # the still parts (axes, ticks, legend) of the current limits
        self._moving: list = []  # the artists drawn on top of it every frame

    def draw(self, scene: Scene) -> np.ndarray:
        """The scene as a uint8 (H, W, 3) array."""
        layout = (len(scene.positions), len(scene.sites), len(scene.quantities), scene.choices,
                  scene.decision is None, scene.extent)
        if layout != self._layout:
            self._build(scene)
            self._layout, self._background = layout, None
        if self._update(scene) or self._background is None:  # new axis limits: redraw the still parts
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self._moving:
            self.figure.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()

    # ----- the artists, made once per layout ---------------------------------------------------
    def _build(self, scene: Scene) -> None:
        from matplotlib.collections import LineCollection, PolyCollection
        from matplotlib.ticker import MaxNLocator

        figure = self.figure
        figure.clear()
        rows = max(len(scene.quantities), 1)
        grid = figure.add_gridspec(rows + 1, 2, width_ratios=(1.0, 1.15), height_ratios=[1.0] * rows + [0.3],
                                   left=0.07, right=0.98, top=0.86, bottom=0.03, wspace=0.2, hspace=0.6)
        self.title = figure.suptitle("", fontsize=10, y=0.985)
        n = len(scene.positions)
        geometry = self.geometry = figure.add_subplot(grid[:rows, 0])
        geometry.set_aspect("equal", adjustable="box")
        geometry.tick_params(labelsize=6, length=2, pad=1)
        geometry.xaxis.set_major_locator(MaxNLocator(4))
        geometry.yaxis.set_major_locator(MaxNLocator(4))
        geometry.set_xlabel("x (m)", fontsize=7, labelpad=1)
        self.links = LineCollection([], linewidths=0.8, alpha=0.6, zorder=1)
        geometry.add_collection(self.links)
        self.devices = geometry.scatter(np.zeros(n), np.zeros(n), s=28, edgecolors="black", linewidths=0.4, zorder=3)
        self.device_labels = [geometry.annotate(str(i), (0, 0), textcoords="offset points", xytext=(4, 3), fontsize=6)
                              for i in range(n if n <= 20 else 0)]
        self.site_markers = [geometry.scatter([0], [0], marker=site.marker, s=110, c="white", edgecolors="black",
                                              zorder=4) for site in scene.sites]
        self.site_labels = [geometry.annotate("", (0, 0), textcoords="offset points", xytext=(0, 8), fontsize=7,
                                              ha="center") for _ in scene.sites]
        if scene.extent is not None:
            x0, x1, y0, y1 = scene.extent
            geometry.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], color="#bbbbbb", linewidth=0.6, zorder=0)
        labels = [UNDECIDED] if scene.decision is None else list(scene.choices)
        colours = [UNDECIDED_COLOUR] if scene.decision is None else [COLOURS[i % len(COLOURS)] for i in range(len(labels))]
        handles = [geometry.scatter([], [], c=c, s=20, edgecolors="black", linewidths=0.4) for c in colours]
        geometry.legend(handles, labels, fontsize=6, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                        ncol=min(len(labels), 3), frameon=False, handletextpad=0.2, columnspacing=0.8,
                        borderaxespad=0.2)
        self.panels = []
        for row in range(len(scene.quantities)):
            axes = figure.add_subplot(grid[row, 1])
            bars = PolyCollection(np.zeros((n, 4, 2)), edgecolors="black", linewidths=0.3)
            axes.add_collection(bars)
            axes.axhline(0.0, color="black", linewidth=0.4)
            axes.set_xlim(-0.6, n - 0.4)
            axes.tick_params(labelsize=6, length=2, pad=1)
            axes.yaxis.set_major_locator(MaxNLocator(3))
            axes.set_xticks(np.arange(0, n, max(1, n // 10)) if row == len(scene.quantities) - 1 else [])
            title = axes.text(0.0, 1.03, "", fontsize=7, transform=axes.transAxes, ha="left", va="bottom")
            self.panels.append((axes, bars, title))
        terms = figure.add_subplot(grid[rows, :])
        terms.axis("off")
        self.terms = terms.text(0.0, 0.5, "", fontsize=7, va="center", ha="left", transform=terms.transAxes)
        self._moving = [self.title, self.links, self.devices, *self.device_labels, *self.site_markers,
                        *self.site_labels, self.terms]
        self._moving += [artist for _, bars, title in self.panels for artist in (bars, title)]
        for artist in self._moving:
            artist.set_animated(True)
        self._limits: dict[Any, tuple[float, float]] = {}
        self._small: dict[Any, int] = {}  # frames in a row whose data filled under a fifth of the limits

    # ----- per frame ---------------------------------------------------------------------------
    def _update(self, scene: Scene) -> bool:
        """Set every moving artist to the scene; True when an axis limit had to change."""
        self.title.set_text(scene.title)
        positions = np.asarray(scene.positions, dtype=float)
        if scene.decision is None:
            colours = [UNDECIDED_COLOUR] * len(positions)
        else:
            colours = [COLOURS[int(c) % len(COLOURS)] for c in scene.decision]
        segments, segment_colours = [], []
        for device, choice in enumerate(() if scene.decision is None else scene.decision):
            site = scene.links.get(int(choice))
            if site is not None:
                segments.append([positions[device], (scene.sites[site].x, scene.sites[site].y)])
                segment_colours.append(colours[device])
        self.links.set_segments(segments)
        self.links.set_color(segment_colours)
        self.devices.set_offsets(positions)
        self.devices.set_facecolors(colours)
        for label, xy in zip(self.device_labels, positions):
            label.xy = tuple(xy)
        for marker, label, site in zip(self.site_markers, self.site_labels, scene.sites):
            marker.set_offsets([[site.x, site.y]])
            label.xy = (site.x, site.y)
            label.set_text(site.label)
        points = np.vstack([positions] + [[[site.x, site.y]] for site in scene.sites])
        if scene.extent is not None:
            x0, x1, y0, y1 = scene.extent
            points = np.vstack([points, [[x0, y0], [x1, y1]]])
        low, high = points.min(axis=0), points.max(axis=0)
        pad = 0.12 * np.maximum(high - low, 1e-9)
        changed = self._limit(self.geometry, "x", low[0], high[0], pad[0], pad[0])
        changed |= self._limit(self.geometry, "y", low[1], high[1], pad[1], 2 * pad[1])
        for (axes, bars, title), (name, values) in zip(self.panels, scene.quantities.items()):
            values = np.nan_to_num(np.asarray(values, dtype=float), posinf=0.0, neginf=0.0)
            index = np.arange(len(values), dtype=float)
            bottom, top = np.minimum(values, 0.0), np.maximum(values, 0.0)
            bars.set_verts(np.stack([np.column_stack([index - 0.4, bottom]), np.column_stack([index - 0.4, top]),
                                     np.column_stack([index + 0.4, top]), np.column_stack([index + 0.4, bottom])], axis=1))
            bars.set_facecolors(colours)
            title.set_text(name)
            changed |= self._limit(axes, "y", *_nice_range(values.min(), values.max()))
        entries = [f"{name}: {value:.4g}".replace(" ", "\u00a0") for name, value in scene.terms.items()]
        self.terms.set_text(textwrap.fill("reward and terms:   " + "   ".join(entries), 118) if entries else "no step yet")
        return changed

    def _limit(self, axes, which: str, low: float, high: float, pad_low: float = 0.0, pad_high: float = 0.0) -> bool:
        """Keep the axis limits while the data fit them; set new ones (and return True: the still
        parts are then redrawn) when the data leave them, or when the data have filled less than a
        fifth of them for ``SHRINK_AFTER`` frames in a row (so heavy-tailed values redraw rarely)."""
        key = (axes, which)
        current = self._limits.get(key)
        if current is not None and current[0] <= low and high <= current[1]:
            small = (high - low) < (current[1] - current[0]) / 5
            self._small[key] = self._small.get(key, 0) + 1 if small else 0
            if self._small[key] < SHRINK_AFTER:
                return False
        self._small[key] = 0
        new = (low - pad_low, high + pad_high)
        (axes.set_xlim if which == "x" else axes.set_ylim)(*new)
        self._limits[(axes, which)] = new
        return True


def _nice_range(low: float, high: float) -> tuple[float, float]:
    """Bar limits holding 0 and [low, high], rounded outward to 1, 2 or 5 x 10^k, so that they stay
    put while the values move within them."""

    def nice(value: float) -> float:
        if value <= 0.0:
            return 0.0
        scale = 10.0 ** np.floor(np.log10(value))
        return float(next(step * scale for step in (1.0, 2.0, 5.0, 10.0) if value <= step * scale * (1 + 1e-12)))

    top, bottom = nice(max(high, 0.0)), -nice(-min(low, 0.0))
    return (bottom, top) if top > bottom else (0.0, 1.0)


def draw(scene: Scene, canvas: Canvas | None = None) -> np.ndarray:
    """The scene as a uint8 (H, W, 3) array (a fresh canvas unless one is given)."""
    return (canvas or Canvas()).draw(scene)


def has_display() -> bool:
    """Whether a window can be opened (a display on Linux; always on macOS / Windows)."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class Window:
    """``render_mode="human"``: the frame in a matplotlib window, updated in place."""

    def __init__(self, title: str):
        import matplotlib.pyplot as plt

        self.plt = plt
        self.figure = plt.figure(title)
        self.image = None

    def show(self, frame: np.ndarray, fps: float) -> None:
        if self.image is None:
            axes = self.figure.add_axes((0, 0, 1, 1))
            axes.axis("off")
            self.image = axes.imshow(frame)
        else:
            self.image.set_data(frame)
        self.plt.pause(1.0 / fps)

    def close(self) -> None:
        self.plt.close(self.figure)
