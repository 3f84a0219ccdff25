"""The app's domain services: plain functions and classes that take the database (and settings)
and return domain objects. They read and write through ``storage``, compute with ``scoring`` and
never touch Slack (a test in tests/test_architecture.py keeps it so); the feature packages call
them and render what they return."""
