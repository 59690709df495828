"""Persistence: SQLModel tables, engine factory, repositories and Alembic migrations."""
