"""The frame of a month-by-month bar chart drawn as inline SVG with attributes only (the
content security policy allows no inline styles): its size, scale and axis positions, shared
by the sharing report and the retention forecast, which draw their own bars inside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH = 640
LEFT = 48
RIGHT = 630
TOP = 16


def nice_top(count: int) -> int:
    """The top of the chart's scale: the first of 2, 4, 10, 20, 40, 100… at least ``count``,
    so that half of it is a whole number too."""
    scale = 1
    while True:
        for step in (2, 4, 10):
            if step * scale >= count:
                return step * scale
        scale *= 10


@dataclass(frozen=True)
class Frame:
    """``months`` bars between LEFT and RIGHT, from ``bottom`` up to TOP, scaled to ``top``."""

    months: int
    top: int
    bottom: int

    @property
    def slot(self) -> float:
        return (RIGHT - LEFT) / max(self.months, 1)

    @property
    def label_every(self) -> int:
        return max(1, -(-self.months // 12))  # label at most twelve months

    def bar_x(self, index: int) -> float:
        return round(LEFT + index * self.slot + self.slot * 0.15, 1)

    @property
    def bar_width(self) -> float:
        return round(self.slot * 0.7, 1)

    def label_x(self, index: int) -> float:
        return round(self.bar_x(index) + self.slot * 0.35, 1)

    def height_of(self, count: int) -> float:
        return round((self.bottom - TOP) * count / self.top, 1)

    def context(self, bars: list[Any]) -> dict[str, Any]:
        """What the chart templates draw the frame from."""
        return {
            "bars": bars,
            "width": WIDTH,
            "height": self.bottom + 40,
            "left": LEFT,
            "right": RIGHT,
            "axis_label_x": LEFT - 6,
            "plot_top": TOP,
            "plot_bottom": self.bottom,
            "plot_middle": round((TOP + self.bottom) / 2, 1),
            "top": self.top,
            "middle": self.top // 2,
            "label_y": self.bottom + 18,
        }
