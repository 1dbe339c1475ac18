"""The editors' UI: server-rendered Vietnamese pages under /admin for the people who
write, approve and answer (editors, the board, units, operators).

A session (server side, cookie `portal_admin`) holds the editor's token from login;
every screen calls the owning service's API with it (backends.py), so the UI can
never allow what an API refuses, and it keeps no rule of its own: states, labels,
allowed actions and grounds come from those APIs with the data. One file per owning
service's screens (admin.py, content.py, editorial.py, feedback.py,
participation.py, syndication.py for cross-posts, copies and proposals, partners.py
for the operators' partner systems), what they share in common.py, the routes and
the app's wiring in app.py. It imports nothing of admin's own code but the login throttle's cookie
contract (tests/unit/test_layers.py). Forms carry a CSRF token; the only scripts
are our own files (rich text, live receipt, preview), so the pages keep a strict
Content-Security-Policy.
"""
