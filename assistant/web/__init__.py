"""The web server: the chat and its iframe view, the JSON API, the policy page, their limits.

Thin shells over `Assistant`; the interface's words are in `locales/`. Does not retrieve or
rank anything.
"""
