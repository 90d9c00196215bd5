"""Recurring checklist items (issue 16): an item with a :class:`~checklists.series.models.Recurrence` is a
*series* of occurrences ("every 15 minutes from T-0 to T+24h", "at 09:00, 13:00 and 17:00 daily for week
2"). Each occurrence comes due, is reminded, turns late and is ticked on its own.

- :mod:`.models`: ``Recurrence`` (the rule, on the item) and ``Occurrence`` (a tick; nothing is stored for
  an occurrence nobody ticked: *missed* is computed);
- :mod:`.times`: the occurrences' moments (pure);
- :mod:`.state`: a series' state at a moment (current, next, done and missed counts);
- :mod:`.services`: ``occurrence_tick``.
"""
