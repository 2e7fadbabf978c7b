"""The demo: sample suppliers, staff, customers, catalogs, orders and returns for
development and the browser tests. Installed by ``config.settings.dev`` and
``config.settings.test`` only, never in production.

``manage.py demo`` runs the loaders of ``demo/loaders/`` (one per domain, in the order
``demo.loaders.LOADERS`` gives); a new feature adds its own loader file there.
"""
