"""The chat page: the Gradio page, its HTML, who may reach it, the ratings and the therapist
summary. It calls the same `Assistant` as the CLI and shows the same `Answer`."""
