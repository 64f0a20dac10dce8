"""hipthrust: find out why you feel hip thrusts in your lower back, and what to change."""
