package io.pgrunbook.db;

/**
 * What a target turned out to be when first reached.
 *
 * @param versionNum server_version_num, e.g. 150018
 * @param version    the short version, e.g. "PostgreSQL 15.18"
 */
public record ServerInfo(int versionNum, String version, boolean inRecovery, String user, String database) {
    public int major() {
        return versionNum >= 100000 ? versionNum / 10000 : versionNum / 100;
    }
}
