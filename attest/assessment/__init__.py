"""Assessment domain: item formats, the item bank, IRT, CEFR levels and test delivery."""
