package io.github.bluegreen.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Least privilege on the server: a small root-owned program (route-helper.sh) through which the deploy user can only
 * choose which of an app's two ports nginx routes to. It writes the include itself, tests and reloads nginx, and restores
 * the include if the test fails; sudo allows the deploy user that program and nothing else. Without it the deploy user
 * writes an include that nginx's root master reads, which is as good as root (an error_log or alias line would do).
 */
public final class RouteHelper {
    /** Where the installation puts it (bluegreen.routeHelper names it). */
    public static final String PATH = "/usr/local/sbin/bluegreen-route";
    private static final String SCRIPT = load();

    private RouteHelper() {}

    /** What root runs once on each server: the helper, the app's line of /etc/bluegreen/routes, the sudoers line. */
    public static String installation(DeployConfig config, String deployUser) {
        String app = config.app().name();
        return String.join("\n",
                "# as root, once per server: the helper (root's, 0755), what " + app + " may route to, and the one sudo rule",
                "install -d -m 755 /etc/bluegreen",
                "cat > " + PATH + ".tmp <<'HELPER'",
                SCRIPT.stripTrailing(),
                "HELPER",
                "install -m 755 -o root -g root " + PATH + ".tmp " + PATH + " && rm " + PATH + ".tmp",
                "grep -q '^" + app + " ' /etc/bluegreen/routes 2>/dev/null || echo '" + app + " " + config.nginx().include() + " "
                        + config.app().ports().get(0) + " " + config.app().ports().get(1) + "' >> /etc/bluegreen/routes",
                "echo '" + deployUser + " ALL=(root) NOPASSWD: " + PATH + "' > /etc/sudoers.d/bluegreen-route && chmod 440 /etc/sudoers.d/bluegreen-route",
                "visudo -c -f /etc/sudoers.d/bluegreen-route",
                "# the include and its directory root's: the deploy user can no longer write them",
                "install -d -m 755 -o root -g root " + parent(config.nginx().include()),
                "[ ! -e " + config.nginx().include() + " ] || chown root:root " + config.nginx().include(),
                "# then deploy with -Dbluegreen.routeHelper=" + PATH + " (the nginx test and reload commands are the helper's)");
    }

    private static String parent(String path) {
        return path.substring(0, Math.max(1, path.lastIndexOf('/')));
    }

    private static String load() {
        try (InputStream in = RouteHelper.class.getResourceAsStream("route-helper.sh")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
