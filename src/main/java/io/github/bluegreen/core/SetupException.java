package io.github.bluegreen.core;

/**
 * A broken setup: wrong parameter, unreachable host, rejected key, unreadable file, wrong goal order.
 * Nothing on the server was changed because of it. {@link #parameter()} names the setting to fix, if any.
 */
public final class SetupException extends BlueGreenException {
    private final String parameter;
    private final String reason;

    public SetupException(String message) {
        this(null, message, null);
    }

    public SetupException(String parameter, String message) {
        this(parameter, message, null);
    }

    public SetupException(String parameter, String message, Throwable cause) {
        super(parameter == null ? message : message + " (parameter " + parameter + ")", cause);
        this.parameter = parameter;
        this.reason = message;
    }

    /** What went wrong, without the parameter (for a message that names several). */
    public String reason() {
        return reason;
    }

    /** The {@code bluegreen.*} property to fix, or null. */
    public String parameter() {
        return parameter;
    }
}
