"""Building the NLU model: data sets and their mapping onto Hearth's intents, templated
examples, fitting, evaluation, export and the model card (``assistant nlu train``)."""
