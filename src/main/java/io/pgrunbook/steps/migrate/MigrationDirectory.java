package io.pgrunbook.steps.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a migrations directory. The naming scheme is {@code VERSION_description.up.sql} with an
 * optional {@code VERSION_description.down.sql}; VERSION is digits, optionally dotted (001, 1.2,
 * 20251008120000). Any other {@code .sql} file is an error rather than silently ignored.
 */
public final class MigrationDirectory {
    static final Pattern NAME = Pattern.compile("(\\d+(?:\\.\\d+)*)_([A-Za-z0-9_\\-]+)\\.(up|down)\\.sql");
    /** {@code R__description.sql}: a repeatable migration (Flyway's naming), applied again whenever its text changes. */
    static final Pattern REPEATABLE = Pattern.compile("R__([A-Za-z0-9_\\-]+)\\.sql");

    private MigrationDirectory() {}

    public static List<Migration> read(Path dir) {
        return read(dir, true);
    }

    /** @param hash whether to compute each file's checksum (lint, which never compares with a history, does without) */
    static List<Migration> read(Path dir, boolean hash) {
        if (!Files.isDirectory(dir)) {
            throw new MigrationException("migrations directory " + dir + " does not exist or is not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().toList();
        } catch (IOException e) {
            throw new MigrationException("cannot list " + dir + ": " + e.getMessage());
        }
        Map<String, Path> ups = new TreeMap<>(Migration::compareVersions);
        Map<String, Path> downs = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (REPEATABLE.matcher(name).matches()) {
                continue;
            }
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                problems.add(name + ": not a migration name; expected VERSION_description.up.sql, VERSION_description.down.sql or R__description.sql (repeatable)"
                        + " (e.g. 001_create_ext_storage_tables.up.sql)");
                continue;
            }
            Map<String, Path> side = m.group(3).equals("up") ? ups : downs;
            String key = canonical(m.group(1));
            Path previous = side.put(key, f);
            if (previous != null) {
                problems.add("version " + m.group(1) + " is used twice: " + previous.getFileName() + " and " + name
                        + "; give one of them another version");
            }
        }
        for (Map.Entry<String, Path> d : downs.entrySet()) {
            if (!ups.containsKey(d.getKey())) {
                problems.add(d.getValue().getFileName() + ": a down part without an up part (version " + d.getKey() + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new MigrationException("migrations directory " + dir + ": " + String.join("; ", problems));
        }
        List<Migration> out = new ArrayList<>();
        for (Map.Entry<String, Path> u : ups.entrySet()) {
            Matcher m = NAME.matcher(u.getValue().getFileName().toString());
            m.matches();
            String up = readText(u.getValue());
            Path down = downs.get(u.getKey());
            out.add(new Migration(u.getKey(), m.group(2).replace('_', ' '), u.getValue(), up, down,
                    down == null ? null : readText(down), hash ? Migration.checksum(up) : null));
        }
        return out;
    }

    /** The repeatable migrations in dir, by name; read() has already refused a directory with a misnamed file. */
    public static List<Migration> readRepeatables(Path dir) {
        List<Migration> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                Matcher m = REPEATABLE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    String sql = readText(f);
                    out.add(new Migration(Migration.REPEATABLE + m.group(1), m.group(1).replace('_', ' '), f, sql, null, null, Migration.checksum(sql)));
                }
            }
        } catch (IOException e) {
            throw new MigrationException("cannot list " + dir + ": " + e.getMessage());
        }
        return out;
    }

    /** 001 and 1 are the same version; 1.02 is 1.2. */
    static String canonical(String version) {
        StringBuilder sb = new StringBuilder();
        for (String p : version.split("\\.")) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            String t = p.replaceFirst("^0+(?=.)", "");
            sb.append(t);
        }
        return sb.toString();
    }

    private static String readText(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MigrationException("cannot read " + f + ": " + e.getMessage());
        }
    }
}
