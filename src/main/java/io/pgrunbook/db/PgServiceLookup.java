package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import org.postgresql.jdbcurlresolver.PgServiceConfParser;

import java.util.Properties;

/**
 * Asks pgjdbc what a pg_service.conf service defines, so that precedence can follow libpq
 * (connection string, then service, then PG* variables) without a second parser of that file.
 * pgjdbc finds the file itself: system property org.postgresql.pgservicefile, PGSERVICEFILE,
 * ~/.pg_service.conf, then PGSYSCONFDIR/pg_service.conf.
 */
final class PgServiceLookup {
    private PgServiceLookup() {
    }

    /** The service's settings under pgjdbc's names (PGHOST, PGPORT, PGDBNAME, user, sslmode, connectTimeout, ...). */
    static Properties lookup(String service, String from) {
        Properties found;
        try {
            found = PgServiceConfParser.getServiceProperties(service);
        } catch (RuntimeException e) {
            found = null;
        }
        if (found == null) {
            throw PgRunbookException.invalid("service '" + service + "' " + from + " could not be read."
                    + " pgjdbc looks in the system property org.postgresql.pgservicefile, PGSERVICEFILE,"
                    + " ~/.pg_service.conf and PGSYSCONFDIR/pg_service.conf. Check that the file exists, has a ["
                    + service + "] section, and uses keys pgjdbc accepts (host, port, dbname, user, sslmode,"
                    + " and pgjdbc names such as connectTimeout, targetServerType and ApplicationName instead of"
                    + " libpq's connect_timeout, target_session_attrs and application_name)");
        }
        return found;
    }
}
