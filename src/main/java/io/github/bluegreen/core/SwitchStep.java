package io.github.bluegreen.core;

import java.util.Map;

/**
 * Points nginx at the new instance: writes the include (with a backup), runs the config test, reloads,
 * and waits until new nginx workers exist. Any failure restores the include; traffic stays where it was.
 */
final class SwitchStep implements Step {

    @Override
    public String goal() {
        return "switch";
    }

    @Override
    public Phase requires() {
        return Phase.HEALTHY;
    }

    @Override
    public Phase completes() {
        return Phase.SWITCHED;
    }

    @Override
    public void run(Deployment d) throws SetupException, DeployFailedException {
        DeployConfig.Nginx nginx = d.config.nginx();
        DeployState.Instance target = d.state.instance("target");
        ExecResult result = d.script.run(nginx.reloadTimeout().plusSeconds(30), "switch", nginx.include(),
                "set $service_url http://127.0.0.1:" + target.port() + ";", nginx.pidFile(),
                String.valueOf(nginx.reloadTimeout().toMillis()), Shell.join(nginx.testCommand()), Shell.join(nginx.reloadCommand()));
        Map<String, String> values = result.values();
        if (result.exitCode() == ServerScript.REFUSED) {
            throw d.abort(values.get("error") + ". Fix the nginx configuration (check with bluegreen.nginxTestCommand: "
                    + String.join(" ", nginx.testCommand()) + ") and deploy again");
        }
        if (result.exitCode() != ServerScript.OK) {
            throw d.abort(values.getOrDefault("error", result.output()) + " (check bluegreen.nginxPidFile "
                    + nginx.pidFile() + " and bluegreen.nginxReloadCommand)");
        }
        d.state.set("nginx.oldWorkers", values.get("old.workers").trim());
        d.state.instance("previous", d.state.instance("live"));
        d.state.instance("live", target);
        d.log.info("nginx now routes to port " + target.port() + " (workers " + values.get("old.workers").trim() + " -> "
                + values.get("new.workers").trim() + ")");
    }
}
