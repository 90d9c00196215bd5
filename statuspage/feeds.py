"""The incident history as Atom and RSS (``history.atom``, ``history.rss``: Statuspage's paths), one entry
per published update, newest first."""

from __future__ import annotations

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from .selectors import PublicState

FEED_LIMIT = 50


def history_feed(state: PublicState, url: str, *, atom: bool) -> bytes:
    kind: type[SyndicationFeed] = Atom1Feed if atom else Rss201rev2Feed
    plan = state.plan
    feed = kind(
        title=f"{plan.name} status: history",
        link=url,
        description=f"Incidents and maintenance for {plan.name}",
        language="en",
        feed_url=f"{url}history.{'atom' if atom else 'rss'}",
        feed_guid=f"{url}history",
    )
    entries = []
    for incident in [*state.incidents, *state.maintenances]:
        for update in incident.updates:
            entries.append((update.created_at, incident, update))
    entries.sort(key=lambda e: e[0], reverse=True)
    for moment, incident, update in entries[:FEED_LIMIT]:
        label = update.status.replace("_", " ").capitalize()
        feed.add_item(
            title=f"{incident.name}: {label}",
            link=f"{url}incidents/{incident.id}/",
            description=update.body,
            unique_id=f"{url}history/#{update.id}",
            unique_id_is_permalink=False,
            pubdate=moment,
            updateddate=moment,
        )
    return feed.writeString("utf-8").encode()
