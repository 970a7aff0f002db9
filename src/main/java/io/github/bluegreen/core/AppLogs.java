package io.github.bluegreen.core;

import java.util.function.Consumer;

/** The output of an instance (its log file or its systemd journal), for {@code bluegreen:logs}. */
public final class AppLogs {
    private AppLogs() {}

    /**
     * @param port   the instance's port, or null for the one nginx routes to
     * @param follow keep printing new lines until interrupted
     */
    public static void show(Deployment d, Integer port, int lines, boolean follow, Consumer<String> out) throws SetupException {
        ServerCommands.Inspection seen = d.server.inspect();
        Integer chosen = port != null ? port : seen.routedPort(d.config);
        if (chosen == null) {
            throw new SetupException("bluegreen.port", "nothing is deployed yet (no nginx include " + d.config.nginx().include()
                    + "): give the port of an instance with -Dbluegreen.port");
        }
        ServerCommands.PortState state = seen.port(chosen);
        if (state == null || state.record() == null) {
            throw new SetupException("bluegreen.port", "no instance of " + d.config.app().name() + " was started on port " + chosen
                    + " by this plugin" + (d.config.app().ports().contains(chosen) ? "" : " (the ports are " + d.config.app().ports() + ")"));
        }
        ServerCommands.InstanceRecord record = state.record();
        DeployState.Instance instance = new DeployState.Instance(chosen, record.pid(), record.start(), record.release(), null);
        out.accept("== " + (record.unit() ? "the journal of " + d.config.app().name() + "@" + chosen + ".service"
                : d.layout.log(record.release(), chosen)) + " (release " + record.release() + (record.alive() ? ", running" : ", not running")
                + ")" + (follow ? ", following until interrupted" : ""));
        ServerCommands.Command command = ServerCommands.appLogCommand(d.layout, d.config, instance, record.unit(), lines, follow);
        d.transport.stream(ServerCommands.argv(command), out);
    }
}
