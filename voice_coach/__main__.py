"""``python -m voice_coach``."""

from .cli import main

main(prog_name="voice-coach")
