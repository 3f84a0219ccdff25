"""Builds and runs the Partnerbot app: settings, the Bolt App, the HTTP server and the CLI."""
