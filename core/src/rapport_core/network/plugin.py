"""The network's built-in plugin: its CLI commands (registered through the same manager as
installed plugins)."""
