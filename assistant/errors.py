"""One exception type whose message is a single line a person understands.

Every layer raises :class:`HearthError` (or a subclass) for problems a user can act on; the CLI
and the service print ``str(error)`` and keep going instead of showing a traceback.
"""


class HearthError(Exception):
    """A problem with a one-line, human-readable explanation."""


class AudioError(HearthError):
    """Bad audio input, or no audio device."""


class ModelError(HearthError):
    """A model file is missing, corrupt or of the wrong kind."""


class ConfigError(HearthError):
    """The config file has a bad key or value."""
