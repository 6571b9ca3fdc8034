"""Pure stages that turn scans into text: no broker, no bucket, no database here."""
