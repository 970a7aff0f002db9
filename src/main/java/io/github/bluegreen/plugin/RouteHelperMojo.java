package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployConfig;
import io.github.bluegreen.core.Fleet;
import io.github.bluegreen.core.RouteHelper;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Prints what root runs once on each server so that the deploy user can only choose a port: the route helper (writes
 * nginx's include, tests and reloads nginx), this app's line of {@code /etc/bluegreen/routes}, and the one sudo rule.
 * Deploys then use {@code -Dbluegreen.routeHelper=/usr/local/sbin/bluegreen-route}. Connects to nothing.
 */
@Mojo(name = "route-helper", threadSafe = true)
public class RouteHelperMojo extends AbstractBlueGreenMojo {

    @Inject
    public RouteHelperMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected String goal() {
        return "route-helper";
    }

    @Override
    protected boolean connects() {
        return false;
    }

    @Override
    protected void runWithoutServer(DeployConfig config) {
        RouteHelper.installation(config, deployUser()).lines().forEach(getLog()::info);
    }

    @Override
    protected void run(Fleet fleet) {
        // connects to no server: see runWithoutServer
    }
}
