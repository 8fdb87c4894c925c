# src/batch: filled in by its layer's work.
