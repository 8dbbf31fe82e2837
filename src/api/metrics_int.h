/* metrics_int.h — private to src/api/: a small thread-safe Prometheus metrics registry
 * (counters, gauges, callback gauges, histograms) and its text exposition, format 0.0.4, for
 * the server's GET /metrics. Families are registered at start-up; the hot path is one mutex
 * per family and a hashed label-set lookup. */
#ifndef VG_API_METRICS_INT_H
#define VG_API_METRICS_INT_H

#include "util/util.h"

#include <stddef.h>

#define VG_METRICS_MAX_LABELS 3    /* label names per family */
#define VG_METRICS_MAX_SERIES 1000 /* label sets per family; more go to the "other" series */
#define VG_METRICS_MAX_VALUE 128   /* bytes of a label value; longer ones count as "other" */
#define VG_METRICS_MAX_BUCKETS 32  /* histogram bounds, +Inf not included */
#define VG_METRICS_OTHER "other"   /* every label value of the overflow series */

typedef struct vg_metrics vg_metrics;
typedef struct vg_metric vg_metric;

/* A registry, and its release (with every family it holds). */
vg_metrics *vg_metrics_new(void);
void vg_metrics_free(vg_metrics *m);

/* Register a family and return its handle, owned by `m` and valid until vg_metrics_free.
 * `name` matches [a-zA-Z_:][a-zA-Z0-9_:]* and is unique in `m`; `help` is any text (escaped on
 * output); label names match [a-zA-Z_][a-zA-Z0-9_]*, do not start with "__", are not "le" for
 * histograms, and number at most VG_METRICS_MAX_LABELS. Histogram `buckets` are 1 to
 * VG_METRICS_MAX_BUCKETS finite upper bounds in increasing order (a trailing +Inf is implied
 * and may be given). Names, help and labels are copied. Breaking these rules is a programming
 * error: the process aborts with a message on stderr. Thread-safe, but meant for start-up. */
vg_metric *vg_metrics_counter(vg_metrics *m, const char *name, const char *help,
                              const char *const *label_names, size_t n_labels);
vg_metric *vg_metrics_gauge(vg_metrics *m, const char *name, const char *help,
                            const char *const *label_names, size_t n_labels);
vg_metric *vg_metrics_histogram(vg_metrics *m, const char *name, const char *help,
                                const char *const *label_names, size_t n_labels,
                                const double *buckets, size_t n_buckets);

/* Updates the series of `label_values` (n_labels strings, NULL read as ""; the array may be
 * NULL when there are no labels), creating it at zero on first use. Label values are copied.
 * Past VG_METRICS_MAX_SERIES label sets in a family, or for a value longer than
 * VG_METRICS_MAX_VALUE bytes, the update goes to one series whose values are all "other", so
 * a client inventing values cannot grow memory. Thread-safe (the family's mutex).
 * vg_metric_add: counters (v >= 0; negative or NaN v is ignored) and gauges.
 * vg_metric_set: gauges.
 * vg_metric_observe: histograms (NaN is ignored).
 * Using the wrong kind of family is a programming error and aborts. */
void vg_metric_add(vg_metric *c, const char *const *label_values, double v);
void vg_metric_set(vg_metric *g, const char *const *label_values, double v);
void vg_metric_observe(vg_metric *h, const char *const *label_values, double v);

/* Registers a label-less gauge whose value is `fn(ctx)`, read at each render (e.g. resident
 * memory). `fn` runs with the registry lock held and must not call into `m`. Same name rules
 * and aborts as above. Thread-safe. */
void vg_metrics_gauge_func(vg_metrics *m, const char *name, const char *help, double (*fn)(void *),
                           void *ctx);

/* Appends the text exposition (format 0.0.4, Content-Type "text/plain; version=0.0.4") of every
 * family, in registration order, series in first-use order: "# HELP", "# TYPE", then samples;
 * histograms as cumulative _bucket{le="..."} through le="+Inf", _sum and _count. A family
 * without labels always has its one sample (0 until updated); one with labels and no series
 * yet prints only HELP and TYPE. Label values and help are escaped
 * (backslash, double quote in values, newline) and invalid UTF-8 becomes U+FFFD. The caller
 * owns `out` and checks vg_strbuf_error() for its cap. Thread-safe; each family is read under
 * its mutex, so a family's samples are consistent with each other. */
void vg_metrics_render(vg_strbuf *out, vg_metrics *m);

#endif
