"""nnplayground.worker"""
