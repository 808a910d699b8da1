"""What visitors tell the office: the questions they ask (masked, kept N days) and their votes.

`question_log` answers and logs every door's questions, `privacy` masks personal data, `store`
keeps both in `databases` (SQLite, or PostgreSQL for several servers). Stores no IP address,
user agent, cookie or session. Does not answer questions (see `assistant.answer`) nor summarise
them (see `assistant.report`).
"""
