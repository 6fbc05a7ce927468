"""Labelled question suites and the measurements made with them."""
