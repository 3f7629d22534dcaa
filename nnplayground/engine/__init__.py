"""nnplayground.engine"""
