"""The reception desk web app: log in, scan, review, decide, print — in Vietnamese.

    from webapp.app import create_app
    app = create_app()            # settings from the environment (contract: Configuration)
"""
