package io.github.bluegreen.plugin;

import io.github.bluegreen.core.Step;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/** Points nginx at the new version: writes the include with a backup, tests the config, reloads and confirms the reload. */
@Mojo(name = "switch", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class SwitchMojo extends AbstractStepMojo {

    @Inject
    public SwitchMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Step step() {
        return Step.SWITCH;
    }
}
