/*
 * mser.c — MSER-5 (mser.h).
 *
 * One backward pass: Welford's update, run from the last batch to the
 * first, gives the mean and the sum of squared deviations of every tail
 * Z_d..Z_{m-1} in O(m), without the cancellation of sums of squares.
 */
#include "batch/mser.h"

#include <stdlib.h>

size_t mser5_truncation(const double *y, size_t n)
{
    size_t m = n / MSER_BATCH;
    if (m < 2)
        return 0;
    size_t best = 0;
    double best_mser = 0, mean = 0, m2 = 0;
    for (size_t j = m; j-- > 0;) {
        double z = 0;
        for (size_t i = 0; i < MSER_BATCH; i++)
            z += y[j * MSER_BATCH + i];
        z /= MSER_BATCH;
        double k = (double)(m - j), delta = z - mean;
        mean += delta / k;
        m2 += delta * (z - mean);
        /* d = j: only the first half is a candidate, and on a tie the
         * smaller d (reached later in this pass) wins. */
        if (j <= m / 2) {
            double mser = m2 / (k * k);
            if (j == m / 2 || mser <= best_mser) {
                best_mser = mser;
                best = j;
            }
        }
    }
    return best * MSER_BATCH;
}
