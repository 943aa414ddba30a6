"""Values: what spoken words mean (numbers, durations, times, dates, units, arithmetic).

The entity parser every other room uses; it imports nothing but the standard library.
"""
