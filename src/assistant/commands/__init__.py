"""The command line's commands beyond `cli.py`'s own, and what every command shares."""
