"""Orderline's database backend: django-tenants' PostgreSQL backend whose schema editor
never puts a constraint inside ``ALTER TABLE … ADD COLUMN`` (see ``schema.py``).

Settings: ``DATABASES["default"]["ENGINE"] = "core.db.backend"``.
"""
