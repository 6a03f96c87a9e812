package io.pgrunbook.steps.ttl;

import io.pgrunbook.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test database holding the seed 001 schema, reloaded fresh before every test; no sweep hooks left behind. */
@ExtendWith(TestPostgres.class)
abstract class SeededTtlTest {
    static String db;

    @BeforeAll
    static void database() throws Exception {
        if (db == null) {
            db = TestPostgres.shared().createDatabase("ttl_seeded");
        }
    }

    @BeforeEach
    void seed() throws Exception {
        TtlHarness.loadSeed(db);
    }

    @AfterEach
    void noHooks() {
        TtlSweepStep.testHooks = null;
    }
}
