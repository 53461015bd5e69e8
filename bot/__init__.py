"""ebook-bot: turn a GitHub issue into a print-ready coloring book."""

__version__ = "0.1.0"
