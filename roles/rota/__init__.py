"""On-call rotas (issue 16): per role, shifts with a person and a backup over the launch window.

- :mod:`.models`: ``Shift`` (who is on call from when to when) and ``Rota`` (the compact rule a plan file
  wrote, ``rota:`` on a role, kept so the file exports as it was written while the shifts still match it);
- :mod:`.oncall`: who is on call at a moment, and the people to page for a role (the shift's person and
  backup, or the role's primary and backup when no shift covers the moment);
- :mod:`.expand`: a rota's shifts.
"""
