package dev.infercost.engine.tornado;

import dev.infercost.BadInputException;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.EngineProvider;
import dev.infercost.engine.Engines;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The always-compiled half of the TornadoVM backend: discovery and the "unavailable" explanation. */
class TornadoEngineProviderTest {

    @Test
    void registeredThroughServiceLoader() {
        assertTrue(Engines.all().stream().anyMatch(p -> p instanceof TornadoEngineProvider),
                "META-INF/services must register TornadoEngineProvider");
    }

    @Test
    void withoutTornadoHomeExplainsHowToInstall() {
        String why = TornadoEngineProvider.probe(null, getClass().getClassLoader());
        assertNotNull(why);
        assertTrue(why.startsWith("TornadoVM not found: TORNADOVM_HOME is not set"), why);
        assertTrue(why.contains("JDK 25") && why.contains("TORNADOVM_HOME=") && why.contains("BACKEND=opencl")
                && why.contains("BACKEND=ptx") && why.contains("github.com/beehive-lab/TornadoVM"), why);
    }

    @Test
    void withTornadoHomeButNoTornadoJvmFlagsSaysSo() {
        assumeTrue(!present("uk.ac.manchester.tornado.api.TaskGraph"), "this JVM runs with TornadoVM on its module path");
        String why = TornadoEngineProvider.probe("/opt/tornadovm-sdk", getClass().getClassLoader());
        assertNotNull(why);
        assertTrue(why.contains("not started with TornadoVM's flags") && why.contains("bin/infercost"), why);
    }

    @Test
    void unavailableProviderRefusesToOpenWithTheReason() {
        assumeTrue(System.getenv("TORNADOVM_HOME") == null, "TORNADOVM_HOME is set: the TornadoVM tests cover this JVM");
        TornadoEngineProvider p = new TornadoEngineProvider();
        EngineProvider.Availability a = p.availability();
        assertFalse(a.available());
        assertTrue(a.detail().contains("TORNADOVM_HOME is not set"), a.detail());
        assertTrue(p.devices().isEmpty());
        BadInputException e = assertThrows(BadInputException.class, () -> p.open(null, EngineOptions.defaults()));
        assertTrue(e.getMessage().contains("TORNADOVM_HOME"), e.getMessage());
        BadInputException viaRegistry = assertThrows(BadInputException.class, () -> Engines.require("tornado"));
        assertTrue(viaRegistry.getMessage().startsWith("backend 'tornado' is unavailable: TornadoVM not found"), viaRegistry.getMessage());
    }

    private static boolean present(String cls) {
        try {
            Class.forName(cls);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
