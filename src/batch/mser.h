/*
 * mser.h — MSER-5, the truncation rule for start-up bias (White, 1997):
 * how many leading observations of an output series to delete.
 *
 * The series is cut into batches of 5 (a last partial batch is dropped);
 * of the batch means Z_0..Z_{m-1}, deleting the first d leaves the
 * marginal standard error
 *     MSER(d) = sum_{j>=d} (Z_j - mean(Z_d..Z_{m-1}))^2 / (m - d)^2,
 * and the rule deletes 5 d* observations, d* the d in [0, m/2] of the
 * least MSER (the first such).  Fewer than two batches: nothing deleted.
 */
#ifndef USIM_BATCH_MSER_H
#define USIM_BATCH_MSER_H

#include <stddef.h>

#define MSER_BATCH 5

/* The number of leading observations of y[0..n) to delete (a multiple of
 * MSER_BATCH, at most half the series). */
size_t mser5_truncation(const double *y, size_t n);

#endif
