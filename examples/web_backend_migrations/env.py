"""Alembic's environment for the web backend example's database.

The example runs the migrations itself (``web_backend.migrate``) on a connection it
hands over in ``config.attributes``; there is no ``alembic.ini`` and no URL here, so
nothing reads the network or the host's settings.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
