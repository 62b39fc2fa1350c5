"""asnsql: JWST association generation as SQL over DuckDB.

Same files as jwst's ``asn_generate``, made by one SQL query per rule.
"""

__version__ = "0.1.0"

from asnsql.api import Generation, generate  # noqa: E402
from asnsql.batch import collect  # noqa: E402
from asnsql.tools.load import load_asn  # noqa: E402

__all__ = ["Generation", "collect", "generate", "load_asn", "__version__"]
