package io.pgrunbook.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.PgBouncer;
import io.pgrunbook.testsupport.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What TargetPool finds between itself and the server: nothing, or PgBouncer and its pool mode. */
@ExtendWith(TestPostgres.class)
class PoolerDetectionTest {
    static TargetPool open(String url) {
        return TargetPool.open("t", ConnectionSpec.parse(url, Map.of()), 1, 2);
    }

    @Test
    void aDirectConnectionIsNoPoolerAndKeepsPreparedStatements() {
        try (TargetPool direct = open(TestPostgres.shared().url())) {
            assertThat(direct.pooler().present()).isFalse();
            assertThat(direct.spec().properties()).doesNotContainKey("prepareThreshold");
        }
    }

    @Test
    void transactionPoolingIsFoundWithItsVersionAndTurnsServerPreparedStatementsOff() throws Exception {
        try (PgBouncer bouncer = PgBouncer.start(TestPostgres.shared().sandbox(), "transaction", 3);
             TargetPool pooled = open(bouncer.url("postgres", "postgres"))) {
            Pooler p = pooled.pooler();
            assertThat(p.present()).isTrue();
            assertThat(p.mode()).isEqualTo(Pooler.Mode.TRANSACTION);
            assertThat(p.sessionsShared()).isTrue();
            assertThat(p.product()).startsWith("PgBouncer 1.");
            assertThat(p.evidence()).contains("dialled port " + bouncer.port(), "the server sees port " + TestPostgres.shared().sandbox().port());
            assertThat(pooled.spec().properties()).containsEntry("prepareThreshold", "0");

            // A user who may not read the admin console: the mode is unknown, taken as transaction pooling.
            try (java.sql.Connection c = TestPostgres.shared().connect(); java.sql.Statement s = c.createStatement()) {
                s.execute("DO $$BEGIN CREATE ROLE app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$");
            }
            try (TargetPool stranger = open(bouncer.url("app", "postgres"))) {
                assertThat(stranger.pooler().mode()).isEqualTo(Pooler.Mode.UNKNOWN);
                assertThat(stranger.pooler().sessionsShared()).isTrue();
                assertThat(stranger.pooler().describe()).contains("taken as transaction pooling");
            }
        }
    }

    @Test
    void sessionPoolingSharesNoSessions() throws Exception {
        try (PgBouncer bouncer = PgBouncer.start(TestPostgres.shared().sandbox(), "session", 3);
             TargetPool pooled = open(bouncer.url("postgres", "postgres"))) {
            assertThat(pooled.pooler().present()).isTrue();
            assertThat(pooled.pooler().mode()).isEqualTo(Pooler.Mode.SESSION);
            assertThat(pooled.pooler().sessionsShared()).isFalse();
        }
    }

    @Test
    void theAdminConsoleIsATargetOfItsOwn() throws Exception {
        try (PgBouncer bouncer = PgBouncer.start(TestPostgres.shared().sandbox(), "transaction", 3);
             TargetPool console = open(bouncer.consoleUrl())) {
            assertThat(console.isConsole()).isTrue();
            assertThat(console.serverInfo().version()).startsWith("PgBouncer 1.");
            assertThat(console.consoleShow("POOLS")).isNotNull();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(console::borrow)).hasMessageContaining("admin console");
        }
    }
}
