package io.github.bluegreen.core;

/** Where the core reports progress; the Maven layer maps it to the build log. */
public interface DeployLog {
    void info(String message);

    void warn(String message);

    void debug(String message);
}
