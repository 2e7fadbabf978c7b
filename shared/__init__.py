"""The public schema's own app (signup services, operators, platform audit). The demo
data lives in ``demo/``."""
