"""The `dossier` command line: argument parsing and printing only, no business logic."""
