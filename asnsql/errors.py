"""Errors asnsql raises for bad input.

Every message is one line that names the file (or object) and says what is
wrong with it; the CLI prints it as ``Error: <message>`` and exits non-zero.
"""


class AsnsqlError(Exception):
    """Base class for errors caused by the user's input."""


class PoolError(AsnsqlError):
    """The pool cannot be read, or lacks what the rules need."""


class RuleError(AsnsqlError):
    """A rule file is malformed or breaks the rule contract."""


class AssociationFileError(AsnsqlError):
    """An association file, member or exposure the tools were given is unusable."""


class ToolWarning(UserWarning):
    """The reference's behaviour was kept, but it may not be what the user meant."""
