package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployLog;
import org.apache.maven.plugin.logging.Log;

/** The core's progress messages in Maven's build log. */
final class MavenDeployLog implements DeployLog {
    private final Log log;

    MavenDeployLog(Log log) {
        this.log = log;
    }

    @Override
    public void info(String message) {
        log.info(message);
    }

    @Override
    public void warn(String message) {
        log.warn(message);
    }

    @Override
    public void debug(String message) {
        log.debug(message);
    }
}
