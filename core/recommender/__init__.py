"""The project's recommender: one object, fitted on the history and the texts, that blends topic
interests, collaborative filtering (implicit's ALS), text similarity and popularity with weights chosen
on a validation split, lists items with reasons, and is what the offline evaluation measures.

    model = Recommender(corpus=..., labels=..., vectors=..., catalogue_vectors=..., topics=..., settings=...)
    evaluation = evaluate(model, log)                          # leave-last-out, blend chosen on validation
    model.fit(log, blend=evaluation.blend).recommend(top_n=10) # the same blend for the list
"""
from core.recommender.model import COLUMNS, Recommender
from core.recommender.signals import NAMES, SIGNALS
from core.recommender.validation import (Blend, Evaluation, best_blend, choose_blend, default_blend, evaluate,
                                         validation_figures, weight_grid)

__all__ = ["COLUMNS", "NAMES", "SIGNALS", "Blend", "Evaluation", "Recommender", "best_blend", "choose_blend",
           "default_blend", "evaluate", "validation_figures", "weight_grid"]
