"""Index the corpus: `python ingest.py [--rebuild]` (the same as `assistant ingest`)."""

import sys

from assistant.cli import main

main(["ingest", *sys.argv[1:]])
