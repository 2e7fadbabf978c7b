"""Database plumbing shared by every app (the PostgreSQL backend Orderline runs on)."""
