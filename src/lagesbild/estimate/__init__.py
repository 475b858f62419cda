"""Estimators: statistical methods that turn observations into numbers for the situation picture.

Each estimator lives in its own module (``crc`` for capture-recapture, ...). Estimators are
pure functions over typed, frozen inputs; reading files is kept in separate ``*_io`` modules.
"""
