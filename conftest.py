"""A clone's entry to the kit: load the plugin (an install loads it by entry point)."""

pytest_plugins = ["conformance.plugin"]
