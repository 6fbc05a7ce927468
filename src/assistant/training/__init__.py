"""Training the answering models: each learns from questions read by the whole assembled
assistant (the follow-up reading, retrieval), so it sits above the pipeline it trains for."""
