"""The core layer: what every app may use; it imports no app of the project
(docs/architecture.md)."""
