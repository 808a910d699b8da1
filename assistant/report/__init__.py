"""What students asked, for the office: the question log and votes summarised (`summary`),
unanswered questions grouped into topics (`topics`), drawn as one self-contained page (`html`).

`report --out` and `/admin` both call `render`. Does not record anything: see
`assistant.feedback`.
"""
