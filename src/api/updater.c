/* updater.c — the update scheduler inside `vigil serve`: one thread that runs the configured
 * updaters once at start (updaters.on_start) and then every updaters.interval, into the same
 * store the API reads. With several instances on one store only the leader runs them. A run of one
 * updater failing is logged and counted and does not stop the others. Readers keep serving the
 * previous data until an update commits (the store's update operations are atomic). */
#include "api_int.h"
#include "feed/feed.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void run_one(vg_server *s, const char *name, const vg_feed_opts *fo)
{
    vg_feed_result res;
    memset(&res, 0, sizeof(res));
    double t0 = vg_api_now();
    int rc = vg_feed_update(&res, s->store, name, fo);
    double dur = vg_api_now() - t0;
    const char *result = rc != 0 ? "error" : res.changed ? "changed" : "unchanged";
    const char *l[] = {name, result};
    vg_metric_add(s->m_updater_runs, l, 1);
    const char *u[] = {name};
    vg_metric_observe(s->m_updater_seconds, u, dur);
    if (rc != 0) {
        vg_log_field f[] = {{.key = "updater", .str = name},
                            {.key = "error", .str = vg_error_last()}};
        vg_log_event(VG_LOG_WARN, "updater failed", f, VG_ARRAY_LEN(f));
        return;
    }
    vg_log_field f[] = {
        {.key = "updater", .str = name},
        {.key = "result", .str = result},
        {.key = "added", .num = (int64_t)res.added, .is_num = true},
        {.key = "removed", .num = (int64_t)res.removed, .is_num = true},
        {.key = "advisories", .num = (int64_t)res.n_advisories, .is_num = true},
        {.key = "op", .num = res.op.id, .is_num = true},
        {.key = "duration_ms", .num = (int64_t)(dur * 1000), .is_num = true},
    };
    vg_log_event(VG_LOG_INFO, "updater run", f, VG_ARRAY_LEN(f));
    if (res.changed) {
        vg_api_report_cache_clear(s);
        vg_api_notify_after_update(s, &res.op);
        vg_api_history_record(s);
    }
}

/* Whether this instance leads the updaters now (logged when it changes). */
static bool leading(vg_server *s, bool was)
{
    bool lead = false;
    if (vg_store_leader(&lead, s->store, "updaters") != 0) {
        vg_log_field f[] = {{.key = "error", .str = vg_error_last()}};
        vg_log_event(VG_LOG_WARN, "updater leadership check failed", f, VG_ARRAY_LEN(f));
        lead = false;
    }
    if (lead != was) {
        vg_log_field f[] = {{.key = "leader", .num = lead, .is_num = true}};
        vg_log_event(VG_LOG_INFO, lead ? "updater leadership taken" : "updater leadership lost", f,
                     VG_ARRAY_LEN(f));
    }
    vg_metric_set(s->m_leader, NULL, lead ? 1 : 0);
    return lead;
}

static void run_all(vg_server *s)
{
    const vg_serve_config *c = s->cfg;
    vg_feed_opts fo;
    vg_feed_opts_default(&fo);
    fo.mirror = c->feed_mirror;
    char *dsn = c->db ? vg_xstrdup(c->db) : vg_store_default_dsn();
    char *cache = vg_feed_default_cache_dir(dsn);
    fo.cache_dir = cache;
    atomic_store(&s->updating, 1);
    const char *const *names = c->updaters ? (const char *const *)c->updaters : vg_feed_sources();
    for (size_t i = 0; names[i]; i++) {
        pthread_mutex_lock(&s->upd_mu);
        bool stop = s->stopping;
        pthread_mutex_unlock(&s->upd_mu);
        if (stop || !leading(s, true)) /* the lock lost mid-round: the new leader runs them */
            break;
        run_one(s, names[i], &fo);
    }
    atomic_store(&s->updating, 0);
    free(cache);
    free(dsn);
}

/* Sleeps until `until` (monotonic seconds) or stop; true when stopping. */
static bool wait_until(vg_server *s, double until)
{
    pthread_mutex_lock(&s->upd_mu);
    while (!s->stopping) {
        double left = until - vg_api_now();
        if (left <= 0)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = (int64_t)(left * 1e9) + ts.tv_nsec;
        ts.tv_sec += (time_t)(ns / 1000000000L);
        ts.tv_nsec = (long)(ns % 1000000000L);
        pthread_cond_timedwait(&s->upd_cv, &s->upd_mu, &ts);
    }
    bool stop = s->stopping;
    pthread_mutex_unlock(&s->upd_mu);
    return stop;
}

/* The schedule: only the leader (vg_store_leader "updaters": one instance among all sharing
 * the store) runs; the others retry leadership every updaters.leader_check, and one that takes
 * over runs at once, then every updaters.interval. */
static void *updater_main(void *arg)
{
    vg_server *s = arg;
    const vg_serve_config *c = s->cfg;
    double interval = (double)c->update_interval_ms / 1000.0;
    double check = (double)c->leader_check_ms / 1000.0;
    double next = vg_api_now() + (c->update_on_start ? 0 : interval);
    bool lead = false, first = true, ran = false;
    for (;;) {
        bool was = lead;
        lead = leading(s, was);
        if (lead && !was && !first && !ran)
            next = vg_api_now(); /* took over from a leader that is gone */
        /* (one that had run here before and lost the lock a moment, e.g. a database restart,
         * keeps its own schedule) */
        first = false;
        if (lead && vg_api_now() >= next) {
            run_all(s);
            ran = true;
            next = vg_api_now() + interval;
            if (interval <= 0)
                break; /* on_start only */
        }
        if (ran && interval <= 0)
            break;
        double until = lead ? next : vg_api_now() + check;
        if (lead && until > vg_api_now() + check)
            until = vg_api_now() + check; /* keep checking: the lock may be lost */
        if (wait_until(s, until))
            break;
    }
    return NULL;
}

int vg_api_updater_start(vg_server *s)
{
    if (s->cfg->update_interval_ms <= 0 && !s->cfg->update_on_start)
        return 0;
    int e = pthread_create(&s->updater, NULL, updater_main, s);
    if (e != 0)
        return vg_error_set(VG_ERROR, "cannot start the update scheduler: %s", strerror(e));
    s->updater_started = true;
    return 0;
}

void vg_api_updater_stop(vg_server *s)
{
    if (!s->updater_started)
        return;
    pthread_mutex_lock(&s->upd_mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->upd_cv);
    pthread_mutex_unlock(&s->upd_mu);
    /* An updater run in progress is not interruptible; the caller's shutdown deadline covers it
     * (the store keeps a half-written run invisible, so exiting under it is safe). */
    if (!atomic_load(&s->updating)) {
        pthread_join(s->updater, NULL);
        s->updater_started = false;
    }
}
