package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DeployStateTest {

    @Test
    void roundTripKeepsEveryValueIncludingSpecialCharacters() {
        DeployState state = new DeployState();
        state.set("deployId", "20261125-101010-abcd");
        state.phase(Phase.SWITCHED);
        state.instance("live", new DeployState.Instance(8081, 4242L, "r1", "/srv/my app/releases/r1/app.jar = x:y #z\\"));
        state.set("failure", "line one\nline two");

        DeployState read = DeployState.parse(state.text());
        assertEquals(Phase.SWITCHED, read.phase());
        assertEquals(state.instance("live"), read.instance("live"));
        assertEquals("line one\nline two", read.get("failure"));
        assertEquals(state.text(), read.text());
    }

    @Test
    void aCorruptFileIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> DeployState.parse("phase=HALFWAY\n"));
        assertThrows(IllegalArgumentException.class, () -> DeployState.parse("live.port=eighty\n"));
        assertThrows(IllegalArgumentException.class, () -> DeployState.parse("live.port=8080\nlive.pid=12x\n"));
    }

    @Test
    void removingAnInstanceClearsAllItsKeys() {
        DeployState state = new DeployState();
        state.instance("target", new DeployState.Instance(8080, 1L, "r", "c"));
        state.instance("target", null);
        assertNull(state.instance("target"));
        assertEquals(DeployState.parse(new DeployState().text()).text(), state.text());
    }
}
