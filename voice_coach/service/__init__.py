"""The edges that run it: the command line, the daemon, config, journal, systemd, the terminal and audio players."""
