"""nnplayground.data"""
