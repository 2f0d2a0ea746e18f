"""``python -m voice_coach``."""

from .service.cli import main

main(prog_name="voice-coach")
