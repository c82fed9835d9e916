"""The one error type for bad input: its message is one line naming the key and the rule."""


class ConfigError(ValueError):
    """A config value breaks a rule; the message is one line with the key's path."""
