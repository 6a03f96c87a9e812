package io.pgrunbook.cli;

/** Entry point: the only place that calls System.exit. */
public final class Main {
    private Main() {}

    /**
     * JDK 17's socket implementation makes a socket non-blocking for good once a read timeout has been
     * set on it (pgjdbc sets one while it connects); from then on a read that finds no answer yet costs
     * read (EAGAIN), poll and read again, where the JDK's earlier implementation, still in 17, reads in
     * one blocking call: a round trip costs a third fewer system calls (bench/loadtest.sh, strace -c).
     * Later JDKs ignore the property. Set only when the user has not set it.
     */
    static final String PLAIN_SOCKETS = "jdk.net.usePlainSocketImpl";

    public static void main(String[] args) {
        if (System.getProperty(PLAIN_SOCKETS) == null) {
            System.setProperty(PLAIN_SOCKETS, "true");
        }
        System.exit(Cli.create(AppEnvironment.system(), args).execute(args));
    }
}
