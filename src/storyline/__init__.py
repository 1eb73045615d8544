"""Storyline: turn streams of news articles into stories."""

__version__ = "0.1.0"
