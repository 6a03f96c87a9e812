package io.pgrunbook.runbook.load;

import io.pgrunbook.error.Suggest;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.runbook.OnFailure;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.RetryPolicy;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.Severity;
import io.pgrunbook.runbook.SourceLocation;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.StepCatalog;
import io.pgrunbook.runbook.TargetSpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Loads a runbook strictly: unknown keys (with a suggestion for near misses), wrong types, duplicate
 * ids, undefined variables, missing SQL and unknown targets are all reported at once, each with
 * file:line:column, as a {@link io.pgrunbook.runbook.RunbookInvalidException} (exit 2).
 */
public final class RunbookLoader {
    public static final List<String> ROOT_KEYS = List.of("name", "description", "targets", "vars", "defaults", "requires", "steps");
    static final List<String> TARGET_KEYS = List.of("url", "pool");
    static final List<String> POOL_KEYS = List.of("min", "max");
    static final List<String> DEFAULT_KEYS = List.of("timeout", "lock_timeout", "severity", "on_failure", "parallel", "retries");
    static final List<String> REQUIRES_KEYS = List.of("server_version");
    /** The target of a runbook that declares none: --db, --sandbox or the PG* environment. */
    public static final String IMPLICIT_TARGET = "default";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern PASSWORD_IN_URI = Pattern.compile("^[a-z]+://[^/@:]*:[^/@]+@", Pattern.CASE_INSENSITIVE);
    private static final Pattern PASSWORD_KEY = Pattern.compile("(^|[\\s?&])password\\s*=", Pattern.CASE_INSENSITIVE);

    private final StepCatalog catalog;

    private boolean keepUnsetEnv;

    public RunbookLoader(StepCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * For plans: an unset {@code ${env:NAME}} (with no default) is kept as written instead of being an
     * error, so a runbook can be reviewed where its environment is not set.
     */
    public RunbookLoader keepingUnsetEnvironment() {
        this.keepUnsetEnv = true;
        return this;
    }

    public Runbook load(Path file, Map<String, String> sets, Map<String, String> env) {
        byte[] bytes;
        Problems problems = new Problems();
        try {
            // The size first: an 11 MB file must not be parsed (or even held twice) to be refused.
            if (!YamlLimits.sizeAllowed(Files.size(file), file.toString(), problems)) {
                problems.throwIfAny();
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw PgRunbookException.invalid("runbook file not found: " + file);
        } catch (IOException e) {
            throw PgRunbookException.invalid("cannot read runbook " + file + ": " + e.getMessage());
        }
        String text = YamlLimits.decode(bytes, file.toString(), problems).orElse(null);
        problems.throwIfAny();
        return parse(text, file.toString(), sets, env);
    }

    public Runbook parse(String text, String fileName, Map<String, String> sets, Map<String, String> env) {
        Problems problems = new Problems();
        Parser events = null;
        if (YamlLimits.sizeAllowed(text.length(), fileName, problems)) {
            events = YamlLimits.withinLimits(text, fileName, loaderOptions(), problems).orElse(null);
        }
        problems.throwIfAny();
        Node root = compose(text, events, fileName, problems);
        problems.throwIfAny();
        YamlReader yaml = new YamlReader(fileName, text, problems);
        if (root == null) {
            problems.add(new SourceLocation(fileName, 1, 1), "the runbook is empty: it needs at least name and steps");
            problems.throwIfAny();
        }
        Optional<Map<String, NodeTuple>> rootEntries = yaml.mapping(root, "the runbook", ROOT_KEYS);
        if (rootEntries.isEmpty()) {
            problems.throwIfAny();
        }
        Map<String, NodeTuple> entries = rootEntries.get();

        String name = required(entries, root, "name", yaml).flatMap(n -> yaml.string(n, "name")).orElse(null);
        if (name != null && !NAME.matcher(name).matches()) {
            yaml.problem(entries.get("name").getValueNode(), "name '" + name + "' may contain only letters, digits, '.', '_' and '-' (it names metrics and locks)");
        }
        Map<String, Object> vars = vars(entries.get("vars"), sets, env, yaml, fileName, keepUnsetEnv);
        yaml.useOverrides(sets);
        yaml.useInterpolator(new Interpolator(vars, env, keepUnsetEnv));
        String description = entries.containsKey("description")
                ? yaml.string(entries.get("description").getValueNode(), "description").orElse(null) : null;
        Map<String, TargetSpec> targets = targets(entries.get("targets"), yaml);
        StepDefaults defaults = entries.containsKey("defaults") ? defaults(entries.get("defaults").getValueNode(), yaml) : StepDefaults.BUILT_IN;
        Integer minVersion = entries.containsKey("requires") ? requires(entries.get("requires").getValueNode(), yaml) : null;
        List<Step> steps = required(entries, root, "steps", yaml)
                .map(n -> new StepParser(yaml, catalog, vars, targets.keySet(), defaults).parse(n, targets.keySet().iterator().next()))
                .orElse(List.of());
        problems.throwIfAny();
        return new Runbook(name, description, fileName, targets, vars, minVersion, steps);
    }

    /**
     * Loads a runbook given as a tree of maps and lists (how a subcommand builds its built-in
     * runbook from options), through the same strict checks as a file: the tree is written out as
     * YAML and read back, so a subcommand can do nothing a runbook file cannot. Strings in the tree
     * are taken literally: a {@code ${...}} in an option's value is never expanded.
     */
    public Runbook parseTree(Map<String, Object> tree, String source, Map<String, String> sets, Map<String, String> env) {
        tree = literal(tree);
        org.yaml.snakeyaml.DumperOptions options = new org.yaml.snakeyaml.DumperOptions();
        options.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        options.setDefaultScalarStyle(org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN);
        options.setSplitLines(false);
        String text = new Yaml(options).dump(tree);
        return parse(text, source, sets, env);
    }

    /** Escapes {@code ${} in every string outside SQL (which is never expanded anyway). */
    @SuppressWarnings("unchecked")
    private static <T> T literal(T value) {
        if (value instanceof String s) {
            return (T) s.replace("${", "$${");
        }
        if (value instanceof List<?> list) {
            return (T) list.stream().map(RunbookLoader::literal).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, "sql".equals(k) ? v : literal(v)));
            return (T) out;
        }
        return value;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowDuplicateKeys(true); // reported by YamlReader with both locations
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(YamlLimits.MAX_BYTES + 1);
        return options;
    }

    /** @param events the events the limits pass read, or null to parse the text (malformed YAML, reported located) */
    private static Node compose(String text, Parser events, String fileName, Problems problems) {
        try {
            LoaderOptions options = loaderOptions();
            Parser parser = events != null ? events : new ParserImpl(new StreamReader(new StringReader(text)), options);
            return new Composer(parser, new Resolver(), options).getSingleNode();
        } catch (MarkedYAMLException e) {
            SourceLocation at = e.getProblemMark() != null
                    ? new SourceLocation(fileName, e.getProblemMark().getLine() + 1, e.getProblemMark().getColumn() + 1)
                    : new SourceLocation(fileName, 1, 1);
            String problem = e.getProblem() == null ? "malformed YAML" : e.getProblem();
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            problems.add(at, "malformed YAML: " + problem + context);
        } catch (YAMLException e) {
            problems.add(new SourceLocation(fileName, 1, 1), "malformed YAML: " + e.getMessage());
        }
        return null;
    }

    private static Optional<Node> required(Map<String, NodeTuple> entries, Node root, String key, YamlReader yaml) {
        if (!entries.containsKey(key)) {
            yaml.problem(root, "the runbook has no '" + key + "'");
            return Optional.empty();
        }
        return Optional.of(entries.get(key).getValueNode());
    }

    /** Declared variables, then --set overrides coerced to the declared type, then ${env:...} expanded. */
    private static Map<String, Object> vars(NodeTuple tuple, Map<String, String> sets, Map<String, String> env, YamlReader yaml, String file,
                                            boolean keepUnsetEnv) {
        Map<String, Object> vars = new LinkedHashMap<>();
        Map<String, Node> nodes = new LinkedHashMap<>();
        if (tuple != null) {
            yaml.useInterpolator(new Interpolator(Map.of(), env, keepUnsetEnv));
            yaml.mapping(tuple.getValueNode(), "vars", null).ifPresent(m -> m.forEach((k, t) -> {
                if (!NAME.matcher(k).matches() || k.contains("-") || k.contains(".")) {
                    yaml.problem(t.getKeyNode(), "variable name '" + k + "' may contain only letters, digits and '_'");
                    return;
                }
                nodes.put(k, t.getValueNode());
                yaml.value(t.getValueNode(), "vars." + k).ifPresent(v -> {
                    if (v == YamlReader.NULL) {
                        yaml.problem(t.getValueNode(), "variable '" + k + "' has no value; give it a default");
                    } else {
                        vars.put(k, v);
                    }
                });
            }));
        }
        SourceLocation cli = new SourceLocation("--set", 0, 0);
        sets.forEach((k, v) -> {
            if (!nodes.containsKey(k)) {
                yaml.problems().add(cli, "--set " + k + ": the runbook declares no variable '" + k + "'"
                        + Suggest.nearest(k, nodes.keySet()).map(s -> "; did you mean '" + s + "'?")
                                .orElse(nodes.isEmpty() ? "" : "; declared: " + String.join(", ", nodes.keySet())));
                return;
            }
            coerce(v, vars.get(k)).ifPresentOrElse(x -> vars.put(k, x), () -> yaml.problems().add(cli,
                    "--set " + k + "=" + v + ": expected " + typeOf(vars.get(k)) + " like the runbook's default"));
        });
        return vars;
    }

    private static Optional<Object> coerce(String text, Object declared) {
        if (declared instanceof List) {
            List<Object> items = new ArrayList<>();
            for (String part : text.split(",", -1)) {
                if (!part.isBlank()) {
                    items.add(part.trim());
                }
            }
            return Optional.of(items);
        }
        if (declared instanceof Long) {
            return YamlReader.asLong(text).map(x -> x);
        }
        if (declared instanceof java.math.BigDecimal || declared instanceof java.math.BigInteger) {
            try {
                return Optional.of(new java.math.BigDecimal(text.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (declared instanceof Boolean) {
            return YamlReader.asBoolean(text).map(x -> x);
        }
        return Optional.of(text);
    }

    private static String typeOf(Object v) {
        if (v instanceof List) {
            return "a comma-separated list";
        }
        if (v instanceof Long || v instanceof Integer || v instanceof java.math.BigInteger) {
            return "a whole number";
        }
        if (v instanceof Number) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "true or false";
        }
        return "a string";
    }

    private Map<String, TargetSpec> targets(NodeTuple tuple, YamlReader yaml) {
        Map<String, TargetSpec> targets = new LinkedHashMap<>();
        if (tuple == null) {
            targets.put(IMPLICIT_TARGET, new TargetSpec(IMPLICIT_TARGET, "", TargetSpec.DEFAULT_POOL_MIN,
                    TargetSpec.DEFAULT_POOL_MAX, SourceLocation.unknown(yaml.file())));
            return targets;
        }
        Map<String, NodeTuple> entries = yaml.mapping(tuple.getValueNode(), "targets", null).orElse(Map.of());
        if (entries.isEmpty()) {
            yaml.problem(tuple.getValueNode(), "targets is empty; leave it out to use --db or the PG* environment");
        }
        entries.forEach((name, t) -> {
            if (!NAME.matcher(name).matches()) {
                yaml.problem(t.getKeyNode(), "target name '" + name + "' may contain only letters, digits, '.', '_' and '-'");
                return;
            }
            Node v = t.getValueNode();
            Node urlNode = v;
            int min = TargetSpec.DEFAULT_POOL_MIN;
            int max = TargetSpec.DEFAULT_POOL_MAX;
            if (v instanceof MappingNode) {
                Map<String, NodeTuple> m = yaml.mapping(v, "target '" + name + "'", TARGET_KEYS).orElse(Map.of());
                urlNode = m.containsKey("url") ? m.get("url").getValueNode() : null;
                if (m.containsKey("pool")) {
                    Map<String, NodeTuple> pool = yaml.mapping(m.get("pool").getValueNode(), "pool", POOL_KEYS).orElse(Map.of());
                    if (pool.containsKey("min")) {
                        min = yaml.positiveInteger(pool.get("min").getValueNode(), "pool.min", 0).map(Long::intValue).orElse(min);
                    }
                    if (pool.containsKey("max")) {
                        max = yaml.positiveInteger(pool.get("max").getValueNode(), "pool.max", 1).map(Long::intValue).orElse(max);
                    }
                    if (min > max) {
                        yaml.problem(m.get("pool").getValueNode(), "pool.min (" + min + ") is larger than pool.max (" + max + ")");
                    }
                }
            }
            String connection = "";
            if (urlNode != null && !(urlNode instanceof ScalarNode s && s.getTag().equals(org.yaml.snakeyaml.nodes.Tag.NULL))) {
                Optional<String> raw = yaml.rawString(urlNode, "target '" + name + "' url");
                if (raw.isPresent() && (PASSWORD_IN_URI.matcher(raw.get()).find() || PASSWORD_KEY.matcher(raw.get()).find())) {
                    yaml.problem(urlNode, "target '" + name + "' has a password in the runbook: passwords never live in "
                            + "the file; use ~/.pgpass, PGPASSWORD, a pg_service.conf service, or ${env:NAME}");
                } else {
                    connection = yaml.string(urlNode, "target '" + name + "' url").orElse("");
                    requireReadable(connection, name, urlNode, yaml);
                }
            }
            targets.put(name, new TargetSpec(name, connection, min, max, yaml.at(t.getKeyNode())));
        });
        if (targets.isEmpty()) {
            targets.put(IMPLICIT_TARGET, new TargetSpec(IMPLICIT_TARGET, "", 1, 4, SourceLocation.unknown(yaml.file())));
        }
        return targets;
    }

    /** A connection string that cannot be read (an unknown keyword, a bad port) is reported where it is written. */
    private void requireReadable(String connection, String target, Node urlNode, YamlReader yaml) {
        // blank: from --db or PG*; an ${env:} a plan left as written is read when a run resolves it
        if (connection.isBlank() || (keepUnsetEnv && connection.contains("${env:"))) {
            return;
        }
        try {
            io.pgrunbook.db.ConnectionSpec.checkSyntax(connection);
        } catch (PgRunbookException e) {
            yaml.problem(urlNode, "target '" + target + "' url: " + e.getMessage());
        }
    }

    private static StepDefaults defaults(Node node, YamlReader yaml) {
        StepDefaults d = StepDefaults.BUILT_IN;
        Map<String, NodeTuple> m = yaml.mapping(node, "defaults", DEFAULT_KEYS).orElse(Map.of());
        Duration timeout = m.containsKey("timeout") ? yaml.duration(m.get("timeout").getValueNode(), "defaults.timeout").orElse(d.timeout()) : d.timeout();
        Duration lock = m.containsKey("lock_timeout") ? yaml.duration(m.get("lock_timeout").getValueNode(), "defaults.lock_timeout").orElse(d.lockTimeout()) : d.lockTimeout();
        Severity severity = d.severity();
        if (m.containsKey("severity")) {
            Node n = m.get("severity").getValueNode();
            String s = yaml.string(n, "defaults.severity").orElse("critical").trim().toUpperCase(Locale.ROOT);
            try {
                severity = Severity.valueOf(s);
            } catch (IllegalArgumentException e) {
                yaml.problem(n, "defaults.severity must be critical or warning, got '" + s.toLowerCase(Locale.ROOT) + "'");
            }
        }
        StepParser helper = new StepParser(yaml, null, Map.of(), java.util.Set.of(), d);
        OnFailure onFailure = m.containsKey("on_failure") ? helper.onFailure(m.get("on_failure").getValueNode()).orElse(d.onFailure()) : d.onFailure();
        int parallel = m.containsKey("parallel") ? yaml.positiveInteger(m.get("parallel").getValueNode(), "defaults.parallel", 1).map(Long::intValue).orElse(d.parallel()) : d.parallel();
        RetryPolicy retry = m.containsKey("retries") ? helper.retries(m.get("retries").getValueNode()).orElse(d.retry()) : d.retry();
        return new StepDefaults(timeout, lock, severity, onFailure, parallel, retry);
    }

    private static Integer requires(Node node, YamlReader yaml) {
        Map<String, NodeTuple> m = yaml.mapping(node, "requires", REQUIRES_KEYS).orElse(Map.of());
        return m.containsKey("server_version")
                ? yaml.positiveInteger(m.get("server_version").getValueNode(), "requires.server_version", 9).map(Long::intValue).orElse(null)
                : null;
    }
}
