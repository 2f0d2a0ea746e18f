"""Speech: synthesis, the speech cache, recognition, the speech model."""
