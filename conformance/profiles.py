"""The Hypothesis profiles of the suite: ``conformance`` (the default) and ``thorough``."""

from hypothesis import HealthCheck, settings

# Fixed examples by default: the same implementation gets the same verdict on every run.
settings.register_profile(
    "conformance",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=False,
)
# Deeper and randomised; a failure prints the seed to pass back with --hypothesis-seed.
settings.register_profile(
    "thorough",
    derandomize=False,
    database=None,
    deadline=None,
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow],
)
# As many examples as the default, drawn afresh each run (or from --hypothesis-seed=N):
# a correct implementation passes under every seed.
settings.register_profile(
    "randomized",
    settings.get_profile("conformance"),
    derandomize=False,
)
