"""What visitors tell the office: thumbs-up and thumbs-down votes on replies.

Stores no personal data. Does not answer questions: see `assistant.answer`.
"""
