package io.pgrunbook.steps.backup;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code manifest.digest}, beside manifest.json: the manifest's SHA-256, or with a key its
 * HMAC-SHA256, as pgBackRest keeps a checksum of its own manifest. The SHA-256 catches an edited or
 * damaged manifest; only the HMAC proves it was not rewritten by someone without the key.
 */
final class ManifestDigest {
    static final String FILE_NAME = "manifest.digest";
    static final String SHA256 = "sha256";
    static final String HMAC = "hmac-sha256";
    /** Environment variable naming the key file, for the subcommands (a runbook writes ${env:...}). */
    static final String KEY_FILE_ENV = "PGRUNBOOK_MANIFEST_KEY_FILE";

    private ManifestDigest() {}

    /** Writes the digest of the manifest's bytes and forces it to disk. */
    static void write(Path directory, byte[] manifest, byte[] key) throws IOException {
        String line = (key == null ? SHA256 + " " + sha256(manifest) : HMAC + " " + hmac(key, manifest)) + "  "
                + BackupManifest.FILE_NAME + "\n";
        try (FileChannel ch = FileChannel.open(directory.resolve(FILE_NAME), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
    }

    /**
     * What verification makes of the manifest's digest: a problem (the backup fails), or a warning for
     * a backup written before digests were kept (no digest and no database_oid either): without a key
     * a plain digest proves only that nothing was damaged, which the files' own checksums also show.
     */
    record Verdict(String problem, String warning) {}

    /** @param key the HMAC key, or null; with {@code signedNeedsKey} false a signed manifest is left to verify-backup */
    static Verdict verdict(Path directory, BackupManifest manifest, byte[] key, boolean signedNeedsKey) throws IOException {
        String problem = check(directory, key);
        if (problem == null) {
            return new Verdict(null, null);
        }
        if (key == null && manifest.databaseOid() == null && absent(directory)) {
            return new Verdict(null, "its manifest was written before pgrunbook kept manifest digests, so the manifest itself cannot be "
                    + "proved unedited (the files still match it): take a new backup");
        }
        if (!signedNeedsKey && key == null && signed(directory)) {
            return new Verdict(null, null);
        }
        return new Verdict(problem, null);
    }

    /** Whether the manifest's digest is an HMAC (made with a key). */
    static boolean signed(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        return Files.isRegularFile(file) && Files.readString(file, StandardCharsets.US_ASCII).startsWith(HMAC + " ");
    }

    /** Whether the backup has no digest file at all (as backups made before digests were kept). */
    static boolean absent(Path directory) {
        return !Files.exists(directory.resolve(FILE_NAME));
    }

    /** Null when the manifest matches its digest (and key, when one is given), else what is wrong. */
    static String check(Path directory, byte[] key) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return "no " + FILE_NAME + " beside " + BackupManifest.FILE_NAME + ": the manifest cannot be proved unedited "
                    + "(a backup made before pgrunbook kept digests, or the digest was removed)";
        }
        String[] parts = Files.readString(file, StandardCharsets.US_ASCII).strip().split("\\s+");
        if (parts.length < 2 || !(parts[0].equals(SHA256) || parts[0].equals(HMAC))) {
            return file + " is not a manifest digest (expected '" + SHA256 + " HEX' or '" + HMAC + " HEX')";
        }
        byte[] manifest = Files.readAllBytes(directory.resolve(BackupManifest.FILE_NAME));
        if (parts[0].equals(HMAC)) {
            if (key == null) {
                return BackupManifest.FILE_NAME + " is signed with a key (HMAC-SHA256): give the key file (--manifest-key-file, "
                        + KEY_FILE_ENV + " or manifest_key_file) to check it";
            }
            return MessageDigest.isEqual(hmac(key, manifest).getBytes(StandardCharsets.US_ASCII), parts[1].getBytes(StandardCharsets.US_ASCII))
                    ? null : BackupManifest.FILE_NAME + " does not match its HMAC in " + FILE_NAME
                    + ": the manifest was edited, or the key is not the one the backup was signed with";
        }
        if (key != null) {
            return BackupManifest.FILE_NAME + " is not signed (plain SHA-256) but a key was given: "
                    + "the backup was made without the key, or its signature was replaced";
        }
        return sha256(manifest).equals(parts[1]) ? null
                : BackupManifest.FILE_NAME + " does not match its SHA-256 in " + FILE_NAME + ": the manifest was edited or damaged";
    }

    /** The key in a file (its bytes, a trailing newline dropped), or null when no file is named. */
    static byte[] readKey(String keyFile) {
        if (keyFile == null || keyFile.isBlank()) {
            return null;
        }
        Path path = Path.of(keyFile);
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8).stripTrailing();
            if (text.length() < 16) {
                throw PgRunbookException.invalid("manifest key file " + path + " holds fewer than 16 characters: "
                        + "use a long random key (e.g. openssl rand -hex 32 > " + path + ")");
            }
            return text.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw PgRunbookException.invalid("cannot read the manifest key file " + path + ": " + e.getMessage()
                    + "; give a readable file holding the key");
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static String hmac(byte[] key, byte[] bytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this Java runtime", e);
        }
    }
}
