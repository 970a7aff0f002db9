package io.github.bluegreen.core;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * What a deploy would do now, from a real but read-only look at the server (nginx's include, the ports, the lock,
 * the state file): every command and file write, in order, as they would be sent. Nothing is locked, written or
 * started ({@code -Dbluegreen.dryRun}).
 */
final class DryRun {
    private DryRun() {}

    static List<String> plan(Deployment d) throws SetupException {
        ServerCommands.Inspection seen = d.server.inspect();
        DeployState before = d.stateOrEmpty(seen.stateFile());
        Integer routed = seen.routedPort(d.config);
        Recovery.Plan plan = Recovery.plan(before, seen, routed, d.config.app().ports(), port -> false);
        List<String> lines = new ArrayList<>();
        lines.add("DRY RUN: what a " + d.kind().name().toLowerCase() + " would do now; nothing on the server is changed");
        lines.add("lock: " + (seen.holder() == null ? "free" : "held by " + seen.holder().describe(java.time.Instant.now())
                + " (still running: " + (seen.holderAlive().equals("unknown") ? seen.holder().aliveHere() : seen.holderAlive())
                + "): a deploy would take it over if its holder is gone, else wait (bluegreen.lockWaitSeconds) or be refused"));
        plan.warnings().forEach(warning -> lines.add("recovery: " + warning));
        if (plan.interrupted() != null) {
            lines.add("recovery: the last deploy, " + plan.interrupted().deployId() + ", was cut off after " + plan.interrupted().phase()
                    + ": " + plan.interrupted().outcome());
        }
        DeployState.Instance live = plan.live();
        lines.add(live == null ? "live: nothing (a first deploy)" : "live: " + live.describe() + " - never stopped before the switch");
        int target = plan.targetPort();
        ServerCommands.PortState onTarget = seen.port(target);
        lines.add("target: port " + target + (onTarget.free() ? ", free"
                : onTarget.running() != null ? ": the instance of release " + onTarget.running().release() + " (PID " + onTarget.running().pid()
                        + ") would be stopped first"
                : ": PID " + onTarget.pid() + " (" + onTarget.command() + ") would be stopped if it is this app's, else the deploy is refused"));

        String release = before.deployId() == null ? "<deploy id>" : "<new deploy id>";
        String jar = d.layout.release(release) + "/" + d.config.artifact().getFileName();
        DeployState.Instance next = new DeployState.Instance(target, null, null, release, jar);
        java.util.Optional<List<String>> viaArgFile = StartStep.argFileCommand(d.config);
        List<String> command = viaArgFile.orElse(d.config.app().command()).stream()
                .map(word -> word.replace("{jar}", jar).replace("{port}", String.valueOf(target))).toList();
        lines.add("commands and file writes, in order (NAME=VALUE arguments of server.sh, as sent):");
        lines.add("  take the lock and inspect: " + ServerCommands.lockCommand(d.layout, d.config,
                LockOwner.thisProcess(release, d.kind().name().toLowerCase()), null, java.time.Duration.ZERO));
        lines.add("  write " + d.layout.stateFile());
        lines.add("  upload " + d.config.artifact() + " to " + jar + ": " + uploadPlan(d));
        if (viaArgFile.isPresent()) {
            lines.add("  for a Spring Boot jar: write " + d.layout.release(release) + "/boot.layout and upload its classes.jar; the"
                    + " server writes " + jar + "." + target + ".args (class path, main class, the class-data archive if one serves)");
        }
        lines.add("  write " + d.layout.environmentFile(target) + " (mode 600): BLUEGREEN_JAR"
                + d.config.app().environment().keySet().stream().map(name -> ", " + name).reduce("", String::concat) + " (values not shown)");
        lines.add("  start: " + ServerCommands.startCommand(d.layout, d.config, new ServerCommands.StartRequest(target, release, jar, size(d),
                "<sha256>", d.layout.log(release, target), d.layout.environmentFile(target), d.config.app().stopTimeout(),
                d.config.nginx().drainTimeout(), command, "<the " + d.config.app().name() + "@.service unit>", ServerCommands.Upload.NONE, viaArgFile.isPresent())));
        lines.add("  health: GET http://127.0.0.1:" + target + d.config.health().path() + " until UP, at most "
                + Durations.format(d.config.health().timeout()) + " after the launch");
        if (!d.config.hooks().beforeSwitch().isEmpty()) {
            lines.add("  beforeSwitch hook: " + ServerCommands.hookCommand(d.layout, "beforeSwitch", d.config.hooks().beforeSwitch(),
                    d.config.hooks().timeout(), new ServerCommands.HookFacts(target, null, release, release, null, null)));
        }
        io.github.bluegreen.core.canary.CanaryPlan canary = d.config.traffic().canary();
        if (CanaryStep.applies(d.config, d.kind(), live, next)) {
            for (int share : canary.steps()) {
                lines.add("  canary step, then " + Durations.format(canary.stepTime()) + " of analysis (traffic every "
                        + Durations.format(CanaryStep.ANALYSIS) + "): " + ServerCommands.canaryCommand(d.layout, d.config, next, live.port(),
                        io.github.bluegreen.core.canary.Split.of(share, canary.sticky()), d.config.health().path()));
            }
        }
        lines.add("  switch: " + ServerCommands.switchCommand(d.layout, d.config, next, d.config.health().path()));
        lines.add("  cleanup: " + ServerCommands.cleanupCommand(d.layout, d.config, live == null || live.pid() == null ? null : live,
                List.of(release)));
        if (!d.config.hooks().afterDeploy().isEmpty()) {
            lines.add("  afterDeploy hook: " + String.join(" ", d.config.hooks().afterDeploy()));
        }
        lines.add("  write " + d.layout.stateFile() + ", append to " + d.layout.historyFile() + ", then "
                + ServerCommands.unlockCommand(d.layout, release));
        return lines;
    }

    /** What the upload would send, asked of the server for real (a read-only question). */
    private static String uploadPlan(Deployment d) throws SetupException {
        JarLayers layers = StartStep.layers(d.config.artifact());
        ServerCommands.Blobs have = d.server.blobs(layers.sha256(), layers);
        if (have.jar() != null) {
            return "nothing to send, the same jar as " + have.jar();
        }
        long missing = layers.segments().stream().filter(s -> !s.blob() || have.missing().contains(s.sha256()))
                .mapToLong(JarLayers.Segment::length).sum();
        return missing + " of " + size(d) + " bytes to send (" + layers.blobs().size() + " libraries, "
                + have.missing().size() + " of them not on the server yet)";
    }

    private static long size(Deployment d) {
        try {
            return Files.size(d.config.artifact());
        } catch (IOException e) {
            return -1;
        }
    }
}
