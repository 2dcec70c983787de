"""Errors that carry a reason a person can act on.

Raised for bad input (an unreachable database, a table without the expected columns, an
empty extract) so the Dagster UI and the CLI show one clear sentence instead of a stack trace
from deep inside pandas or SQLAlchemy.
"""


class GataInputError(ValueError):
    """The input to a stage cannot be used; the message says what is wrong and where."""
