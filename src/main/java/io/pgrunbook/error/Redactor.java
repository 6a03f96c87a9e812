package io.pgrunbook.error;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last line of defence for text that reaches users (errors, logs, reports): it hides secrets
 * that were registered and anything that looks like a password by its context, registered or not.
 *
 * <p>Secrets shorter than {@link #MIN_SECRET_LENGTH} characters are not replaced literally: a
 * one-letter password would turn every such letter in a report into stars and make the output
 * useless, while disclosing so weak a secret adds little. Such a password is still hidden wherever
 * it appears in a recognisable place ({@code password=}, {@code user:secret@}, {@code PGPASSWORD=}).
 *
 * <p>Thread-safe: secrets may be registered while another thread is rendering.
 */
public final class Redactor {
    public static final String MASK = "********";
    public static final int MIN_SECRET_LENGTH = 3;

    /** {@code scheme://user:secret@host}: greedy up to the last '@' so an unencoded '@' or '/' in the secret is covered too. */
    private static final Pattern URI_USERINFO =
            Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^:/?#@\\s]*:)\\S*@");
    /** {@code password=x}, {@code password = 'x y'}, {@code PGPASSWORD="x"}, {@code sslpassword=x}, {@code &password=x&}. */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'?|\"(?:[^\"\\\\]|\\\\.)*\"?|[^\\s&]*)");
    /** JSON and YAML renderings of a field named password. */
    private static final Pattern JSON_FIELD =
            Pattern.compile("(?i)(\"password\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)(\"?)");

    private final Object lock = new Object();
    /** Longest first, so a secret that contains another is replaced whole. Copy-on-write. */
    private volatile List<String> secrets = List.of();

    /** Registers a secret (and its percent-encoded and libpq-quoted forms); null, blank and too-short values are ignored. */
    public void register(String secret) {
        if (secret == null || secret.isBlank() || secret.length() < MIN_SECRET_LENGTH) {
            return;
        }
        synchronized (lock) {
            Set<String> next = new LinkedHashSet<>(secrets);
            next.add(secret);
            next.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
            next.add(secret.replace("\\", "\\\\").replace("'", "\\'"));
            List<String> sorted = new ArrayList<>(next);
            sorted.sort(Comparator.comparingInt(String::length).reversed());
            secrets = List.copyOf(sorted);
        }
    }

    /** Registers every secret of the collection. */
    public void registerAll(Iterable<String> secretsToAdd) {
        for (String secret : secretsToAdd) {
            register(secret);
        }
    }

    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return redactPatterns(result);
    }

    /** Pattern-only redaction, for places that have no registered secrets at hand. */
    public static String redactPatterns(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        // Each pattern needs a literal its match cannot lack: a whole report (a plan of a hundred steps)
        // is searched for those in one quick pass instead of being run through three regexes.
        String result = text.contains("://") ? replace(URI_USERINFO, text, m -> m.group(1) + MASK + "@") : text;
        if (!mentionsPassword(result)) {
            return result;
        }
        result = replace(KEY_VALUE, result, m -> m.group(1) + MASK);
        return replace(JSON_FIELD, result, m -> m.group(1) + MASK + m.group(3));
    }

    /** Whether "password" occurs in any case (KEY_VALUE and JSON_FIELD both need it). */
    private static boolean mentionsPassword(String text) {
        return text.toLowerCase(java.util.Locale.ROOT).contains("password");
    }

    private static String replace(Pattern pattern, String text,
                                  java.util.function.Function<Matcher, String> replacement) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(m)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
