"""The worker: one long-running process that delivers the outbox and runs the scheduled jobs
(schedule.py) on their own clocks; several workers on several servers share the work."""
