"""The insights' built-in plugin: their CLI commands (registered through the same manager as
installed plugins)."""
