"""The clinic assistant: cited, offline answers about the iliopsoas from a small corpus."""

__version__ = "0.1.0"
