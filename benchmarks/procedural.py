"""One procedural page at 8.5x11 with bleed, 300 DPI, through the line-art stage and its QA
for its audience.

python -m benchmarks.procedural       # target (issue #2): <= 0.3 s median
"""

from __future__ import annotations

import statistics
import time

from bot.book.assets import AssetKind
from bot.book.kdp import DPI, page_size
from bot.book.lineart import LineArtOptions, clean_page
from bot.book.providers import ImageRequest, get_provider
from bot.book.spec import Audience, Trim


def main(runs: int = 15) -> None:
    w_in, h_in = page_size(Trim.T8_5X11, bleed=True)
    size = (round(w_in * DPI), round(h_in * DPI))
    provider = get_provider("procedural")
    print(f"one page at {size[0]}x{size[1]} px (8.5x11 with bleed, 300 DPI), {runs} runs each:")
    overall = []
    for subject, audience in [
        ("mandala", Audience.ADULTS),
        ("stained glass", Audience.ADULTS),
        ("maze", Audience.AGES_9_12),
        ("shapes", Audience.AGES_3_5),
    ]:
        times = []
        for seed in range(runs):
            t = time.perf_counter()
            image = provider.generate(
                [ImageRequest(AssetKind.PAGE, 0, subject, seed, *size, audience)]
            )[0]
            clean_page(image, size, LineArtOptions(audience))
            times.append(time.perf_counter() - t)
        overall += times
        print(
            f"  {subject:14s}: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms"
        )
    print(f"  all genres    : median {statistics.median(overall) * 1000:.0f} ms (<= 300 ms)")


if __name__ == "__main__":
    main()
