package io.pgrunbook.steps.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Pure unit tests of the draws: determinism, weights, zipfian shape, arrivals, parsing faults. */
class LoadtestGeneratorsTest {

    private static Map<String, Object> scenario(Map<String, Object> operations) {
        return Map.of("operations", operations, "workload", Map.of("rate", "100/s", "duration", "1s"));
    }

    @Test
    void sameSeedGivesTheSameDataAndAnotherSeedDoesNot() {
        Map<String, Object> with = Map.of("seed", 7, "operations", Map.of("q", Map.of("weight", 100, "sql", "SELECT 1")),
                "data", List.of(Map.of("name", "rows", "rows", 10, "sql", "SELECT :v, :n",
                        "params", Map.of("v", Map.of("payload", Map.of("min", "1KiB", "max", "4KiB")), "n", Map.of("uniform", Map.of("min", 1, "max", 1000))))),
                "workload", Map.of("model", "closed", "duration", "1s"));
        List<Map<String, Object>> a = draw(ScenarioParser.parse(with), 7);
        List<Map<String, Object>> b = draw(ScenarioParser.parse(with), 7);
        List<Map<String, Object>> c = draw(ScenarioParser.parse(with), 8);
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(((String) a.get(0).get("v")).length()).isBetween(1024, 4096);
    }

    private static List<Map<String, Object>> draw(Scenario s, long seed) {
        var load = s.data().get(0);
        SplittableRandom random = new SplittableRandom(DataLoader.seedFor(seed, load.name()));
        return java.util.stream.IntStream.range(0, 20).mapToObj(i -> DataLoader.next(load, random)).toList();
    }

    @Test
    void operationsArePickedInProportionToTheirWeights() {
        double[] cumulative = {70, 95, 100};
        SplittableRandom random = new SplittableRandom(1);
        int[] counts = new int[3];
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            counts[LoadRunner.pick(cumulative, random.nextDouble())]++;
        }
        assertThat(counts[0] / (double) n).isCloseTo(0.70, org.assertj.core.data.Offset.offset(0.01));
        assertThat(counts[1] / (double) n).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.01));
        assertThat(counts[2] / (double) n).isCloseTo(0.05, org.assertj.core.data.Offset.offset(0.005));
    }

    @Test
    void zipfianFavoursLowRanksAsItsFormulaSays() {
        Zipfian z = new Zipfian(100, 0.99);
        SplittableRandom random = new SplittableRandom(3);
        int[] counts = new int[101];
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            long r = z.draw(random);
            assertThat(r).isBetween(1L, 100L);
            counts[(int) r]++;
        }
        assertThat(counts[1] / (double) n).isCloseTo(z.probability(1), org.assertj.core.data.Offset.offset(0.01));
        assertThat(counts[1]).isGreaterThan(counts[2]).isGreaterThan(counts[10]);
        assertThat(counts[10]).isGreaterThan(counts[100]);
        // 1/k^s: rank 1 is about twice as popular as rank 2
        assertThat(counts[1] / (double) counts[2]).isBetween(1.8, 2.2);
    }

    @Test
    void uniformArrivalsAreEvenAndPoissonArrivalsHaveTheRightMean() {
        ArrivalSchedule even = new ArrivalSchedule(1000, Scenario.Arrivals.UNIFORM, 0, 0, 1);
        long first = even.next();
        assertThat(even.next() - first).isEqualTo(1_000_000L);
        ArrivalSchedule poisson = new ArrivalSchedule(1000, Scenario.Arrivals.POISSON, 0, 0, 1);
        long start = poisson.next();
        long last = start;
        for (int i = 0; i < 100_000; i++) {
            last = poisson.next();
        }
        assertThat((last - start) / 100_000.0).isCloseTo(1_000_000.0, org.assertj.core.data.Offset.offset(20_000.0));
    }

    @Test
    void aRampStartsSlowly() {
        ArrivalSchedule ramp = new ArrivalSchedule(1000, Scenario.Arrivals.UNIFORM, 0, 1_000_000_000L, 1);
        long first = ramp.next();
        assertThat(ramp.next() - first).isGreaterThan(50_000_000L); // 1 % of the rate at the start
    }

    @Test
    void weightsThatDoNotAddUpAreRefusedWithTheirSum() {
        assertThatThrownBy(() -> ScenarioParser.parse(scenario(Map.of("a", Map.of("weight", 70, "sql", "SELECT 1"),
                "b", Map.of("weight", 20, "sql", "SELECT 2")))))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("add up to 90");
    }

    @Test
    void anUnboundParameterAndAnUnknownGeneratorAreNamed() {
        assertThatThrownBy(() -> ScenarioParser.parse(scenario(Map.of("a", Map.of("weight", 100, "sql", "SELECT :nope")))))
                .hasMessageContaining("operations.a.sql").hasMessageContaining(":nope");
        assertThatThrownBy(() -> ScenarioParser.parse(scenario(Map.of("a", Map.of("weight", 100, "sql", "SELECT :x",
                "params", Map.of("x", Map.of("zipfain", Map.of("n", 3))))))))
                .hasMessageContaining("unknown generator 'zipfain'").hasMessageContaining("zipfian");
        assertThatThrownBy(() -> ScenarioParser.parse(Map.of("operations", Map.of("a", Map.of("weight", 100, "sql", "SELECT 1")))))
                .hasMessageContaining("needs rate");
    }

    @Test
    void perInstallRatesAreSummedOverInstalls() {
        Scenario s = ScenarioParser.parse(Map.of("scope", Map.of("tenants", 50, "installs", 3, "namespaces", 5),
                "operations", Map.of("a", Map.of("weight", 100, "sql", "SELECT :tenant")),
                "workload", Map.of("rate_per_install", "200/min", "duration", "1s")));
        assertThat(s.workload().ratePerSecond()).isCloseTo(500.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void memoryIsBoundedWhateverTheNumberOfSamples() {
        OpTally tally = new OpTally();
        tally.recordLatency(1);
        int footprint = tally.latency.getEstimatedFootprintInBytes();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 2_000_000; i++) {
            tally.recordLatency(random.nextLong(1, OpTally.HIGHEST_MICROS));
        }
        assertThat(tally.latency.getEstimatedFootprintInBytes()).isEqualTo(footprint);
        assertThat(tally.latency.getTotalCount()).isEqualTo(2_000_001);
        // no field of the tally is a per-sample collection
        for (var f : OpTally.class.getDeclaredFields()) {
            assertThat(f.getType()).isNotIn(List.class, java.util.ArrayList.class, long[].class);
        }
        Histogram h = new Histogram(OpTally.HIGHEST_MICROS, 3);
        h.recordValue(1000);
        assertThat(h.getValueAtPercentile(50)).isBetween(999L, 1001L);
    }

    @Test
    void jumpHashSpreadsKeysAndIsStable() {
        int[] counts = new int[8];
        for (int t = 1; t <= 10_000; t++) {
            counts[JumpHash.shard((long) t, 8)]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(1_000, 1_500);
        }
        assertThat(JumpHash.shard(42L, 8)).isEqualTo(JumpHash.shard("42", 8));
    }
}
