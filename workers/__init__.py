"""The dossier pipeline on dramatiq: thin actors over ``intake.steps``, one broker by URL.

    DOSSIER_BROKER_URL=redis://host:6379/0   dossier worker       # consume
    DOSSIER_BROKER_URL=redis://host:6379/0   dossier submit a.pdf # produce
    DOSSIER_BROKER_URL=memory://             (default) run in the calling process

See workers/README.md for several machines.
"""
