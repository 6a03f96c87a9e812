package io.pgrunbook.error;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RedactorTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "host=db1 password=s3cret dbname=app | host=db1 password=******** dbname=app",
            "host=db1 password = 's3 cr\\'et' dbname=app | host=db1 password = ******** dbname=app",
            "host=db1 password='unterminated | host=db1 password=********",
            "jdbc:postgresql://db1/app?user=ops&password=s3cret&ssl=true | jdbc:postgresql://db1/app?user=ops&password=********&ssl=true",
            "postgresql://ops:s3cret@db1:5432/app | postgresql://ops:********@db1:5432/app",
            "postgres://ops:s3@cr/et@db1/app | postgres://ops:********@db1/app",
            "export PGPASSWORD=s3cret; psql | export PGPASSWORD=******** psql",
            "PGPASSWORD=\"two words\" psql | PGPASSWORD=******** psql",
            "sslpassword=keypass | sslpassword=********",
            "{\"user\":\"ops\",\"password\":\"s3\\\"cret\"} | {\"user\":\"ops\",\"password\":\"********\"}",
            "postgresql://ops@db1/app | postgresql://ops@db1/app",
            "password authentication failed for user ops | password authentication failed for user ops",
    })
    void hidesPasswordsByContextWithoutRegistration(String input, String expected) {
        assertThat(new Redactor().redact(input)).isEqualTo(expected);
    }

    @Test
    void hidesRegisteredSecretsAnywhere() {
        Redactor redactor = new Redactor();
        redactor.register("hunter22");

        assertThat(redactor.redact("login as ops with hunter22 failed; hunter22 again"))
                .isEqualTo("login as ops with ******** failed; ******** again");
    }

    @Test
    void hidesEncodedFormsOfRegisteredSecrets() {
        Redactor redactor = new Redactor();
        redactor.register("p@ss w'rd");

        assertThat(redactor.redact("uri had p%40ss+w%27rd, conninfo had p@ss w\\'rd"))
                .isEqualTo("uri had ********, conninfo had ********");
    }

    @Test
    void longerSecretsWinOverSecretsTheyContain() {
        Redactor redactor = new Redactor();
        redactor.register("abc");
        redactor.register("abcdef");

        assertThat(redactor.redact("x abcdef y abc")).isEqualTo("x ******** y ********");
    }

    @Test
    void ignoresNullEmptyAndTooShortSecrets() {
        Redactor redactor = new Redactor();
        redactor.register(null);
        redactor.register("");
        redactor.register("  ");
        redactor.register("ab");

        assertThat(redactor.redact("a backup of abc")).isEqualTo("a backup of abc");
        assertThat(redactor.redact("password=ab")).as("context still hides short ones").isEqualTo("password=********");
    }

    @Test
    void leavesNullAndEmptyTextAlone() {
        assertThat(new Redactor().redact(null)).isNull();
        assertThat(new Redactor().redact("")).isEmpty();
    }

    @Test
    void registrationWhileRenderingIsSafe() throws Exception {
        Redactor redactor = new Redactor();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        String secret = "secret-" + thread + "-" + i;
                        redactor.register(secret);
                        assertThat(redactor.redact("x " + secret + " y")).isEqualTo("x ******** y");
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
