package io.github.bluegreen.core;

/** Base of the core's checked exceptions; the message is one line that names the cause and the fix. */
public abstract sealed class BlueGreenException extends Exception permits SetupException, DeployFailedException {
    protected BlueGreenException(String message, Throwable cause) {
        super(message, cause);
    }
}
