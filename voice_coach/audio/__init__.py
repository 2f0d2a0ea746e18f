"""Sound in and out: WAV files, the mixer, the speaker and microphone streams, the voice gate."""
