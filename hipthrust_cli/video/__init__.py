"""Measuring a hip thrust from a side-view video.

Pure layers, which never print, prompt or read the environment:

- :mod:`.landmarks` — one pose per frame (image and world landmarks) and the angles read
  off each frame;
- :mod:`.reps` — reps found with hysteresis and a minimum duration, and their phases;
- :mod:`.rules` — the thresholds and the measurement-to-answer table in
  ``data/video/rules.yaml``;
- :mod:`.analysis` — a clip's reps, per-rep measurements, quality checks and the answers
  it is confident about.

One edge, :mod:`.pose`, decodes the video and runs the pose model (the ``video`` extra).
"""
