"""Deadline reminders and organiser broadcasts (issue 7; ARCHITECTURE.md decision 6).

Flow: :mod:`planner` (pure plan from the knowledge file) → :mod:`scheduler` (plan rows, firing
into the outbox in one transaction) → :mod:`outbox` (``deliveries``; :mod:`claims` takes due rows,
:mod:`outcomes` records results) → :mod:`dispatcher` (LINE multicast with retry keys, paced by
:mod:`pacing`; Telegram per chat; retries, dead letters). :mod:`service` runs the
APScheduler timer, leader election (:mod:`leader`) and the dispatcher inside the app;
:mod:`runtime` wires them from settings (also ``aigo reminders run-due``); :mod:`broadcast` and
:mod:`audience` choose recipients; :mod:`texts` renders ``messages.yml``.
"""
