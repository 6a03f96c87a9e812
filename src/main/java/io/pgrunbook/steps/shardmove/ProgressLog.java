package io.pgrunbook.steps.shardmove;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress of a long phase on stderr (INFO, which the command enables on a terminal): done, rate, ETA, every few seconds. */
final class ProgressLog {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);
    private static final long EVERY_NANOS = 2_000_000_000L;

    private final String what;
    private final long total;
    private final long startDone;
    private final long began = System.nanoTime();
    private long done;
    private long lastLog = System.nanoTime();

    ProgressLog(String what, long total, long alreadyDone) {
        this.what = what;
        this.total = total;
        this.startDone = alreadyDone;
        this.done = alreadyDone;
    }

    void advance(long units) {
        done += units;
        long now = System.nanoTime();
        if (now - lastLog >= EVERY_NANOS || done >= total) {
            lastLog = now;
            if (LOG.isInfoEnabled()) {
                LOG.info("shard-move {}: {}", what, line(done, total, done - startDone, (now - began) / 1e9));
            }
        }
    }

    /** "12000/60000 (20%), 8000/s, ETA 6s". */
    static String line(long done, long total, long doneHere, double seconds) {
        double rate = seconds > 0 ? doneHere / seconds : 0;
        String eta = rate > 0 && total > done ? String.format(" ETA %ds", Math.round((total - done) / rate)) : "";
        long pct = total > 0 ? Math.min(100, done * 100 / total) : 100;
        return done + "/" + total + " (" + pct + "%), " + Math.round(rate) + "/s" + eta;
    }
}
