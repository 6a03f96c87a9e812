package io.pgrunbook.steps.loadtest;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameter generators as a scenario writes them: a plain value (a constant) or a one-key mapping,
 * {@code uniform}, {@code zipfian}, {@code sequence}, {@code payload} or {@code choice}.
 */
final class Generators {
    static final List<String> KINDS = List.of("uniform", "zipfian", "sequence", "payload", "choice");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|kB|KB|MB)?");

    private Generators() {}

    static Generator parse(String path, Object spec) {
        if (!(spec instanceof Map<?, ?> map)) {
            if (spec == null || spec instanceof List<?>) {
                throw new ScenarioException(path + ": expected a value or one of " + KINDS + ", not " + spec);
            }
            return constant(spec);
        }
        if (map.size() != 1) {
            throw new ScenarioException(path + ": a generator is a mapping with one key, one of " + KINDS + "; found " + map.keySet());
        }
        Map.Entry<?, ?> e = map.entrySet().iterator().next();
        String kind = String.valueOf(e.getKey());
        Object args = e.getValue();
        String at = path + "." + kind;
        return switch (kind) {
            case "uniform" -> {
                Map<?, ?> a = Scenarios.map(at, args);
                long min = Scenarios.longValue(at + ".min", a.get("min"), null);
                long max = Scenarios.longValue(at + ".max", a.get("max"), null);
                Scenarios.onlyKeys(at, a, List.of("min", "max"));
                if (max < min) {
                    throw new ScenarioException(at + ": max (" + max + ") is below min (" + min + ")");
                }
                yield uniform(min, max);
            }
            case "zipfian" -> {
                Map<?, ?> a = Scenarios.map(at, args);
                Scenarios.onlyKeys(at, a, List.of("n", "s"));
                long n = Scenarios.longValue(at + ".n", a.get("n"), null);
                double s = Scenarios.doubleValue(at + ".s", a.get("s"), 0.99);
                try {
                    yield new Zipfian((int) Math.min(Integer.MAX_VALUE, n), s);
                } catch (ScenarioException x) {
                    throw new ScenarioException(at + ": " + x.getMessage());
                }
            }
            case "sequence" -> {
                Map<?, ?> a = args == null ? Map.of() : Scenarios.map(at, args);
                Scenarios.onlyKeys(at, a, List.of("start", "step"));
                yield sequence(Scenarios.longValue(at + ".start", a.get("start"), 1L), Scenarios.longValue(at + ".step", a.get("step"), 1L));
            }
            case "payload" -> {
                Map<?, ?> a = Scenarios.map(at, args);
                Scenarios.onlyKeys(at, a, List.of("min", "max", "distribution"));
                int min = bytes(at + ".min", a.get("min"));
                int max = bytes(at + ".max", a.get("max"));
                String shape = a.get("distribution") == null ? "uniform" : String.valueOf(a.get("distribution"));
                Payload.Shape s = switch (shape) {
                    case "uniform" -> Payload.Shape.UNIFORM;
                    case "log-uniform" -> Payload.Shape.LOG_UNIFORM;
                    default -> throw new ScenarioException(at + ".distribution: uniform or log-uniform, not '" + shape + "'");
                };
                try {
                    yield new Payload(min, max, s);
                } catch (ScenarioException x) {
                    throw new ScenarioException(at + ": " + x.getMessage());
                }
            }
            case "choice" -> {
                if (!(args instanceof List<?> values) || values.isEmpty()) {
                    throw new ScenarioException(at + ": a non-empty list of values");
                }
                yield choice(List.copyOf(values));
            }
            default -> throw new ScenarioException(path + ": unknown generator '" + kind + "'" + io.pgrunbook.error.Suggest.hint(kind, KINDS)
                    + " (one of " + KINDS + ")");
        };
    }

    /** A size in bytes: 512, "4KiB", "1 MiB". */
    static int bytes(String path, Object value) {
        if (value instanceof Number n) {
            return Math.toIntExact(n.longValue());
        }
        Matcher m = value == null ? null : SIZE.matcher(String.valueOf(value).strip());
        if (m == null || !m.matches()) {
            throw new ScenarioException(path + ": a size such as 512, 4KiB or 1MiB, not " + value);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long factor = switch (unit) {
            case "KIB" -> 1024L;
            case "MIB" -> 1024L * 1024;
            case "KB" -> 1000L;
            case "MB" -> 1_000_000L;
            default -> 1L;
        };
        long result = n * factor;
        if (result > Payload.MAX_BYTES) {
            throw new ScenarioException(path + ": at most 64MiB, not " + value);
        }
        return (int) result;
    }

    static Generator constant(Object value) {
        Object v = value instanceof Integer i ? Long.valueOf(i) : value;
        return new Generator() {
            @Override
            public Object next(SplittableRandom random) {
                return v;
            }

            @Override
            public String describe() {
                return String.valueOf(v);
            }
        };
    }

    static Generator uniform(long min, long max) {
        return new Generator() {
            @Override
            public Object next(SplittableRandom random) {
                return max == Long.MAX_VALUE ? random.nextLong(min, max) : random.nextLong(min, max + 1);
            }

            @Override
            public String describe() {
                return "uniform(" + min + ".." + max + ")";
            }
        };
    }

    /** Shared by every worker: each value is handed out once, in order, whoever asks. */
    static Generator sequence(long start, long step) {
        AtomicLong next = new AtomicLong(start);
        return new Generator() {
            @Override
            public Object next(SplittableRandom random) {
                return next.getAndAdd(step);
            }

            @Override
            public String describe() {
                return "sequence(from " + start + ", step " + step + ")";
            }
        };
    }

    static Generator choice(List<?> values) {
        List<Object> vs = values.stream().map(v -> v instanceof Integer i ? (Object) Long.valueOf(i) : v).toList();
        return new Generator() {
            @Override
            public Object next(SplittableRandom random) {
                return vs.get(random.nextInt(vs.size()));
            }

            @Override
            public String describe() {
                return "choice" + vs;
            }
        };
    }
}
