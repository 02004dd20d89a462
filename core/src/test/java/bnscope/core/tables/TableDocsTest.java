package bnscope.core.tables;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class TableDocsTest {

    @Test
    void docsTablesMdMatchesTheSchemasInCode() throws Exception {
        Path doc = Path.of(System.getProperty("bnscope.repo.root"), "docs", "tables.md");
        assertTrue(Files.exists(doc), "docs/tables.md is missing: run ./submit.sh docs");
        assertEquals(TableDocs.markdown(), Files.readString(doc),
                "docs/tables.md is stale: run ./submit.sh docs to regenerate it from the schemas");
    }

    @Test
    void everyKeyColumnIsAColumnAndAvroSchemasBuild() {
        for (TableSchema t : SnapshotTables.all()) {
            assertEquals("variant", t.partitionColumn(), t.name());
            assertEquals(t.columns().size(), t.avroSchema().getFields().size(), t.name());
            assertTrue(t.column("variant").isEmpty(), "partition column must not be stored in files: " + t.name());
        }
        for (TableSchema t : MetricTables.all()) {
            assertNull(t.partitionColumn());
            for (String k : t.keyColumns()) {
                assertTrue(t.column(k).isPresent(), t.name() + "." + k);
            }
        }
    }
}
