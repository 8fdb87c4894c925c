/*
 * student.h — quantiles of Student's t distribution, for the confidence
 * intervals of precision mode.
 */
#ifndef USIM_BATCH_STUDENT_H
#define USIM_BATCH_STUDENT_H

/* The p-quantile (0.5 <= p < 1) of Student's t with df > 0 degrees of
 * freedom, to about 1e-12 relative: the two-sided confidence c has the
 * half-width student_t_quantile((1 + c) / 2, n - 1) * s / sqrt(n).  NaN for
 * arguments out of range. */
double student_t_quantile(double p, double df);

#endif
