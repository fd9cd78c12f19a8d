"""The assistant in the window: ask (suggest, harmonize, regenerate, more like this), compare candidates as
ghost notes and cards, audition, keep, drag out.

Map: ``kinds`` (the request kinds table), ``controller.Assistant`` (requests on the shared worker, the session
``History``, accept), ``session`` (Suggestion/Batch values), ``targets`` (what a request is about), ``engines``
(lazy engine loading), ``controls``/``cards``/``mini_roll``/``panel`` (the dock's widgets), ``overlay`` (ghost
notes in the piano roll), ``audition``, ``drag`` (drag data and drops), ``window.AssistantUi`` (wiring)."""
