"""Record counts at which screening changes what it reads, kept apart from the feature code so the
stopping rules (and the report, which imports them) can read them without loading scikit-learn."""

#: The default features (``tfidf-asreview+char``) drop their character block above this
#: many records: about 2 GB of character n-grams at 100,000 records, 20 GB at a million.
#: Above it the default stopping rule changes too (``stopping_rules.default_choice``).
CHAR_MAX_RECORDS = 100_000
