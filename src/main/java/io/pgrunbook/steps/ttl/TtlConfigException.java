package io.pgrunbook.steps.ttl;

/** The sweep's configuration does not fit the table; raised before anything is deleted. */
final class TtlConfigException extends RuntimeException {
    TtlConfigException(String message) {
        super(message);
    }
}
