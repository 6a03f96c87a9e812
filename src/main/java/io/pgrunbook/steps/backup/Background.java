package io.pgrunbook.steps.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Work a backup step runs beside its main work (pg_dumpall beside pg_dump, the files' hashes beside
 * a drill's restore, pg_amcheck beside its counts), each on a daemon thread of its own so that a
 * thread dump names it, and its failure rethrown as it was when the step waits for it.
 */
final class Background {
    private Background() {}

    /** Work that may fail with an IOException or be interrupted. */
    interface Work<T> {
        T run() throws IOException, InterruptedException;
    }

    static <T> CompletableFuture<T> start(String thread, Work<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted: " + thread));
            }
        }, r -> {
            Thread t = new Thread(r, thread);
            t.setDaemon(true);
            t.start();
        });
    }

    /** The work's result, or its failure as it was thrown (an IOException, a RuntimeException). */
    static <T> T await(CompletableFuture<T> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IOException(e.getCause());
        }
    }
}
