"""Model licences: whether books made with a model may be sold, from its card or the table."""

from __future__ import annotations

import inspect

import pytest

from bot.book.providers.licence import card_licence, model_licence

SDXL_TURBO_CARD = inspect.cleandoc(
    """
    ---
    pipeline_tag: text-to-image
    inference: false
    license: other
    license_name: sai-nc-community
    ---
    # SDXL-Turbo Model Card
    """
)


def test_the_card_names_the_licence() -> None:
    assert card_licence(SDXL_TURBO_CARD) == "sai-nc-community"
    assert card_licence("---\nlicense: mit\n---\n# a card") == "mit"
    assert card_licence("# no front matter") is None
    assert card_licence("---\n[not: a: mapping\n---\n") is None


@pytest.mark.parametrize(
    ("model", "card", "commercial"),
    [
        ("stabilityai/sdxl-turbo", None, False),
        ("someone/fine-tune", SDXL_TURBO_CARD, False),
        ("stabilityai/stable-diffusion-xl-base-1.0", None, True),
        ("someone/fine-tune", "---\nlicense: cc-by-nc-4.0\n---\n", False),
        ("someone/fine-tune", "---\nlicense: apache-2.0\n---\n", True),
        ("someone/fine-tune", "---\nlicense: other\n---\n", None),
        ("someone/unknown", None, None),
    ],
)
def test_commercial_use(model: str, card: str | None, commercial: bool | None) -> None:
    assert model_licence(model, card).commercial is commercial


def test_the_warning_says_what_it_means_for_a_seller() -> None:
    text = model_licence("stabilityai/sdxl-turbo").describe("stabilityai/sdxl-turbo")
    assert "NON-COMMERCIAL" in text and "KDP" in text and "https://stability.ai/license" in text
