"""Correcting the metric readings people type: withdrawing one typed wrong (``services.reading_withdraw``)."""
