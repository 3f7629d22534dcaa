"""nnplayground.presets"""
