"""The arrangement: tracks x bars of clips, track headers, a transport bar, and a drop target."""

from composer_app.ui.arrangement.drops import NOTES_MIME, encode_notes
from composer_app.ui.arrangement.view import ArrangementView

__all__ = ["NOTES_MIME", "ArrangementView", "encode_notes"]
