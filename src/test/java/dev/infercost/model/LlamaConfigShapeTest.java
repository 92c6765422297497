package dev.infercost.model;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LlamaConfigShapeTest {
    @Test
    void shapeStringRoundTrips() {
        LlamaConfig c = PresetShapes.config("llama-3.1-8b");
        assertEquals("4096/14336/32/32/8/128256/131072/500000/untied", c.toShapeString());
        LlamaConfig back = LlamaConfig.parseShape(c.toShapeString());
        assertEquals(c, back);
        assertEquals(8_030_261_248L, back.parameterCount()); // Llama-3.1-8B's published parameter count
    }

    @Test
    void badShapeNamesTheValue() {
        BadInputException e = assertThrows(BadInputException.class, () -> LlamaConfig.parseShape("64/172/5"));
        assertTrue(e.getMessage().contains("64/172/5"), e.getMessage());
    }
}
