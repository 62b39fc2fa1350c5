"""What became of each association the rules made: written, or dropped and why.

Finalising records it: the ``asn_fate`` view (``sql/final/50_fates.sql``)
reads the table each step leaves and says, per association, the file it
went into or the step that dropped it and why. ``asnsql explain`` asks
:class:`Fates` about the associations holding one exposure.
"""

from __future__ import annotations


class Fates:
    """The ``asn_fate`` record of one generation, read an exposure at a time."""

    def __init__(self, generation):
        self.con = generation.con
        self._row: int | None = None
        self._held: dict[tuple[str, int], list[tuple[str | None, str | None]]] = {}

    def _holding(self, rule: str, run_id: int, row: int) -> list[tuple[str | None, str | None]]:
        if row != self._row:
            self._held = {}
            for name, run, file_name, reason in self.con.execute(
                "SELECT DISTINCT f.rule, f.run_id, f.file_name, f.reason"
                " FROM asn_fate AS f JOIN asn_member AS m USING (asn_uid)"
                " WHERE m._row = $r ORDER BY ALL",
                {"r": row},
            ).fetchall():
                self._held.setdefault((name, run), []).append((file_name, reason))
            self._row = row
        return self._held.get((rule, run_id), [])

    def joined(self, rule: str, run_id: int, row: int) -> bool:
        """Whether a written association of this rule and pass holds the row."""
        return any(file_name for file_name, _ in self._holding(rule, run_id, row))

    def dropped(self, rule: str, run_id: int, row: int) -> str | None:
        """Why the rule's associations holding the row were not written; None if it made none."""
        reasons = [reason for file_name, reason in self._holding(rule, run_id, row)
                   if not file_name]
        return "; ".join(dict.fromkeys(reasons)) or None
