"""The association tools: jwst's load_asn, asn_from_list, asn_make_pool, asn_edit, asn_gather.

Each is one module and one function; ``asnsql.cli_tools`` is their command line.
"""

from asnsql.tools.edit import edit_file
from asnsql.tools.fromlist import asn_from_list, write_asn_from_list
from asnsql.tools.gather import gather
from asnsql.tools.load import load_asn
from asnsql.tools.mkpool import make_pool, write_pool
from asnsql.tools.validate import validate_file, validate_files

__all__ = ["asn_from_list", "edit_file", "gather", "load_asn", "make_pool", "validate_file",
           "validate_files", "write_asn_from_list", "write_pool"]
