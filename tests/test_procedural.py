"""The procedural provider draws real coloring pages: deterministic, closed regions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from bot.book.assets import AssetKind
from bot.book.providers import ImageRequest, get_provider
from bot.book.providers.procedural import choose_genre
from bot.book.spec import Audience

SIZE = (1144, 1455)  # half of an 8.5x11 art box: keeps the suite quick


def request(subject: str, seed: int = 5, audience: Audience = Audience.ADULTS) -> ImageRequest:
    return ImageRequest(AssetKind.PAGE, 0, subject, seed, *SIZE, audience=audience)


@pytest.mark.parametrize(
    ("subject", "audience", "genre"),
    [
        ("mandala", Audience.ADULTS, "mandala"),
        ("Stained glass window", Audience.TEENS, "stained_glass"),
        ("a maze to the cookie", Audience.AGES_6_8, "maze"),
        ("big stars", Audience.AGES_3_5, "shapes"),
        ("a friendly dog", Audience.AGES_3_5, "shapes"),
        ("a friendly dog", Audience.ADULTS, "mandala"),
    ],
)
def test_genre_choice(subject: str, audience: Audience, genre: str) -> None:
    assert choose_genre(request(subject, audience=audience)) == genre


@pytest.mark.parametrize("subject", ["mandala", "stained glass", "maze", "stars"])
def test_deterministic_per_seed(subject: str) -> None:
    provider = get_provider("procedural")
    a = provider.draw(request(subject, 1))
    b = provider.draw(request(subject, 1))
    c = provider.draw(request(subject, 2))
    assert a.tobytes() == b.tobytes()
    assert subject == "stars" or a.tobytes() != c.tobytes()
    assert a.size == SIZE and a.mode == "1"


@pytest.mark.parametrize(
    ("subject", "audience"),
    [
        ("mandala", Audience.ADULTS),
        ("stained glass", Audience.ADULTS),
        ("mandala", Audience.AGES_3_5),
        ("shapes", Audience.AGES_3_5),
    ],
)
def test_regions_are_closed_and_colourable(subject: str, audience: Audience) -> None:
    img = get_provider("procedural").generate([request(subject, 3, audience)])[0]
    white = np.asarray(img, dtype=bool)
    labels, count = ndimage.label(white)
    sizes = np.bincount(labels.ravel())[1:]
    page = white.size
    assert count >= 5  # closed shapes, not one open field
    tiny = sizes[sizes < page * 0.0002].sum()  # under ~0.005 sq in at this scale
    assert tiny < 0.01 * white.sum()  # almost no white is in uncolourable slivers
    assert 0.01 < 1 - white.mean() < 0.25  # ink is lines, not fills or scribbles


def test_young_children_get_thicker_lines_and_bigger_regions() -> None:
    provider = get_provider("procedural")
    kid = np.asarray(provider.draw(request("mandala", 3, Audience.AGES_3_5)), dtype=bool)
    adult = np.asarray(provider.draw(request("mandala", 3, Audience.ADULTS)), dtype=bool)
    assert ndimage.label(kid)[1] < ndimage.label(adult)[1]

    # line weight: a horizontal scan's ink runs are longer for small hands
    def median_run(white: np.ndarray) -> float:
        row = ~white[white.shape[0] // 2]
        edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
        return float(np.median(edges[1::2] - edges[::2]))

    assert median_run(kid) > 2 * median_run(adult)


def test_cover_is_coloured_in() -> None:
    img = get_provider("procedural").generate(
        [ImageRequest(AssetKind.COVER, 0, "mandala", 9, 600, 500, Audience.ADULTS)]
    )[0]
    assert img.mode == "RGB"
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 5


def test_unknown_provider_names_the_field() -> None:
    from bot.errors import UserInputError

    with pytest.raises(UserInputError, match=r"providers\.cover: unknown provider 'dalle'"):
        get_provider("dalle", field="providers.cover")


@pytest.mark.parametrize("subject", ["mandala", "stained glass", "maze", "stars", "circles"])
def test_another_seed_draws_another_page(subject: str) -> None:
    """What `/regenerate N` relies on: a new seed is a new picture, in every genre."""
    provider = get_provider("procedural")
    for audience in (Audience.AGES_3_5, Audience.ADULTS):
        a = provider.draw(ImageRequest(AssetKind.PAGE, 0, subject, 1, 600, 800, audience))
        b = provider.draw(ImageRequest(AssetKind.PAGE, 0, subject, 2, 600, 800, audience))
        assert a.tobytes() != b.tobytes(), (subject, audience)
