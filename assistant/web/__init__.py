"""The web desk and the customer chat: server-rendered pages on `assistant serve`, a fourth thin shell.

Pages are Jinja2 templates (`templates/`) with one small script (`static/live.js`) for the live
parts; there is no front-end build. Sign-in takes the same bearer token the API and the CLI use
(`sessions.py`), the same roles table decides what each page may do, and every change goes through
the same core functions as the CLI's and the API's (`pages.py`).
"""
