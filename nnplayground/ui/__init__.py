"""nnplayground.ui"""
