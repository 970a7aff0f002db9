package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployFailedException;
import io.github.bluegreen.core.Fleet;
import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.Step;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/** A goal that runs one step of a deploy. */
abstract class AbstractStepMojo extends AbstractBlueGreenMojo {

    AbstractStepMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    /** The step this goal runs. */
    protected abstract Step step();

    @Override
    protected String goal() {
        return step().goal();
    }

    @Override
    protected void run(Fleet fleet) throws SetupException, DeployFailedException {
        fleet.run(step());
    }

    /** Cleanup ends a deploy; the other steps hand over to the next goal. */
    @Override
    protected boolean deployContinues() {
        return step() != Step.CLEANUP;
    }
}
