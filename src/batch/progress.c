/*
 * progress.c — the progress bar and the periodic progress lines.
 */
#include "batch/progress.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double progress_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_init(progress *p, FILE *out, uint64_t total, bool quiet)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = isatty(fileno(out));
    p->quiet = quiet;
    p->total = total;
    p->start = progress_clock();
    p->last = p->start;
    /* A bar is cheap to redraw; a log wants few lines. */
    p->interval = p->tty ? 0.2 : 5.0;
}

void progress_add(progress *p, bool ok, uint64_t events)
{
    p->done++;
    if (!ok)
        p->failed++;
    p->events += events;
}

/* "1h02m", "3m05s", "12s" */
static void format_duration(char *buf, size_t len, double s)
{
    if (!(s >= 0) || s > 1e8) {
        snprintf(buf, len, "?");
        return;
    }
    uint64_t t = (uint64_t)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", t / 3600, t / 60 % 60);
    else if (t >= 60)
        snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", t / 60, t % 60);
    else
        snprintf(buf, len, "%" PRIu64 "s", t);
}

static void format_rate(char *buf, size_t len, double r)
{
    if (r >= 1e9)
        snprintf(buf, len, "%.1fG", r / 1e9);
    else if (r >= 1e6)
        snprintf(buf, len, "%.1fM", r / 1e6);
    else if (r >= 1e3)
        snprintf(buf, len, "%.1fk", r / 1e3);
    else
        snprintf(buf, len, "%.0f", r);
}

void progress_show(progress *p, bool force)
{
    double now = progress_clock();
    if (p->quiet || (!force && now - p->last < p->interval))
        return;
    p->last = now;
    double el = now - p->start;
    char eta[32], rate[32], elapsed[32];
    format_rate(rate, sizeof rate, el > 0 ? (double)p->events / el : 0);
    format_duration(elapsed, sizeof elapsed, el);
    if (p->done > 0 && p->done < p->total)
        format_duration(eta, sizeof eta,
                        el / (double)p->done * (double)(p->total - p->done));
    else if (p->done >= p->total)
        snprintf(eta, sizeof eta, "0s");
    else
        snprintf(eta, sizeof eta, "?");
    double frac = p->total ? (double)p->done / (double)p->total : 1;
    if (p->tty) {
        enum { WIDTH = 30 };
        char bar[WIDTH + 1];
        size_t fill = (size_t)(frac * WIDTH);
        for (size_t i = 0; i < WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[WIDTH] = '\0';
        fprintf(p->out,
                "\r[%s] %" PRIu64 "/%" PRIu64 " runs  %" PRIu64 " failed  %s events/s  "
                "ETA %s \033[K",
                bar, p->done, p->total, p->failed, rate, eta);
        p->drawn = true;
    } else {
        fprintf(p->out,
                "progress: %" PRIu64 "/%" PRIu64 " runs (%.0f%%), %" PRIu64
                " failed, %s events/s, elapsed %s, ETA %s\n",
                p->done, p->total, 100 * frac, p->failed, rate, elapsed, eta);
    }
    fflush(p->out);
}

void progress_end(progress *p)
{
    if (p->quiet)
        return;
    if (p->tty)
        progress_show(p, true);
    if (p->drawn)
        fputc('\n', p->out);
    double el = progress_clock() - p->start;
    char elapsed[32];
    format_duration(elapsed, sizeof elapsed, el);
    fprintf(p->out,
            "%" PRIu64 " runs done, %" PRIu64 " failed, %" PRIu64 " events in %.2f s\n",
            p->done, p->failed, p->events, el);
    fflush(p->out);
}
