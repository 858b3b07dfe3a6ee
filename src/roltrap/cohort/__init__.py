"""Escalator measured on person-year records (syllabus §12): cohorts, turnover and trajectories."""
