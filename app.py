"""Start the chat page: `python app.py` (the same as `assistant serve`)."""

from assistant.cli import main

main(["serve"])
