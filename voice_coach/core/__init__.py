"""The pure core: scripts, the engine, language data and what was said. No I/O but reading data files."""
