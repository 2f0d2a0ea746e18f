"""voice-coach: an offline, voice-guided exercise player (Dutch)."""
