"""What people read: the morning digest (Slack), the weekly report (HTML/PDF) and the best
time to post. See docs/reports.md."""
